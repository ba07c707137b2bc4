// UpdateSmartAccessGatewayVersion end to end: the official SDKs start upgrades, sag-device
// downloads (HTTP Range), verifies, installs, reboots and reports; every documented error code;
// simulated faults (cut download, corrupt artifact, failed install, rollback); HA order; a sagd
// restart in the middle of an upgrade (issue 5).
'use strict';
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const {
  startSagd, stopAll, v1Client, operatorClient, createAccount, expectApiError, poll, randomAlnum,
  makeTempDir, rawHttp,
} = require('./lib/harness');
const { REGION, publish, startDevice, stopDevices, readyInstance, artifactToken } = require('./lib/upgrades');

const ACK_MS = 1500;
let server;
let op;
let A;
let fw;    // Device 2.1.0
let dpi;   // Dpi 1.1.0, needs Device 2.1.0
const secret = 'device-secret-' + randomAlnum(16);

const ARGS = ['--device-registry', 'closed', '--device-lease-ms', '1500', '--device-heartbeat-ms', '300',
  '--upgrade-ack-timeout-ms', String(ACK_MS)];

function update(client, params) {
  return client.call('UpdateSmartAccessGatewayVersion', { RegionId: REGION, ...params });
}

async function upgradesOf(sn) {
  return (await op.call('ListUpgrades', { SerialNumber: sn })).Upgrades.Upgrade;
}

// Waits until the device's latest upgrade is terminal; returns it.
async function finished(sn, timeoutMs = 30000) {
  return poll(async () => {
    const [u] = await upgradesOf(sn);
    return u && ['Succeeded', 'Failed', 'Reverted', 'TimedOut'].includes(u.State) ? u : null;
  }, { timeoutMs, intervalMs: 100 });
}

function device(sn, extra = []) {
  return startDevice(server.endpoint, ['--sn', sn, '--secret', secret, '--firmware', '2.0.0', '--dpi', '1.0.0',
    '--reboot-ms', '300', ...extra]);
}

function info(client, id, sn) {
  return client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: id, SmartAGSn: sn });
}

before(async () => {
  server = await startSagd({ testMode: true, args: ARGS });
  op = operatorClient(server);
  A = await createAccount(server, 'upgrades-a');
  fw = publish(server, { code: '2.1.0', size: 300 * 1024 });
  dpi = publish(server, { type: 'Dpi', code: '1.1.0', minDevice: '2.1.0', size: 20 * 1024 });
  publish(server, { code: '1.9.0', size: 1024 });
});
after(() => { stopDevices(); stopAll(); });

describe('a successful upgrade', () => {
  let inst;
  let dev;
  before(async () => {
    inst = await readyInstance({ client: A.client, op, secret });
    dev = await device(inst.sn);
  });

  test('a Dpi version needing Device 2.1.0 is refused while the device runs 2.0.0', async () => {
    await expectApiError(update(A.client, { SmartAGId: inst.id, VersionCode: '1.1.0', VersionType: 'Dpi' }), {
      status: 400, code: 'VersionNotSupport.DeviceVersion',
      message: 'The specified Dpi version needs Device version 2.1.0 or later; upgrade the Device version first.',
    });
  });

  test('UpdateSmartAccessGatewayVersion (V1): the device downloads, installs, reboots and reports 2.1.0', async () => {
    const r = await update(A.client, { SmartAGId: inst.id, VersionCode: '2.1.0', SerialNumber: inst.sn });
    assert.match(r.RequestId, /^[0-9A-F-]{36}$/);
    const u = await finished(inst.sn);
    assert.equal(u.State, 'Succeeded', JSON.stringify(u));
    assert.equal(u.FromVersion, '2.0.0');
    assert.equal(u.VersionCode, '2.1.0');
    assert.equal(u.BytesDone, 300 * 1024);
    // The upgrade succeeds at the hello that reports 2.1.0; the device's applied report for the
    // firmware generation follows it, and only then is the device synchronized again.
    const i = await poll(async () => {
      const d = await info(A.client, inst.id, inst.sn);
      return d.SynStatus === 'Synchronized' ? d : null;
    }, { timeoutMs: 15000 });
    assert.equal(i.Version, '2.1.0');
    assert.equal(i.UpgradeState, 'Succeeded');
    const attr = await A.v3.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: inst.id });
    assert.equal(attr.SoftwareVersion, '2.1.0');
    assert.match(dev.stderr(), /downloaded and verified 307200 bytes/);
    assert.match(dev.stderr(), /booted firmware=2.1.0/);
  });

  test('the same or an older version is then 403 VersionTooOld', async () => {
    for (const code of ['2.1.0', '1.9.0']) {
      await expectApiError(update(A.client, { SmartAGId: inst.id, VersionCode: code }), {
        status: 403, code: 'VersionTooOld', message: 'The specified version is outdated; please select a newer version.',
      });
    }
  });

  test('now the Dpi version installs (V3 SDK, VersionType Dpi)', async () => {
    await update(A.v3, { SmartAGId: inst.id, VersionCode: '1.1.0', VersionType: 'Dpi' });
    const u = await finished(inst.sn);
    assert.equal(u.State, 'Succeeded', JSON.stringify(u));
    assert.equal(u.VersionType, 'Dpi');
    assert.equal((await info(A.client, inst.id, inst.sn)).DpiVersion, '1.1.0');
  });
});

describe('documented error codes', () => {
  let inst;
  before(async () => {
    inst = await readyInstance({ client: A.client, op, secret });
  });

  test('another account\'s or an unknown instance: 403 InvalidId.SMARTAG', async () => {
    const B = await createAccount(server, 'upgrades-b');
    for (const [client, id] of [[B.client, inst.id], [A.client, 'sag-doesnotexist1']]) {
      await expectApiError(update(client, { SmartAGId: id, VersionCode: '2.1.0' }), {
        status: 403, code: 'InvalidId.SMARTAG', message: 'The specified smart access gateway instance id is invalid.',
      });
    }
  });

  test('a RAM user without a policy: 403 Forbidden', async () => {
    await A.admin.call('CreateUser', { UserName: 'upg-nopolicy' });
    const k = await A.admin.call('CreateAccessKey', { UserName: 'upg-nopolicy' });
    const user = v1Client(server.endpoint, { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret });
    await expectApiError(update(user, { SmartAGId: inst.id, VersionCode: '2.1.0' }), {
      status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.',
    });
  });

  test('an instance without a CCN: 403 NotBoundCCN', async () => {
    const noCcn = await readyInstance({ client: A.client, op, secret, ccn: false });
    await expectApiError(update(A.client, { SmartAGId: noCcn.id, VersionCode: '2.1.0' }), {
      status: 403, code: 'NotBoundCCN', message: 'The specified smart access gateway has not bound CCN; please bind CCN first.',
    });
  });

  test('an instance not activated: 500 SmartAccessGatewayNotActivated', async () => {
    const init = await readyInstance({ client: A.client, op, secret, activate: false, ccn: false });
    await expectApiError(update(A.client, { SmartAGId: init.id, VersionCode: '2.1.0' }), {
      status: 500, code: 'SmartAccessGatewayNotActivated', message: 'The specified Smart Access Gateway has not been activated.',
    });
  });

  test('an expired instance (test clock past EndTime): 500 SmartAccessGatewayInArrears', async () => {
    const attr = await A.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: inst.id });
    const clock = await op.call('GetClock', {});
    await op.call('SetClock', { Now: String(attr.EndTime + 1000) });
    try {
      await expectApiError(update(A.client, { SmartAGId: inst.id, VersionCode: '2.1.0' }), {
        status: 500, code: 'SmartAccessGatewayInArrears', message: 'The specified Smart Access Gateway has expired.',
      });
    } finally {
      await op.call('SetClock', { Now: String(clock.Now) });
    }
  });

  test('a SerialNumber that is not a device of the instance: 500 PermissionError', async () => {
    const other = await readyInstance({ client: A.client, op, secret });
    await expectApiError(update(A.client, { SmartAGId: inst.id, VersionCode: '2.1.0', SerialNumber: other.sn }), {
      status: 500, code: 'PermissionError', message: 'No permission to operate the instance.',
    });
  });

  test('an unknown, withdrawn or other-model version: 400 VersionNotExist', async () => {
    publish(server, { code: '2.0.8', size: 1024 });
    await op.call('WithdrawVersion', { VersionType: 'Device', VersionCode: '2.0.8' });
    publish(server, { code: '2.3.0', models: 'sag-100wm', size: 1024 });
    for (const code of ['9.9.9', '2.0.8', '2.3.0']) {
      await expectApiError(update(A.client, { SmartAGId: inst.id, VersionCode: code }), {
        status: 400, code: 'VersionNotExist', message: 'The specified version does not exist.',
      });
    }
  });

  test('a device that is not connected: 403 SmartAccessGatewayNotOnline', async () => {
    await expectApiError(update(A.client, { SmartAGId: inst.id, VersionCode: '2.1.0' }), {
      status: 403, code: 'SmartAccessGatewayNotOnline', message: 'The specified smart access gateway is not online.',
    });
  });

  test('a device reporting no usable version: 403 GetSmartAccessGatewayVersionError', async () => {
    const odd = await readyInstance({ client: A.client, op, secret });
    await startDevice(server.endpoint, ['--sn', odd.sn, '--secret', secret, '--firmware', 'factory-build']);
    await expectApiError(update(A.client, { SmartAGId: odd.id, VersionCode: '2.1.0' }), {
      status: 403, code: 'GetSmartAccessGatewayVersionError', message: 'An error occurred while obtaining the smart access gateway version.',
    });
  });

  test('a device that does not acknowledge in time: 403 GetSmartAccessGatewayStateError, upgrade TimedOut and not resumed', async () => {
    const slow = await readyInstance({ client: A.client, op, secret });
    const dev = await startDevice(server.endpoint, ['--sn', slow.sn, '--secret', secret, '--firmware', '2.0.0', '--slow-apply-ms', '4000']);
    const t0 = Date.now();
    await expectApiError(update(A.client, { SmartAGId: slow.id, VersionCode: '2.1.0' }), {
      status: 403, code: 'GetSmartAccessGatewayStateError', message: 'An error occurred while obtaining the smart access gateway status.',
    });
    assert.ok(Date.now() - t0 >= ACK_MS, 'answered after the acknowledgement timeout');
    const [u] = await upgradesOf(slow.sn);
    assert.equal(u.State, 'TimedOut');
    // The device answers late: its reports for a timed-out upgrade change nothing, and the
    // artifact is refused to it (no upgrade in flight), so it never installs.
    await new Promise((r) => setTimeout(r, 5000));
    const [again] = await upgradesOf(slow.sn);
    assert.equal(again.State, 'TimedOut');
    assert.equal((await info(A.client, slow.id, slow.sn)).Version, '2.0.0');
    assert.match(dev.stderr(), /HTTP 403/);
  });
});

describe('an HA pair (warm_backup)', () => {
  let pair;
  let standbyDev;
  before(async () => {
    pair = await readyInstance({ client: A.client, op, secret, count: 2 });
    await device(pair.sns[0]);
    standbyDev = await startDevice(server.endpoint, ['--sn', pair.sns[1], '--secret', secret, '--firmware', '2.0.0',
      '--reboot-ms', '4000']);
  });

  test('without SerialNumber the standby upgrades first; the active device waits Queued (ResourceInOperating meanwhile); artifact served with Range only to the assigned device', async () => {
    const [main, standby] = pair.sns;
    await update(A.client, { SmartAGId: pair.id, VersionCode: '2.1.0' });
    const [us] = await upgradesOf(standby);
    const [um] = await upgradesOf(main);
    assert.equal(um.State, 'Queued');
    assert.equal(um.AfterUpgradeId, us.UpgradeId);
    await poll(async () => (await upgradesOf(standby))[0].State === 'Rebooting', { timeoutMs: 15000 });
    assert.equal((await upgradesOf(main))[0].State, 'Queued');
    await expectApiError(update(A.client, { SmartAGId: pair.id, VersionCode: '2.1.0', SerialNumber: main }), {
      status: 400, code: 'ResourceInOperating', message: 'The specified resource is being used. Please try later.',
    });

    // The artifact, as the standby may fetch it while its upgrade is in flight.
    const token = artifactToken(server.dataDir, standby, fw.Sha256);
    const target = `/device/v1/artifacts/${fw.Sha256}?sn=${standby}&token=${token}`;
    const part = await rawHttp(server.endpoint, { target, headers: { Range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 100-199/${300 * 1024}`);
    assert.equal(Number(part.headers['content-length']), 100);
    const tail = await rawHttp(server.endpoint, { target, headers: { Range: 'bytes=-10' } });
    assert.equal(tail.status, 206);
    assert.equal(tail.headers['content-range'], `bytes ${300 * 1024 - 10}-${300 * 1024 - 1}/${300 * 1024}`);
    const beyond = await rawHttp(server.endpoint, { target, headers: { Range: `bytes=${300 * 1024}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${300 * 1024}`);
    const whole = await rawHttp(server.endpoint, { target });
    assert.equal(whole.status, 200);
    assert.equal(Number(whole.headers['content-length']), 300 * 1024);
    const forged = await rawHttp(server.endpoint, { target: target.replace(/token=.*/, 'token=' + '0'.repeat(64)) });
    assert.equal(forged.status, 403);
    const mainToken = artifactToken(server.dataDir, main, fw.Sha256);
    const queued = await rawHttp(server.endpoint, { target: `/device/v1/artifacts/${fw.Sha256}?sn=${main}&token=${mainToken}` });
    assert.equal(queued.status, 403, 'a Queued upgrade does not authorize the download yet');

    const fs = await finished(standby);
    assert.equal(fs.State, 'Succeeded');
    const fm = await finished(main);
    assert.equal(fm.State, 'Succeeded');
    assert.ok(fm.UpdateTime >= fs.UpdateTime, 'the active device finished after the standby');
    assert.match(standbyDev.stderr(), /booted firmware=2.1.0/);
  });
});

describe('device faults', () => {
  async function run(extra) {
    const inst = await readyInstance({ client: A.client, op, secret });
    const dev = await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret, '--firmware', '2.0.0', ...extra]);
    await update(A.client, { SmartAGId: inst.id, VersionCode: '2.1.0' });
    const u = await finished(inst.sn);
    return { inst, dev, u, info: await info(A.client, inst.id, inst.sn) };
  }

  test('a download cut midway resumes with a Range request and succeeds', async () => {
    const { dev, u, info: i } = await run(['--download-chunk-bytes', '32768', '--cut-download-at', '100000']);
    assert.equal(u.State, 'Succeeded', JSON.stringify(u));
    assert.equal(i.Version, '2.1.0');
    assert.match(dev.stderr(), /download cut at byte 131072/);
    assert.match(dev.stderr(), /resuming download at byte 131072 \(Range: bytes=131072-\)/);
    assert.match(dev.stderr(), /downloaded and verified 307200 bytes/);
  });

  test('a corrupted artifact is never installed: Failed, version unchanged', async () => {
    const { dev, u, info: i } = await run(['--corrupt-artifact']);
    assert.equal(u.State, 'Failed');
    assert.match(u.Detail, /sha256 mismatch/);
    assert.equal(i.Version, '2.0.0');
    assert.equal(i.UpgradeState, 'Failed');
    assert.doesNotMatch(dev.stderr(), /booted firmware/);
  });

  test('a device that rolls back after reboot is Reverted, never Succeeded', async () => {
    const { inst, u, info: i } = await run(['--rollback-after-reboot', '--reboot-ms', '300']);
    assert.equal(u.State, 'Reverted', JSON.stringify(u));
    assert.match(u.Detail, /rolled back/);
    assert.equal(i.Version, '2.0.0');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await upgradesOf(inst.sn))[0].State, 'Reverted');
  });

  test('a failed install and a failed download are Failed with the device\'s reason', async () => {
    const install = await run(['--fail-install']);
    assert.equal(install.u.State, 'Failed');
    assert.match(install.u.Detail, /install failed/);
    const download = await run(['--fail-download']);
    assert.equal(download.u.State, 'Failed');
    assert.match(download.u.Detail, /download failed/);
    assert.equal(download.info.Version, '2.0.0');
  });
});

describe('a sagd restart in the middle of an upgrade', () => {
  test('the upgrade continues from the store and succeeds once the device reports 2.1.0', async () => {
    const dataDir = makeTempDir();
    let s = await startSagd({ testMode: true, dataDir, args: ARGS });
    const sop = operatorClient(s);
    const T = await createAccount(s, 'restart-t');
    publish(s, { code: '2.1.0', size: 64 * 1024 });
    const inst = await readyInstance({ client: T.client, op: sop, secret });
    const state = makeTempDir();
    const dev = await startDevice(s.endpoint, ['--sn', inst.sn, '--secret', secret, '--firmware', '2.0.0',
      '--state-dir', state, '--reboot-ms', '3000']);
    await update(T.client, { SmartAGId: inst.id, VersionCode: '2.1.0' });
    await poll(async () => (await sop.call('ListUpgrades', { SerialNumber: inst.sn })).Upgrades.Upgrade[0].State === 'Rebooting',
      { timeoutMs: 15000 });
    const port = new URL(s.endpoint).port;
    await s.stop();
    s = await startSagd({ testMode: true, dataDir, rootKey: s.rootKey, args: ARGS, listen: `127.0.0.1:${port}` });
    const op2 = operatorClient(s);
    const u = await poll(async () => {
      const [x] = (await op2.call('ListUpgrades', { SerialNumber: inst.sn })).Upgrades.Upgrade;
      return x.State === 'Succeeded' ? x : null;
    }, { timeoutMs: 60000, intervalMs: 200 });
    assert.equal(u.VersionCode, '2.1.0');
    const client2 = v1Client(s.endpoint, T.key);
    assert.equal((await info(client2, inst.id, inst.sn)).Version, '2.1.0');
    assert.match(dev.stderr(), /booted firmware=2.1.0/);
    await s.stop();
  });
});
