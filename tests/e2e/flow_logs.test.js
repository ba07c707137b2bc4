'use strict';
// Flow logs: Terraform's alicloud_smartag_flow_log resource and alicloud_smartag_flow_logs data
// source over their transport (Tea RPC: common parameters in the query with Format=json, every
// business parameter — RegionId too — in a form body, V1 signature over both), the instance side
// with the official SDK (Associate/Disassociate, DescribeFlowLogSags, DescribeUnbindFlowLogSags,
// FlowLogIds in the instance view), and every error code the family documents that sagd returns.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const fs = require('node:fs');
const path = require('node:path');

const h = require('./lib/harness');
const { startDevice, stopDevices } = require('./lib/upgrades');

const REGION = 'cn-shanghai';
const COMMON = ['Action', 'Format', 'Version', 'Timestamp', 'SignatureNonce', 'SignatureMethod',
  'SignatureVersion', 'AccessKeyId', 'Signature'];

const E = {
  missingId: { status: 400, code: 'MissingParam.FlowLogId', message: 'Specify the FlowLogId parameter.' },
  notFound: { status: 400, code: 'InvalidFlowLogId.NotFound', message: 'The specified FlowLogId does not exist.' },
  bound: { status: 400, code: 'DependencyViolation.FlowLog', message: 'This FlowLog instance is bound to an SAG instance.' },
  elsewhere: {
    status: 400, code: 'OperationFailed.AssociateFlowLog',
    message: 'The operation failed. The specified SAG instance has already been associated with another FlowLog instance.',
  },
  model: {
    status: 400, code: 'OperationUnsupported.AssociateFlowLog',
    message: 'You cannot bind the SAG device of the current version or model to a FlowLog instance.',
  },
  quota: { status: 400, code: 'QuotaExceeded.Flowlog', message: 'The maximum number of FlowLog instances is exceeded.' },
  missing: (name) => ({ status: 400, code: `MissingParam.${name}`, message: `Specify the ${name} parameter.` }),
  illegal: (name) => ({ status: 400, code: `IllegalParam.${name}`, message: `The specified ${name} is invalid.` }),
  status: { status: 400, code: 'IllegalParam.Status', message: 'The specified Status parameter is invalid.' },
  sagNotFound: { status: 400, code: 'InvalidSmartAGId.NotFound', message: 'The specified SmartAGId does not exist.' },
  missingParam: (name) => ({
    status: 400, code: 'MissingParameter',
    message: `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  }),
};

const NETFLOW = {
  OutputType: 'netflow', NetflowServerIp: '192.0.2.10', NetflowServerPort: '9996', NetflowVersion: 'V5',
};

describe('flow logs', () => {
  let server;
  let A;

  // One call the way Terraform's Tea RPC client makes it. Resolves the JSON body; rejects with
  // {status, code, message} on an error reply.
  async function tf(account, action, params) {
    const r = await h.signedRaw(server.endpoint, account.key, { Action: action, ...params },
      { format: 'json', queryNames: COMMON });
    if (r.status !== 200) {
      const e = new Error(`${action}: ${r.status} ${r.text}`);
      Object.assign(e, { status: r.status, code: r.json && r.json.Code, message: r.json && r.json.Message });
      throw e;
    }
    assert.match(r.json.RequestId, h.REQUEST_ID_RE);
    return r.json;
  }

  async function tfError(account, action, params, want) {
    await assert.rejects(tf(account, action, params), (e) => {
      assert.deepEqual({ status: e.status, code: e.code, message: e.message }, want, action);
      return true;
    });
  }

  // Terraform's read: DescribeFlowLogs {RegionId, FlowLogId}, the first item when its id matches.
  async function tfRead(account, id) {
    const r = await tf(account, 'DescribeFlowLogs', { RegionId: REGION, FlowLogId: id });
    const first = r.FlowLogs.FlowLogSetType[0];
    return first && first.FlowLogId === id ? first : undefined;
  }

  async function sag1000(client, name) {
    const r = await client.call('CreateSmartAccessGateway', h.createParams({ HardWareSpec: 'sag-1000', Name: name }));
    return r.SmartAGId;
  }

  before(async () => {
    server = await h.startSagd({ testMode: true });
    A = await h.createAccount(server, 'flowLogs');
  });

  after(async () => {
    stopDevices();
    await h.stopAll();
  });

  it('alicloud_smartag_flow_log: create, set status, read, update, deactivate, delete', async () => {
    const created = await tf(A, 'CreateFlowLog', {
      RegionId: REGION, Name: 'tf-flow', Description: 'made by terraform', ActiveAging: '300', InactiveAging: '15',
      ...NETFLOW,
    });
    assert.match(created.FlowLogId, /^fl-[a-z0-9]+$/);
    assert.match(created.ResourceGroupId, /^rg-/);
    const id = created.FlowLogId;
    let f = await tfRead(A, id);
    assert.equal(f.Status, 'Inactive');  // a new flow log is inactive (docs/semantics.md)

    await tf(A, 'ActiveFlowLog', { RegionId: REGION, FlowLogId: id });
    await h.poll(async () => (await tfRead(A, id)).Status === 'Active');
    await tf(A, 'ActiveFlowLog', { RegionId: REGION, FlowLogId: id });  // already active: fine
    f = await tfRead(A, id);
    assert.deepEqual(
      {
        Name: f.Name, Description: f.Description, ActiveAging: f.ActiveAging, InactiveAging: f.InactiveAging,
        OutputType: f.OutputType, NetflowServerIp: f.NetflowServerIp, NetflowServerPort: f.NetflowServerPort,
        NetflowVersion: f.NetflowVersion, SlsRegionId: f.SlsRegionId, ProjectName: f.ProjectName,
        LogstoreName: f.LogstoreName, TotalSagNum: f.TotalSagNum,
      },
      {
        Name: 'tf-flow', Description: 'made by terraform', ActiveAging: 300, InactiveAging: 15,
        OutputType: 'netflow', NetflowServerIp: '192.0.2.10', NetflowServerPort: '9996',
        NetflowVersion: 'V5', SlsRegionId: '', ProjectName: '', LogstoreName: '', TotalSagNum: 0,
      });

    // Terraform's update: the SLS fields always sent (empty here), the others when set.
    await tf(A, 'ModifyFlowLogAttribute', {
      RegionId: REGION, FlowLogId: id, LogstoreName: '', ProjectName: '', SlsRegionId: '',
      Name: 'tf-flow-2', OutputType: 'all', NetflowServerIp: '192.0.2.11', NetflowServerPort: '2055',
      NetflowVersion: 'V9', InactiveAging: '20',
    }).then(() => assert.fail('OutputType all needs the SLS destination'), (e) => {
      assert.equal(e.code, 'MissingParam.SlsRegionId');
    });
    await tf(A, 'ModifyFlowLogAttribute', {
      RegionId: REGION, FlowLogId: id, LogstoreName: 'store', ProjectName: 'proj', SlsRegionId: REGION,
      Name: 'tf-flow-2', OutputType: 'all', NetflowServerIp: '192.0.2.11', NetflowServerPort: '2055',
      NetflowVersion: 'V9', InactiveAging: '20',
    });
    f = await tfRead(A, id);
    assert.equal(f.Name, 'tf-flow-2');
    assert.equal(f.Description, 'made by terraform');
    assert.equal(f.OutputType, 'all');
    assert.equal(f.NetflowServerPort, '2055');
    assert.equal(f.NetflowVersion, 'V9');
    assert.equal(f.InactiveAging, 20);
    assert.equal(f.ActiveAging, 300);
    assert.equal(f.LogstoreName, 'store');
    assert.equal(f.Status, 'Active');

    await tf(A, 'DeactiveFlowLog', { RegionId: REGION, FlowLogId: id });
    await h.poll(async () => (await tfRead(A, id)).Status === 'Inactive');

    await tf(A, 'DeleteFlowLog', { RegionId: REGION, FlowLogId: id });
    assert.equal(await tfRead(A, id), undefined);
    const gone = await tf(A, 'DescribeFlowLogs', { RegionId: REGION, FlowLogId: id });
    assert.deepEqual(gone.FlowLogs.FlowLogSetType, []);
    // Terraform has no "already gone" code for flow logs: a second delete is the documented one.
    await tfError(A, 'DeleteFlowLog', { RegionId: REGION, FlowLogId: id }, E.notFound);
  });

  it('alicloud_smartag_flow_logs: pages of 50 filtered by Status and Description until a short page', async () => {
    const D = await h.createAccount(server, 'flowLogsData');
    const ids = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await tf(D, 'CreateFlowLog', { RegionId: REGION, Name: `ds-${i}`, Description: 'ds', ...NETFLOW });
      ids.push(r.FlowLogId);
    }
    await tf(D, 'ActiveFlowLog', { RegionId: REGION, FlowLogId: ids[1] });
    const page = await tf(D, 'DescribeFlowLogs', {
      RegionId: REGION, PageSize: '50', PageNumber: '1', Description: 'ds', Status: 'Active',
    });
    assert.equal(page.TotalCount, 1);
    assert.equal(page.PageSize, 50);
    assert.equal(page.PageNumber, 1);
    assert.deepEqual(page.FlowLogs.FlowLogSetType.map((f) => f.FlowLogId), [ids[1]]);
    const all = await D.client.call('DescribeFlowLogs', { RegionId: REGION, PageSize: '2', PageNumber: '2' });
    assert.equal(all.TotalCount, 3);
    assert.deepEqual(all.FlowLogs.FlowLogSetType.map((f) => f.FlowLogId), [ids[2]]);
    const byName = await D.v3.call('DescribeFlowLogs', { RegionId: REGION, FlowLogName: 'ds-0' });
    assert.deepEqual(byName.FlowLogs.FlowLogSetType.map((f) => f.FlowLogId), [ids[0]]);
    const none = await A.client.call('DescribeFlowLogs', { RegionId: REGION, FlowLogId: ids[0] });
    assert.deepEqual(none.FlowLogs.FlowLogSetType, []);  // another account's
  });

  it('instances: associate (one flow log each, SAG-1000 only), list, instance view, disassociate, delete', async () => {
    const fl1 = (await A.client.call('CreateFlowLog', { RegionId: REGION, Name: 'i-1', ...NETFLOW })).FlowLogId;
    const fl2 = (await A.client.call('CreateFlowLog', { RegionId: REGION, Name: 'i-2', ...NETFLOW })).FlowLogId;
    const sag = await sag1000(A.client, 'flow-sag');
    const small = (await A.client.call('CreateSmartAccessGateway', h.createParams({ Name: 'small' }))).SmartAGId;

    const before = await A.client.call('DescribeUnbindFlowLogSags', { RegionId: REGION });
    assert.ok(before.Sags.Sag.some((s) => s.SmartAGId === sag));
    assert.equal(before.Count, before.Sags.Sag.length);

    await A.client.call('AssociateFlowLog', { RegionId: REGION, FlowLogId: fl1, SmartAGId: sag });
    await A.v3.call('AssociateFlowLog', { RegionId: REGION, FlowLogId: fl1, SmartAGId: sag });  // again: fine
    await h.expectApiError(A.client.call('AssociateFlowLog', { RegionId: REGION, FlowLogId: fl2, SmartAGId: sag }), E.elsewhere);
    await h.expectApiError(A.client.call('AssociateFlowLog', { RegionId: REGION, FlowLogId: fl1, SmartAGId: small }), E.model);

    const sags = await A.client.call('DescribeFlowLogSags', { RegionId: REGION, FlowLogId: fl1 });
    assert.equal(sags.TotalCount, 1);
    assert.deepEqual(JSON.parse(JSON.stringify(sags.Sags.Sag)), [{ SmartAGId: sag, Name: 'flow-sag', Description: '' }]);
    const after = await A.client.call('DescribeUnbindFlowLogSags', { RegionId: REGION });
    assert.ok(!after.Sags.Sag.some((s) => s.SmartAGId === sag));
    const attr = await A.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: sag });
    assert.deepEqual(attr.FlowLogIds.FlowLogId, [fl1]);
    assert.equal((await tfRead(A, fl1)).TotalSagNum, 1);

    await h.expectApiError(A.client.call('DeleteFlowLog', { RegionId: REGION, FlowLogId: fl1 }), E.bound);
    await h.expectApiError(A.client.call('DisassociateFlowLog', { RegionId: REGION, FlowLogId: fl2, SmartAGId: sag }), E.sagNotFound);
    await A.client.call('DisassociateFlowLog', { RegionId: REGION, FlowLogId: fl1, SmartAGId: sag });
    const attr2 = await A.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: sag });
    assert.deepEqual(attr2.FlowLogIds.FlowLogId, []);
    await A.client.call('DeleteFlowLog', { RegionId: REGION, FlowLogId: fl1 });
    await A.client.call('DeleteFlowLog', { RegionId: REGION, FlowLogId: fl2 });
  });

  it('an active flow log reaches its instances\' devices as the flow_log facet, confirmed by each', async () => {
    const D = await h.createAccount(server, 'flowLogsDevice');
    const sag = await sag1000(D.client, 'exporter');
    const sn = `FLOW${h.randomAlnum(10)}`.toLowerCase();
    await D.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: sag, SerialNumber: sn });
    const attr = await D.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: sag });
    const secret = attr.Devices.Device[0].SecretKey;
    const stateDir = h.makeTempDir();
    const stateFile = path.join(stateDir, `${sn}.json`);
    await startDevice(server.endpoint, ['--sn', sn, '--secret', secret, '--model', 'sag-1000', '--state-dir', stateDir]);
    const exported = () => {
      try {
        const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
        return state.flow_log === undefined ? undefined : JSON.parse(state.flow_log);
      } catch (e) {
        return undefined;
      }
    };
    const confirmed = async () => {
      const [d] = (await D.admin.call('ListDeviceStates', { SerialNumber: sn })).Devices.Device;
      const f = d.Facets.Facet.find((x) => x.Facet === 'flow_log');
      return f !== undefined && f.AppliedGeneration === f.DesiredGeneration ? f : null;
    };

    const fl = (await tf(D, 'CreateFlowLog', { RegionId: REGION, Name: 'to-device', ...NETFLOW })).FlowLogId;
    await D.client.call('AssociateFlowLog', { RegionId: REGION, FlowLogId: fl, SmartAGId: sag });
    // Inactive: the device is told to export nothing.
    await h.poll(async () => (await confirmed()) && JSON.stringify(exported()) === '{}');
    const g1 = (await confirmed()).AppliedGeneration;

    await tf(D, 'ActiveFlowLog', { RegionId: REGION, FlowLogId: fl });
    await h.poll(async () => {
      const f = await confirmed();
      return f && f.AppliedGeneration > g1 && exported() && exported().netflow_server_ip === '192.0.2.10';
    });
    assert.deepEqual(exported(), {
      flow_log_id: fl, output_type: 'netflow', active_aging: 300, inactive_aging: 15, sls_region_id: '',
      project_name: '', logstore_name: '', netflow_server_ip: '192.0.2.10', netflow_server_port: 9996,
      netflow_version: 'V5',
    });

    await tf(D, 'ModifyFlowLogAttribute', { RegionId: REGION, FlowLogId: fl, NetflowServerPort: '2055' });
    await h.poll(async () => (await confirmed()) && exported().netflow_server_port === 2055);

    await tf(D, 'DeactiveFlowLog', { RegionId: REGION, FlowLogId: fl });
    await h.poll(async () => (await confirmed()) && JSON.stringify(exported()) === '{}');
    await tf(D, 'ActiveFlowLog', { RegionId: REGION, FlowLogId: fl });
    await h.poll(async () => (await confirmed()) && exported().flow_log_id === fl);
    await D.client.call('DisassociateFlowLog', { RegionId: REGION, FlowLogId: fl, SmartAGId: sag });
    await h.poll(async () => (await confirmed()) && JSON.stringify(exported()) === '{}');
    const info = await D.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: sag, SmartAGSn: sn });
    assert.equal(info.SynStatus, 'Synchronized');
  });

  it('every documented code sagd returns, with exact status, Code and Message', async () => {
    const fl = (await A.client.call('CreateFlowLog', { RegionId: REGION, Name: 'codes', ...NETFLOW })).FlowLogId;
    const sag = await sag1000(A.client, 'codes-sag');
    for (const action of ['ModifyFlowLogAttribute', 'DeleteFlowLog', 'ActiveFlowLog', 'DeactiveFlowLog', 'DescribeFlowLogSags']) {
      await tfError(A, action, { RegionId: REGION }, E.missingId);
      await tfError(A, action, { RegionId: REGION, FlowLogId: 'fl-0000000000unknown00' }, E.notFound);
    }
    for (const action of ['AssociateFlowLog', 'DisassociateFlowLog']) {
      await h.expectApiError(A.client.call(action, { RegionId: REGION, SmartAGId: sag }), E.missingId);
      await h.expectApiError(A.client.call(action, { RegionId: REGION, FlowLogId: fl }), E.missingParam('SmartAGId'));
      await h.expectApiError(A.client.call(action, { RegionId: REGION, FlowLogId: 'fl-0000000000unknown00', SmartAGId: sag }), E.notFound);
      await h.expectApiError(A.client.call(action, { RegionId: REGION, FlowLogId: fl, SmartAGId: 'sag-0000000000unknown00' }), E.sagNotFound);
    }
    // Another account's flow log does not exist for the caller.
    const B = await h.createAccount(server, 'flowLogsOther');
    await tfError(B, 'DeleteFlowLog', { RegionId: REGION, FlowLogId: fl }, E.notFound);

    const create = (extra) => tf(A, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW, ...extra });
    await tfError(A, 'CreateFlowLog', { RegionId: REGION }, E.illegal('OutputType'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, OutputType: 'kafka' }, E.illegal('OutputType'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, OutputType: 'netflow' }, E.missing('NetflowServerIp'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, OutputType: 'sls' }, E.missing('SlsRegionId'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, OutputType: 'sls', SlsRegionId: REGION }, E.missing('ProjectName'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, OutputType: 'sls', SlsRegionId: REGION, ProjectName: 'p' },
      E.missing('LogstoreName'));
    await assert.rejects(create({ ActiveAging: '59' }), (e) => e.code === 'IllegalParam.ActiveAging');
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW, ActiveAging: '6001' }, E.illegal('ActiveAging'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW, InactiveAging: '9' }, E.illegal('InactiveAging'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW, InactiveAging: 'x' }, E.illegal('InactiveAging'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW, NetflowServerIp: '300.1.1.1' }, E.illegal('NetflowServerIp'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW, NetflowServerPort: '65536' }, E.illegal('NetflowServerPort'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW, NetflowVersion: 'V7' }, E.illegal('NetflowVersion'));
    await tfError(A, 'CreateFlowLog', { RegionId: REGION, OutputType: 'sls', SlsRegionId: 'mars-1', ProjectName: 'p', LogstoreName: 'l' },
      E.illegal('SlsRegionId'));
    await tfError(A, 'CreateFlowLog', { ...NETFLOW }, E.missingParam('RegionId'));
    await tfError(A, 'ModifyFlowLogAttribute', { RegionId: REGION, FlowLogId: fl, ActiveAging: '1' }, E.illegal('ActiveAging'));
    await tfError(A, 'DescribeFlowLogs', { RegionId: REGION, Status: 'active' }, E.status);
    await tfError(A, 'DescribeFlowLogs', { RegionId: REGION, OutputType: 'x' }, E.illegal('OutputType'));
    assert.equal((await tfRead(A, fl)).ActiveAging, 300);  // nothing changed by the refused calls
  });

  it('QuotaExceeded.Flowlog past 10 flow logs per account and region', async () => {
    const Q = await h.createAccount(server, 'flowLogsQuota');
    for (let i = 0; i < 10; i += 1) await tf(Q, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW });
    await tfError(Q, 'CreateFlowLog', { RegionId: REGION, ...NETFLOW }, E.quota);
    const other = await tf(Q, 'CreateFlowLog', { RegionId: 'cn-hangzhou', ...NETFLOW });  // per region
    assert.match(other.FlowLogId, /^fl-/);
  });
});
