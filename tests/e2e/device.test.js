// Devices on the device channel: sag-device (the reference agent) connects to sagd; the official
// SDK changes the admin password and reboots through it (issue 4).
'use strict';
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const {
  startSagd, stopAll, v1Client, operatorClient, createParams, expectApiError, poll, makeTempDir,
  randomAlnum,
} = require('./lib/harness');

const LEASE_MS = 1500;
const HEARTBEAT_MS = 300;
const devices = new Set();

// Starts sag-device; resolves once its stdout says `sag-device: <online> online`.
function startDevice(endpoint, args, online = 1) {
  const bin = path.join(process.env.SAG_BIN_DIR, 'sag-device');
  const proc = spawn(bin, ['--endpoint', endpoint, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  devices.add(proc);
  proc.on('exit', () => devices.delete(proc));
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`device not online in 20 s:\n${stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes(`sag-device: ${online} online`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`sag-device exited ${code}:\n${stderr}`)); });
  });
  return ready.then(() => ({ proc, stderr: () => stderr, stdout: () => stdout }));
}

function stopDevices() {
  for (const p of devices) p.kill('SIGKILL');
}

let server;
let client;
let op;
let stateDir;
const secret = 'device-secret-' + randomAlnum(16);
const password = 'Admin_' + randomAlnum(12);

// An active hardware instance with one registered, bound device; returns {id, sn}.
async function activeInstanceWithDevice(model = 'sag-1000') {
  const sn = 'sage2e' + randomAlnum(8).toLowerCase();
  await op.call('RegisterDevice', { SerialNumber: sn, HardwareModel: model, DeviceSecret: secret });
  const { SmartAGId: id } = await client.call('CreateSmartAccessGateway', createParams({ HardWareSpec: model, MaxBandWidth: model === 'sag-100wm' ? '2' : '10', HaType: model === 'sag-vcpe' ? 'warm_backup' : 'no_backup' }));
  await client.call('BindSerialNumber', { RegionId: 'cn-shanghai', SmartAGId: id, SerialNumber: sn });
  await client.call('ActivateSmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id });
  return { id, sn };
}

function deviceInfo(id, sn) {
  return client.call('DescribeSAGDeviceInfo', { RegionId: 'cn-shanghai', SmartAGId: id, SmartAGSn: sn });
}

function changePassword(id, sn, pw = password) {
  return client.call('ModifySAGAdminPassword', { RegionId: 'cn-shanghai', SmartAGId: id, SmartAGSn: sn, Password: pw });
}

before(async () => {
  server = await startSagd({
    testMode: true,
    args: ['--device-registry', 'closed', '--device-lease-ms', String(LEASE_MS),
      '--device-heartbeat-ms', String(HEARTBEAT_MS), '--admin-password-timeout-ms', '3000'],
  });
  client = v1Client(server.endpoint, server.rootKey);
  op = operatorClient(server);
  stateDir = makeTempDir();
});
after(() => { stopDevices(); stopAll(); });

describe('a connected device', () => {
  let inst;
  let device;
  before(async () => {
    inst = await activeInstanceWithDevice();
    device = await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret,
      '--state-dir', stateDir, '--firmware', '2.0.5']);
  });

  test('is online and synchronized in DescribeSAGDeviceInfo, with its version and times', async () => {
    const info = await deviceInfo(inst.id, inst.sn);
    assert.equal(info.SynStatus, 'Synchronized');
    assert.equal(info.Version, '2.0.5');
    assert.equal(info.SmartAGType, 'sag-1000');
    assert.match(info.StartupTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(info.LastConnectedControllerTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const attr = await client.call('DescribeSmartAccessGatewayAttribute', { RegionId: 'cn-shanghai', SmartAGId: inst.id });
    assert.equal(attr.SoftwareVersion, '2.0.5');
  });

  test('ModifySAGAdminPassword answers 200 once the device confirmed, and no plaintext is kept anywhere', async () => {
    const r = await changePassword(inst.id, inst.sn);
    assert.match(r.RequestId, /^[0-9A-F-]{36}$/);
    const files = [];
    const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else files.push(p); } };
    walk(server.dataDir);
    walk(stateDir);
    let sawHash = false;
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      assert.equal(bytes.indexOf(password), -1, `plaintext password found in ${f}`);
      if (f.startsWith(stateDir) && bytes.includes('$argon2id$')) sawHash = true;
    }
    assert.ok(sawHash, 'the device state holds an Argon2id hash');
    assert.ok(!server.stderr().includes(password), 'plaintext password in sagd log');
    assert.ok(!device.stderr().includes(password), 'plaintext password in sag-device log');
    assert.equal((await deviceInfo(inst.id, inst.sn)).SynStatus, 'Synchronized');
  });

  test('the password policy is checked before anything reaches the device', async () => {
    for (const bad of ['short_1', 'a'.repeat(31), 'has space1', 'bad-char-1!']) {
      await expectApiError(changePassword(inst.id, inst.sn, bad),
        { status: 400, code: 'IllegalParam.Password', message: 'The specified Password is invalid.' });
    }
    await expectApiError(client.call('ModifySAGAdminPassword', { RegionId: 'cn-shanghai', SmartAGId: inst.id, SmartAGSn: inst.sn }),
    { status: 400, code: 'MissingParam.Password', message: 'You must specify Password.' });
  });

  test('an SN not bound to the instance is InstanceNotExit; an unknown instance SAG.InstanceNoFound', async () => {
    await expectApiError(changePassword(inst.id, 'sage2enotbound'),
      { status: 400, code: 'InstanceNotExit', message: 'The specified instance does not exist.' });
    await expectApiError(changePassword('sag-unknown000000000000', inst.sn),
      { status: 400, code: 'SAG.InstanceNoFound', message: 'The specified SAG instance does not exist.' });
  });

  test('RebootSmartAccessGateway reaches the device: it comes back with a new startup time', async () => {
    const before = (await deviceInfo(inst.id, inst.sn)).StartupTime;
    await new Promise((r) => setTimeout(r, 1100)); // StartupTime has one-second resolution
    await client.call('RebootSmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: inst.id });
    await poll(async () => {
      const info = await deviceInfo(inst.id, inst.sn);
      return info.StartupTime !== before && info.SynStatus === 'Synchronized';
    }, { timeoutMs: 15000 });
  });

  test('a device killed with SIGKILL is offline within the lease: SmartAccessGatewayNotOnline', async () => {
    device.proc.kill('SIGKILL');
    await poll(async () => {
      try { await changePassword(inst.id, inst.sn); return false; } catch (e) { return e.code === 'SmartAccessGatewayNotOnline'; }
    }, { timeoutMs: LEASE_MS * 4 });
    await expectApiError(changePassword(inst.id, inst.sn),
      { status: 403, code: 'SmartAccessGatewayNotOnline', message: 'The specified smart access gateway is not online.' });
  });
});

describe('devices that misbehave', () => {
  test('a device that refuses the change leaves it unconfirmed: ConfigUnsynchronized, then for the next change too', async () => {
    const inst = await activeInstanceWithDevice();
    await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret, '--refuse', 'admin_password']);
    await expectApiError(changePassword(inst.id, inst.sn),
      { status: 400, code: 'ConfigUnsynchronized', message: 'The network configuration is not synchronized.' });
    assert.equal((await deviceInfo(inst.id, inst.sn)).SynStatus, 'Unsynchronized');
    await expectApiError(changePassword(inst.id, inst.sn),
      { status: 400, code: 'ConfigUnsynchronized', message: 'The network configuration is not synchronized.' });
  });

  test('a device that drops while the change waits: SmartAccessGatewayOffline', async () => {
    const inst = await activeInstanceWithDevice();
    const d = await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret, '--slow-apply-ms', '2500']);
    const pending = changePassword(inst.id, inst.sn);
    // Drop the device once it holds the change (the server is then waiting for its answer).
    await poll(() => /desired facet=admin_password/.test(d.stderr()), { timeoutMs: 10000 });
    d.proc.kill('SIGKILL');
    await expectApiError(pending, {
      status: 400, code: 'SmartAccessGatewayOffline',
      message: 'The request cannot be completed. The Smart Access Gateway is offline.',
    });
  });

  test('BindSerialNumber while a change is in flight on the instance: ResourceInOperating', async () => {
    const sn = 'sage2e' + randomAlnum(8).toLowerCase();
    const sn2 = 'sage2e' + randomAlnum(8).toLowerCase();
    for (const s of [sn, sn2]) {
      await op.call('RegisterDevice', { SerialNumber: s, HardwareModel: 'sag-1000', DeviceSecret: secret });
    }
    const { SmartAGId: id } = await client.call('CreateSmartAccessGateway',
      createParams({ HardWareSpec: 'sag-1000', MaxBandWidth: '10', HaType: 'warm_backup' }));
    await client.call('BindSerialNumber', { RegionId: 'cn-shanghai', SmartAGId: id, SerialNumber: sn });
    await client.call('ActivateSmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id });
    const d = await startDevice(server.endpoint, ['--sn', sn, '--secret', secret, '--slow-apply-ms', '1500']);
    const pending = changePassword(id, sn);
    await poll(() => /desired facet=admin_password/.test(d.stderr()), { timeoutMs: 10000 });
    await expectApiError(client.call('BindSerialNumber', { RegionId: 'cn-shanghai', SmartAGId: id, SerialNumber: sn2 }), {
      status: 400, code: 'ResourceInOperating', message: 'The specified resource is being used. Please try later.',
    });
    await pending;  // the device confirms; nothing is in flight any more
    await client.call('BindSerialNumber', { RegionId: 'cn-shanghai', SmartAGId: id, SerialNumber: sn2 });
    const ha = await client.call('DescribeSmartAccessGatewayHa', { RegionId: 'cn-shanghai', SmartAGId: id });
    assert.equal(ha.BackupDeviceId, sn2);
  });

  test('a wrong secret never comes online', async () => {
    const inst = await activeInstanceWithDevice();
    const bin = path.join(process.env.SAG_BIN_DIR, 'sag-device');
    const p = spawn(bin, ['--endpoint', server.endpoint, '--sn', inst.sn, '--secret', 'wrong-secret-000000000', '--exit-after-ms', '1500']);
    devices.add(p);
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    await new Promise((r) => p.on('exit', r));
    assert.ok(!out.includes('1 online'), out);
    await expectApiError(changePassword(inst.id, inst.sn),
      { status: 403, code: 'SmartAccessGatewayNotOnline', message: 'The specified smart access gateway is not online.' });
  });
});

describe('feature codes by device firmware and edition', () => {
  test('firmware older than 1.5.0 on the active device: FeatureNotSupportForActiveSmartAG', async () => {
    const inst = await activeInstanceWithDevice();
    await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret, '--firmware', '1.4.9']);
    await expectApiError(changePassword(inst.id, inst.sn), {
      status: 403, code: 'FeatureNotSupportForActiveSmartAG',
      message: 'The current edition of the active smart access gateway does not support this feature.',
    });
  });

  test('firmware older than 1.5.0 on the standby device: FeatureNotSupportForStandBySmartAG', async () => {
    const main = 'sage2e' + randomAlnum(8).toLowerCase();
    const standby = 'sage2e' + randomAlnum(8).toLowerCase();
    for (const s of [main, standby]) {
      await op.call('RegisterDevice', { SerialNumber: s, HardwareModel: 'sag-1000', DeviceSecret: secret });
    }
    const { SmartAGId: id } = await client.call('CreateSmartAccessGateway',
      createParams({ HardWareSpec: 'sag-1000', MaxBandWidth: '10', HaType: 'cold_backup' }));
    for (const s of [main, standby]) {
      await client.call('BindSerialNumber', { RegionId: 'cn-shanghai', SmartAGId: id, SerialNumber: s });
    }
    await client.call('ActivateSmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id });
    await startDevice(server.endpoint, ['--sn', main, '--secret', secret, '--firmware', '2.0.0']);
    await startDevice(server.endpoint, ['--sn', standby, '--secret', secret, '--firmware', '1.2.0']);
    await expectApiError(changePassword(id, standby), {
      status: 403, code: 'FeatureNotSupportForStandBySmartAG',
      message: 'The current edition of the standby smart access gateway does not support this feature.',
    });
    await changePassword(id, main);  // the up-to-date active device takes the change
  });

  test('a vCPE instance: FeatureNotSupport', async () => {
    // A vCPE instance comes with its devices and their keys (docs/device-protocol.md).
    const { SmartAGId: id } = await client.call('CreateSmartAccessGateway', createParams({ HardWareSpec: 'sag-vcpe', MaxBandWidth: '10' }));
    const attr = await client.call('DescribeSmartAccessGatewayAttribute', { RegionId: 'cn-shanghai', SmartAGId: id });
    const [{ SerialNumber: sn, SecretKey: key }] = attr.Devices.Device;
    const inst = { id, sn };
    await startDevice(server.endpoint, ['--sn', sn, '--secret', key, '--model', 'sag-vcpe']);
    await expectApiError(changePassword(inst.id, inst.sn), {
      status: 403, code: 'FeatureNotSupport',
      message: 'The current edition of the smart access gateway does not support this feature.',
    });
  });
});

describe('instance state gates', () => {
  test('not activated: SmartAccessGatewayNotActivated (400); expired: SmartAccessGatewayInArrears (400)', async () => {
    const sn = 'sage2e' + randomAlnum(8).toLowerCase();
    await op.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-1000', DeviceSecret: secret });
    const { SmartAGId: id } = await client.call('CreateSmartAccessGateway', createParams({ HardWareSpec: 'sag-1000', MaxBandWidth: '10', Period: '1' }));
    await client.call('BindSerialNumber', { RegionId: 'cn-shanghai', SmartAGId: id, SerialNumber: sn });
    await expectApiError(changePassword(id, sn), {
      status: 400, code: 'SmartAccessGatewayNotActivated',
      message: 'The specified Smart Access Gateway has not been activated.',
    });
    await client.call('ActivateSmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id });
    const attr = await client.call('DescribeSmartAccessGatewayAttribute', { RegionId: 'cn-shanghai', SmartAGId: id });
    const clock = await op.call('GetClock', {});
    await op.call('SetClock', { AdvanceMs: String(attr.EndTime - clock.Now + 1000) });
    try {
      await expectApiError(changePassword(id, sn), {
        status: 400, code: 'SmartAccessGatewayInArrears', message: 'The specified Smart Access Gateway has expired.',
      });
    } finally {
      await op.call('SetClock', { AdvanceMs: String(-(attr.EndTime - clock.Now + 1000)) });
    }
  });
});
