'use strict';
// Two sagd nodes on one PostgreSQL database: client users created concurrently through both nodes
// never share a ClientIp or a name, and never exceed UserCount (the database constraint and the
// instance row lock hold across nodes, docs/semantics.md). Needs SAG_TEST_PG_DSN
// (scripts/pg-test-server.sh), like the store contract suite on PostgreSQL.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const h = require('./lib/harness');

const REGION = 'cn-shanghai';

// keyword=value conninfo -> postgresql:// URL on database db.
function pgUrl(dsn, db) {
  const kv = Object.fromEntries(dsn.trim().split(/\s+/).map((p) => p.split('=')));
  const auth = kv.user ? `${encodeURIComponent(kv.user)}${kv.password ? ':' + encodeURIComponent(kv.password) : ''}@` : '';
  return `postgresql://${auth}${kv.host || '127.0.0.1'}:${kv.port || 5432}/${db}`;
}

describe('client users on two sagd nodes sharing PostgreSQL', () => {
  const dsn = process.env.SAG_TEST_PG_DSN;
  const db = `sag_e2e_cu_${h.randomAlnum(10).toLowerCase()}`;
  let n1;
  let n2;
  let A1;
  let A2;

  before(async () => {
    assert.ok(dsn, 'SAG_TEST_PG_DSN must name a PostgreSQL server (eval "$(scripts/pg-test-server.sh start)")');
    const made = spawnSync('psql', [dsn, '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${db}`], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const store = pgUrl(dsn, db);
    n1 = await h.startSagd({ testMode: true, args: ['--store', store] });
    n2 = await h.startSagd({
      testMode: true, rootKey: n1.rootKey,
      args: ['--store', store, '--master-key-file', path.join(n1.dataDir, 'master.key')],
    });
    A1 = await h.createAccount(n1, 'multinode');
    A2 = { client: h.v1Client(n2.endpoint, A1.key) };
  });

  after(async () => {
    await h.stopAll();
    if (dsn) spawnSync('psql', [dsn, '-c', `DROP DATABASE IF EXISTS ${db}`], { encoding: 'utf8' });
  });

  it('32 concurrent creates split over both nodes into a /27: 29 distinct addresses, 3 ClientUser.IpPoolExhausted', async () => {
    const r = await A1.client.call('CreateSmartAccessGatewaySoftware', {
      RegionId: REGION, ChargeType: 'PREPAY', DataPlan: '5', Period: '12', UserCount: '100', AutoPay: 'true',
      CidrBlock: '10.77.0.64/27',
    });
    const id = r.SmartAGId;
    const results = await Promise.allSettled(Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? A1 : A2).client.call(
      'CreateSmartAccessGatewayClientUser',
      { RegionId: REGION, SmartAGId: id, UserMail: 'mn@example.com', UserName: `mn-user-${i}`, Password: 'Multi-node-1' },
    )));
    const ok = results.filter((x) => x.status === 'fulfilled').map((x) => x.value.ClientIp);
    // Which 29 of the 32 got an address depends on the race; remember one that did.
    const created = results.findIndex((x) => x.status === 'fulfilled');
    const failed = results.filter((x) => x.status === 'rejected');
    assert.equal(ok.length, 29, failed.map((f) => `${f.reason.code} ${f.reason.message}`).join('; '));
    assert.equal(new Set(ok).size, 29);
    for (const f of failed) {
      await h.expectApiError(Promise.reject(f.reason), {
        status: 400, code: 'ClientUser.IpPoolExhausted',
        message: 'No free ClientIp is left in the CIDR blocks of the SAG app instance.',
      });
    }
    // Both nodes see the same 29 users.
    for (const c of [A1.client, A2.client]) {
      const list = await c.call('DescribeSmartAccessGatewayClientUsers', { RegionId: REGION, SmartAGId: id, PageSize: '100' });
      assert.equal(list.TotalCount, 29);
      assert.deepEqual(new Set(list.Users.User.map((u) => u.ClientIp)), new Set(ok));
    }
    // One name, both nodes at once (one address freed first): exactly one winner, the rest UserExist.
    await A2.client.call('DeleteSmartAccessGatewayClientUser', {
      RegionId: REGION, SmartAGId: id, UserName: `mn-user-${created}`,
    });
    const same = await Promise.allSettled([A1, A2, A1, A2].map((n) => n.client.call('CreateSmartAccessGatewayClientUser', {
      RegionId: REGION, SmartAGId: id, UserMail: 'mn@example.com', UserName: 'mn-race-01', Password: 'Multi-node-1',
    })));
    assert.equal(same.filter((x) => x.status === 'fulfilled').length, 1);
    for (const f of same.filter((x) => x.status === 'rejected')) {
      await h.expectApiError(Promise.reject(f.reason), {
        status: 400, code: 'ClientUser.UserExist', message: 'The specified user already exists.',
      });
    }
  });
});
