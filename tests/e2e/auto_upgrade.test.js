// DescribeDeviceAutoUpgradePolicy / ModifyDeviceAutoUpgradePolicy end to end (issue 5): the
// official SDKs set a device's policy; the scheduler, reading the server's (test) clock, upgrades
// sag-device to the newest release version in its cron window (never a beta), records a missed
// window, retries the Dpi upgrade in the window once the firmware it needs is installed; boot
// policies upgrade a device when it starts; manual ones never act. Every documented code.
'use strict';
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { startSagd, stopAll, operatorClient, createAccount, expectApiError, poll, randomAlnum } = require('./lib/harness');
const { REGION, publish, startDevice, stopDevices, readyInstance } = require('./lib/upgrades');

const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;
let server;
let op;
let A;
const secret = 'device-secret-' + randomAlnum(16);

function modify(client, params) {
  return client.call('ModifyDeviceAutoUpgradePolicy', { RegionId: REGION, ...params });
}
function describePolicy(client, params) {
  return client.call('DescribeDeviceAutoUpgradePolicy', { RegionId: REGION, ...params });
}
async function upgradesOf(sn) {
  return (await op.call('ListUpgrades', { SerialNumber: sn })).Upgrades.Upgrade;
}
async function finished(sn, count = 1) {
  return poll(async () => {
    const list = await upgradesOf(sn);
    const done = list.filter((u) => ['Succeeded', 'Failed', 'Reverted', 'TimedOut'].includes(u.State));
    return done.length >= count && done.length === list.length ? list : null;
  }, { timeoutMs: 30000, intervalMs: 100 });
}
function device(sn) {
  return startDevice(server.endpoint, ['--sn', sn, '--secret', secret, '--firmware', '2.0.0', '--dpi', '1.0.0',
    '--reboot-ms', '200']);
}
async function now() {
  return Number((await op.call('GetClock', {})).Now);
}
async function setClock(ms) {
  await op.call('SetClock', { Now: String(ms) });
}
// The first time after `after` that reads hh:00:00 in UTC+8 (Asia/Shanghai has no DST).
function nextShanghai(after, hh) {
  const utcHour = (hh - 8 + 24) % 24;
  let t = Math.floor(after / DAY) * DAY + utcHour * HOUR;
  while (t <= after) t += DAY;
  return t;
}
// Polls the device's policy until `done(policy)` holds and the scheduler has recorded what came of
// its attempt ("starting" is the claim of a window, before the attempt's result).
function policyWhen(inst, done, VersionType = 'Device') {
  return poll(async () => {
    const d = await describePolicy(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, VersionType });
    return done(d) && d.LastUpgradeResult !== 'starting' ? d : null;
  });
}
async function version(id, sn) {
  const i = await A.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: id, SmartAGSn: sn });
  return { firmware: i.Version, dpi: i.DpiVersion };
}

before(async () => {
  server = await startSagd({ testMode: true, args: ['--device-registry', 'closed', '--device-lease-ms', '1500',
    '--device-heartbeat-ms', '300'] });
  op = operatorClient(server);
  A = await createAccount(server, 'auto-upgrade');
  publish(server, { code: '2.1.0', size: 64 * 1024 });
  publish(server, { code: '2.2.0', size: 1024, release: 'beta' });  // never chosen automatically
  publish(server, { type: 'Dpi', code: '1.1.0', minDevice: '2.1.0', size: 8 * 1024 });
});
after(() => { stopDevices(); stopAll(); });

describe('the policy itself', () => {
  let inst;
  before(async () => {
    inst = await readyInstance({ client: A.client, op, secret });
  });

  test('a device whose policy was never set is manual, 04:00 Asia/Shanghai, 60 minutes (V1 and V3)', async () => {
    for (const client of [A.client, A.v3]) {
      const p = await describePolicy(client, { SmartAGId: inst.id, SerialNumber: inst.sn });
      assert.match(p.RequestId, /^[0-9A-F-]{36}$/);
      assert.equal(p.SmartAGId, inst.id);
      assert.equal(p.SerialNumber, inst.sn);
      assert.equal(p.UpgradeType, 'manual');
      assert.equal(p.CronExpression, '0 0 4 1/1 * ?');
      assert.equal(p.Duration, '60');
      assert.equal(p.Jitter, '5');
      assert.equal(p.TimeZone, 'Asia/Shanghai');
      assert.equal(p.NextUpgradeTime, undefined);
    }
  });

  test('a change shows in the next describe; parameters left out keep their value; Device and Dpi are separate', async () => {
    await modify(A.v3, { SmartAGId: inst.id, SerialNumber: inst.sn, UpgradeType: 'scheduled',
      CronExpression: '0 30 2 ? * SAT', Duration: '30', TimeZone: 'Asia/Tokyo' });
    let p = await describePolicy(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, VersionType: 'Device' });
    assert.deepEqual([p.UpgradeType, p.CronExpression, p.Duration, p.TimeZone], ['scheduled', '0 30 2 ? * SAT', '30', 'Asia/Tokyo']);
    // The next window: a Saturday 02:30 in Tokyo (17:30 UTC on Friday), plus this device's jitter.
    const next = new Date(p.NextUpgradeTime);
    const window = new Date(Math.floor(p.NextUpgradeTime / (60 * 1000)) * 60 * 1000);
    assert.ok(p.NextUpgradeTime > await now());
    assert.equal(next.getUTCDay() === 5 || next.getUTCDay() === 6, true, next.toISOString());
    assert.ok(window.getUTCHours() === 17 && window.getUTCMinutes() >= 30 && window.getUTCMinutes() < 35, next.toISOString());

    await modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, UpgradeType: 'boot', TimeZone: 'Europe/Berli' });
    p = await describePolicy(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn });
    assert.deepEqual([p.UpgradeType, p.CronExpression, p.Duration, p.TimeZone], ['boot', '0 30 2 ? * SAT', '30', 'Europe/Berlin']);
    assert.equal(p.NextUpgradeTime, undefined);  // boot policies have no window
    const dpi = await describePolicy(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, VersionType: 'Dpi' });
    assert.equal(dpi.UpgradeType, 'manual');
    await modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, UpgradeType: 'manual' });
  });

  test('400 SAG.InstanceIdEmpty without SmartAGId', async () => {
    await expectApiError(modify(A.client, { SerialNumber: inst.sn, UpgradeType: 'manual' }), {
      status: 400, code: 'SAG.InstanceIdEmpty', message: 'You must specify the SAG instance ID.',
    });
  });

  test('400 SAG.InvalidSerialNumber for a serial number that is missing or not a device of the instance', async () => {
    const other = await readyInstance({ client: A.client, op, secret });
    const invalid = { status: 400, code: 'SAG.InvalidSerialNumber', message: 'The specified SerialNumber is invalid.' };
    await expectApiError(modify(A.client, { SmartAGId: inst.id, UpgradeType: 'manual' }), invalid);
    for (const sn of [other.sn, 'sagdoesnotexist']) {
      await expectApiError(modify(A.client, { SmartAGId: inst.id, SerialNumber: sn, UpgradeType: 'manual' }), invalid);
      await expectApiError(describePolicy(A.v3, { SmartAGId: inst.id, SerialNumber: sn }), invalid);
    }
  });

  test('an unknown instance, or another account\'s: 400 SAG.InstanceNoFound', async () => {
    const B = await createAccount(server, 'auto-upgrade-b');
    const notFound = { status: 400, code: 'SAG.InstanceNoFound', message: 'The specified SAG instance does not exist.' };
    for (const [client, id] of [[A.client, 'sag-doesnotexist1'], [B.client, inst.id]]) {
      await expectApiError(modify(client, { SmartAGId: id, SerialNumber: inst.sn, UpgradeType: 'manual' }), notFound);
      await expectApiError(describePolicy(client, { SmartAGId: id, SerialNumber: inst.sn }), notFound);
    }
  });

  test('missing UpgradeType or SerialNumber on describe: 400 MissingParameter', async () => {
    await expectApiError(modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn }), {
      status: 400, code: 'MissingParameter',
      message: 'The input parameter "UpgradeType" that is mandatory for processing this request is not supplied.',
    });
    await expectApiError(describePolicy(A.client, { SmartAGId: inst.id }), {
      status: 400, code: 'MissingParameter',
      message: 'The input parameter "SerialNumber" that is mandatory for processing this request is not supplied.',
    });
  });

  test('bad values: 400 InvalidParameter naming the parameter, and nothing changes', async () => {
    const bad = [
      ['UpgradeType', { UpgradeType: 'weekly' }],
      ['VersionType', { UpgradeType: 'manual', VersionType: 'Kernel' }],
      ['Duration', { UpgradeType: 'scheduled', Duration: '29' }],
      ['Duration', { UpgradeType: 'scheduled', Duration: '121' }],
      ['Duration', { UpgradeType: 'scheduled', Duration: 'sixty' }],
      ['Jitter', { UpgradeType: 'scheduled', Duration: '30', Jitter: '31' }],
      ['TimeZone', { UpgradeType: 'scheduled', TimeZone: 'Europe/Paris' }],
      ['CronExpression', { UpgradeType: 'scheduled', CronExpression: '0 0 4 * *' }],
      ['CronExpression', { UpgradeType: 'scheduled', CronExpression: '0 0 25 * * ?' }],
      ['CronExpression', { UpgradeType: 'scheduled', CronExpression: '0 0 4 L * ?' }],
      ['CronExpression', { UpgradeType: 'scheduled', CronExpression: '0 0 4 1 1 ? 2020' }],  // never again
    ];
    for (const [name, params] of bad) {
      await expectApiError(modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, ...params }), {
        status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.`,
      });
    }
    const p = await describePolicy(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn });
    assert.deepEqual([p.UpgradeType, p.Duration, p.TimeZone], ['manual', '30', 'Europe/Berlin']);
  });
});

describe('the scheduler', () => {
  test('scheduled: nothing before the window; in it the device upgrades to the newest release (not the beta)', async () => {
    const inst = await readyInstance({ client: A.client, op, secret });
    await device(inst.sn);
    const start = await now();
    await modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, UpgradeType: 'scheduled',
      CronExpression: '0 0 4 1/1 * ?', Jitter: '0' });
    const p = await describePolicy(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn });
    const window = nextShanghai(start, 4);
    assert.equal(p.NextUpgradeTime, window);  // Jitter 0: exactly when the window opens
    await new Promise((r) => setTimeout(r, 1500));  // the sweeper runs every second
    assert.deepEqual(await upgradesOf(inst.sn), []);

    await setClock(window + 1000);
    const [u] = await finished(inst.sn);
    assert.equal(u.State, 'Succeeded', JSON.stringify(u));
    assert.equal(u.VersionCode, '2.1.0');
    assert.equal(u.FromVersion, '2.0.0');
    assert.deepEqual(await version(inst.id, inst.sn), { firmware: '2.1.0', dpi: '1.0.0' });
    const after = await policyWhen(inst, (d) => d.LastUpgradeTime === window);
    assert.equal(after.LastUpgradeTime, window);
    assert.match(after.LastUpgradeResult, new RegExp(`^started ${u.UpgradeId} to 2\\.1\\.0$`));
    assert.equal(after.NextUpgradeTime, window + DAY);

    // The next day's window: up to date, nothing starts.
    await setClock(window + DAY + 1000);
    const done = await policyWhen(inst, (d) => d.LastUpgradeTime === window + DAY);
    assert.match(done.LastUpgradeResult, /^up to date: no newer release version for sag-1000 \(runs 2\.1\.0\)$/);
    assert.equal((await upgradesOf(inst.sn)).length, 1);
  });

  test('a window that closed before the scheduler reached it is recorded as missed, and nothing starts', async () => {
    const inst = await readyInstance({ client: A.client, op, secret });
    await device(inst.sn);
    await modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, UpgradeType: 'scheduled',
      CronExpression: '0 0 6 * * ?', Duration: '30' });
    const { NextUpgradeTime: run } = await describePolicy(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn });
    const window = nextShanghai((await now()), 6);
    assert.ok(run >= window && run < window + 5 * 60 * 1000, `jitter within 5 minutes: ${run - window}`);
    await setClock(window + 31 * 60 * 1000);
    const p = await policyWhen(inst, (d) => d.LastUpgradeTime === window);
    assert.match(p.LastUpgradeResult, /^missed: the window .* had closed before the scheduler reached it$/);
    assert.equal(p.NextUpgradeTime - window, run - window + DAY);
    assert.deepEqual(await upgradesOf(inst.sn), []);
  });

  test('a device offline in its window is retried every minute while the window is open, then given up', async () => {
    const inst = await readyInstance({ client: A.client, op, secret });  // its device never connects
    await modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, UpgradeType: 'scheduled',
      CronExpression: '0 0 8 * * ?', Duration: '30', Jitter: '0' });
    const window = nextShanghai((await now()), 8);
    await setClock(window + 1000);
    let p = await policyWhen(inst, (d) => d.LastUpgradeTime === window);
    assert.equal(p.LastUpgradeResult, 'skipped: the device is offline (retrying while the window is open)');
    const retryIn = p.NextUpgradeTime - (window + 1000);  // a minute after the attempt
    assert.ok(retryIn >= 60 * 1000 && retryIn < 65 * 1000, String(retryIn));
    await setClock(window + 31 * 60 * 1000);
    p = await policyWhen(inst, (d) => d.NextUpgradeTime === window + DAY);
    assert.equal(p.LastUpgradeResult, 'window closed without an upgrade: skipped: the device is offline');
    assert.deepEqual(await upgradesOf(inst.sn), []);
  });

  test('Device and Dpi in one window: the firmware first, the Dpi version it needs on a retry within the window', async () => {
    const inst = await readyInstance({ client: A.client, op, secret });
    await device(inst.sn);
    for (const VersionType of ['Device', 'Dpi']) {
      await modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, VersionType, UpgradeType: 'scheduled',
        CronExpression: '0 0 7 * * ?', Jitter: '0' });
    }
    const window = nextShanghai((await now()), 7);
    await setClock(window + 1000);
    const [fw] = await finished(inst.sn);
    assert.equal(fw.VersionType, 'Device');
    assert.equal(fw.State, 'Succeeded');
    const dpiPolicy = await policyWhen(inst, (d) => d.LastUpgradeTime === window, 'Dpi');
    assert.match(dpiPolicy.LastUpgradeResult, /retrying while the window is open/);
    await setClock(window + 2 * 60 * 1000);  // the retry comes a minute later
    const list = await finished(inst.sn, 2);
    assert.equal(list[0].VersionType, 'Dpi');
    assert.equal(list[0].State, 'Succeeded');
    assert.deepEqual(await version(inst.id, inst.sn), { firmware: '2.1.0', dpi: '1.1.0' });
  });

  test('boot: a device that starts gets the newest firmware, then (at the reboot that follows) its Dpi version', async () => {
    const inst = await readyInstance({ client: A.client, op, secret });
    for (const VersionType of ['Device', 'Dpi']) {
      await modify(A.v3, { SmartAGId: inst.id, SerialNumber: inst.sn, VersionType, UpgradeType: 'boot' });
    }
    await device(inst.sn);
    const list = await finished(inst.sn, 2);
    assert.deepEqual(list.map((u) => [u.VersionType, u.VersionCode, u.State]),
      [['Dpi', '1.1.0', 'Succeeded'], ['Device', '2.1.0', 'Succeeded']]);
    assert.deepEqual(await version(inst.id, inst.sn), { firmware: '2.1.0', dpi: '1.1.0' });
  });

  test('manual: the clock passing 04:00 starts nothing', async () => {
    const inst = await readyInstance({ client: A.client, op, secret });
    await device(inst.sn);
    await modify(A.client, { SmartAGId: inst.id, SerialNumber: inst.sn, UpgradeType: 'manual' });
    await setClock(nextShanghai((await now()), 4) + 1000);
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(await upgradesOf(inst.sn), []);
    assert.deepEqual(await version(inst.id, inst.sn), { firmware: '2.0.0', dpi: '1.0.0' });
  });
});
