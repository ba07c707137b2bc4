// Operator API ListDeviceStates (docs/operator-api.md "Device states") through the official SDKs:
// who sees which devices, presence and the offline reason, per-facet generations without the
// desired value, the latest upgrade with its size, the summary, paging, and RAM per instance.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startSagd, stopAll, operatorClient, createAccount, expectApiError, poll, randomAlnum, v1Client, v3Client,
  OPERATOR_VERSION,
} = require('./lib/harness');
const { REGION, publish, startDevice, stopDevices, readyInstance } = require('./lib/upgrades');

const secret = 'device-secret-' + randomAlnum(16);
let server;
let op;
let A;
let B;
let pair;   // A's warm_backup instance, both devices online
let single; // A's instance whose device never connected
let other;  // B's instance
const running = new Map();

// The SDK's objects as plain JSON values (for deepEqual).
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

function states(client, params = {}) {
  return client.call('ListDeviceStates', params);
}

async function run(sn) {
  running.set(sn, await startDevice(server.endpoint, ['--sn', sn, '--secret', secret, '--firmware', '2.0.0',
    '--dpi', '1.0.0', '--reboot-ms', '200']));
}

before(async () => {
  server = await startSagd({ testMode: true, args: ['--device-registry', 'closed', '--device-lease-ms', '1500', '--device-heartbeat-ms', '300'] });
  op = operatorClient(server);
  A = await createAccount(server, 'states-a');
  B = await createAccount(server, 'states-b');
  pair = await readyInstance({ client: A.client, op, secret, count: 2 });
  single = await readyInstance({ client: A.client, op, secret });
  other = await readyInstance({ client: B.client, op, secret });
  await op.call('RegisterDevice', { SerialNumber: 'unbound' + randomAlnum(6).toLowerCase(), HardwareModel: 'sag-1000', DeviceSecret: secret });
  for (const sn of pair.sns) await run(sn);
});
after(async () => {
  stopDevices();
  await stopAll();
});

test('an account sees the devices of its own instances only; the operator sees every device', async () => {
  const a = await states(A.admin);
  assert.deepEqual(a.Devices.Device.map((d) => d.SerialNumber).sort(), [...pair.sns, single.sn].sort());
  assert.equal(a.TotalCount, 3);
  const b = await states(B.admin);
  assert.deepEqual(b.Devices.Device.map((d) => d.SerialNumber), [other.sn]);
  const all = await states(op);
  assert.equal(all.TotalCount, 5);
  assert.ok(all.Devices.Device.some((d) => d.SmartAGId === '' && d.HaRole === ''), 'the unbound device');
  // Another account's instance or device is simply not there.
  assert.equal((await states(A.admin, { SmartAGId: other.id })).TotalCount, 0);
  assert.equal((await states(A.admin, { SerialNumber: other.sn })).TotalCount, 0);
});

test('one instance: its devices in bind order with their HA roles, region, presence and versions (V3 SDK too)', async () => {
  const r = await v3Client(server.endpoint, A.key, OPERATOR_VERSION).call('ListDeviceStates', { SmartAGId: pair.id });
  const [main, standby] = r.Devices.Device;
  assert.deepEqual([main.SerialNumber, standby.SerialNumber], pair.sns);
  assert.deepEqual([main.HaRole, standby.HaRole], ['main', 'standby']);
  for (const d of [main, standby]) {
    assert.equal(d.RegionId, REGION);
    assert.equal(d.SmartAGId, pair.id);
    assert.equal(d.Online, true);
    assert.equal(d.OfflineReason, '');
    assert.equal(d.SoftwareVersion, '2.0.0');
    assert.equal(d.DpiVersion, '1.0.0');
    assert.equal(d.SynStatus, 'Synchronized');
    assert.ok(d.LastConnectedTime > 0);
    assert.equal(d.LatestUpgrade, null);
  }
  // The operator sees the same instance's devices in the same order.
  const viaOperator = await states(op, { SmartAGId: pair.id });
  assert.deepEqual(viaOperator.Devices.Device.map((d) => [d.SerialNumber, d.HaRole]), [[pair.sns[0], 'main'], [pair.sns[1], 'standby']]);
});

test('offline reasons: never_connected, closed when the connection ends, and online again', async () => {
  const never = (await states(A.admin, { SerialNumber: single.sn })).Devices.Device[0];
  assert.equal(never.Online, false);
  assert.equal(never.OfflineReason, 'never_connected');
  const sn = pair.sns[1];
  running.get(sn).proc.kill('SIGKILL');
  const dropped = await poll(async () => {
    const [d] = (await states(A.admin, { SerialNumber: sn })).Devices.Device;
    return d.Online ? null : d;
  }, { timeoutMs: 15000, intervalMs: 100 });
  assert.equal(dropped.OfflineReason, 'closed');
  assert.ok(dropped.LastOfflineTime >= dropped.LastConnectedTime);
  const summary = (await states(A.admin)).Summary;
  assert.equal(summary.Online, 1);
  assert.equal(summary.Offline, 2);
  assert.deepEqual(plain(summary.OfflineReasons.OfflineReason), [{ Reason: 'closed', Count: 1 }, { Reason: 'never_connected', Count: 1 }]);
  await run(sn);
  const back = await poll(async () => {
    const [d] = (await states(A.admin, { SerialNumber: sn })).Devices.Device;
    return d.Online ? d : null;
  }, { timeoutMs: 15000, intervalMs: 100 });
  assert.equal(back.OfflineReason, '');
});

test('facets: desired, applied and result generations, never the desired value (a password hash)', async () => {
  await A.client.call('ModifySAGAdminPassword', { RegionId: REGION, SmartAGId: pair.id, SmartAGSn: pair.sn, Password: 'Admin_pass_42' });
  const r = await states(A.admin, { SerialNumber: pair.sn });
  const [facet] = r.Devices.Device[0].Facets.Facet;
  assert.deepEqual(Object.keys(facet).sort(), ['AppliedGeneration', 'DesiredGeneration', 'Facet', 'LastDetail', 'LastResult', 'ResultGeneration', 'UpdateTime']);
  assert.equal(facet.Facet, 'admin_password');
  assert.equal(facet.DesiredGeneration, 1);
  assert.equal(facet.AppliedGeneration, 1);
  assert.equal(facet.ResultGeneration, 1);
  assert.equal(facet.LastResult, 'ok');
  assert.ok(facet.UpdateTime > 0);
  assert.doesNotMatch(JSON.stringify(r), /argon2|Admin_pass_42/);
});

test('the latest upgrade with its progress and the artifact size; the summary counts the versions run', async () => {
  publish(server, { code: '2.1.0', size: 200 * 1024 });
  await A.client.call('UpdateSmartAccessGatewayVersion', { RegionId: REGION, SmartAGId: pair.id, VersionCode: '2.1.0', SerialNumber: pair.sn });
  const done = await poll(async () => {
    const [d] = (await states(A.admin, { SerialNumber: pair.sn })).Devices.Device;
    return d.LatestUpgrade && d.LatestUpgrade.State === 'Succeeded' ? d : null;
  }, { timeoutMs: 30000, intervalMs: 100 });
  assert.equal(done.LatestUpgrade.Size, 200 * 1024);
  assert.equal(done.LatestUpgrade.BytesDone, 200 * 1024);
  assert.equal(done.LatestUpgrade.FromVersion, '2.0.0');
  assert.equal(done.LatestUpgrade.VersionCode, '2.1.0');
  const versions = await poll(async () => {
    const v = (await states(A.admin)).Summary.Versions.Version;
    return v.some((x) => x.VersionCode === '2.1.0') ? v : null;
  }, { timeoutMs: 15000, intervalMs: 100 });
  assert.deepEqual(plain(versions), [
    { VersionType: 'Device', VersionCode: '2.0.0', Count: 1 },
    { VersionType: 'Device', VersionCode: '2.1.0', Count: 1 },
    { VersionType: 'Dpi', VersionCode: '1.0.0', Count: 2 },
  ]);
});

test('paging: PageSize 1-100 (default 50); the summary covers every matching device', async () => {
  const first = await states(op, { PageSize: 2, PageNumber: 1 });
  const second = await states(op, { PageSize: 2, PageNumber: 2 });
  const third = await states(op, { PageSize: 2, PageNumber: 3 });
  assert.equal(first.PageSize, 2);
  assert.equal(first.TotalCount, 5);
  assert.equal(first.Summary.Total, 5);
  const sns = [...first.Devices.Device, ...second.Devices.Device, ...third.Devices.Device].map((d) => d.SerialNumber);
  assert.equal(new Set(sns).size, 5);
  assert.equal((await states(op)).PageSize, 50);
  for (const bad of ['0', '101', 'x']) {
    await expectApiError(states(op, { PageSize: bad }), {
      status: 400, code: 'InvalidParameter', message: 'The specified parameter "PageSize" is not valid.',
    });
  }
});

test('RAM: a policy on one instance allows that instance only; listing all needs smartag/* or *', async () => {
  await A.admin.call('CreateUser', { UserName: 'pair-viewer' });
  await A.admin.call('CreatePolicy', {
    PolicyName: 'pair-states',
    PolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'opensag:ListDeviceStates', Resource: `acs:smartag:*:${A.accountId}:smartag/${pair.id}` }] }),
  });
  await A.admin.call('AttachPolicyToUser', { PolicyName: 'pair-states', UserName: 'pair-viewer' });
  const k = (await A.admin.call('CreateAccessKey', { UserName: 'pair-viewer' })).AccessKey;
  const viewer = v1Client(server.endpoint, { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret }, OPERATOR_VERSION);
  assert.equal((await states(viewer, { SmartAGId: pair.id })).TotalCount, 2);
  const forbidden = { status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.' };
  await expectApiError(states(viewer, { SmartAGId: single.id }), forbidden);
  await expectApiError(states(viewer), forbidden);
  await expectApiError(states(viewer, { SerialNumber: single.sn }), forbidden);

  await A.admin.call('CreatePolicy', {
    PolicyName: 'all-states',
    PolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'opensag:ListDeviceStates', Resource: `acs:smartag:*:${A.accountId}:smartag/*` }] }),
  });
  await A.admin.call('AttachPolicyToUser', { PolicyName: 'all-states', UserName: 'pair-viewer' });
  assert.equal((await states(viewer)).TotalCount, 3);
});
