// 1,000 simulated devices (one sag-device --count 1000 process) upgraded in one rollout: the
// operator's RolloutVersion dispatches every eligible online device; each one downloads, verifies,
// installs, reboots and reports the new version (issue 5).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSagd, stopAll, operatorClient, poll } = require('./lib/harness');
const { publish, startDevice, stopDevices } = require('./lib/upgrades');

const N = 1000;
const PREFIX = 'fleetup';
const secret = 'fleet-upgrade-secret-0001';
let server;
let op;

before(async () => {
  server = await startSagd({ args: ['--device-registry', 'closed', '--workers', '16'] });
  op = operatorClient(server);
  let next = 1;
  const worker = async () => {
    while (next <= N) {
      const i = next++;
      await op.call('RegisterDevice', { SerialNumber: PREFIX + String(i).padStart(6, '0'), HardwareModel: 'sag-1000', DeviceSecret: secret });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
});
after(() => { stopDevices(); stopAll(); });

test(`${N} devices of one sag-device process are upgraded to 2.1.0 in one rollout`, { timeout: 600000 }, async () => {
  publish(server, { code: '2.1.0', size: 64 * 1024 });
  const fleet = await startDevice(server.endpoint, ['--count', String(N), '--sn-prefix', PREFIX, '--secret', secret,
    '--firmware', '2.0.0', '--reboot-ms', '500'], N);
  const t0 = Date.now();
  const r = await op.call('RolloutVersion', { VersionType: 'Device', VersionCode: '2.1.0' }, { timeout: 300000 });
  assert.equal(r.Started, N);
  assert.equal(r.Skipped, 0);
  await poll(async () => {
    const active = await op.call('ListUpgrades', { ActiveOnly: 'true', MaxResults: '10000' }, { timeout: 60000 });
    return active.Upgrades.Upgrade.length === 0;
  }, { timeoutMs: 480000, intervalMs: 1000 });
  const all = (await op.call('ListUpgrades', { MaxResults: '10000' }, { timeout: 60000 })).Upgrades.Upgrade;
  assert.equal(all.length, N);
  const states = {};
  for (const u of all) states[u.State] = (states[u.State] || 0) + 1;
  assert.deepEqual(states, { Succeeded: N });
  const devices = new Set(all.map((u) => u.SerialNumber));
  assert.equal(devices.size, N);
  // Every device reported 2.1.0 on reconnecting: a second rollout finds nothing left to do.
  const again = await op.call('RolloutVersion', { VersionType: 'Device', VersionCode: '2.1.0' }, { timeout: 300000 });
  assert.equal(again.Started, 0);
  assert.equal(again.Skipped, N);
  console.log(`# ${N} devices upgraded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.ok(fleet.stdout().includes(`sag-device: ${N} online`));
});
