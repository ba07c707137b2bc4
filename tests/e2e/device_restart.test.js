// A restarted sagd gets its devices back, spread out by the agents' jittered backoff rather than
// in one reconnect storm (docs/device-protocol.md §5).
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startSagd, stopAll, operatorClient, randomAlnum, poll } = require('./lib/harness');

const N = 20;
let fleet;
after(() => { if (fleet) fleet.kill('SIGKILL'); stopAll(); });

test('devices come back after a sagd restart, each after its own jittered wait', async () => {
  const secret = 'restart-secret-' + randomAlnum(12);
  const prefix = 'sagrs' + randomAlnum(5).toLowerCase();
  const rootKey = { accessKeyId: 'LTAI' + randomAlnum(20), accessKeySecret: randomAlnum(30) };
  let server = await startSagd({ rootKey, args: ['--device-registry', 'closed'] });
  const op = operatorClient(server);
  for (let i = 1; i <= N; i++) {
    await op.call('RegisterDevice', { SerialNumber: prefix + String(i).padStart(6, '0'), HardwareModel: 'sag-1000', DeviceSecret: secret });
  }
  let out = '';
  let err = '';
  fleet = spawn(path.join(process.env.SAG_BIN_DIR, 'sag-device'),
    ['--endpoint', server.endpoint, '--count', String(N), '--sn-prefix', prefix, '--secret', secret]);
  fleet.stdout.on('data', (d) => { out += d; });
  fleet.stderr.on('data', (d) => { err += d; });
  await poll(() => out.includes(`sag-device: ${N} online`), { timeoutMs: 20000 });

  // Restart sagd on the same address and data directory.
  const { dataDir, port } = server;
  await server.kill9();
  await poll(() => out.includes('sag-device: 0 online'), { timeoutMs: 10000 });
  out = '';
  server = await startSagd({ rootKey, dataDir, listen: `127.0.0.1:${port}`, args: ['--device-registry', 'closed'] });
  await poll(() => out.includes(`sag-device: ${N} online`), { timeoutMs: 30000 });

  // Every device waited before reconnecting, and the waits were spread, not identical.
  const waits = [...err.matchAll(/backoff attempt=\d+ wait_ms=(\d+)/g)].map((m) => Number(m[1]));
  assert.ok(waits.length >= N, `expected a backoff per device, saw ${waits.length}`);
  assert.ok(new Set(waits).size > N / 2, `waits should be jittered, got ${waits.slice(0, N)}`);
  assert.ok(waits.every((w) => w >= 0 && w <= 60000));
});
