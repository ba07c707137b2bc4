// sag's upload progress (issue 17): `sag admin PublishVersion --ArtifactFile` draws a progress bar
// on a terminal (here a pseudo-terminal made by script(1)), and nothing when its output is a pipe.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startSagd, stopAll } = require('./lib/harness');
const { sag, makeArtifact } = require('./lib/upgrades');

let server;
before(async () => { server = await startSagd(); });
after(() => stopAll());

function quote(s) { return `'${String(s).replace(/'/g, "'\\''")}'`; }

test('on a terminal the upload draws a bar that reaches 100 % before the answer', () => {
  const artifact = makeArtifact(3 << 20);
  const cmd = [path.join(process.env.SAG_BIN_DIR, 'sag'), 'admin', 'PublishVersion', '--VersionType', 'Device',
    '--VersionCode', '3.0.0', '--HardwareModels', 'sag-1000', '--ArtifactFile', artifact.file].map(quote).join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
    encoding: 'utf8',
    timeout: 60000,
    env: { ...process.env, SAG_ENDPOINT: server.endpoint, SAG_ACCESS_KEY_ID: server.rootKey.accessKeyId,
      SAG_ACCESS_KEY_SECRET: server.rootKey.accessKeySecret },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const out = r.stdout;
  assert.match(out, /\rUploading \[#{30}\] 100% {2}3\.0\/3\.0 MiB\r?\n/);
  const percents = [...out.matchAll(/\rUploading \[[# ]{30}\] +(\d+)%/g)].map((m) => Number(m[1]));
  assert.ok(percents.length >= 2, out);
  assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'the bar only grows');
  assert.ok(out.indexOf('100%') < out.indexOf('"Sha256"'), 'the bar ends before the answer is printed');
  assert.ok(out.includes(artifact.sha256));
});

test('with its output in a pipe nothing but the answer is printed', () => {
  const artifact = makeArtifact(1 << 20);
  const r = sag(server, ['admin', 'PublishVersion', '--VersionType', 'Device', '--VersionCode', '3.0.1',
    '--HardwareModels', 'sag-1000', '--ArtifactFile', artifact.file]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(JSON.parse(r.stdout).Version.Sha256, artifact.sha256);
});
