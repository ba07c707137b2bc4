'use strict';
// Several sagd nodes on one PostgreSQL database (issue 7, docs/deployment.md): any node answers
// any call, a device connected to one node is reached through another, a dead node's devices go
// offline within the lease, the nonce window is shared, acknowledged writes survive a node's
// SIGKILL, and nodes may start together on an empty database. Each test makes its own database
// on the server named by SAG_TEST_PG_DSN; without it these tests FAIL (scripts/test.sh sets it).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn, execFileSync } = require('node:child_process');

const h = require('./lib/harness');

const LEASE_MS = 1500;
const HEARTBEAT_MS = 300;
const REGION = 'cn-shanghai';
const SN_CONFLICT = {
  status: 400, code: 'SAG.SnConflict',
  message: 'The specified SerialNumber has been bound to another SAG instance.',
};
const NOT_ONLINE = {
  status: 403, code: 'SmartAccessGatewayNotOnline', message: 'The specified smart access gateway is not online.',
};

// ---- PostgreSQL: one fresh database per suite ----------------------------------------------

function requireDsn() {
  const dsn = process.env.SAG_TEST_PG_DSN;
  assert.ok(dsn, 'SAG_TEST_PG_DSN is not set: the multi-node tests need a PostgreSQL server ' +
    '(eval "$(scripts/pg-test-server.sh start)" before configuring, as scripts/test.sh does)');
  return dsn;
}

// keyword=value conninfo -> {host, port, user, dbname, ...}.
function parseDsn(dsn) {
  const out = {};
  for (const m of dsn.matchAll(/(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g)) {
    let v = m[2];
    if (v.startsWith("'")) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out[m[1]] = v;
  }
  return out;
}

const databases = [];

function psql(dsn, sql) {
  execFileSync('psql', [dsn, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
}

// Creates an empty database; returns its postgresql:// URL for --store.
function freshDatabase() {
  const dsn = requireDsn();
  const name = `sag_mn_${process.pid}_${databases.length}_${h.randomAlnum(6).toLowerCase()}`;
  psql(dsn, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  databases.push(name);
  const p = parseDsn(dsn);
  const user = encodeURIComponent(p.user || 'postgres');
  const pass = p.password ? `:${encodeURIComponent(p.password)}` : '';
  return `postgresql://${user}${pass}@${p.host || '127.0.0.1'}:${p.port || 5432}/${name}`;
}

function dropDatabases() {
  if (!process.env.SAG_TEST_PG_DSN) return;
  for (const name of databases.splice(0)) {
    try {
      psql(process.env.SAG_TEST_PG_DSN, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch {
      // best effort
    }
  }
}

// ---- nodes and devices -----------------------------------------------------------------------

function sharedMasterKey() {
  const file = path.join(h.makeTempDir('sag-mn-key-'), 'master.key');
  fs.writeFileSync(file, crypto.randomBytes(32), { mode: 0o600 });
  return file;
}

// A cluster: every node on the same database, master key and operator root key.
function cluster(store) {
  const masterKey = sharedMasterKey();
  const rootKey = { accessKeyId: 'LTAI' + h.randomAlnum(20), accessKeySecret: h.randomAlnum(30) };
  return {
    store,
    rootKey,
    start(extra = []) {
      return h.startSagd({
        testMode: true,
        rootKey,
        args: ['--store', store, '--master-key-file', masterKey, '--device-registry', 'closed',
          '--device-lease-ms', String(LEASE_MS), '--device-heartbeat-ms', String(HEARTBEAT_MS),
          '--admin-password-timeout-ms', '5000', ...extra],
      });
    },
  };
}

const devices = new Set();

// Starts sag-device against endpoint; resolves once it reports itself online.
function startDevice(endpoint, args) {
  const bin = path.join(process.env.SAG_BIN_DIR, 'sag-device');
  const proc = spawn(bin, ['--endpoint', endpoint, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  devices.add(proc);
  proc.on('exit', () => devices.delete(proc));
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`device not online in 20 s:\n${stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('sag-device: 1 online')) {
        clearTimeout(timer);
        resolve({ proc, stderr: () => stderr });
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`sag-device exited ${code}:\n${stderr}`)); });
  });
}

async function rejection(promise) {
  try {
    return { ok: true, body: await promise };
  } catch (e) {
    if (e && e.entry && e.entry.response) return { ok: false, status: e.entry.response.statusCode, body: e.data };
    if (e && e.data && typeof e.data.statusCode === 'number') {
      const { statusCode, ...body } = e.data;
      return { ok: false, status: statusCode, body };
    }
    throw e;
  }
}

async function createInstance(client, overrides = {}) {
  const r = await client.call('CreateSmartAccessGateway', h.createParams(overrides));
  return r.SmartAGId;
}

after(async () => {
  for (const p of devices) p.kill('SIGKILL');
  await h.stopAll();
  dropDatabases();
});

describe('several nodes on one PostgreSQL database', () => {
  let C;
  let A;
  let B;
  let tenantA; // the tenant's clients through node A
  let tenantB; // the same tenant through node B
  const secret = 'device-secret-' + h.randomAlnum(16);

  before(async () => {
    C = cluster(freshDatabase());
    A = await C.start();
    B = await C.start();
    const t = await h.createAccount(A, 'multinode');
    tenantA = t;
    tenantB = { key: t.key, client: h.v1Client(B.endpoint, t.key), v3: h.v3Client(B.endpoint, t.key) };
  });

  // An active sag-1000 instance with a registered, bound device (through node `via`).
  async function activeInstanceWithDevice(via) {
    const sn = 'sagmn' + h.randomAlnum(8).toLowerCase();
    await h.operatorClient(via).call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-1000', DeviceSecret: secret });
    const client = h.v1Client(via.endpoint, tenantA.key);
    const id = await createInstance(client, { HardWareSpec: 'sag-1000', MaxBandWidth: '10' });
    await client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn });
    await client.call('ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id });
    return { id, sn };
  }

  function controllerState(client, inst) {
    return client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn })
      .then((r) => r.ControllerState);
  }

  it('a write through one node is read through the other at once', async () => {
    const id = await createInstance(tenantA.client, { Name: 'written-on-a' });
    const attr = await tenantB.v3.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
    assert.equal(attr.Name, 'written-on-a');
  });

  it('64 clients split across two nodes bind one SN to 64 instances: exactly one wins, 63 SAG.SnConflict (x3)', async () => {
    for (let round = 0; round < 3; round++) {
      const ids = await Promise.all(Array.from({ length: 64 }, (_, i) =>
        createInstance(i % 2 ? tenantA.client : tenantB.client, { Name: `mn-race-${round}-${i}` })));
      const sn = `MNRACE${round}-${h.randomAlnum(10)}`;
      // The registry is closed: the operator registers the device first (through node B).
      await h.operatorClient(B).call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-100wm' });
      const results = await Promise.all(ids.map((id, i) => rejection(
        h.v1Client((i % 2 ? A : B).endpoint, tenantA.key)
          .call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn }))));
      const winners = results.map((r, i) => (r.ok ? i : -1)).filter((i) => i >= 0);
      assert.equal(winners.length, 1, `round ${round}: ${winners.length} binds succeeded`);
      for (const [i, r] of results.entries()) {
        if (r.ok) continue;
        assert.equal(r.status, SN_CONFLICT.status, `client ${i}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.Code, SN_CONFLICT.code);
        assert.equal(r.body.Message, SN_CONFLICT.message);
      }
      // Both nodes agree on the winner.
      for (const t of [tenantA, tenantB]) {
        const r = await t.client.call('DescribeSmartAccessGateways', { SerialNumber: sn });
        assert.deepEqual(r.SmartAccessGateways.SmartAccessGateway.map((x) => x.SmartAGId), [ids[winners[0]]]);
      }
    }
  });

  it('a nonce used on one node is SignatureNonceUsed on the other', async () => {
    const nonce = h.newNonce();
    const first = await h.signedRaw(A.endpoint, tenantA.key, { Action: 'DescribeRegions', Format: 'JSON' }, { nonce });
    assert.equal(first.status, 200, first.text);
    const replay = await h.signedRaw(B.endpoint, tenantA.key, { Action: 'DescribeRegions', Format: 'JSON' }, { nonce });
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.json.Code, 'SignatureNonceUsed');
    assert.equal(replay.json.Message, 'Specified signature nonce was used already.');
    const again = await h.signedRaw(A.endpoint, tenantA.key, { Action: 'DescribeRegions', Format: 'JSON' }, { nonce });
    assert.equal(again.json.Code, 'SignatureNonceUsed');
  });

  it('a password change requested through node B reaches the device connected to node A: 200', async () => {
    const inst = await activeInstanceWithDevice(A);
    const stateDir = h.makeTempDir('sag-mn-dev-');
    await startDevice(A.endpoint, ['--sn', inst.sn, '--secret', secret, '--state-dir', stateDir, '--firmware', '2.0.5']);
    assert.equal(await controllerState(tenantB.client, inst), 'Normal', 'node B sees the device online');
    const password = 'Admin_' + h.randomAlnum(12);
    const r = await tenantB.client.call('ModifySAGAdminPassword', {
      RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn, Password: password,
    });
    assert.match(r.RequestId, /^[0-9A-F-]{36}$/);
    const info = await tenantB.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn });
    assert.equal(info.SynStatus, 'Synchronized');
    // The device holds the new hash.
    const held = fs.readdirSync(stateDir).map((f) => fs.readFileSync(path.join(stateDir, f), 'utf8')).join('\n');
    assert.match(held, /\$argon2id\$/);
    // And the other way round: a second change through A answers 200 too.
    await tenantA.client.call('ModifySAGAdminPassword', {
      RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn, Password: 'Admin_' + h.randomAlnum(12),
    });
  });

  it('a reboot requested through node A reaches a device on node B', async () => {
    const inst = await activeInstanceWithDevice(B);
    await startDevice(B.endpoint, ['--sn', inst.sn, '--secret', secret]);
    const info = () => tenantA.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn });
    const before = (await info()).StartupTime;
    await new Promise((r) => setTimeout(r, 1100)); // StartupTime has one-second resolution
    await tenantA.client.call('RebootSmartAccessGateway', { RegionId: REGION, SmartAGId: inst.id });
    await h.poll(async () => {
      const i = await info();
      return i.ControllerState === 'Normal' && i.StartupTime !== before && i.SynStatus === 'Synchronized';
    }, { timeoutMs: 15000 });
  });

  it('a key disabled or a policy detached through node A is refused by node B at once (its cache is told)', async () => {
    const user = 'mn-ram-' + h.randomAlnum(6).toLowerCase();
    await tenantA.admin.call('CreateUser', { UserName: user });
    const doc = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'smartag:Describe*', Resource: '*' }] };
    await tenantA.admin.call('CreatePolicy', { PolicyName: `${user}-p`, PolicyDocument: JSON.stringify(doc) });
    await tenantA.admin.call('AttachPolicyToUser', { PolicyName: `${user}-p`, UserName: user });
    const keys = [];
    for (let i = 0; i < 2; i++) {
      const k = await tenantA.admin.call('CreateAccessKey', { UserName: user });
      keys.push({ accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret });
    }
    const onB = keys.map((k) => h.v1Client(B.endpoint, k));
    const describe = (c) => c.call('DescribeSmartAccessGateways', { RegionId: REGION });
    for (const c of onB) await describe(c);  // node B has both keys and the policy cached now

    await tenantA.admin.call('UpdateAccessKey', { UserAccessKeyId: keys[0].accessKeyId, Status: 'Inactive' });
    // Well within the 2 s cache lifetime: only the announcement can have dropped it.
    await h.poll(async () => (await rejection(describe(onB[0]))).body.Code === 'InvalidAccessKeyId.Inactive',
      { timeoutMs: 500, intervalMs: 10 });
    await tenantA.admin.call('DetachPolicyFromUser', { PolicyName: `${user}-p`, UserName: user });
    await h.poll(async () => (await rejection(describe(onB[1]))).body.Code === 'Forbidden',
      { timeoutMs: 500, intervalMs: 10 });
  });

  it('the test clock moved through one node is the business clock of the other', async () => {
    const target = Date.UTC(2031, 0, 2, 3, 4, 5);
    await h.operatorClient(A).call('SetClock', { Now: String(target) });
    await h.poll(async () => {
      const c = await h.operatorClient(B).call('GetClock', {});
      return Math.abs(c.Now - target) < 60000;
    }, { timeoutMs: 5000 });
    await h.operatorClient(B).call('SetClock', { Now: String(Date.now()) });
    await h.poll(async () => Math.abs((await h.operatorClient(A).call('GetClock', {})).Now - Date.now()) < 60000,
      { timeoutMs: 5000 });
  });

  it('an auto-upgrade policy set through node B upgrades a device on node A exactly once in its window', async () => {
    // Artifacts are per node: the same file published through both (the second answers the version).
    const { makeArtifact, sag } = require('./lib/upgrades');
    const artifact = makeArtifact(96 * 1024);
    const args = ['admin', 'PublishVersion', '--VersionType', 'Device', '--VersionCode', '2.1.0',
      '--HardwareModels', 'sag-1000', '--ArtifactFile', artifact.file];
    for (const node of [B, A]) {
      const r = sag(node, args);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(JSON.parse(r.stdout).Version.Sha256, artifact.sha256);
      assert.ok(fs.readFileSync(path.join(node.dataDir, 'artifacts', artifact.sha256)).equals(artifact.bytes));
    }
    const other = sag(A, [...args.slice(0, -1), makeArtifact(1000).file]);
    assert.equal(JSON.parse(other.stdout).Code, 'EntityAlreadyExists', 'another artifact under the same code');

    const inst = await activeInstanceWithDevice(A);
    const { CcnId } = await tenantA.client.call('CreateCloudConnectNetwork', { RegionId: REGION, Name: 'mn-ccn', IsDefault: 'false' });
    await tenantA.client.call('BindSmartAccessGateway', { RegionId: REGION, CcnId, SmartAGId: inst.id });
    await startDevice(A.endpoint, ['--sn', inst.sn, '--secret', secret, '--firmware', '2.0.0', '--reboot-ms', '200']);
    await tenantB.v3.call('ModifyDeviceAutoUpgradePolicy', { RegionId: REGION, SmartAGId: inst.id, SerialNumber: inst.sn,
      UpgradeType: 'scheduled', CronExpression: '0 0 3 * * ?', Jitter: '0' });
    const { NextUpgradeTime: window } = await tenantA.client.call('DescribeDeviceAutoUpgradePolicy',
      { RegionId: REGION, SmartAGId: inst.id, SerialNumber: inst.sn });
    await h.operatorClient(B).call('SetClock', { Now: String(window + 1000) });
    const upgrades = await h.poll(async () => {
      const list = (await h.operatorClient(A).call('ListUpgrades', { SerialNumber: inst.sn })).Upgrades.Upgrade;
      return list.length > 0 && list[0].State === 'Succeeded' ? list : null;
    }, { timeoutMs: 20000, intervalMs: 100 });
    await new Promise((r) => setTimeout(r, 1500)); // both nodes' sweepers have run again
    const after = (await h.operatorClient(B).call('ListUpgrades', { SerialNumber: inst.sn })).Upgrades.Upgrade;
    assert.equal(after.length, 1, JSON.stringify(after));
    assert.equal(upgrades[0].VersionCode, '2.1.0');
    const p = await h.poll(async () => {
      const d = await tenantA.client.call('DescribeDeviceAutoUpgradePolicy', { RegionId: REGION, SmartAGId: inst.id, SerialNumber: inst.sn });
      return d.LastUpgradeResult !== 'starting' ? d : null;  // the claim, before the outcome is recorded
    });
    assert.equal(p.LastUpgradeResult, `started ${upgrades[0].UpgradeId} to 2.1.0`);
    const info = await tenantB.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn });
    assert.equal(info.Version, '2.1.0');
  });

  it('a device whose node is SIGKILLed shows offline on the other node within the lease', async () => {
    const N = await C.start();
    const inst = await activeInstanceWithDevice(A);
    await startDevice(N.endpoint, ['--sn', inst.sn, '--secret', secret, '--firmware', '2.0.5']);
    assert.equal(await controllerState(tenantA.client, inst), 'Normal');
    await N.kill9();
    const killedAt = Date.now();
    await h.poll(async () => (await controllerState(tenantA.client, inst)) === 'Abnormal',
      { timeoutMs: LEASE_MS * 4, intervalMs: 50 });
    const elapsed = Date.now() - killedAt;
    assert.ok(elapsed <= LEASE_MS + 1000, `offline after ${elapsed} ms (lease ${LEASE_MS} ms)`);
    await h.expectApiError(tenantB.client.call('ModifySAGAdminPassword', {
      RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn, Password: 'Admin_' + h.randomAlnum(12),
    }), NOT_ONLINE);
  });

  it('a node SIGKILLed mid write-load loses no acknowledged write (the other node serves them all)', async () => {
    const V = await C.start();
    const acked = [];
    let stop = false;
    let killed;
    const TARGET = 40;
    const worker = async (w) => {
      const node = w % 2 ? V : A;
      const client = w % 4 < 2 ? h.v1Client(node.endpoint, tenantA.key) : h.v3Client(node.endpoint, tenantA.key);
      while (!stop) {
        let r;
        try {
          r = await client.call('CreateSmartAccessGateway', h.createParams({ Name: `mn-load-${w}` }));
        } catch {
          return; // the node died under us: not acknowledged
        }
        acked.push(r.SmartAGId);
        if (acked.length >= TARGET && !killed) {
          stop = true;
          killed = V.kill9(); // workers on V still have writes in flight
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 5, 7].map(worker));
    await killed;
    const present = new Set();
    for (let page = 1; ; page++) {
      const r = await tenantB.client.call('DescribeSmartAccessGateways', { PageSize: '50', PageNumber: String(page) });
      const got = r.SmartAccessGateways.SmartAccessGateway;
      for (const x of got) present.add(x.SmartAGId);
      if (got.length < 50) break;
    }
    const lost = acked.filter((id) => !present.has(id));
    assert.deepEqual(lost, [], `acknowledged creates lost (${acked.length} acknowledged)`);
  });

  it('SIGTERM of a node exits 0 and the other keeps serving', async () => {
    const T = await C.start();
    await h.v1Client(T.endpoint, tenantA.key).call('DescribeRegions', {});
    assert.deepEqual(await T.stop(), { code: 0, signal: null }, T.stderr());
    await tenantA.client.call('DescribeRegions', {});
  });
});

describe('first start', () => {
  it('3 nodes started at once on an empty database: one operator account, every node serves it', async () => {
    const C = cluster(freshDatabase());
    const nodes = await Promise.all([C.start(), C.start(), C.start()]);
    for (const n of nodes) {
      const r = await h.operatorClient(n).call('ListAccounts', {});
      const operators = r.Accounts.Account.filter((a) => a.IsOperator);
      assert.equal(operators.length, 1, JSON.stringify(r));
      assert.equal(r.Accounts.Account.length, 1);
    }
    const t = await h.createAccount(nodes[0], 'first-start');
    const ids = await Promise.all(nodes.map((n, i) => createInstance(h.v1Client(n.endpoint, t.key), { Name: `fs-${i}` })));
    const listed = await h.v3Client(nodes[2].endpoint, t.key).call('DescribeSmartAccessGateways', {});
    assert.deepEqual(listed.SmartAccessGateways.SmartAccessGateway.map((x) => x.SmartAGId).sort(), ids.sort());
    for (const n of nodes) assert.deepEqual(await n.stop(), { code: 0, signal: null }, n.stderr());
  });
});

describe('calls waiting for a device on another node', () => {
  // The wait of node B ends by the device's report on node A, carried over as a cluster message:
  // with an acknowledgement timeout of 10 minutes, an answer within the client's 15 s can only
  // come from the report (the store is re-read only at the timeout).
  it('UpdateSmartAccessGatewayVersion through node B answers once the device on node A acknowledged', async () => {
    const C = cluster(freshDatabase());
    const A = await C.start(['--upgrade-ack-timeout-ms', '600000']);
    const B = await C.start(['--upgrade-ack-timeout-ms', '600000']);
    const t = await h.createAccount(A, 'mn-upgrade');
    const viaB = h.v1Client(B.endpoint, t.key);
    const { makeArtifact, sag } = require('./lib/upgrades');
    const artifact = makeArtifact(32 * 1024);
    for (const node of [A, B]) {
      const r = sag(node, ['admin', 'PublishVersion', '--VersionType', 'Device', '--VersionCode', '2.1.0',
        '--HardwareModels', 'sag-1000', '--ArtifactFile', artifact.file]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    const secret = 'device-secret-' + h.randomAlnum(16);
    const sn = 'sagmnup' + h.randomAlnum(8).toLowerCase();
    await h.operatorClient(A).call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-1000', DeviceSecret: secret });
    const id = await createInstance(viaB, { HardWareSpec: 'sag-1000', MaxBandWidth: '10' });
    await viaB.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn });
    await viaB.call('ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id });
    const { CcnId } = await viaB.call('CreateCloudConnectNetwork', { RegionId: REGION, Name: 'mn-up', IsDefault: 'false' });
    await viaB.call('BindSmartAccessGateway', { RegionId: REGION, CcnId, SmartAGId: id });
    await startDevice(A.endpoint, ['--sn', sn, '--secret', secret, '--firmware', '2.0.0', '--reboot-ms', '200']);
    const r = await viaB.call('UpdateSmartAccessGatewayVersion', { RegionId: REGION, SmartAGId: id, VersionCode: '2.1.0' });
    assert.match(r.RequestId, /^[0-9A-F-]{36}$/);
    await h.poll(async () => {
      const [u] = (await h.operatorClient(B).call('ListUpgrades', { SerialNumber: sn })).Upgrades.Upgrade;
      return u && u.State === 'Succeeded';
    }, { timeoutMs: 20000, intervalMs: 100 });
  });
});
