'use strict';
// Access control lists through the official SDKs (pop-core V1 and the V3 openapi-client):
// CreateACL, DescribeACLs, ModifyACL, DeleteACL, AddACLRule, DescribeACLAttribute, ModifyACLRule,
// DeleteACLRule, AssociateACL, DisassociateACL, GetAclAttribute — every documented code that
// OpenSAG can answer, with exact status, Code and Message; the Terraform call chains of
// alicloud_sag_acl, alicloud_sag_acl_rule and the alicloud_sag_acls data source; AclIds on the
// instance views; and the `acl` facet reaching devices (confirmed, refused, caught up after
// reconnect, kept across a restart, last generation after concurrent edits).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./lib/harness');
const { REGION, startDevice, stopDevices, readyInstance } = require('./lib/upgrades');

const secret = 'device-secret-' + h.randomAlnum(16);

const E = {
  missing: { status: 403, code: 'MissingParameter', message: 'The input parameter is missing, please check your input.' },
  invalid: { status: 403, code: 'InvalidParameter', message: 'The specified parameter is invalid.' },
  name: { status: 403, code: 'InvalidName', message: 'Name not valid.' },
  description: { status: 403, code: 'InvalidDescription', message: 'Description not valid.' },
  amount: {
    status: 403, code: 'AclAmountLimit',
    message: 'No more ACL can be created. You can open a ticket to increase the quota of ACLs.',
  },
  acl: { status: 403, code: 'InvalidId.ACL', message: 'The specified ACL ID is invalid.' },
  acr: { status: 403, code: 'InvalidId.ACR', message: 'The specified ACL rule ID is invalid.' },
  protocol: { status: 403, code: 'NotSupportedProtocol', message: 'The specified protocol of the ACL rule is not supported.' },
  ports: { status: 403, code: 'InvalidPortRange', message: 'The specified port range is invalid.' },
  rules: {
    status: 403, code: 'AcrPerAclAmountLimit',
    message: 'The maximum number of rules in an ACL is exceeded. You can open a ticket to increase the quota.',
  },
  wan: { status: 400, code: 'ACL.NoSupportWanType', message: 'An SAG 1000 device does not support a WAN ACL.' },
  type: { status: 400, code: 'ACL.InvalidType', message: 'The specified ACL type is invalid.' },
  smartag: { status: 403, code: 'InvalidId.SMARTAG', message: 'The specified smart access gateway instance id is invalid.' },
  already: {
    status: 403, code: 'SmartAGAlreadyAssociateAcl',
    message: 'The specified smart access gateway has already been associated with the specified ACL.',
  },
  perSag: { status: 403, code: 'AclPerSmartagAmountLimit', message: 'No more ACL can be associated with this smart access gateway.' },
  notAssociated: {
    status: 403, code: 'SmartAGNotAssociateAcl',
    message: 'The specified smart access gateway is not associated with the specified ACL.',
  },
  software: {
    status: 400, code: 'SAG.SoftwareNotSupport', message: 'The specified SAG software edition instance does not support ACL.',
  },
  forbidden: { status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.' },
};

// The fields terraform sends on AddACLRule (never Type, Name or Dpi*).
const TF_RULE = {
  Policy: 'accept', IpProtocol: 'ALL', Direction: 'in', SourceCidr: '10.10.1.0/24', SourcePortRange: '-1/-1',
  DestCidr: '192.168.10.0/24', DestPortRange: '-1/-1', Description: 'tf rule', Priority: '2',
};

let server;
let op;
let A;
let B;

function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

async function createAcl(client, name = 'acl_' + h.randomAlnum(6), extra = {}) {
  const r = await client.call('CreateACL', { RegionId: REGION, Name: name, ...extra });
  assert.match(r.AclId, /^acl-[a-z0-9]+$/);
  assert.match(r.RequestId, h.REQUEST_ID_RE);
  return r.AclId;
}

function addRule(client, aclId, extra = {}) {
  return client.call('AddACLRule', { RegionId: REGION, AclId: aclId, ...TF_RULE, ...extra });
}

function rulesOf(client, aclId, extra = {}) {
  return client.call('DescribeACLAttribute', { RegionId: REGION, AclId: aclId, ...extra });
}

// Both SDKs answer the same error.
async function expectBoth(account, action, params, error) {
  await h.expectApiError(account.client.call(action, params), error);
  await h.expectApiError(account.v3.call(action, params), error);
}

// The acl facet of sn as the operator's ListDeviceStates shows it (undefined when it has none).
async function aclFacet(sn) {
  const r = await op.call('ListDeviceStates', { SerialNumber: sn });
  const facets = r.Devices.Device[0].Facets.Facet;
  return facets.find((f) => f.Facet === 'acl');
}

// Waits until sn confirmed an acl generation above `after`; returns the facet.
async function confirmedAbove(sn, after) {
  return h.poll(async () => {
    const f = await aclFacet(sn);
    return f && f.DesiredGeneration > after && f.AppliedGeneration === f.DesiredGeneration ? f : null;
  }, { timeoutMs: 30000 });
}

// The rule set the simulated device keeps in its state directory.
function deviceRules(stateDir, sn) {
  const state = JSON.parse(fs.readFileSync(path.join(stateDir, `${sn}.json`), 'utf8'));
  return state.config && state.config.acl ? JSON.parse(state.config.acl) : null;
}

before(async () => {
  server = await h.startSagd({ testMode: true, args: ['--device-registry', 'closed', '--device-lease-ms', '1500', '--device-heartbeat-ms', '300'] });
  op = h.operatorClient(server);
  A = await h.createAccount(server, 'acl-a');
  B = await h.createAccount(server, 'acl-b');
});

after(async () => {
  stopDevices();
  await h.stopAll();
});

describe('Terraform chains', () => {
  it('alicloud_sag_acl: CreateACL, DescribeACLs by AclIds, ModifyACL, DeleteACL, poll until gone', async () => {
    const created = await A.client.call('CreateACL', { RegionId: REGION, Name: 'tf_acl' });
    const id = created.AclId;
    assert.equal(created.AclType, 'acl-hardware');
    assert.match(created.ResourceGroupId, /^rg-/);
    const read = async () => (await A.client.call('DescribeACLs', { RegionId: REGION, AclIds: id })).Acls.Acl;
    let acls = await read();
    assert.equal(acls.length, 1);
    assert.equal(acls[0].AclId, id);
    assert.equal(acls[0].Name, 'tf_acl');
    assert.equal(acls[0].SagCount, '0');  // a string, as the SDKs declare it
    assert.equal(acls[0].AclType, 'acl-hardware');
    await A.client.call('ModifyACL', { RegionId: REGION, AclId: id, Name: 'tf_acl_renamed' });
    acls = await read();
    assert.equal(acls[0].Name, 'tf_acl_renamed');
    await A.client.call('DeleteACL', { RegionId: REGION, AclId: id });
    await h.poll(async () => (await read()).length === 0);
    // An unknown id is an empty list, not an error (terraform's "not found").
    const unknown = await A.v3.call('DescribeACLs', { RegionId: REGION, AclIds: 'acl-doesnotexist0000' });
    assert.equal(unknown.TotalCount, 0);
    assert.deepEqual(plain(unknown.Acls.Acl), []);
  });

  it('alicloud_sag_acl_rule: AddACLRule, DescribeACLAttribute scan, ModifyACLRule, DeleteACLRule, poll until gone', async () => {
    const aclId = await createAcl(A.client);
    const added = await addRule(A.client, aclId);
    assert.equal(added.AclId, aclId);
    assert.match(added.AcrId, /^acr-[a-z0-9]+$/);
    assert.equal(added.Type, 'LAN');
    assert.equal(added.Priority, 2);
    assert.equal(typeof added.GmtCreate, 'number');
    const find = async () => (await rulesOf(A.client, aclId)).Acrs.Acr.find((r) => r.AcrId === added.AcrId);
    let rule = await find();
    for (const [field, value] of Object.entries(TF_RULE)) {
      assert.equal(String(rule[field]), value, field);
    }
    assert.equal(rule.Priority, 2);
    assert.equal(rule.IpProtocol, 'ALL');  // as sent, no case folding
    assert.equal(rule.AclType, 'acl-hardware');
    const modified = await A.client.call('ModifyACLRule', {
      RegionId: REGION, AclId: aclId, AcrId: added.AcrId, Policy: 'drop', IpProtocol: 'tcp', DestPortRange: '80/443',
    });
    assert.equal(modified.Policy, 'drop');
    assert.equal(modified.GmtCreate, added.GmtCreate);
    rule = await find();
    assert.equal(rule.Policy, 'drop');
    assert.equal(rule.IpProtocol, 'tcp');
    assert.equal(rule.DestPortRange, '80/443');
    assert.equal(rule.SourceCidr, TF_RULE.SourceCidr);  // unchanged fields stay
    await A.client.call('DeleteACLRule', { RegionId: REGION, AclId: aclId, AcrId: added.AcrId });
    await h.poll(async () => (await find()) === undefined);
  });

  it('data alicloud_sag_acls: pages of 50 until a short page', async () => {
    const C = await h.createAccount(server, 'acl-ds');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await createAcl(C.client, `ds_acl_${i}`));
    const seen = [];
    for (let page = 1; ; page++) {
      const r = await C.client.call('DescribeACLs', { RegionId: REGION, PageSize: '50', PageNumber: String(page) });
      assert.equal(r.PageSize, 50);
      assert.equal(r.PageNumber, page);
      assert.equal(r.TotalCount, 3);
      seen.push(...r.Acls.Acl.map((a) => a.AclId));
      if (r.Acls.Acl.length < 50) break;
    }
    assert.deepEqual([...seen].sort(), [...ids].sort());
  });
});

describe('errors', () => {
  let aclId;
  let acrId;
  let hw;
  let sag1000;
  let app;

  before(async () => {
    aclId = await createAcl(A.client);
    acrId = (await addRule(A.client, aclId)).AcrId;
    hw = (await A.client.call('CreateSmartAccessGateway', h.createParams({ HardWareSpec: 'sag-100wm', MaxBandWidth: '10' }))).SmartAGId;
    sag1000 = (await A.client.call('CreateSmartAccessGateway', h.createParams({ HardWareSpec: 'sag-1000', MaxBandWidth: '10' }))).SmartAGId;
    app = (await A.client.call('CreateSmartAccessGatewaySoftware', {
      RegionId: REGION, ChargeType: 'PREPAY', DataPlan: '5', Period: '12', UserCount: '5', AutoPay: 'true', CidrBlock: '10.9.0.0/24',
    })).SmartAGId;
  });

  it('CreateACL: MissingParameter, InvalidName, ACL.InvalidType, AclAmountLimit (10 per account and region)', async () => {
    await expectBoth(A, 'CreateACL', { RegionId: REGION }, E.missing);
    await expectBoth(A, 'CreateACL', { RegionId: REGION, Name: '1starts-with-digit' }, E.name);
    await expectBoth(A, 'CreateACL', { RegionId: REGION, Name: 'x' }, E.name);
    await expectBoth(A, 'CreateACL', { RegionId: REGION, Name: 'okname', AclType: 'acl-firmware' }, E.type);
    const C = await h.createAccount(server, 'acl-quota');
    for (let i = 0; i < 10; i++) await createAcl(C.client, `q_${i}`);
    await expectBoth(C, 'CreateACL', { RegionId: REGION, Name: 'one_too_many' }, E.amount);
    // The quota is per region.
    await createAcl(C.client, 'q_hangzhou', { RegionId: 'cn-hangzhou' });
  });

  it('DescribeACLs and DescribeACLAttribute: MissingParameter, InvalidParameter (paging, filters), InvalidId.ACL', async () => {
    await expectBoth(A, 'DescribeACLs', {}, E.missing);
    await expectBoth(A, 'DescribeACLs', { RegionId: REGION, PageSize: '51' }, E.invalid);
    await expectBoth(A, 'DescribeACLs', { RegionId: REGION, PageNumber: '0' }, E.invalid);
    await expectBoth(A, 'DescribeACLs', { RegionId: REGION, AclType: 'nope' }, E.invalid);
    await expectBoth(A, 'DescribeACLAttribute', { RegionId: REGION }, E.missing);
    await expectBoth(A, 'DescribeACLAttribute', { RegionId: REGION, AclId: aclId, PageSize: '0' }, E.invalid);
    await expectBoth(A, 'DescribeACLAttribute', { RegionId: REGION, AclId: aclId, Direction: 'sideways' }, E.invalid);
    await expectBoth(A, 'DescribeACLAttribute', { RegionId: REGION, AclId: 'acl-unknown000000' }, E.acl);
    await expectBoth(B, 'DescribeACLAttribute', { RegionId: REGION, AclId: aclId }, E.acl);  // another account's
  });

  it('ModifyACL, DeleteACL and GetAclAttribute: MissingParameter, InvalidName, InvalidId.ACL', async () => {
    await expectBoth(A, 'ModifyACL', { RegionId: REGION, AclId: aclId }, E.missing);
    await expectBoth(A, 'ModifyACL', { RegionId: REGION, AclId: aclId, Name: '-bad' }, E.name);
    await expectBoth(B, 'ModifyACL', { RegionId: REGION, AclId: aclId, Name: 'stolen' }, E.acl);
    await expectBoth(A, 'DeleteACL', { RegionId: REGION }, E.missing);
    await expectBoth(B, 'DeleteACL', { RegionId: REGION, AclId: aclId }, E.acl);
    await expectBoth(A, 'GetAclAttribute', { RegionId: REGION }, E.missing);
    await expectBoth(A, 'GetAclAttribute', { RegionId: REGION, AclId: 'acl-unknown000000' }, E.acl);
    const attr = await A.v3.call('GetAclAttribute', { RegionId: REGION, AclId: aclId });
    assert.equal(attr.AclId, aclId);
    assert.equal(attr.ErrorConfigSmartAGCount, 0);
  });

  it('AddACLRule and ModifyACLRule: every field check', async () => {
    const add = (o) => ({ RegionId: REGION, AclId: aclId, ...TF_RULE, ...o });
    const mod = (o) => ({ RegionId: REGION, AclId: aclId, AcrId: acrId, ...o });
    const { DestCidr, ...withoutDest } = TF_RULE;
    assert.ok(DestCidr);
    await expectBoth(A, 'AddACLRule', { RegionId: REGION, AclId: aclId, ...withoutDest }, E.missing);
    await expectBoth(A, 'ModifyACLRule', { RegionId: REGION, AclId: aclId }, E.missing);
    for (const [action, params] of [['AddACLRule', add], ['ModifyACLRule', mod]]) {
      await expectBoth(A, action, params({ Description: 'x'.repeat(513) }), E.description);
      await expectBoth(A, action, params({ Direction: 'sideways' }), E.invalid);
      await expectBoth(A, action, params({ Policy: 'maybe' }), E.invalid);
      await expectBoth(A, action, params({ Priority: '101' }), E.invalid);
      await expectBoth(A, action, params({ Priority: '0' }), E.invalid);
      await expectBoth(A, action, params({ SourceCidr: '10.0.0.1/8' }), E.invalid);
      await expectBoth(A, action, params({ 'DpiGroupIds.1': 'bad id' }), E.invalid);
      await expectBoth(A, action, params({ Name: '9name' }), E.name);
      await expectBoth(A, action, params({ IpProtocol: 'SCTP' }), E.protocol);
      await expectBoth(A, action, params({ SourcePortRange: '0/80' }), E.ports);
      await expectBoth(A, action, params({ DestPortRange: '90/80' }), E.ports);
      await expectBoth(A, action, params({ DestPortRange: '80' }), E.ports);
      await expectBoth(A, action, params({ Type: 'DMZ' }), E.type);
      await expectBoth(A, action, params({ AclId: 'acl-unknown000000' }), E.acl);
    }
    await expectBoth(A, 'ModifyACLRule', mod({ AcrId: 'acr-unknown000000' }), E.acr);
    // Accepted protocol spellings are matched case-insensitively and stored as written.
    for (const p of ['TCP', 'udp', 'Icmp', 'HTTP(80)', 'https(443)', 'SSH(22)', 'telnet(23)']) {
      const r = await A.client.call('ModifyACLRule', mod({ IpProtocol: p }));
      assert.equal(r.IpProtocol, p);
    }
  });

  it('AddACLRule: AcrPerAclAmountLimit after 50 rules', async () => {
    const full = await createAcl(A.client);
    for (let i = 0; i < 50; i++) await addRule(A.client, full, { Priority: String(1 + (i % 100)) });
    await expectBoth(A, 'AddACLRule', { RegionId: REGION, AclId: full, ...TF_RULE }, E.rules);
    // Terraform reads page 1 with the default size of 10, as Alibaba pages.
    const page = await rulesOf(A.client, full);
    assert.equal(page.TotalCount, 50);
    assert.equal(page.PageSize, 10);
    assert.equal(page.Acrs.Acr.length, 10);
    await A.client.call('DeleteACL', { RegionId: REGION, AclId: full });
  });

  it('DeleteACLRule: MissingParameter, InvalidId.ACL, InvalidId.ACR', async () => {
    await expectBoth(A, 'DeleteACLRule', { RegionId: REGION, AclId: aclId }, E.missing);
    await expectBoth(A, 'DeleteACLRule', { RegionId: REGION, AclId: 'acl-unknown000000', AcrId: acrId }, E.acl);
    await expectBoth(A, 'DeleteACLRule', { RegionId: REGION, AclId: aclId, AcrId: 'acr-unknown000000' }, E.acr);
  });

  it('AssociateACL and DisassociateACL: every outcome, and AclIds on the instance views', async () => {
    const p = (acl, sag) => ({ RegionId: REGION, AclId: acl, SmartAGId: sag });
    await expectBoth(A, 'AssociateACL', { RegionId: REGION, AclId: aclId }, E.missing);
    await expectBoth(A, 'AssociateACL', p(aclId, 'sag-unknown000000'), E.smartag);
    await expectBoth(A, 'AssociateACL', p('acl-unknown000000', hw), E.acl);
    await expectBoth(A, 'AssociateACL', p(aclId, app), E.software);
    const softwareAcl = await createAcl(A.client, 'sw_acl', { AclType: 'acl-software' });
    await expectBoth(A, 'AssociateACL', p(softwareAcl, hw), E.type);
    await A.client.call('AssociateACL', p(softwareAcl, app));
    const wanAcl = await createAcl(A.client, 'wan_acl');
    await addRule(A.client, wanAcl, { Type: 'WAN' });
    await expectBoth(A, 'AssociateACL', p(wanAcl, sag1000), E.wan);
    await A.v3.call('AssociateACL', p(aclId, sag1000));
    await expectBoth(A, 'AddACLRule', { RegionId: REGION, AclId: aclId, ...TF_RULE, Type: 'WAN' }, E.wan);
    await expectBoth(A, 'ModifyACLRule', { RegionId: REGION, AclId: aclId, AcrId: acrId, Type: 'WAN' }, E.wan);
    await A.client.call('AssociateACL', p(aclId, hw));
    await expectBoth(A, 'AssociateACL', p(aclId, hw), E.already);
    await expectBoth(A, 'AssociateACL', p(wanAcl, hw), E.perSag);
    await expectBoth(B, 'AssociateACL', p(aclId, hw), E.smartag);

    // The instance views.
    const list = await A.client.call('DescribeSmartAccessGateways', { RegionId: REGION, SmartAGId: hw });
    assert.equal(list.SmartAccessGateways.SmartAccessGateway[0].AclIds, aclId);
    const attr = await A.v3.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: hw });
    assert.deepEqual(plain(attr.AclIds.AclId), [aclId]);
    const bound = await A.client.call('DescribeSmartAccessGateways', { RegionId: REGION, AclIds: aclId });
    assert.deepEqual(bound.SmartAccessGateways.SmartAccessGateway.map((s) => s.SmartAGId).sort(), [hw, sag1000].sort());
    const unbound = await A.client.call('DescribeSmartAccessGateways', { RegionId: REGION, UnboundAclIds: `${aclId},${softwareAcl}`, PageSize: '50' });
    const unboundIds = unbound.SmartAccessGateways.SmartAccessGateway.map((s) => s.SmartAGId);
    assert.ok(!unboundIds.includes(hw) && !unboundIds.includes(sag1000) && !unboundIds.includes(app));
    const counted = await A.client.call('DescribeACLs', { RegionId: REGION, AclIds: aclId });
    assert.equal(counted.Acls.Acl[0].SagCount, '2');

    await expectBoth(A, 'DisassociateACL', { RegionId: REGION, SmartAGId: hw }, E.missing);
    await expectBoth(A, 'DisassociateACL', p(aclId, 'sag-unknown000000'), E.smartag);
    await expectBoth(A, 'DisassociateACL', p('acl-unknown000000', hw), E.acl);
    await expectBoth(A, 'DisassociateACL', p(wanAcl, hw), E.notAssociated);
    await A.client.call('DisassociateACL', p(aclId, hw));
    await expectBoth(A, 'DisassociateACL', p(aclId, hw), E.notAssociated);
    const after = await A.v3.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: hw });
    assert.deepEqual(plain(after.AclIds.AclId), []);
  });

  it('RAM: a user without a policy is Forbidden on every ACL action; acl/<AclId> resources authorize', async () => {
    await A.admin.call('CreateUser', { UserName: 'acl-nobody' });
    const k = await A.admin.call('CreateAccessKey', { UserName: 'acl-nobody' });
    const key = { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret };
    const nobody = { client: h.v1Client(server.endpoint, key), v3: h.v3Client(server.endpoint, key) };
    const calls = {
      CreateACL: { Name: 'nope' }, DescribeACLs: {}, ModifyACL: { AclId: aclId, Name: 'nope' }, DeleteACL: { AclId: aclId },
      AddACLRule: { AclId: aclId, ...TF_RULE }, DescribeACLAttribute: { AclId: aclId },
      ModifyACLRule: { AclId: aclId, AcrId: acrId }, DeleteACLRule: { AclId: aclId, AcrId: acrId },
      AssociateACL: { AclId: aclId, SmartAGId: hw }, DisassociateACL: { AclId: aclId, SmartAGId: hw },
      GetAclAttribute: { AclId: aclId },
    };
    for (const [action, params] of Object.entries(calls)) {
      await expectBoth(nobody, action, { RegionId: REGION, ...params }, E.forbidden);
    }
    await A.admin.call('CreateUser', { UserName: 'acl-reader' });
    const doc = {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['smartag:DescribeACLAttribute'], Resource: `acs:smartag:*:${A.accountId}:acl/${aclId}` }],
    };
    await A.admin.call('CreatePolicy', { PolicyName: 'acl-reader-p', PolicyDocument: JSON.stringify(doc) });
    await A.admin.call('AttachPolicyToUser', { PolicyName: 'acl-reader-p', UserName: 'acl-reader' });
    const rk = await A.admin.call('CreateAccessKey', { UserName: 'acl-reader' });
    const reader = h.v1Client(server.endpoint, { accessKeyId: rk.AccessKey.AccessKeyId, accessKeySecret: rk.AccessKey.AccessKeySecret });
    assert.ok((await reader.call('DescribeACLAttribute', { RegionId: REGION, AclId: aclId })).TotalCount >= 1);
    const otherAcl = await createAcl(A.client);
    await h.expectApiError(reader.call('DescribeACLAttribute', { RegionId: REGION, AclId: otherAcl }), E.forbidden);
  });
});

describe('the acl facet on devices', () => {
  const stateDir = h.makeTempDir('sag-acl-state-');
  const running = new Map();
  let pair;

  async function run(sn, extra = []) {
    running.set(sn, await startDevice(server.endpoint, ['--sn', sn, '--secret', secret, '--state-dir', stateDir, ...extra]));
  }

  before(async () => {
    pair = await readyInstance({ client: A.client, op, secret, count: 2 });
    for (const sn of pair.sns) await run(sn);
  });

  it('associating an ACL and adding a rule reach both devices of the instance, confirmed, with the rules in evaluation order', async () => {
    const aclId = await createAcl(A.client);
    const low = await addRule(A.client, aclId, { Priority: '50', IpProtocol: 'TCP', DestPortRange: '22/22', Policy: 'drop' });
    await A.client.call('AssociateACL', { RegionId: REGION, AclId: aclId, SmartAGId: pair.id });
    const first = [];
    for (const sn of pair.sns) first.push(await confirmedAbove(sn, 0));
    const high = await addRule(A.client, aclId, { Priority: '1', 'DpiGroupIds.1': '20' });
    for (const [i, sn] of pair.sns.entries()) {
      const f = await confirmedAbove(sn, first[i].DesiredGeneration);
      assert.equal(f.LastResult, 'ok');
      const rules = deviceRules(stateDir, sn);
      assert.equal(rules.acl_id, aclId);
      assert.deepEqual(rules.rules.map((r) => r.id), [high.AcrId, low.AcrId]);
      assert.equal(rules.rules[1].protocol, 'tcp');
      assert.equal(rules.rules[1].policy, 'drop');
      assert.equal(rules.rules[1].dest_port_range, '22/22');
      assert.deepEqual(rules.rules[0].dpi_group_ids, ['20']);
      const info = await A.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: pair.id, SmartAGSn: sn });
      assert.equal(info.SynStatus, 'Synchronized');
    }
    // Concurrent rule edits: every device ends on the last generation, holding every rule.
    const added = await Promise.all(Array.from({ length: 8 }, (_, i) => addRule(i % 2 ? A.client : A.v3, aclId, { Priority: String(10 + i) })));
    for (const sn of pair.sns) {
      await h.poll(async () => {
        const f = await aclFacet(sn);
        const rules = deviceRules(stateDir, sn);
        return f.AppliedGeneration === f.DesiredGeneration && rules.rules.length === 10;
      }, { timeoutMs: 30000 });
      const ids = deviceRules(stateDir, sn).rules.map((r) => r.id);
      for (const r of added) assert.ok(ids.includes(r.AcrId));
    }
    // Disassociating leaves the devices an empty rule set.
    await A.client.call('DisassociateACL', { RegionId: REGION, AclId: aclId, SmartAGId: pair.id });
    for (const sn of pair.sns) {
      await h.poll(async () => {
        const f = await aclFacet(sn);
        const rules = deviceRules(stateDir, sn);
        return f.AppliedGeneration === f.DesiredGeneration && rules.rules.length === 0 && rules.acl_id === '';
      }, { timeoutMs: 30000 });
    }
  });

  it('a device that refuses the rule set answers failed: the reason is visible, SynStatus is Unsynchronized, GetAclAttribute counts it', async () => {
    const inst = await readyInstance({ client: A.client, op, secret });
    await run(inst.sn, ['--refuse', 'acl']);
    const aclId = await createAcl(A.client);
    await addRule(A.client, aclId);
    await A.client.call('AssociateACL', { RegionId: REGION, AclId: aclId, SmartAGId: inst.id });
    const f = await h.poll(async () => {
      const x = await aclFacet(inst.sn);
      return x && x.LastResult === 'failed' ? x : null;
    }, { timeoutMs: 30000 });
    assert.equal(f.LastDetail, 'refused by simulation');
    assert.ok(f.AppliedGeneration < f.DesiredGeneration);
    const info = await A.client.call('DescribeSAGDeviceInfo', { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn });
    assert.equal(info.SynStatus, 'Unsynchronized');
    const attr = await A.client.call('GetAclAttribute', { RegionId: REGION, AclId: aclId });
    assert.equal(attr.ErrorConfigSmartAGCount, 1);
  });

  it('an offline device catches up on reconnect and keeps its rule set across a restart', async () => {
    const inst = await readyInstance({ client: A.client, op, secret });
    const aclId = await createAcl(A.client);
    await A.client.call('AssociateACL', { RegionId: REGION, AclId: aclId, SmartAGId: inst.id });
    const rule = await addRule(A.client, aclId);
    const pending = await aclFacet(inst.sn);
    assert.ok(pending.DesiredGeneration > 0);
    assert.equal(pending.AppliedGeneration, 0);
    await run(inst.sn);
    const f = await confirmedAbove(inst.sn, 0);
    assert.equal(f.DesiredGeneration, pending.DesiredGeneration);
    assert.deepEqual(deviceRules(stateDir, inst.sn).rules.map((r) => r.id), [rule.AcrId]);
    // Restart: the rule set stays in force; nothing new to deliver.
    const { proc } = running.get(inst.sn);
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    await run(inst.sn);
    assert.deepEqual(deviceRules(stateDir, inst.sn).rules.map((r) => r.id), [rule.AcrId]);
    const again = await aclFacet(inst.sn);
    assert.equal(again.DesiredGeneration, f.DesiredGeneration);
    assert.equal(again.AppliedGeneration, f.DesiredGeneration);
  });
});
