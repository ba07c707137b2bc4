'use strict';
// The vCPE edge-controller chain across two accounts with the official SDKs and the reference
// device: create sag-vcpe warm_backup → read Devices.Device[] (SerialNumber, SecretKey, HaState)
// → sag-device connects with exactly those → grant to a CCN of another account → bind there with
// SmartAGUid → ModifySmartAccessGateway CidrBlock/RoutingStrategy → Upgrade/Downgrade → unbind,
// revoke, delete. ClearSagCipher rotating a key (the old one stops working, its session ends);
// ModifySmartAccessGatewayUpBandwidth; the use-limit quotas; every code these actions document.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');

const h = require('./lib/harness');
const { startDevice, stopDevices } = require('./lib/upgrades');

const REGION = 'cn-shanghai';
const SMARTAG_MISSING = {
  status: 403, code: 'MissingParameter', message: 'The input parameter is missing, please check your input.',
};
const INVALID = (name) => ({
  status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.`,
});
const MISSING = (name) => ({
  status: 400, code: 'MissingParameter',
  message: `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
});
const INVALID_ID = {
  status: 403, code: 'InvalidId.SMARTAG', message: 'The specified smart access gateway instance id is invalid.',
};
const USER_COUNT = { status: 400, code: 'SAG.InvalidUserCount', message: 'The specified UserCount is invalid.' };
const DATA_PLAN = { status: 400, code: 'SAG.InvalidDataPlan', message: 'The specified DataPlan is invalid.' };

async function devicesOf(client, id) {
  const a = await client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
  return a.Devices.Device;
}

async function attribute(client, id) {
  return client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
}

// Runs sag-device with these credentials for a moment; true when it came online.
async function connects(endpoint, sn, secret) {
  const p = spawn(path.join(process.env.SAG_BIN_DIR, 'sag-device'),
    ['--endpoint', endpoint, '--sn', sn, '--secret', secret, '--model', 'sag-vcpe', '--exit-after-ms', '1500'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  await new Promise((r) => p.on('exit', r));
  return out.includes('1 online');
}

describe('vCPE', () => {
  let server;
  let A;
  let B;

  before(async () => {
    server = await h.startSagd({ testMode: true });
    A = await h.createAccount(server, 'vcpeOwner');
    B = await h.createAccount(server, 'vcpeNetwork');
  });

  after(async () => {
    stopDevices();
    await h.stopAll();
  });

  it('the edge-controller chain across two accounts', async () => {
    const created = await A.client.call('CreateSmartAccessGateway', h.createParams({
      HardWareSpec: 'sag-vcpe', HaType: 'warm_backup', CPEVersion: 'basic', MaxBandWidth: '100', Name: 'edge-node-1',
    }));
    const id = created.SmartAGId;
    const devices = await devicesOf(A.client, id);
    assert.equal(devices.length, 2);
    assert.deepEqual(devices.map((d) => d.HaState), ['Active', 'Standby']);
    for (const d of devices) {
      assert.match(d.SerialNumber, /^sage[a-z0-9]{18}$/);
      assert.match(d.SecretKey, /^[A-Za-z0-9]{40}$/);
      assert.equal(d.DistributeSkStatus, 0);
      assert.equal(d.HcState, 'offline');
    }
    const a0 = await attribute(A.client, id);
    assert.equal(a0.Status, 'Active');  // a vCPE comes with its devices (docs/semantics.md)
    assert.equal(a0.SerialNumber, devices.map((d) => d.SerialNumber).join(','));
    // B sees none of it.
    await h.expectApiError(B.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id }), INVALID_ID);

    // The vCPE image starts with exactly what the API showed.
    await startDevice(server.endpoint, ['--sn', devices[0].SerialNumber, '--secret', devices[0].SecretKey, '--model', 'sag-vcpe']);
    await startDevice(server.endpoint, ['--sn', devices[1].SerialNumber, '--secret', devices[1].SecretKey, '--model', 'sag-vcpe']);
    await h.poll(async () => (await devicesOf(A.client, id)).every((d) => d.HcState === 'online' && d.DistributeSkStatus === 1));
    // Another device's key, or a made-up one, does not authenticate.
    assert.equal(await connects(server.endpoint, devices[0].SerialNumber, devices[1].SecretKey), false);

    // Grant to B's CCN; B binds it there with SmartAGUid.
    const ccn = (await B.client.call('CreateCloudConnectNetwork', { RegionId: REGION, Name: 'edge-net' })).CcnId;
    await A.client.call('GrantSagInstanceToCcn', { RegionId: REGION, SmartAGId: id, CcnInstanceId: ccn, CcnUid: B.accountId });
    await B.client.call('BindSmartAccessGateway', { RegionId: REGION, CcnId: ccn, SmartAGId: id, SmartAGUid: A.accountId });
    assert.equal((await attribute(A.client, id)).AssociatedCcnId, ccn);

    await A.client.call('ModifySmartAccessGateway', {
      RegionId: REGION, SmartAGId: id, CidrBlock: '10.20.0.0/24', RoutingStrategy: 'static',
    });
    let a = await attribute(A.client, id);
    assert.equal(a.CidrBlock, '10.20.0.0/24');
    assert.equal(a.RoutingStrategy, 'static');

    const up = await A.client.call('UpgradeSmartAccessGateway', { RegionId: REGION, SmartAGId: id, AutoPay: 'true', BandWidthSpec: '200' });
    assert.match(up.OrderId, /^[0-9]+$/);
    a = await attribute(A.client, id);
    assert.equal(a.MaxBandwidth, '200');
    const down = await A.v3.call('DowngradeSmartAccessGateway', {
      RegionId: REGION, SmartAGId: id, AutoPay: 'false', BandWidthSpec: '50', UserCount: '0', DataPlan: '0',
    });
    assert.match(down.OrderId, /^[0-9]+$/);
    const list = await A.client.call('DescribeSmartAccessGateways', { RegionId: REGION, SmartAGId: id });
    assert.equal(list.SmartAccessGateways.SmartAccessGateway[0].MaxBandwidth, '50');

    // Teardown as the controller does it.
    await B.client.call('UnbindSmartAccessGateway', { RegionId: REGION, CcnId: ccn, SmartAGId: id, SmartAGUid: A.accountId });
    await A.client.call('RevokeSagInstanceFromCcn', { RegionId: REGION, SmartAGId: id, CcnInstanceId: ccn });
    assert.equal((await attribute(A.client, id)).AssociatedCcnId, '');
    await A.client.call('DeleteSmartAccessGateway', { RegionId: REGION, InstanceId: id });
    await h.expectApiError(attribute(A.client, id), INVALID_ID);
    await B.client.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccn });
  });

  it('ClearSagCipher: a new key; the old one stops working and its session ends', async () => {
    const id = (await A.client.call('CreateSmartAccessGateway', h.createParams({
      HardWareSpec: 'sag-vcpe', HaType: 'no_backup', Name: 'rotate-me',
    }))).SmartAGId;
    const [before] = await devicesOf(A.client, id);
    const device = await startDevice(server.endpoint, ['--sn', before.SerialNumber, '--secret', before.SecretKey, '--model', 'sag-vcpe']);
    await h.poll(async () => (await devicesOf(A.client, id))[0].HcState === 'online');

    await A.client.call('ClearSagCipher', { RegionId: REGION, SagId: id, SnNumber: before.SerialNumber });
    const [after] = await devicesOf(A.client, id);
    assert.equal(after.SerialNumber, before.SerialNumber);
    assert.match(after.SecretKey, /^[A-Za-z0-9]{40}$/);
    assert.notEqual(after.SecretKey, before.SecretKey);
    // The session that used the old key ends and the old key no longer authenticates.
    await h.poll(async () => (await devicesOf(A.client, id))[0].HcState === 'offline');
    device.proc.kill('SIGKILL');
    assert.equal(await connects(server.endpoint, before.SerialNumber, before.SecretKey), false);
    const renewed = await startDevice(server.endpoint, ['--sn', after.SerialNumber, '--secret', after.SecretKey, '--model', 'sag-vcpe']);
    await h.poll(async () => (await devicesOf(A.client, id))[0].HcState === 'online');
    renewed.proc.kill('SIGKILL');

    // Documented and chosen codes.
    await h.expectApiError(A.client.call('ClearSagCipher', { RegionId: REGION, SnNumber: before.SerialNumber }), SMARTAG_MISSING);
    await h.expectApiError(A.client.call('ClearSagCipher', { RegionId: REGION, SagId: id }), SMARTAG_MISSING);
    await h.expectApiError(A.v3.call('ClearSagCipher', { SagId: id, SnNumber: before.SerialNumber }), SMARTAG_MISSING);
    await h.expectApiError(A.client.call('ClearSagCipher', { RegionId: REGION, SagId: id, SnNumber: 'sagenotmine000000001' }), INVALID('SnNumber'));
    await h.expectApiError(B.client.call('ClearSagCipher', { RegionId: REGION, SagId: id, SnNumber: before.SerialNumber }), INVALID_ID);
    const cpe = (await A.client.call('CreateSmartAccessGateway', h.createParams({}))).SmartAGId;
    await h.expectApiError(A.client.call('ClearSagCipher', { RegionId: REGION, SagId: cpe, SnNumber: before.SerialNumber }), INVALID('SagId'));
    const [still] = await devicesOf(A.client, id);
    assert.equal(still.SecretKey, after.SecretKey);  // the refused calls changed nothing
  });

  it('Upgrade/Downgrade: within the model range, up only up, down only down; the documented codes', async () => {
    const id = (await A.client.call('CreateSmartAccessGateway', h.createParams({ MaxBandWidth: '10' }))).SmartAGId;  // sag-100wm 2-50
    const call = (action, extra) => A.client.call(action, { RegionId: REGION, SmartAGId: id, AutoPay: 'true', ...extra });
    await h.expectApiError(call('UpgradeSmartAccessGateway', { BandWidthSpec: '51' }), INVALID('BandWidthSpec'));
    await h.expectApiError(call('UpgradeSmartAccessGateway', { BandWidthSpec: '10' }), INVALID('BandWidthSpec'));
    await h.expectApiError(call('UpgradeSmartAccessGateway', { BandWidthSpec: '5' }), INVALID('BandWidthSpec'));
    await h.expectApiError(call('DowngradeSmartAccessGateway', { BandWidthSpec: '20' }), INVALID('BandWidthSpec'));
    await h.expectApiError(call('DowngradeSmartAccessGateway', { BandWidthSpec: '1' }), INVALID('BandWidthSpec'));
    await h.expectApiError(call('UpgradeSmartAccessGateway', { BandWidthSpec: '20', UserCount: 'x' }), USER_COUNT);
    await h.expectApiError(call('DowngradeSmartAccessGateway', { BandWidthSpec: '5', DataPlan: '-1' }), DATA_PLAN);
    await h.expectApiError(call('UpgradeSmartAccessGateway', {}), MISSING('BandWidthSpec'));
    await h.expectApiError(A.client.call('UpgradeSmartAccessGateway', { RegionId: REGION, SmartAGId: id, BandWidthSpec: '20' }), MISSING('AutoPay'));
    await h.expectApiError(call('UpgradeSmartAccessGateway', { BandWidthSpec: '20', AutoPay: 'sure' }), INVALID('AutoPay'));
    await h.expectApiError(B.client.call('UpgradeSmartAccessGateway', { RegionId: REGION, SmartAGId: id, AutoPay: 'true', BandWidthSpec: '20' }), INVALID_ID);
    assert.equal((await attribute(A.client, id)).MaxBandwidth, '10');
    await call('UpgradeSmartAccessGateway', { BandWidthSpec: '50' });
    await call('DowngradeSmartAccessGateway', { BandWidthSpec: '2' });
    assert.equal((await attribute(A.client, id)).MaxBandwidth, '2');
  });

  it('ModifySmartAccessGatewayUpBandwidth: caps up to MaxBandwidth, shown in both views', async () => {
    const id = (await A.client.call('CreateSmartAccessGateway', h.createParams({ MaxBandWidth: '20' }))).SmartAGId;
    await A.client.call('ModifySmartAccessGatewayUpBandwidth', { RegionId: REGION, SmartAGId: id, UpBandwidthWan: '8', UpBandwidth4G: '3' });
    let a = await attribute(A.client, id);
    assert.equal(a.UpBandwidthWan, 8);
    assert.equal(a.UpBandwidth4G, 3);
    await A.v3.call('ModifySmartAccessGatewayUpBandwidth', { SmartAGId: id, UpBandwidth4G: '0' });
    a = await attribute(A.client, id);
    assert.equal(a.UpBandwidthWan, 8);
    assert.equal(a.UpBandwidth4G, 0);
    const l = (await A.client.call('DescribeSmartAccessGateways', { RegionId: REGION, SmartAGId: id })).SmartAccessGateways.SmartAccessGateway[0];
    assert.equal(l.UpBandwidthWan, 8);
    await h.expectApiError(A.client.call('ModifySmartAccessGatewayUpBandwidth', { RegionId: REGION }), SMARTAG_MISSING);
    await h.expectApiError(A.client.call('ModifySmartAccessGatewayUpBandwidth', { RegionId: REGION, SmartAGId: id, UpBandwidthWan: '21' }), INVALID('UpBandwidthWan'));
    await h.expectApiError(A.client.call('ModifySmartAccessGatewayUpBandwidth', { RegionId: REGION, SmartAGId: id, UpBandwidth4G: '-1' }), INVALID('UpBandwidth4G'));
    await h.expectApiError(B.client.call('ModifySmartAccessGatewayUpBandwidth', { RegionId: REGION, SmartAGId: id, UpBandwidthWan: '1' }), INVALID_ID);
  });

  it('GetCloudConnectNetworkUseLimit / GetSmartAccessGatewayUseLimit count the region of the caller', async () => {
    const Q = await h.createAccount(server, 'vcpeQuota');
    let c = await Q.client.call('GetCloudConnectNetworkUseLimit', { RegionId: REGION });
    assert.deepEqual([c.TotalAmount, c.UsedAmount], [20, 0]);
    await Q.client.call('CreateCloudConnectNetwork', { RegionId: REGION });
    await Q.client.call('CreateCloudConnectNetwork', { RegionId: 'cn-hangzhou' });
    c = await Q.client.call('GetCloudConnectNetworkUseLimit', { RegionId: REGION });
    assert.deepEqual([c.TotalAmount, c.UsedAmount], [20, 1]);
    await Q.client.call('CreateSmartAccessGateway', h.createParams({}));
    const s = await Q.v3.call('GetSmartAccessGatewayUseLimit', { RegionId: REGION });
    assert.deepEqual([s.TotalAmount, s.UsedAmount], [500, 1]);
    await h.expectApiError(Q.client.call('GetSmartAccessGatewayUseLimit', {}), MISSING('RegionId'));
  });
});
