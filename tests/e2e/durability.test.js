'use strict';
// Durability and secrets at rest: acknowledged writes survive kill -9, SIGTERM is a clean exit,
// AccessKey secrets never sit in the data directory in plain bytes, root-credentials is private.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./lib/harness');

function items(body) {
  return body.SmartAccessGateways.SmartAccessGateway;
}

// Every id of the account, paging through DescribeSmartAccessGateways.
async function listAll(client) {
  const out = [];
  let total;
  for (let page = 1; ; page++) {
    const r = await client.call('DescribeSmartAccessGateways', { PageSize: '50', PageNumber: String(page) });
    total = r.TotalCount;
    out.push(...items(r));
    if (items(r).length < 50) break;
  }
  return { items: out, total };
}

// All regular files under dir, recursively.
function filesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

// Asserts that none of the files under dir (except those named in `except`) holds any of the
// secrets, as plain bytes or as hex.
function assertNoSecretsIn(dir, secrets, { except = [] } = {}) {
  const files = filesUnder(dir).filter((f) => !except.includes(path.basename(f)));
  assert.ok(files.some((f) => path.basename(f) === 'sag.db'), `no sag.db in ${dir}: ${files}`);
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    for (const secret of secrets) {
      for (const form of [secret, Buffer.from(secret).toString('hex')]) {
        assert.equal(bytes.indexOf(Buffer.from(form)), -1,
          `${path.basename(file)} contains an AccessKey secret in plain form`);
      }
    }
  }
  return files.map((f) => path.basename(f));
}

describe('durability', () => {
  after(async () => {
    await h.stopAll();
  });

  it('every acknowledged create, modify and delete survives kill -9', async () => {
    const s1 = await h.startSagd({});
    const T = await h.createAccount(s1, 'durable');
    const N = 25;
    const created = [];
    for (let i = 0; i < N; i++) {
      const client = i % 2 === 0 ? T.client : T.v3;
      const r = await client.call('CreateSmartAccessGateway', h.createParams({
        Name: `dur-${i}`, RegionId: i % 5 === 0 ? 'cn-hangzhou' : 'cn-shanghai',
      }));
      created.push({ id: r.SmartAGId, region: i % 5 === 0 ? 'cn-hangzhou' : 'cn-shanghai', name: `dur-${i}` });
    }
    // A modify and a delete, then the last acknowledged write: kill -9 right after its response.
    await T.client.call('ModifySmartAccessGateway', {
      RegionId: created[1].region, SmartAGId: created[1].id, Name: 'renamed-1', SecurityLockThreshold: '600',
    });
    await T.v3.call('DeleteSmartAccessGateway', { RegionId: created[2].region, InstanceId: created[2].id });
    const last = await T.client.call('CreateSmartAccessGateway', h.createParams({ Name: 'the-last-one' }));
    await s1.kill9();

    const s2 = await h.startSagd({ dataDir: s1.dataDir, rootKey: s1.rootKey });
    const c = h.v1Client(s2.endpoint, T.key); // the tenant's AccessKey survived too
    const { items: listed, total } = await listAll(c);
    const expected = new Map(created.filter((_, i) => i !== 2).map((x) => [x.id, x]));
    expected.set(last.SmartAGId, { id: last.SmartAGId, name: 'the-last-one' });
    assert.equal(total, N, 'TotalCount after restart'); // N created + last - deleted
    assert.deepEqual(listed.map((x) => x.SmartAGId).sort(), [...expected.keys()].sort());
    for (const x of listed) {
      const want = x.SmartAGId === created[1].id ? 'renamed-1' : expected.get(x.SmartAGId).name;
      assert.equal(x.Name, want);
    }
    const renamed = await c.call('DescribeSmartAccessGatewayAttribute', {
      RegionId: created[1].region, SmartAGId: created[1].id,
    });
    assert.equal(renamed.SecurityLockThreshold, 600);
    await h.expectApiError(
      c.call('DescribeSmartAccessGatewayAttribute', { RegionId: created[2].region, SmartAGId: created[2].id }),
      { status: 403, code: 'InvalidId.SMARTAG', message: 'The specified smart access gateway instance id is invalid.' });
    const hz = await c.call('DescribeSmartAccessGateways', { RegionId: 'cn-hangzhou' });
    assert.equal(hz.TotalCount, created.filter((x) => x.region === 'cn-hangzhou').length);
    assert.equal((await s2.stop()).code, 0);
  });

  it('kill -9 under concurrent write load loses no acknowledged create', async () => {
    const s1 = await h.startSagd({});
    const T = await h.createAccount(s1, 'underload');
    const acked = [];
    let stop = false;
    const TARGET = 40;
    let killed;
    const worker = async (w) => {
      const client = w % 2 === 0 ? h.v1Client(s1.endpoint, T.key) : h.v3Client(s1.endpoint, T.key);
      while (!stop) {
        let r;
        try {
          r = await client.call('CreateSmartAccessGateway', h.createParams({ Name: `load-${w}` }));
        } catch {
          return; // the server died under us: this write was not acknowledged
        }
        acked.push(r.SmartAGId);
        if (acked.length >= TARGET && !killed) {
          stop = true;
          killed = s1.kill9(); // other workers still have writes in flight
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    await killed;
    assert.ok(acked.length >= TARGET);

    const s2 = await h.startSagd({ dataDir: s1.dataDir, rootKey: s1.rootKey });
    const { items: listed, total } = await listAll(h.v1Client(s2.endpoint, T.key));
    const present = new Set(listed.map((x) => x.SmartAGId));
    const lost = acked.filter((id) => !present.has(id));
    assert.deepEqual(lost, [], `acknowledged creates lost after kill -9 (${acked.length} acknowledged)`);
    assert.equal(total, listed.length);
    assert.equal(new Set(acked).size, acked.length, 'ids are unique');
    await s2.stop();
  });

  it('SIGTERM exits with code 0, and a restart serves the same data', async () => {
    const s1 = await h.startSagd({});
    const root = h.v1Client(s1.endpoint, s1.rootKey);
    const r = await root.call('CreateSmartAccessGateway', h.createParams({ Name: 'before-term' }));
    const exit = await s1.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${s1.stderr()}`);

    const s2 = await h.startSagd({ dataDir: s1.dataDir, rootKey: s1.rootKey });
    const a = await h.v3Client(s2.endpoint, s1.rootKey).call('DescribeSmartAccessGatewayAttribute', {
      RegionId: 'cn-shanghai', SmartAGId: r.SmartAGId,
    });
    assert.equal(a.Name, 'before-term');
    assert.deepEqual(await s2.stop(), { code: 0, signal: null });
  });

  it('SIGTERM under write load exits 0 and every answered write is durable', async () => {
    const s1 = await h.startSagd({});
    const T = await h.createAccount(s1, 'drain');
    const acked = [];
    let exit;
    const worker = async (w) => {
      const client = w % 2 === 0 ? h.v1Client(s1.endpoint, T.key) : h.v3Client(s1.endpoint, T.key);
      for (;;) {
        let r;
        try {
          r = await client.call('CreateSmartAccessGateway', h.createParams({ Name: `drain-${w}` }));
        } catch {
          return; // refused or cut off by the shutdown
        }
        acked.push(r.SmartAGId);
        if (acked.length === 10) exit = s1.stop(); // SIGTERM while the other workers are mid-request
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    assert.deepEqual(await exit, { code: 0, signal: null }, `stderr: ${s1.stderr()}`);

    const s2 = await h.startSagd({ dataDir: s1.dataDir, rootKey: s1.rootKey });
    const { items: listed } = await listAll(h.v1Client(s2.endpoint, T.key));
    const present = new Set(listed.map((x) => x.SmartAGId));
    assert.deepEqual(acked.filter((id) => !present.has(id)), [], 'answered creates missing after restart');
    await s2.stop();
  });
});

describe('secrets at rest', () => {
  after(async () => {
    await h.stopAll();
  });

  it('no AccessKey secret is in the data directory\'s files (database, WAL, others)', async () => {
    const s1 = await h.startSagd({});
    const admin = h.operatorClient(s1);
    const T = await h.createAccount(s1, 'secretive');
    await T.admin.call('CreateUser', { UserName: 'ram-user' });
    const k = await T.admin.call('CreateAccessKey', { UserName: 'ram-user' });
    const extraRoot = await admin.call('CreateAccessKey', {});
    const secrets = [
      s1.rootKey.accessKeySecret,
      T.key.accessKeySecret,
      k.AccessKey.AccessKeySecret,
      extraRoot.AccessKey.AccessKeySecret,
    ];
    for (const secret of secrets) assert.ok(secret.length >= 16, 'a real secret');
    // Make the keys do work, so anything cached or logged on use would show.
    await T.client.call('DescribeRegions', {});
    await h.v1Client(s1.endpoint, {
      accessKeyId: extraRoot.AccessKey.AccessKeyId, accessKeySecret: extraRoot.AccessKey.AccessKeySecret,
    }).call('DescribeRegions', {});

    // While running (the WAL holds the recent writes) and after kill -9 (nothing checkpointed).
    const running = assertNoSecretsIn(s1.dataDir, secrets);
    await s1.kill9();
    const afterKill = assertNoSecretsIn(s1.dataDir, secrets);
    assert.ok(running.includes('sag.db-wal') || afterKill.includes('sag.db-wal'),
      `the WAL was looked at: ${afterKill}`);

    // The secrets are really stored (sealed): they still authenticate after a restart.
    const s2 = await h.startSagd({ dataDir: s1.dataDir, rootKey: s1.rootKey });
    const regions = await h.v3Client(s2.endpoint, T.key).call('DescribeRegions', {});
    assert.equal(regions.Regions.Region.length, 10);
    const ram = h.v1Client(s2.endpoint, {
      accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret,
    });
    await h.expectApiError(ram.call('DescribeRegions', {}), {
      status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.',
    });
    assert.equal((await s2.stop()).code, 0);
    assertNoSecretsIn(s1.dataDir, secrets);

    // Nor in what sagd printed.
    for (const out of [s1.stdout(), s1.stderr(), s2.stdout(), s2.stderr()]) {
      for (const secret of secrets) assert.ok(!out.includes(secret), 'a secret was printed');
    }
  });

  it('without env keys, root-credentials is written with mode 0600 and holds a working key', async () => {
    const s1 = await h.startSagd({ rootKey: null });
    const file = path.join(s1.dataDir, 'root-credentials');
    const st = fs.statSync(file);
    assert.equal(st.mode & 0o777, 0o600, `mode ${(st.mode & 0o777).toString(8)}`);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^SAG_ROOT_ACCESS_KEY_ID=\S+$/m);
    assert.match(text, /^SAG_ROOT_ACCESS_KEY_SECRET=\S+$/m);
    const key = h.parseCredentialsFile(file);
    assert.ok(key.accessKeyId && key.accessKeySecret);

    const admin = h.v1Client(s1.endpoint, key, h.OPERATOR_VERSION);
    const accounts = await admin.call('ListAccounts', {});
    assert.ok(accounts.Accounts.Account.some((a) => a.IsOperator === true));
    assert.equal((await h.v3Client(s1.endpoint, key).call('DescribeRegions', {})).Regions.Region.length, 10);
    assert.ok(!s1.stdout().includes(key.accessKeySecret), 'the secret was printed on stdout');
    assert.ok(!s1.stderr().includes(key.accessKeySecret), 'the secret was printed on stderr');
    assertNoSecretsIn(s1.dataDir, [key.accessKeySecret], { except: ['root-credentials'] });
    assert.equal((await s1.stop()).code, 0);

    // A restart keeps the same key and does not rewrite the file.
    const s2 = await h.startSagd({ dataDir: s1.dataDir, rootKey: null });
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    assert.equal((await h.v1Client(s2.endpoint, key).call('DescribeRegions', {})).Regions.Region.length, 10);
    await s2.stop();
  });

  it('with env keys set, no root-credentials file is written and the env key works', async () => {
    const s1 = await h.startSagd({});
    assert.ok(!fs.existsSync(path.join(s1.dataDir, 'root-credentials')));
    assert.equal((await h.v1Client(s1.endpoint, s1.rootKey).call('DescribeRegions', {})).Regions.Region.length, 10);
    await s1.stop();
  });
});
