// Helper for bench/acl_fanout_bench.sh: registers devices, prepares warm_backup instances (two
// devices each) associated with one ACL, and times one AddACLRule until every device confirmed the
// new acl generation (per device: the facet's UpdateTime, when sagd recorded the confirmation).
'use strict';
const path = require('node:path');
const RPC = require(path.join(__dirname, '../tests/e2e/node_modules/@alicloud/pop-core'));

const [, , mode, endpoint, count, prefix, secret] = process.argv;
const key = { accessKeyId: process.env.SAG_ACCESS_KEY_ID, accessKeySecret: process.env.SAG_ACCESS_KEY_SECRET };
const client = (version) => new RPC({ endpoint, apiVersion: version, ...key });
const op = client('2026-11-01');
const api = client('2018-03-13');
const REGION = 'cn-hangzhou';
const sn = (i) => prefix + String(i).padStart(6, '0');
const call = (c, action, params) => c.request(action, params, { method: 'POST', timeout: 120000 });
const n = Number(count);

async function pool(jobs, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs) await fn(next++);
  }));
}

async function prepare() {
  await pool(n, 16, (i) => call(op, 'RegisterDevice', { SerialNumber: sn(i + 1), HardwareModel: 'sag-1000', DeviceSecret: secret }));
  const { AclId: aclId } = await call(api, 'CreateACL', { RegionId: REGION, Name: 'bench_acl' });
  const p = {
    RegionId: REGION, ChargeType: 'PREPAY', HaType: 'warm_backup', HardWareSpec: 'sag-1000',
    MaxBandWidth: '10', Period: '12', AutoPay: 'true', BuyerMessage: 'b', ReceiverAddress: 'a',
    ReceiverCity: 'c', ReceiverCountry: 'c', ReceiverDistrict: 'd', ReceiverEmail: 'e@example.com',
    ReceiverMobile: '1', ReceiverName: 'n', ReceiverState: 's', ReceiverTown: 't', ReceiverZip: '1',
  };
  await pool(Math.ceil(n / 2), 8, async (k) => {
    const { SmartAGId: id } = await call(api, 'CreateSmartAccessGateway', p);
    for (const i of [2 * k + 1, 2 * k + 2]) {
      if (i <= n) await call(api, 'BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn(i) });
    }
    await call(api, 'AssociateACL', { RegionId: REGION, AclId: aclId, SmartAGId: id });
  });
  process.stdout.write(aclId + '\n');
}

// Every device's acl facet: {sn: {desired, applied, update}}.
async function aclFacets() {
  const out = new Map();
  for (let page = 1; ; page++) {
    const r = await call(op, 'ListDeviceStates', { PageSize: 100, PageNumber: page });
    for (const d of r.Devices.Device) {
      const f = d.Facets.Facet.find((x) => x.Facet === 'acl');
      if (f) out.set(d.SerialNumber, { desired: f.DesiredGeneration, applied: f.AppliedGeneration, update: f.UpdateTime });
    }
    if (page * 100 >= r.TotalCount) break;
  }
  return out;
}

async function fanout() {
  const aclId = process.env.ACL;
  // Every device confirmed the association's (empty) rule set first.
  for (;;) {
    const f = await aclFacets();
    if (f.size === n && [...f.values()].every((x) => x.applied >= x.desired)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const before = await aclFacets();
  const t0 = Date.now();
  await call(api, 'AddACLRule', {
    RegionId: REGION, AclId: aclId, Policy: 'drop', IpProtocol: 'TCP', Direction: 'in', SourceCidr: '0.0.0.0/0',
    SourcePortRange: '-1/-1', DestCidr: '10.0.0.0/8', DestPortRange: '22/22', Priority: '1',
  });
  const answered = Date.now() - t0;
  let after;
  for (;;) {
    after = await aclFacets();
    const done = [...after.entries()].every(([s, x]) => x.desired > before.get(s).desired && x.applied >= x.desired);
    if (done) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ms = [...after.values()].map((x) => x.update - t0).sort((a, b) => a - b);
  const q = (f) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))];
  console.log(`AddACLRule answered in ${answered} ms; ${ms.length} devices confirmed the new rule set: ` +
    `all within ${ms[ms.length - 1]} ms, per device p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`);
}

({ prepare, fanout })[mode]().catch((e) => { console.error(e.message); process.exit(1); });
