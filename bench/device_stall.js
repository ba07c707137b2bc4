// Helper for bench/device_stall_bench.sh: sets up instances for a fleet of silent devices, then
// keeps N calls waiting on them (ModifySAGAdminPassword and UpdateSmartAccessGatewayVersion, half
// each) while it times DescribeRegions calls of another account.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const RPC = require(path.join(__dirname, '../tests/e2e/node_modules/@alicloud/pop-core'));

const [, , mode, endpoint, count, prefix, secret, stateFile] = process.argv;
const n = Number(count);
const rootKey = { accessKeyId: process.env.SAG_ACCESS_KEY_ID, accessKeySecret: process.env.SAG_ACCESS_KEY_SECRET };
const client = (key, version = '2018-03-13') => new RPC({ endpoint, apiVersion: version, ...key });
const sn = (i) => prefix + String(i).padStart(6, '0');
const call = (c, action, params, timeout = 60000) => c.request(action, params, { method: 'POST', timeout });
const REGION = 'cn-hangzhou';

// Runs fn(i) for i = 1..n, 8 at a time.
async function each(fn) {
  let next = 1;
  const worker = async () => {
    while (next <= n) await fn(next++);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function prepare() {
  const op = client(rootKey, '2026-11-01');
  const account = async (name) => {
    const r = await call(op, 'CreateAccount', { AccountName: name });
    return { accessKeyId: r.AccessKey.AccessKeyId, accessKeySecret: r.AccessKey.AccessKeySecret };
  };
  const waiterKey = await account('stall-waiter');
  const otherKey = await account('stall-other');
  const api = client(waiterKey);
  const { CcnId } = await call(api, 'CreateCloudConnectNetwork', { RegionId: REGION, Name: 'bench', IsDefault: 'false' });
  const ids = {};
  await each(async (i) => {
    await call(op, 'RegisterDevice', { SerialNumber: sn(i), HardwareModel: 'sag-1000', DeviceSecret: secret });
    const { SmartAGId: id } = await call(api, 'CreateSmartAccessGateway', {
      RegionId: REGION, ChargeType: 'PREPAY', HaType: 'no_backup', HardWareSpec: 'sag-1000',
      MaxBandWidth: '10', Period: '12', AutoPay: 'true', BuyerMessage: 'b', ReceiverAddress: 'a',
      ReceiverCity: 'c', ReceiverCountry: 'c', ReceiverDistrict: 'd', ReceiverEmail: 'e@example.com',
      ReceiverMobile: '1', ReceiverName: 'n', ReceiverState: 's', ReceiverTown: 't', ReceiverZip: '1',
    });
    await call(api, 'BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn(i) });
    await call(api, 'ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id });
    await call(api, 'BindSmartAccessGateway', { RegionId: REGION, CcnId, SmartAGId: id });
    ids[sn(i)] = id;
  });
  fs.writeFileSync(stateFile, JSON.stringify({ waiterKey, otherKey, ids }));
}

function quantiles(ms) {
  ms.sort((a, b) => a - b);
  const q = (f) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))].toFixed(2);
  return `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${ms[ms.length - 1].toFixed(2)} ms`;
}

async function describeRegions(other, rounds) {
  const ms = [];
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    await call(other, 'DescribeRegions', {}, 120000);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms;
}

async function run() {
  const { waiterKey, otherKey, ids } = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const api = client(waiterKey);
  const other = client(otherKey);
  const rounds = Number(process.env.ROUNDS || 500);
  console.log(`DescribeRegions with nothing waiting: ${rounds} calls, ${quantiles(await describeRegions(other, rounds))}`);
  let settled = 0;
  const pending = [];
  for (let i = 1; i <= n; i++) {
    const params = { RegionId: REGION, SmartAGId: ids[sn(i)] };
    const p = i % 2 === 1
      ? call(api, 'ModifySAGAdminPassword', { ...params, SmartAGSn: sn(i), Password: 'Bench_' + String(i).padStart(8, '0') }, 600000)
      : call(api, 'UpdateSmartAccessGatewayVersion', { ...params, VersionCode: '2.1.0' }, 600000);
    pending.push(p.then(() => { settled++; }, () => { settled++; }));
  }
  // The calls are waiting once sagd has pushed every change: give it a moment, then measure.
  await new Promise((r) => setTimeout(r, Number(process.env.SETTLE_MS || 3000)));
  const ms = await describeRegions(other, rounds);
  const still = n - settled;
  console.log(`DescribeRegions while ${still} of ${n} calls wait on silent devices: ${rounds} calls, ${quantiles(ms)}`);
  if (still !== n) {
    console.error(`only ${still} of ${n} calls were still waiting at the end of the measurement`);
    process.exit(1);
  }
  process.exit(0);  // the waiting calls end when the bench stops sagd
}

({ prepare, run })[mode]().catch((e) => { console.error(e.message); process.exit(1); });
