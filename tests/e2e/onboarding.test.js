'use strict';
// The hardware onboarding chain as Terraform and the console drive it (reference §4.5):
// CreateSmartAccessGateway → BindSerialNumber → ActivateSmartAccessGateway →
// CreateCloudConnectNetwork → BindSmartAccessGateway → poll the instance views; device
// replacement; teardown (UnbindSmartAccessGateway → poll → DeleteCloudConnectNetwork →
// DeleteSmartAccessGateway, which releases the device). Once through the SDKs (JSON), once
// hand-signed with Format=XML.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');

const REGION = 'cn-shanghai';

function freshSn(prefix) {
  return `${prefix}-${h.randomAlnum(12)}`;
}

describe('onboarding chain (JSON, official SDKs)', () => {
  let server;
  let T;
  let other;

  before(async () => {
    server = await h.startSagd({});
    T = await h.createAccount(server, 'onboardJson');
    other = await h.createAccount(server, 'onboardJsonOther');
  });

  after(async () => {
    await h.stopAll();
  });

  it('create → bind SN → activate → CCN → attach → replace device → detach → delete releases the SN', async () => {
    const sn1 = freshSn('SAGJ1');
    const sn2 = freshSn('SAGJ2');

    // 1. Order the instance (V3, as the current Tea SDK / Terraform provider).
    const created = await T.v3.call('CreateSmartAccessGateway', h.createParams({
      Name: 'branch-hz', Description: 'Hangzhou branch', HardWareSpec: 'sag-1000', MaxBandWidth: '50',
    }));
    const id = created.SmartAGId;
    assert.match(id, /^sag-[a-z0-9]+$/);
    let a = await T.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
    assert.equal(a.Status, 'Init');
    assert.equal(a.SerialNumber, '');

    // 2. The device arrives: bind its SN (pop-core, as the console does).
    await T.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn1 });
    // 3. Activate.
    await T.v3.call('ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id });
    // 4. A CCN, as Terraform's alicloud_cloud_connect_network sends it.
    const ccn = await T.client.call('CreateCloudConnectNetwork', {
      RegionId: REGION, Name: 'corp-ccn', Description: 'corporate network', CidrBlock: '192.168.0.0/16', IsDefault: 'false',
    });
    assert.match(ccn.CcnId, /^ccn-[a-z0-9]+$/);
    assert.equal(ccn.Status, 'Active');
    // 5. Attach (alicloud_cloud_connect_network_attachment).
    await T.v3.call('BindSmartAccessGateway', { RegionId: REGION, CcnId: ccn.CcnId, SmartAGId: id });

    // 6. Poll like Terraform until the list shows the SN, Active and the CCN.
    const item = await h.poll(async () => {
      const r = await T.v3.call('DescribeSmartAccessGateways', { RegionId: REGION, SmartAGId: id });
      const x = r.SmartAccessGateways.SmartAccessGateway[0];
      return x && x.SerialNumber === sn1 && x.Status === 'Active' && x.AssociatedCcnId === ccn.CcnId ? x : null;
    }, { timeoutMs: 5000 });
    assert.equal(item.AssociatedCcnName, 'corp-ccn');
    assert.equal(item.Name, 'branch-hz');
    a = await T.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
    assert.equal(a.SerialNumber, sn1);
    assert.equal(a.Status, 'Active');
    assert.equal(a.AssociatedCcnId, ccn.CcnId);
    assert.equal(a.AssociatedCcnName, 'corp-ccn');
    assert.deepEqual(a.Devices.Device.map((d) => d.SerialNumber), [sn1]);
    const bySn = await T.client.call('DescribeSmartAccessGateways', { SerialNumber: sn1 });
    assert.deepEqual(bySn.SmartAccessGateways.SmartAccessGateway.map((x) => x.SmartAGId), [id]);
    const nets = await T.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, CcnId: ccn.CcnId });
    assert.equal(String(nets.CloudConnectNetworks.CloudConnectNetwork[0].AssociatedCloudBoxCount), '1');
    // The device is taken: another account cannot have it.
    const spare = await other.client.call('CreateSmartAccessGateway', h.createParams({ HardWareSpec: 'sag-1000' }));
    await h.expectApiError(
      other.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: spare.SmartAGId, SerialNumber: sn1 }),
      { status: 400, code: 'SAG.SnConflict', message: 'The specified SerialNumber has been bound to another SAG instance.' });

    // 7. Replace the device; the views follow, the instance stays Active and attached.
    await T.v3.call('UnbindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn1 });
    await T.v3.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn2 });
    await h.poll(async () => {
      const r = await T.client.call('DescribeSmartAccessGateways', { RegionId: REGION, SmartAGId: id });
      const x = r.SmartAccessGateways.SmartAccessGateway[0];
      return x && x.SerialNumber === sn2;
    }, { timeoutMs: 5000 });
    a = await T.v3.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
    assert.equal(a.SerialNumber, sn2);
    assert.deepEqual(a.Devices.Device.map((d) => d.SerialNumber), [sn2]);
    assert.equal(a.Status, 'Active');
    assert.equal(a.AssociatedCcnId, ccn.CcnId);
    const haView = await T.client.call('DescribeSmartAccessGatewayHa', { RegionId: REGION, SmartAGId: id });
    assert.equal(haView.MainDeviceId, sn2);
    const old = await T.client.call('DescribeSmartAccessGateways', { SerialNumber: sn1 });
    assert.equal(old.TotalCount, 0);
    // The old device is free again.
    await other.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: spare.SmartAGId, SerialNumber: sn1 });

    // 8. Teardown: detach and poll until the CCN is gone from the view, then delete the CCN.
    await T.client.call('UnbindSmartAccessGateway', { RegionId: REGION, CcnId: ccn.CcnId, SmartAGId: id });
    await h.poll(async () => {
      const r = await T.v3.call('DescribeSmartAccessGateways', { RegionId: REGION, SmartAGId: id });
      const x = r.SmartAccessGateways.SmartAccessGateway[0];
      return x && x.AssociatedCcnId === '';
    }, { timeoutMs: 5000 });
    a = await T.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
    assert.equal(a.AssociatedCcnId, '');
    assert.equal(a.AssociatedCcnName, '');
    await T.v3.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccn.CcnId });
    const gone = await T.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, CcnId: ccn.CcnId });
    assert.equal(gone.TotalCount, 0);

    // 9. Deleting the instance releases its device.
    await T.client.call('DeleteSmartAccessGateway', { RegionId: REGION, InstanceId: id });
    const spare2 = await other.v3.call('CreateSmartAccessGateway', h.createParams({ HardWareSpec: 'sag-1000', HaType: 'warm_backup' }));
    await h.expectApiError(
      other.v3.call('BindSerialNumber', { RegionId: REGION, SmartAGId: spare2.SmartAGId, SerialNumber: sn1 }),
      { status: 400, code: 'SAG.SnConflict', message: 'The specified SerialNumber has been bound to another SAG instance.' });
    await other.v3.call('BindSerialNumber', { RegionId: REGION, SmartAGId: spare2.SmartAGId, SerialNumber: sn2 });
    const mine = await other.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: spare2.SmartAGId });
    assert.equal(mine.SerialNumber, sn2);
  });
});

describe('onboarding chain (Format=XML, hand-signed)', () => {
  let server;
  let T;
  let other;

  // One XML call: asserts 200, XML content type, the <ActionResponse> root and a RequestId that
  // matches the header; returns the root element.
  async function xml(key, action, params) {
    const r = await h.signedRaw(server.endpoint, key, { Action: action, ...params }, { format: 'XML' });
    assert.equal(r.status, 200, `${action}: ${r.text}`);
    assert.equal(r.headers['content-type'], 'text/xml;charset=utf-8');
    assert.match(r.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    const root = h.parseXml(r.text);
    assert.equal(root.name, `${action}Response`);
    const rid = h.xmlText(root, 'RequestId');
    assert.match(rid, h.REQUEST_ID_RE);
    assert.equal(r.headers['x-acs-request-id'], rid);
    return root;
  }

  // One failing XML call: asserts the status and <Error> Code/Message.
  async function xmlError(key, action, params, { status, code, message }) {
    const r = await h.signedRaw(server.endpoint, key, { Action: action, ...params }, { format: 'XML' });
    assert.equal(r.status, status, r.text);
    const root = h.parseXml(r.text);
    assert.equal(root.name, 'Error');
    assert.equal(h.xmlText(root, 'Code'), code);
    assert.equal(h.xmlText(root, 'Message'), message);
    assert.match(h.xmlText(root, 'RequestId'), h.REQUEST_ID_RE);
  }

  async function listItem(id) {
    const root = await xml(T.key, 'DescribeSmartAccessGateways', { RegionId: REGION, SmartAGId: id });
    assert.equal(h.xmlText(root, 'TotalCount'), '1');
    const list = h.xmlChildren(h.xmlChild(root, 'SmartAccessGateways'), 'SmartAccessGateway');
    assert.equal(list.length, 1);
    return list[0];
  }

  async function attributeXml(id) {
    return xml(T.key, 'DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
  }

  function deviceSns(attr) {
    return h.xmlChildren(h.xmlChild(attr, 'Devices'), 'Device').map((d) => h.xmlText(d, 'SerialNumber'));
  }

  before(async () => {
    server = await h.startSagd({});
    T = await h.createAccount(server, 'onboardXml');
    other = await h.createAccount(server, 'onboardXmlOther');
  });

  after(async () => {
    await h.stopAll();
  });

  it('the same chain in XML: every step and view is well-formed XML with the expected elements', async () => {
    const sn1 = freshSn('SAGX1');
    const sn2 = freshSn('SAGX2');
    const sn3 = freshSn('SAGX3');

    const created = await xml(T.key, 'CreateSmartAccessGateway', h.createParams({
      Name: 'branch-xml', HaType: 'warm_backup',
    }));
    const id = h.xmlText(created, 'SmartAGId');
    assert.match(id, /^sag-[a-z0-9]+$/);
    let attr = await attributeXml(id);
    assert.equal(h.xmlText(attr, 'Status'), 'Init');
    assert.equal(h.xmlText(attr, 'SerialNumber'), '');
    assert.deepEqual(deviceSns(attr), []);

    // Activation before any device: the XML error envelope.
    await xmlError(T.key, 'ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id }, {
      status: 500, code: 'SmartAccessGatewayActivateFailed',
      message: 'An error has occurred while activating the specified Smart Access Gateway.',
    });

    await xml(T.key, 'BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn1 });
    await xml(T.key, 'BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn2 });
    await xml(T.key, 'ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id });
    const ccnRoot = await xml(T.key, 'CreateCloudConnectNetwork', { RegionId: REGION, Name: 'xml-ccn', IsDefault: 'false' });
    const ccn = h.xmlText(ccnRoot, 'CcnId');
    assert.match(ccn, /^ccn-[a-z0-9]+$/);
    assert.equal(h.xmlText(ccnRoot, 'Status'), 'Active');
    await xml(T.key, 'BindSmartAccessGateway', { RegionId: REGION, CcnId: ccn, SmartAGId: id });

    const item = await h.poll(async () => {
      const x = await listItem(id);
      return h.xmlText(x, 'SerialNumber') === `${sn1},${sn2}` && h.xmlText(x, 'Status') === 'Active' &&
        h.xmlText(x, 'AssociatedCcnId') === ccn ? x : null;
    }, { timeoutMs: 5000 });
    assert.equal(h.xmlText(item, 'SmartAGId'), id);
    assert.equal(h.xmlText(item, 'AssociatedCcnName'), 'xml-ccn');
    attr = await attributeXml(id);
    assert.equal(h.xmlText(attr, 'SerialNumber'), `${sn1},${sn2}`);
    assert.equal(h.xmlText(attr, 'Status'), 'Active');
    assert.equal(h.xmlText(attr, 'AssociatedCcnId'), ccn);
    assert.equal(h.xmlText(attr, 'AssociatedCcnName'), 'xml-ccn');
    assert.deepEqual(deviceSns(attr), [sn1, sn2]);
    const haRoot = await xml(T.key, 'DescribeSmartAccessGatewayHa', { RegionId: REGION, SmartAGId: id });
    assert.equal(h.xmlText(haRoot, 'MainDeviceId'), sn1);
    assert.equal(h.xmlText(haRoot, 'BackupDeviceId'), sn2);
    assert.equal(h.xmlText(haRoot, 'DeviceLevelBackupType'), 'warm_backup');
    const nets = await xml(T.key, 'DescribeCloudConnectNetworks', { RegionId: REGION, CcnId: ccn });
    const net = h.xmlChildren(h.xmlChild(nets, 'CloudConnectNetworks'), 'CloudConnectNetwork');
    assert.equal(net.length, 1);
    assert.equal(h.xmlText(net[0], 'CcnId'), ccn);
    assert.equal(h.xmlText(net[0], 'Name'), 'xml-ccn');
    assert.equal(h.xmlText(net[0], 'AssociatedCloudBoxCount'), '1');

    // A third device is over the limit; the SN of this instance is taken for others (XML errors).
    await xmlError(T.key, 'BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn3 }, {
      status: 400, code: 'SAG.SnOverLimit',
      message: 'The maximum number of serial numbers bound to the SAG instance is exceeded.',
    });
    const spare = h.xmlText(await xml(other.key, 'CreateSmartAccessGateway', h.createParams({})), 'SmartAGId');
    await xmlError(other.key, 'BindSerialNumber', { RegionId: REGION, SmartAGId: spare, SerialNumber: sn2 }, {
      status: 400, code: 'SAG.SnConflict', message: 'The specified SerialNumber has been bound to another SAG instance.',
    });

    // Replace the main device: the standby becomes main, the new one standby.
    await xml(T.key, 'UnbindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn1 });
    await xml(T.key, 'BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn3 });
    await h.poll(async () => h.xmlText(await listItem(id), 'SerialNumber') === `${sn2},${sn3}`, { timeoutMs: 5000 });
    attr = await attributeXml(id);
    assert.deepEqual(deviceSns(attr), [sn2, sn3]);
    assert.equal(h.xmlText(attr, 'Status'), 'Active');
    assert.equal(h.xmlText(attr, 'AssociatedCcnId'), ccn);
    const ha2 = await xml(T.key, 'DescribeSmartAccessGatewayHa', { RegionId: REGION, SmartAGId: id });
    assert.equal(h.xmlText(ha2, 'MainDeviceId'), sn2);
    assert.equal(h.xmlText(ha2, 'BackupDeviceId'), sn3);
    // The replaced device is free.
    await xml(other.key, 'BindSerialNumber', { RegionId: REGION, SmartAGId: spare, SerialNumber: sn1 });

    // Teardown. Deleting the CCN while attached is refused.
    await xmlError(T.key, 'DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccn }, {
      status: 403, code: 'AlreadyBound.SMARTAG',
      message: 'This instance has been bound, please unbind smart access gateway first.',
    });
    await xml(T.key, 'UnbindSmartAccessGateway', { RegionId: REGION, CcnId: ccn, SmartAGId: id });
    await h.poll(async () => h.xmlText(await listItem(id), 'AssociatedCcnId') === '', { timeoutMs: 5000 });
    attr = await attributeXml(id);
    assert.equal(h.xmlText(attr, 'AssociatedCcnId'), '');
    assert.equal(h.xmlText(attr, 'AssociatedCcnName'), '');
    await xml(T.key, 'DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccn });
    const none = await xml(T.key, 'DescribeCloudConnectNetworks', { RegionId: REGION, CcnId: ccn });
    assert.equal(h.xmlText(none, 'TotalCount'), '0');
    assert.deepEqual(h.xmlChildren(h.xmlChild(none, 'CloudConnectNetworks'), 'CloudConnectNetwork'), []);

    // Deleting the instance releases both of its devices.
    await xml(T.key, 'DeleteSmartAccessGateway', { RegionId: REGION, InstanceId: id });
    const spare2 = h.xmlText(await xml(other.key, 'CreateSmartAccessGateway', h.createParams({ HaType: 'cold_backup' })), 'SmartAGId');
    await xml(other.key, 'BindSerialNumber', { RegionId: REGION, SmartAGId: spare2, SerialNumber: sn2 });
    await xml(other.key, 'BindSerialNumber', { RegionId: REGION, SmartAGId: spare2, SerialNumber: sn3 });
    const taken = await xml(other.key, 'DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: spare2 });
    assert.equal(h.xmlText(taken, 'SerialNumber'), `${sn2},${sn3}`);
  });
});
