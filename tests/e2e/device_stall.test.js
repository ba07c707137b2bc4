// Devices cannot stall sagd or act for one another (issue 12), through the official SDK and the
// reference agent: calls waiting for slow or silent devices hold no worker; an account's waiting
// calls are capped (Throttling.User); an open-registry device authenticates only with the secret
// its owner reads, never by being first to claim the serial number; and a password change answers
// 200 only for a password the device installed (concurrent changes, a device ahead of the store).
'use strict';
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  startSagd, stopAll, operatorClient, createAccount, createParams, expectApiError, poll, randomAlnum,
  makeTempDir,
} = require('./lib/harness');
const { REGION, publish, startDevice, stopDevices } = require('./lib/upgrades');
const { connectChannel } = require('./lib/ws');

const secret = 'device-secret-' + randomAlnum(16);
const sockets = [];  // raw channel connections, dropped at the end
after(() => { stopDevices(); for (const ws of sockets) ws.destroy(); stopAll(); });

// Registers `count` devices P000001.. (as `sag-device --count --sn-prefix P` names them), each
// bound to its own Active instance of `client`'s account on one CCN; returns [{id, sn}].
async function fleetInstances(op, client, prefix, count) {
  const { CcnId } = await client.call('CreateCloudConnectNetwork',
    { RegionId: REGION, Name: 'ccn-' + randomAlnum(6), IsDefault: 'false' });
  const one = async (i) => {
    const sn = prefix + String(i).padStart(6, '0');
    await op.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-1000', DeviceSecret: secret });
    const { SmartAGId: id } = await client.call('CreateSmartAccessGateway',
      createParams({ HardWareSpec: 'sag-1000', MaxBandWidth: '10' }));
    await client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn });
    await client.call('ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id });
    await client.call('BindSmartAccessGateway', { RegionId: REGION, CcnId, SmartAGId: id });
    return { id, sn };
  };
  const out = [];
  for (let i = 1; i <= count; i += 6) {
    const batch = [];
    for (let j = i; j < i + 6 && j <= count; j++) batch.push(one(j));
    out.push(...await Promise.all(batch));
  }
  return out;
}

// Calls that wait long for a device get a client timeout longer than the server's.
const LONG = { timeout: 120000 };

function changePassword(client, inst, password = 'Admin_' + randomAlnum(10)) {
  return client.call('ModifySAGAdminPassword',
    { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn, Password: password }, LONG);
}

// Tracks whether a promise has settled, without letting its rejection go unhandled.
function track(promise) {
  const t = { settled: false, promise };
  promise.then(() => { t.settled = true; }, () => { t.settled = true; });
  return t;
}

// The number of `desired facet=` events in a sag-device log.
function desiredCount(device) {
  return (device.stderr().match(/desired facet=/g) || []).length;
}

describe('calls waiting for devices hold no worker', () => {
  let server;
  before(async () => {
    server = await startSagd({
      testMode: true,
      args: ['--workers', '8', '--device-lease-ms', '5000', '--device-heartbeat-ms', '500',
        '--admin-password-timeout-ms', '60000', '--upgrade-ack-timeout-ms', '30000'],
    });
  });

  // Case: with the default 8 workers, 10 password changes to slow devices and 16 upgrades to
  // devices that never send progress held every worker, and an unrelated DescribeRegions of
  // another account took 10 s.
  test('10 slow password changes and 16 silent upgrades wait while another account is served', async () => {
    const op = operatorClient(server);
    const A = await createAccount(server, 'stall-a');
    const B = await createAccount(server, 'stall-b');
    publish(server, { code: '2.1.0', size: 4096 });
    const prefix = 'stall' + randomAlnum(4).toLowerCase();
    const insts = await fleetInstances(op, A.client, prefix, 26);
    const fleet = await startDevice(server.endpoint, ['--count', '26', '--sn-prefix', prefix,
      '--secret', secret, '--firmware', '2.0.0', '--slow-apply-ms', '30000'], 26);
    const calls = [
      ...insts.slice(0, 10).map((inst) => track(changePassword(A.client, inst))),
      ...insts.slice(10).map((inst) => track(A.client.call('UpdateSmartAccessGatewayVersion',
        { RegionId: REGION, SmartAGId: inst.id, VersionCode: '2.1.0' }, LONG))),
    ];
    // Every change reached its device, which sits on it: all 26 calls are waiting.
    await poll(() => desiredCount(fleet) >= 26, { timeoutMs: 30000 });
    const regions = await B.client.call('DescribeRegions', {});
    assert.ok(regions.Regions.Region.length > 0);
    await A.client.call('DescribeRegions', {});  // the waiting calls' own account too
    assert.deepEqual(calls.filter((c) => c.settled).length, 0, 'the waiting calls are still waiting');
    // The devices go away: the password changes end at once, the upgrades at their timeout.
    fleet.proc.kill('SIGKILL');
    for (const c of calls.slice(0, 10)) {
      await expectApiError(c.promise, {
        status: 400, code: 'SmartAccessGatewayOffline',
        message: 'The request cannot be completed. The Smart Access Gateway is offline.',
      });
    }
    for (const c of calls.slice(10)) {
      await expectApiError(c.promise, {
        status: 403, code: 'GetSmartAccessGatewayStateError',
        message: 'An error occurred while obtaining the smart access gateway status.',
      });
    }
  });
});

describe('an account\'s waiting calls are capped', () => {
  test('beyond --max-device-waits-per-account: Throttling.User; other accounts are not affected', async () => {
    const server = await startSagd({
      testMode: true, args: ['--max-device-waits-per-account', '3', '--admin-password-timeout-ms', '60000'],
    });
    const op = operatorClient(server);
    const A = await createAccount(server, 'cap-a');
    const B = await createAccount(server, 'cap-b');
    const prefix = 'cap' + randomAlnum(4).toLowerCase();
    const insts = await fleetInstances(op, A.client, prefix, 4);
    const fleet = await startDevice(server.endpoint, ['--count', '4', '--sn-prefix', prefix,
      '--secret', secret, '--slow-apply-ms', '60000'], 4);
    const waiting = insts.slice(0, 3).map((inst) => track(changePassword(A.client, inst)));
    await poll(() => desiredCount(fleet) >= 3, { timeoutMs: 20000 });
    await expectApiError(changePassword(A.client, insts[3]), {
      status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.',
    });
    assert.equal(desiredCount(fleet), 3, 'the refused change reached no device');
    await B.client.call('DescribeRegions', {});
    assert.equal(waiting.filter((c) => c.settled).length, 0);
    fleet.proc.kill('SIGKILL');
    for (const c of waiting) {
      await expectApiError(c.promise, { status: 400, code: 'SmartAccessGatewayOffline' });
    }
  });
});

describe('open-registry devices', () => {
  let server;
  let A;
  let B;
  let inst;
  before(async () => {
    server = await startSagd({ testMode: true, args: ['--device-registry', 'open'] });
    A = await createAccount(server, 'owner');
    B = await createAccount(server, 'other');
    inst = { sn: 'sagopen' + randomAlnum(8).toLowerCase() };
    ({ SmartAGId: inst.id } = await A.client.call('CreateSmartAccessGateway',
      createParams({ HardWareSpec: 'sag-1000', MaxBandWidth: '10' })));
    await A.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: inst.id, SerialNumber: inst.sn });
    await A.client.call('ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: inst.id });
  });

  function deviceInfo() {
    return A.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn });
  }

  // Case: anyone who knew the serial number connected first with enroll_secret, was welcomed,
  // reported a fake firmware to the owner and received the owner's admin-password hash.
  test('knowing the serial number is not enough: an enrolment hello is refused', async () => {
    const ws = await connectChannel(server.endpoint);
    sockets.push(ws);
    const challenge = await ws.next();
    assert.equal(challenge.json.type, 'challenge');
    ws.send(JSON.stringify({ type: 'hello', serial_number: inst.sn, enroll_secret: 'intruder-secret-01234',
      model: 'sag-1000', firmware: '9.9.9', dpi: '1.0.0', boot_time: 1, applied: {} }));
    const answer = await ws.next();
    assert.equal(answer.json.type, 'error');
    assert.equal(answer.json.code, 'BadMessage');
    assert.deepEqual(await ws.next(), { type: 'close', code: 1008 });
    const info = await deviceInfo();
    assert.equal(info.ControllerState, 'Abnormal');
    assert.notEqual(info.Version, '9.9.9');
  });

  test('a guessed secret is AuthFailed', async () => {
    const ws = await connectChannel(server.endpoint);
    sockets.push(ws);
    await ws.next();
    ws.send(JSON.stringify({ type: 'hello', serial_number: inst.sn, proof: 'ab'.repeat(32) }));
    assert.equal((await ws.next()).json.code, 'AuthFailed');
    assert.deepEqual(await ws.next(), { type: 'close', code: 4001 });
  });

  test('the owner reads the generated SecretKey, another account cannot, and the device works with it', async () => {
    const attr = await A.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: inst.id });
    const [dev] = attr.Devices.Device;
    assert.equal(dev.SerialNumber, inst.sn);
    assert.match(dev.SecretKey, /^[A-Za-z0-9]{40}$/);
    assert.equal(dev.DistributeSkStatus, 0);
    await expectApiError(B.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: inst.id }), {
      status: 403, code: 'InvalidId.SMARTAG', message: 'The specified smart access gateway instance id is invalid.',
    });
    await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', dev.SecretKey, '--firmware', '2.0.7']);
    const info = await deviceInfo();
    assert.equal(info.ControllerState, 'Normal');
    assert.equal(info.Version, '2.0.7');
    await changePassword(A.client, inst);
    const again = await A.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: inst.id });
    assert.equal(again.Devices.Device[0].DistributeSkStatus, 1);
  });
});

describe('a password change answers 200 only for a password the device installed', () => {
  let server;
  let A;
  let op;
  before(async () => {
    server = await startSagd({ testMode: true, args: ['--admin-password-timeout-ms', '20000'] });
    op = operatorClient(server);
    A = await createAccount(server, 'generations');
  });

  // Case: both of two concurrent changes answered 200.
  test('of two concurrent changes exactly one is made; the other is ConfigUnsynchronized', async () => {
    const prefix = 'conc' + randomAlnum(4).toLowerCase();
    const [inst] = await fleetInstances(op, A.client, prefix, 1);
    const dev = await startDevice(server.endpoint, ['--count', '1', '--sn-prefix', prefix, '--secret', secret,
      '--slow-apply-ms', '3000']);
    const outcomes = await Promise.allSettled([changePassword(A.client, inst), changePassword(A.client, inst)]);
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    assert.equal(ok.length, 1, JSON.stringify(outcomes.map((o) => o.status)));
    await expectApiError(Promise.reject(refused[0].reason), {
      status: 400, code: 'ConfigUnsynchronized', message: 'The network configuration is not synchronized.',
    });
    assert.equal(desiredCount(dev), 1, 'one change reached the device');
  });

  // Case: a device whose state says admin_password 3 (the database is older than the device) was
  // pushed generation 1, ignored it, answered 3, and the call answered 200.
  test('a device ahead of the store installs the new password, under a newer generation', async () => {
    const prefix = 'ahead' + randomAlnum(4).toLowerCase();
    const [inst] = await fleetInstances(op, A.client, prefix, 1);
    const stateDir = makeTempDir();
    const stateFile = path.join(stateDir, `${inst.sn}.json`);
    fs.writeFileSync(stateFile, JSON.stringify({
      version: 1, serial_number: inst.sn, model: 'sag-1000', firmware: '2.0.0', dpi: '1.0.0', boot_time: 1,
      admin_password_hash: '$argon2id$seeded', applied: { admin_password: 3, reboot: 0, firmware: 0, dpi: 0 },
    }));
    await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret, '--state-dir', stateDir]);
    await changePassword(A.client, inst);
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    assert.equal(state.applied.admin_password, 4);
    assert.notEqual(state.admin_password_hash, '$argon2id$seeded');
    assert.match(state.admin_password_hash, /^\$argon2id\$/);
    const info = await A.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn });
    assert.equal(info.SynStatus, 'Synchronized');
  });
});
