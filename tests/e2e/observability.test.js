// Metrics and the audit trail (issue 17): /metrics in the Prometheus text format, parsed by a
// Prometheus text-format parser, with counters that move with the calls made and its access
// rules; LookupEvents after a scripted sequence returns exactly those events, in order, without
// secrets, an account seeing its own and the operator all.
'use strict';
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const parsePrometheusTextFormat = require('parse-prometheus-text-format');
const {
  startSagd, stopAll, v1Client, operatorClient, createAccount, createParams, expectApiError, rawHttp,
  randomAlnum,
} = require('./lib/harness');

const OPERATOR_VERSION = '2026-11-01';

async function scrape(server, headers = {}) {
  const r = await rawHttp(server.endpoint, { target: '/metrics', headers });
  return r;
}

// family name -> family, from an exposition text.
function families(text) {
  const out = new Map();
  for (const f of parsePrometheusTextFormat(text)) out.set(f.name, f);
  return out;
}

// The value of the series of family `name` whose labels include `labels` (0 when none).
function valueOf(fams, name, labels = {}) {
  const f = fams.get(name);
  if (!f) return 0;
  const m = f.metrics.find((s) => Object.entries(labels).every(([k, v]) => (s.labels || {})[k] === v));
  if (!m) return 0;
  return Number(f.type === 'HISTOGRAM' ? m.count : m.value);
}

describe('/metrics', () => {
  let server;
  before(async () => { server = await startSagd(); });
  after(() => stopAll());

  test('is served without credentials on loopback and parses as the Prometheus text format', async () => {
    const r = await scrape(server);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const fams = families(r.text);
    for (const name of ['sag_devices_online', 'sag_device_sessions_opened_total',
      'sag_device_sessions_closed_total', 'sag_upgrades', 'sag_store_pool_waits_total',
      'sag_store_pool_wait_seconds_total', 'sag_nonce_window_nonces', 'sag_nonce_window_keys',
      'sag_audit_events_written_total', 'sag_audit_events_failed_total']) {
      assert.ok(fams.has(name), `family ${name} is exposed`);
    }
    assert.equal(fams.get('sag_devices_online').type, 'GAUGE');
    assert.equal(valueOf(fams, 'sag_devices_online'), 0);
  });

  test('request counters, latency histograms, the nonce window and audit counters move with the calls made', async () => {
    const beforeText = (await scrape(server)).text;
    const before = families(beforeText);
    const client = v1Client(server.endpoint, server.rootKey);
    for (let i = 0; i < 3; i++) await client.call('DescribeRegions', {});
    const stranger = v1Client(server.endpoint, { accessKeyId: 'LTAInobody000000000000', accessKeySecret: 'x'.repeat(30) });
    await expectApiError(stranger.call('DescribeRegions', {}),
      { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' });
    const op = operatorClient(server);
    await op.call('CreateAccount', { AccountName: 'metrics-' + randomAlnum(6) });
    const afterText = (await scrape(server)).text;
    const afterCalls = families(afterText);
    const ok = { api: 'smartag', action: 'DescribeRegions', code: 'Success' };
    assert.equal(valueOf(afterCalls, 'sag_api_requests_total', ok) - valueOf(before, 'sag_api_requests_total', ok), 3);
    const denied = { api: 'smartag', action: 'DescribeRegions', code: 'InvalidAccessKeyId.NotFound' };
    assert.equal(valueOf(afterCalls, 'sag_api_requests_total', denied) - valueOf(before, 'sag_api_requests_total', denied), 1);
    // parse-prometheus-text-format folds a labelled histogram's series into one (a limitation of
    // the parser), so its count is read from the text; the parser still checks every line.
    const latencyCount = (text) => Number((text.match(
      /^sag_api_request_duration_seconds_count\{api="smartag",action="DescribeRegions"\} (\d+)$/m) || [0, 0])[1]);
    assert.equal(latencyCount(afterText) - latencyCount(beforeText), 4);
    assert.match(afterText, /^sag_api_request_duration_seconds_bucket\{api="smartag",action="DescribeRegions",le="\+Inf"\} \d+$/m);
    assert.equal(afterCalls.get('sag_api_request_duration_seconds').type, 'HISTOGRAM');
    assert.ok(valueOf(afterCalls, 'sag_nonce_window_nonces') >= valueOf(before, 'sag_nonce_window_nonces') + 4,
      'the nonces of the signed calls are in the window');
    // CreateAccount is the only mutating call: one audit event written.
    assert.equal(valueOf(afterCalls, 'sag_audit_events_written_total') - valueOf(before, 'sag_audit_events_written_total'), 1);
    assert.equal(valueOf(afterCalls, 'sag_audit_events_failed_total'), 0);
  });

  test('an unknown action is counted under one "(unknown)" series, whatever its name', async () => {
    const client = v1Client(server.endpoint, server.rootKey);
    const name = 'NoSuchAction' + randomAlnum(8);
    await expectApiError(client.call(name, {}), { status: 404, code: 'InvalidAction.NotFound' });
    const text = (await scrape(server)).text;
    assert.ok(!text.includes(name), 'the caller-chosen name is not a label');
    assert.ok(valueOf(families(text), 'sag_api_requests_total', { action: '(unknown)', code: 'InvalidAction.NotFound' }) >= 1);
  });

  test('a method other than GET or HEAD is 405', async () => {
    const r = await rawHttp(server.endpoint, { method: 'POST', target: '/metrics' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, HEAD');
  });
});

describe('/metrics access', () => {
  after(() => stopAll());

  test('with --metrics-token it needs "Authorization: Bearer <token>", even on loopback', async () => {
    const token = 'tok-' + randomAlnum(24);
    const server = await startSagd({ args: ['--metrics-token', token] });
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: token }]) {
      const r = await scrape(server, headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.headers['www-authenticate'], 'Bearer');
    }
    const r = await scrape(server, { authorization: 'Bearer ' + token });
    assert.equal(r.status, 200);
    assert.ok(families(r.text).has('sag_api_requests_total'));
  });

  test('the token may come from SAG_METRICS_TOKEN', async () => {
    const token = 'env-' + randomAlnum(24);
    const server = await startSagd({ env: { SAG_METRICS_TOKEN: token } });
    assert.equal((await scrape(server)).status, 401);
    assert.equal((await scrape(server, { authorization: 'Bearer ' + token })).status, 200);
    assert.ok(!server.stdout().includes(token) && !server.stderr().includes(token), 'the token is not logged');
  });

  test('listening beyond loopback without a token, /metrics is 403', async () => {
    const server = await startSagd({ listen: '0.0.0.0:0' });
    const r = await scrape(server);
    assert.equal(r.status, 403);
    assert.match(r.text, /--metrics-token/);
  });
});

describe('audit trail: LookupEvents', () => {
  let server;
  let op;
  let A;
  let B;
  const secrets = [];
  before(async () => {
    server = await startSagd();
    op = operatorClient(server);
    A = await createAccount(server, 'audit-a');
    B = await createAccount(server, 'audit-b');
    secrets.push(A.key.accessKeySecret, B.key.accessKeySecret, server.rootKey.accessKeySecret);
  });
  after(() => stopAll());

  // A's scripted sequence; returns what each call should be recorded as, in order.
  async function script() {
    const expected = [];
    const created = await A.client.call('CreateSmartAccessGateway', createParams({ Name: 'audit-gw' }));
    const id = created.SmartAGId;
    const arn = `acs:smartag:cn-shanghai:${A.accountId}:smartag/${id}`;
    expected.push({ EventName: 'CreateSmartAccessGateway', ResultCode: 'Success', HttpStatus: 200, UserName: 'root',
      AccessKeyId: A.key.accessKeyId, ResourceArn: `acs:smartag:cn-shanghai:${A.accountId}:smartag/*`, RequestId: created.RequestId });
    // Reads are not recorded.
    await A.client.call('DescribeSmartAccessGateways', { RegionId: 'cn-shanghai' });
    const modified = await A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Name: 'renamed' });
    expected.push({ EventName: 'ModifySmartAccessGateway', ResultCode: 'Success', HttpStatus: 200, UserName: 'root',
      AccessKeyId: A.key.accessKeyId, ResourceArn: arn, RequestId: modified.RequestId });
    await A.admin.call('CreateUser', { UserName: 'alice' });
    expected.push({ EventName: 'CreateUser', ResultCode: 'Success', HttpStatus: 200, UserName: 'root', EventSource: 'opensag', ResourceArn: '*' });
    const key = await A.admin.call('CreateAccessKey', { UserName: 'alice' });
    secrets.push(key.AccessKey.AccessKeySecret);
    expected.push({ EventName: 'CreateAccessKey', ResultCode: 'Success', HttpStatus: 200, UserName: 'root', EventSource: 'opensag' });
    // alice has no policy: her call is refused, and recorded as hers.
    const alice = v1Client(server.endpoint, { accessKeyId: key.AccessKey.AccessKeyId, accessKeySecret: key.AccessKey.AccessKeySecret });
    await expectApiError(alice.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Name: 'x' }),
      { status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.' });
    expected.push({ EventName: 'ModifySmartAccessGateway', ResultCode: 'Forbidden', HttpStatus: 403, UserName: 'alice',
      AccessKeyId: key.AccessKey.AccessKeyId, ResourceArn: arn });
    // B's call is B's.
    await B.client.call('CreateSmartAccessGateway', createParams({ Name: 'b-gw' }));
    return { expected, id, arn };
  }

  let run;
  test('an account sees exactly its own mutating calls, newest first, with who, from where and the result', async () => {
    run = await script();
    const r = await A.admin.call('LookupEvents', {});
    const events = r.Events;
    assert.equal(r.NextToken, undefined);
    assert.equal(events.length, run.expected.length, JSON.stringify(events, null, 1));
    const inOrder = [...events].reverse();
    run.expected.forEach((want, i) => {
      for (const [k, v] of Object.entries(want)) assert.equal(inOrder[i][k], v, `event ${i} ${k}`);
      assert.equal(inOrder[i].AccountId, A.accountId);
      assert.equal(inOrder[i].SourceIpAddress, '127.0.0.1', 'the address, without the port');
      assert.match(inOrder[i].EventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.equal(inOrder[i].EventSource, want.EventSource || 'smartag');
    });
    const ids = events.map((e) => Number(e.EventId));
    assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');
    const text = JSON.stringify(events);
    for (const s of secrets) assert.ok(!text.includes(s), 'no secret in the trail');
    assert.ok(!text.includes('renamed'), 'no parameter value in the trail');
  });

  test('the operator sees every account, its own calls too', async () => {
    const r = await op.call('LookupEvents', { MaxResults: '50' });
    const accounts = new Set(r.Events.map((e) => e.AccountId));
    assert.ok(accounts.has(A.accountId) && accounts.has(B.accountId));
    const creates = r.Events.filter((e) => e.EventName === 'CreateAccount');
    assert.equal(creates.length, 2);
    assert.ok(creates.every((e) => e.EventSource === 'opensag' && e.UserName === 'root' &&
      e.AccessKeyId === server.rootKey.accessKeyId));
    assert.ok(!JSON.stringify(r.Events).includes(A.key.accessKeySecret), 'CreateAccount\'s secret is not recorded');
    const b = await B.admin.call('LookupEvents', {});
    assert.deepEqual(b.Events.map((e) => e.EventName), ['CreateSmartAccessGateway']);
  });

  test('ActionName, ResourceArn and UserName select; StartTime and EndTime bound', async () => {
    const names = async (params) => (await A.admin.call('LookupEvents', params)).Events
      .map((e) => `${e.EventName}/${e.UserName}/${e.ResultCode}`);
    assert.deepEqual(await names({ ActionName: 'ModifySmartAccessGateway' }),
      ['ModifySmartAccessGateway/alice/Forbidden', 'ModifySmartAccessGateway/root/Success']);
    assert.deepEqual(await names({ ResourceArn: run.arn }),
      ['ModifySmartAccessGateway/alice/Forbidden', 'ModifySmartAccessGateway/root/Success']);
    assert.deepEqual(await names({ UserName: 'alice' }), ['ModifySmartAccessGateway/alice/Forbidden']);
    assert.deepEqual(await names({ EndTime: '2000-01-01T00:00:00Z' }), []);
    assert.equal((await names({ StartTime: '2000-01-01T00:00:00Z' })).length, run.expected.length);
    assert.deepEqual(await names({ StartTime: '2999-01-01T00:00:00Z' }), []);
  });

  test('MaxResults pages with NextToken, without gap or repeat', async () => {
    const all = (await A.admin.call('LookupEvents', {})).Events.map((e) => e.EventId);
    const seen = [];
    let token;
    let pages = 0;
    do {
      const params = { MaxResults: '2' };
      if (token) params.NextToken = token;
      const r = await A.admin.call('LookupEvents', params);
      assert.ok(r.Events.length <= 2);
      seen.push(...r.Events.map((e) => e.EventId));
      token = r.NextToken;
      pages++;
    } while (token);
    assert.deepEqual(seen, all);
    assert.equal(pages, Math.ceil(all.length / 2));
  });

  test('LookupEvents itself is not recorded', async () => {
    const r = await op.call('LookupEvents', { ActionName: 'LookupEvents' });
    assert.deepEqual(r.Events, []);
  });

  for (const [name, value] of [['MaxResults', '0'], ['MaxResults', '51'], ['MaxResults', 'ten'],
    ['NextToken', 'abc'], ['NextToken', '0'], ['StartTime', 'yesterday'], ['EndTime', '2026-13-01T00:00:00Z']]) {
    test(`${name}=${value} is 400 InvalidParameter`, async () => {
      await expectApiError(A.admin.call('LookupEvents', { [name]: value }),
        { status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.` });
    });
  }

  test('an EndTime before the StartTime is 400 InvalidParameter on EndTime', async () => {
    await expectApiError(A.admin.call('LookupEvents',
      { StartTime: '2026-01-02T00:00:00Z', EndTime: '2026-01-01T00:00:00Z' }),
    { status: 400, code: 'InvalidParameter', message: 'The specified parameter "EndTime" is not valid.' });
  });

  test('a RAM user needs opensag:LookupEvents', async () => {
    await A.admin.call('CreateUser', { UserName: 'bob' });
    const key = await A.admin.call('CreateAccessKey', { UserName: 'bob' });
    const bob = v1Client(server.endpoint, { accessKeyId: key.AccessKey.AccessKeyId, accessKeySecret: key.AccessKey.AccessKeySecret }, OPERATOR_VERSION);
    await expectApiError(bob.call('LookupEvents', {}),
      { status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.' });
  });

  test('the events survive a restart', async () => {
    const before = (await A.admin.call('LookupEvents', {})).Events;
    await server.stop();
    server = await startSagd({ dataDir: server.dataDir, rootKey: server.rootKey });
    const admin = v1Client(server.endpoint, A.key, OPERATOR_VERSION);
    const afterRestart = (await admin.call('LookupEvents', {})).Events;
    assert.deepEqual(afterRestart, before);
  });
});

describe('audit trail: changes a device applied', () => {
  const { readyInstance, startDevice, stopDevices, REGION } = require('./lib/upgrades');
  let server;
  after(() => { stopDevices(); stopAll(); });

  test('ModifySAGAdminPassword is recorded, then the device\'s applied report, never the password', async () => {
    server = await startSagd();
    const op = operatorClient(server);
    const C = await createAccount(server, 'audit-device');
    const secret = 'device-secret-' + randomAlnum(16);
    const inst = await readyInstance({ client: C.client, op, secret, ccn: false });
    await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret]);
    const password = 'Admin_pass_' + randomAlnum(8);
    await C.client.call('ModifySAGAdminPassword',
      { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn, Password: password });
    let events;
    for (let i = 0; i < 500; i++) {
      events = (await C.admin.call('LookupEvents', {})).Events;
      if (events.some((e) => e.EventName === 'DeviceApplied')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const applied = events.find((e) => e.EventName === 'DeviceApplied');
    assert.ok(applied, JSON.stringify(events));
    assert.equal(applied.EventSource, 'device');
    assert.equal(applied.AccountId, C.accountId);
    assert.equal(applied.ResultCode, 'ok');
    assert.equal(applied.Detail, 'admin_password generation 1');
    assert.equal(applied.ResourceArn, `acs:smartag:${REGION}:${C.accountId}:smartag/${inst.id}`);
    assert.equal(applied.SourceIpAddress, '127.0.0.1');
    assert.ok(applied.RequestId.length > 0, 'the device session is named');
    const modify = events.find((e) => e.EventName === 'ModifySAGAdminPassword');
    assert.equal(modify.ResultCode, 'Success');
    // The device applied before the call was answered, so its event comes first.
    assert.ok(Number(applied.EventId) < Number(modify.EventId));
    assert.ok(!JSON.stringify(events).includes(password), 'no password in the trail');
    assert.ok(!JSON.stringify(events).includes(secret), 'no device secret in the trail');
  });
});
