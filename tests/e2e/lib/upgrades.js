'use strict';
// Helpers of the versions/upgrades e2e tests: the sag CLI (PublishVersion streams an artifact
// file), sag-device processes, ready instances, and download tokens computed as sagd does.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { createParams, makeTempDir, randomAlnum } = require('./harness');

const REGION = 'cn-shanghai';
const devices = new Set();

// Runs `sag args...` against server with key (default: the operator root key).
function sag(server, args, key = server.rootKey) {
  const r = spawnSync(path.join(process.env.SAG_BIN_DIR, 'sag'), args, {
    encoding: 'utf8',
    timeout: 60000,
    env: {
      ...process.env,
      SAG_ENDPOINT: server.endpoint,
      SAG_ACCESS_KEY_ID: key.accessKeyId,
      SAG_ACCESS_KEY_SECRET: key.accessKeySecret,
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Writes `size` random bytes to a new file; returns {file, bytes, sha256}.
function makeArtifact(size) {
  const bytes = crypto.randomBytes(size);
  const file = path.join(makeTempDir('sag-artifact-'), 'artifact.bin');
  fs.writeFileSync(file, bytes);
  return { file, bytes, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
}

// Publishes a version with `sag admin PublishVersion --ArtifactFile`; returns the parsed body.
function publish(server, { type = 'Device', code, models = 'sag-1000', release = 'release', minDevice, size = 64 * 1024, name }) {
  const artifact = makeArtifact(size);
  const args = ['admin', 'PublishVersion', '--VersionType', type, '--VersionCode', code,
    '--HardwareModels', models, '--ReleaseType', release, '--ArtifactFile', artifact.file];
  if (minDevice) args.push('--MinDeviceVersion', minDevice);
  if (name) args.push('--VersionName', name);
  const r = sag(server, args);
  if (r.status !== 0) throw new Error(`PublishVersion ${code}: ${r.stdout}${r.stderr}`);
  return { ...JSON.parse(r.stdout).Version, artifact };
}

// Starts sag-device; resolves once it prints `sag-device: <online> online`.
function startDevice(endpoint, args, online = 1) {
  const proc = spawn(path.join(process.env.SAG_BIN_DIR, 'sag-device'), ['--endpoint', endpoint, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  devices.add(proc);
  proc.on('exit', () => devices.delete(proc));
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.on('data', (d) => { stdout += d; });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`device not online in 60 s:\n${stderr.slice(-4000)}`)), 60000);
    const check = () => {
      if (stdout.includes(`sag-device: ${online} online`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', check);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`sag-device exited ${code}:\n${stderr.slice(-4000)}`)); });
  });
  return ready.then(() => ({ proc, stderr: () => stderr, stdout: () => stdout }));
}

function stopDevices() {
  for (const p of devices) p.kill('SIGKILL');
}

// An instance of `client`'s account, Active, bound to a new CCN (unless ccn is false), with
// `count` registered devices bound (count 2 makes a warm_backup pair: [active, standby]).
async function readyInstance({ client, op, secret, model = 'sag-1000', count = 1, ccn = true, activate = true }) {
  const sns = [];
  for (let i = 0; i < count; i++) {
    const sn = 'sagv' + randomAlnum(10).toLowerCase();
    await op.call('RegisterDevice', { SerialNumber: sn, HardwareModel: model, DeviceSecret: secret });
    sns.push(sn);
  }
  const { SmartAGId: id } = await client.call('CreateSmartAccessGateway', createParams({
    HardWareSpec: model, MaxBandWidth: '10', HaType: count > 1 ? 'warm_backup' : 'no_backup',
  }));
  for (const sn of sns) {
    await client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn });
  }
  if (activate && count > 0) await client.call('ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id });
  if (ccn) {
    const { CcnId } = await client.call('CreateCloudConnectNetwork', { RegionId: REGION, Name: 'ccn-' + randomAlnum(6), IsDefault: 'false' });
    await client.call('BindSmartAccessGateway', { RegionId: REGION, CcnId, SmartAGId: id });
  }
  return { id, sns, sn: sns[0] };
}

// The download token sagd gives a device for an artifact (docs/device-protocol.md §6), computed
// from the server's master key as sagd does.
function artifactToken(dataDir, sn, sha256) {
  const master = fs.readFileSync(path.join(dataDir, 'master.key'));
  const key = crypto.createHmac('sha256', master).update('opensag artifact token key v1').digest();
  return crypto.createHmac('sha256', key).update(`sag-artifact-v1\n${sn}\n${sha256}`).digest('hex');
}

module.exports = { REGION, sag, makeArtifact, publish, startDevice, stopDevices, readyInstance, artifactToken };
