// Helper for bench/device_fleet_bench.sh: registers devices, prepares one active instance, and
// times ModifySAGAdminPassword round trips (the device must confirm each one).
'use strict';
const path = require('node:path');
const RPC = require(path.join(__dirname, '../tests/e2e/node_modules/@alicloud/pop-core'));

const [, , mode, endpoint, count, prefix, secret] = process.argv;
const key = { accessKeyId: process.env.SAG_ACCESS_KEY_ID, accessKeySecret: process.env.SAG_ACCESS_KEY_SECRET };
const client = (version) => new RPC({ endpoint, apiVersion: version, ...key });
const op = client('2026-11-01');
const api = client('2018-03-13');
const sn = (i) => prefix + String(i).padStart(6, '0');
const call = (c, action, params) => c.request(action, params, { method: 'POST', timeout: 60000 });

async function register() {
  const n = Number(count);
  let next = 1;
  const worker = async () => {
    while (next <= n) {
      const i = next++;
      await call(op, 'RegisterDevice', { SerialNumber: sn(i), HardwareModel: 'sag-1000', DeviceSecret: secret });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function prepare() {
  const p = {
    RegionId: 'cn-hangzhou', ChargeType: 'PREPAY', HaType: 'no_backup', HardWareSpec: 'sag-1000',
    MaxBandWidth: '10', Period: '12', AutoPay: 'true', BuyerMessage: 'b', ReceiverAddress: 'a',
    ReceiverCity: 'c', ReceiverCountry: 'c', ReceiverDistrict: 'd', ReceiverEmail: 'e@example.com',
    ReceiverMobile: '1', ReceiverName: 'n', ReceiverState: 's', ReceiverTown: 't', ReceiverZip: '1',
  };
  const { SmartAGId: id } = await call(api, 'CreateSmartAccessGateway', p);
  await call(api, 'BindSerialNumber', { RegionId: 'cn-hangzhou', SmartAGId: id, SerialNumber: sn(1) });
  await call(api, 'ActivateSmartAccessGateway', { RegionId: 'cn-hangzhou', SmartAGId: id });
  process.stdout.write(id + '\n');
}

async function latency() {
  const [id, rounds] = [process.env.INSTANCE, Number(process.env.ROUNDS || 200)];
  const ms = [];
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    await call(api, 'ModifySAGAdminPassword',
      { RegionId: 'cn-hangzhou', SmartAGId: id, SmartAGSn: sn(1), Password: 'Bench_' + String(i).padStart(8, '0') });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const q = (f) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))].toFixed(2);
  console.log(`password apply: ${rounds} changes, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${ms[ms.length - 1].toFixed(2)} ms`);
}

({ register, prepare, latency })[mode]().catch((e) => { console.error(e.message); process.exit(1); });
