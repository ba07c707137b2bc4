'use strict';
// Cloud Connect Networks through the official SDKs: Create/Describe/Modify/Delete with every
// documented code, binding instances (Bind/UnbindSmartAccessGateway), the bindable list, paging
// and filters, tenant and region isolation.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');

const REGION = 'cn-shanghai';

const MISSING = (name) => ({
  status: 400, code: 'MissingParameter',
  message: `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
});
const INVALID = (name) => ({
  status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.`,
});
const SMARTAG_MISSING = {
  status: 403, code: 'MissingParameter', message: 'The input parameter is missing, please check your input.',
};
const CCN_INVALID_ID = { status: 400, code: 'CCN.InvalidId', message: 'You must specify the CCN instance ID.' };
const INVALID_ID_CCN = { status: 403, code: 'InvalidId.CCN', message: 'Invalid cloud connect network id.' };
const INVALID_ID = {
  status: 403, code: 'InvalidId.SMARTAG', message: 'The specified smart access gateway instance id is invalid.',
};
const INVALID_NAME = { status: 403, code: 'InvalidName', message: 'Name not valid.' };
const INVALID_DESCRIPTION = { status: 403, code: 'InvalidDescription', message: 'Description not valid.' };
const INVALID_CIDR = { status: 400, code: 'CCN.InvalidCidr', message: 'The specified CCN CIDR block is invalid.' };
const CIDR_AMOUNT = {
  status: 400, code: 'CCN.CidrAmountLimit', message: 'The maximum number of CCN CIDR blocks is exceeded.',
};
const CCN_AMOUNT = {
  status: 403, code: 'CcnAmountLimit',
  message: 'The CCNs you created has reached the limit, you can raise the limit by application.',
};
const INTERWORKING = {
  status: 400, code: 'CCN.InvalidInterworkingStatus',
  message: 'The specified connection status is invalid. Specify the connection status to enable or disable.',
};
const ALREADY_BOUND_SMARTAG = {
  status: 403, code: 'AlreadyBound.SMARTAG',
  message: 'This instance has been bound, please unbind smart access gateway first.',
};
const SAG_ALREADY_BOUND = {
  status: 403, code: 'SmartAccessGatewayAlreadyBound', message: 'The smart access gateway already bound.',
};
const NOT_ACTIVATED = {
  status: 500, code: 'SmartAccessGatewayNotActivated',
  message: 'The specified Smart Access Gateway has not been activated.',
};
const IN_ARREARS = {
  status: 500, code: 'SmartAccessGatewayInArrears', message: 'The specified Smart Access Gateway has expired.',
};
const CIDR_CONFLICT = { status: 403, code: 'CidrConflict', message: 'Cidr is conflict, Please Check your input.' };
// Unbinding what is not bound to that CCN, and deleting a CCN that does not exist: the codes
// Terraform treats as "already gone" (docs/semantics.md).
const NOT_BIND = { status: 400, code: 'InvalidInstanceId.NotFound', message: 'The specified instance or grant does not exist.' };
const CCN_GONE = { status: 400, code: 'ParameterCcnInstanceId', message: 'The specified CCN instance does not exist.' };
const INVALID_REGION = { status: 400, code: 'InvalidRegionID', message: 'The specified regionId does not exist.' };
const UNKNOWN_CCN = 'ccn-0000000000unknown00';
const UNKNOWN_SAG = 'sag-0000000000unknown00';

function freshSn() {
  return `CCN-${h.randomAlnum(12)}`;
}

async function createCcn(client, params = {}) {
  const r = await client.call('CreateCloudConnectNetwork', { RegionId: REGION, ...params });
  assert.match(r.CcnId, /^ccn-[a-z0-9]+$/);
  return r.CcnId;
}

function ccns(body) {
  return body.CloudConnectNetworks.CloudConnectNetwork;
}

async function describeCcn(client, id, region = REGION) {
  const r = await client.call('DescribeCloudConnectNetworks', { RegionId: region, CcnId: id });
  return ccns(r);
}

async function oneCcn(client, id, region = REGION) {
  const list = await describeCcn(client, id, region);
  assert.equal(list.length, 1, `CCN ${id} listed ${list.length} times in ${region}`);
  return list[0];
}

async function createInstance(client, overrides = {}) {
  const r = await client.call('CreateSmartAccessGateway', h.createParams(overrides));
  return r.SmartAGId;
}

// An instance with a device bound and activated; optional CidrBlock set afterwards.
async function activeInstance(client, { region = REGION, cidr, ...overrides } = {}) {
  const id = await createInstance(client, { RegionId: region, ...overrides });
  await client.call('BindSerialNumber', { RegionId: region, SmartAGId: id, SerialNumber: freshSn() });
  await client.call('ActivateSmartAccessGateway', { RegionId: region, SmartAGId: id });
  if (cidr) await client.call('ModifySmartAccessGateway', { RegionId: region, SmartAGId: id, CidrBlock: cidr });
  return id;
}

function bindCcn(client, ccn, id, region = REGION, extra = {}) {
  return client.call('BindSmartAccessGateway', { RegionId: region, CcnId: ccn, SmartAGId: id, ...extra });
}

function unbindCcn(client, ccn, id, region = REGION) {
  return client.call('UnbindSmartAccessGateway', { RegionId: region, CcnId: ccn, SmartAGId: id });
}

async function attribute(client, id, region = REGION) {
  return client.call('DescribeSmartAccessGatewayAttribute', { RegionId: region, SmartAGId: id });
}

async function listItem(client, id) {
  const r = await client.call('DescribeSmartAccessGateways', { SmartAGId: id });
  assert.equal(r.SmartAccessGateways.SmartAccessGateway.length, 1);
  return r.SmartAccessGateways.SmartAccessGateway[0];
}

// Both instance views show the instance on this CCN (or on none: ccn = '').
async function expectCcnOf(client, id, ccn, ccnName = '') {
  const a = await attribute(client, id);
  assert.equal(a.AssociatedCcnId, ccn, 'Attribute AssociatedCcnId');
  assert.equal(a.AssociatedCcnName, ccnName, 'Attribute AssociatedCcnName');
  const l = await listItem(client, id);
  assert.equal(l.AssociatedCcnId, ccn, 'DescribeSmartAccessGateways AssociatedCcnId');
  assert.equal(l.AssociatedCcnName, ccnName, 'DescribeSmartAccessGateways AssociatedCcnName');
}

function bindable(client, ccn, extra = {}, region = REGION) {
  return client.call('DescribeBindableSmartAccessGateways', { RegionId: region, CcnId: ccn, PageSize: '50', ...extra });
}

function bindableIds(body) {
  return body.SmartAccessGateways.SmartAccessGateway.map((x) => x.SmartAGId);
}

describe('cloud connect networks', () => {
  let server;
  let admin;

  before(async () => {
    server = await h.startSagd({ testMode: true });
    admin = h.operatorClient(server);
  });

  after(async () => {
    await h.stopAll();
  });

  describe('CreateCloudConnectNetwork', () => {
    let A;

    before(async () => {
      A = await h.createAccount(server, 'ccnCreate');
    });

    it('creates a CCN (pop-core) that DescribeCloudConnectNetworks then lists as created', async () => {
      const before = Date.now();
      const r = await A.client.call('CreateCloudConnectNetwork', {
        RegionId: REGION, Name: 'ccn-main', Description: 'main network', CidrBlock: '10.10.0.0/16,192.168.0.0/24',
      });
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      assert.match(r.CcnId, /^ccn-[a-z0-9]+$/);
      assert.equal(r.Name, 'ccn-main');
      assert.equal(r.Description, 'main network');
      assert.equal(r.CidrBlock, '10.10.0.0/16,192.168.0.0/24');
      assert.equal(r.Status, 'Active');
      assert.match(r.ResourceGroupId, /^rg-[a-z0-9]+$/);
      const c = await oneCcn(A.client, r.CcnId);
      assert.equal(c.CcnId, r.CcnId);
      assert.equal(c.Name, 'ccn-main');
      assert.equal(c.Description, 'main network');
      assert.equal(c.CidrBlock, '10.10.0.0/16,192.168.0.0/24');
      assert.equal(c.ResourceGroupId, r.ResourceGroupId);
      assert.equal(String(c.AssociatedCloudBoxCount), '0');
      assert.ok(c.CreateTime >= before - 2000 && c.CreateTime <= Date.now() + 2000, `CreateTime ${c.CreateTime}`);
    });

    it('needs no parameter at all (V3): without RegionId the CCN is in cn-shanghai', async () => {
      const r = await A.v3.call('CreateCloudConnectNetwork', {});
      assert.match(r.CcnId, /^ccn-[a-z0-9]+$/);
      assert.equal((await oneCcn(A.v3, r.CcnId, 'cn-shanghai')).CcnId, r.CcnId);
      assert.deepEqual(await describeCcn(A.v3, r.CcnId, 'cn-hangzhou'), []);
    });

    it('accepts terraform\'s IsDefault and a 5-block CIDR list', async () => {
      const cidrs = '10.1.0.0/16,10.2.0.0/16,10.3.0.0/16,10.4.0.0/16,10.5.0.0/16';
      const id = await createCcn(A.client, { Name: 'tf-ccn', IsDefault: 'false', CidrBlock: cidrs });
      assert.equal((await oneCcn(A.client, id)).CidrBlock, cidrs);
    });

    for (const name of ['1starts-with-digit', 'a', 'has space', 'x'.repeat(101), '-dash', 'bad/char']) {
      it(`Name ${JSON.stringify(name.length > 20 ? name.slice(0, 8) + '…' : name)} is 403 InvalidName "Name not valid."`, async () => {
        await h.expectApiError(A.client.call('CreateCloudConnectNetwork', { RegionId: REGION, Name: name }), INVALID_NAME);
      });
    }

    for (const desc of ['http://example.com', 'https://x.example', '1digit first', 'd']) {
      it(`Description ${JSON.stringify(desc)} is 403 InvalidDescription "Description not valid."`, async () => {
        await h.expectApiError(
          A.v3.call('CreateCloudConnectNetwork', { RegionId: REGION, Description: desc }), INVALID_DESCRIPTION);
      });
    }

    for (const cidr of ['10.0.0.1/24', '300.0.0.0/8', '10.0.0.0/33', 'not-a-cidr', '10.0.0.0', '10.0.0.0/8,,']) {
      it(`CidrBlock ${JSON.stringify(cidr)} is 400 CCN.InvalidCidr`, async () => {
        await h.expectApiError(
          A.client.call('CreateCloudConnectNetwork', { RegionId: REGION, CidrBlock: cidr }), INVALID_CIDR);
      });
    }

    it('6 CIDR blocks are 400 CCN.CidrAmountLimit', async () => {
      const six = Array.from({ length: 6 }, (_, i) => `10.${i + 20}.0.0/16`).join(',');
      await h.expectApiError(
        A.v3.call('CreateCloudConnectNetwork', { RegionId: REGION, CidrBlock: six }), CIDR_AMOUNT);
    });

    it('a rejected create leaves no CCN behind', async () => {
      const C = await h.createAccount(server, 'ccnCreateFail');
      await h.expectApiError(C.client.call('CreateCloudConnectNetwork', { RegionId: REGION, Name: '9' }), INVALID_NAME);
      await h.expectApiError(
        C.client.call('CreateCloudConnectNetwork', { RegionId: REGION, CidrBlock: 'x' }), INVALID_CIDR);
      const r = await C.client.call('DescribeCloudConnectNetworks', { RegionId: REGION });
      assert.equal(r.TotalCount, 0);
      assert.deepEqual(ccns(r), []);
    });

    it('the 21st CCN of an account in one region is 403 CcnAmountLimit; other regions and accounts are not affected', async () => {
      const L = await h.createAccount(server, 'ccnLimit');
      const made = [];
      for (let i = 0; i < 20; i++) made.push(await createCcn(L.client, { Name: `lim-${i}` }));
      await h.expectApiError(L.client.call('CreateCloudConnectNetwork', { RegionId: REGION, Name: 'one-too-many' }), CCN_AMOUNT);
      await h.expectApiError(L.v3.call('CreateCloudConnectNetwork', {}), CCN_AMOUNT); // default region
      const list = await L.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, PageSize: '50' });
      assert.equal(list.TotalCount, 20);
      await createCcn(L.client, { RegionId: 'cn-hangzhou', Name: 'other-region' });
      const M = await h.createAccount(server, 'ccnLimitOther');
      await createCcn(M.client, { Name: 'other-account' });
      // Deleting one frees a slot.
      await L.client.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: made[0] });
      await createCcn(L.client, { Name: 'replacement' });
      await h.expectApiError(L.client.call('CreateCloudConnectNetwork', { RegionId: REGION }), CCN_AMOUNT);
    });
  });

  describe('DescribeCloudConnectNetworks', () => {
    let P;
    let made;

    before(async () => {
      P = await h.createAccount(server, 'ccnPaging');
      made = [];
      for (let i = 0; i < 13; i++) made.push(await createCcn(P.client, { Name: i === 4 ? 'special' : `page-${i}` }));
      await createCcn(P.client, { RegionId: 'cn-hangzhou', Name: 'special' });
    });

    it('without RegionId is the gateway\'s MissingParameter "RegionId"; an unknown region InvalidRegionID', async () => {
      await h.expectApiError(P.client.call('DescribeCloudConnectNetworks', {}), MISSING('RegionId'));
      await h.expectApiError(P.v3.call('DescribeCloudConnectNetworks', { PageSize: 5 }), MISSING('RegionId'));
      await h.expectApiError(P.client.call('DescribeCloudConnectNetworks', { RegionId: 'mars-north-1' }), INVALID_REGION);
    });

    it('pages without gaps or repeats; TotalCount is the whole region', async () => {
      const seen = [];
      for (let page = 1; page <= 3; page++) {
        const r = await P.client.call('DescribeCloudConnectNetworks', {
          RegionId: REGION, PageSize: '5', PageNumber: String(page),
        });
        assert.equal(r.TotalCount, 13);
        assert.equal(r.PageNumber, page);
        assert.equal(r.PageSize, 5);
        assert.equal(ccns(r).length, page < 3 ? 5 : 3);
        seen.push(...ccns(r).map((c) => c.CcnId));
      }
      assert.equal(new Set(seen).size, 13);
      assert.deepEqual([...seen].sort(), [...made].sort());
    });

    it('the default page size is 10, the maximum 50; a page past the end is empty', async () => {
      const dflt = await P.v3.call('DescribeCloudConnectNetworks', { RegionId: REGION });
      assert.equal(dflt.PageSize, 10);
      assert.equal(dflt.PageNumber, 1);
      assert.equal(ccns(dflt).length, 10);
      assert.equal(dflt.TotalCount, 13);
      const fifty = await P.v3.call('DescribeCloudConnectNetworks', { RegionId: REGION, PageSize: 50 });
      assert.equal(ccns(fifty).length, 13);
      const far = await P.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, PageSize: '10', PageNumber: '9' });
      assert.deepEqual(ccns(far), []);
      assert.equal(far.TotalCount, 13);
      await h.expectApiError(
        P.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, PageSize: '51' }), INVALID('PageSize'));
      await h.expectApiError(
        P.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, PageNumber: '0' }), INVALID('PageNumber'));
    });

    it('filters by CcnId and by Name within the region', async () => {
      const byId = await P.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, CcnId: made[7] });
      assert.equal(byId.TotalCount, 1);
      assert.deepEqual(ccns(byId).map((c) => c.CcnId), [made[7]]);
      assert.equal(ccns(byId)[0].Name, 'page-7');
      const byName = await P.v3.call('DescribeCloudConnectNetworks', { RegionId: REGION, Name: 'special' });
      assert.equal(byName.TotalCount, 1);
      assert.deepEqual(ccns(byName).map((c) => c.CcnId), [made[4]]);
      const unknown = await P.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, CcnId: UNKNOWN_CCN });
      assert.equal(unknown.TotalCount, 0);
      assert.deepEqual(ccns(unknown), []);
    });

    it('a Tag filter matches nothing (tags are not stored)', async () => {
      const r = await P.client.call('DescribeCloudConnectNetworks', {
        RegionId: REGION, 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod',
      });
      assert.equal(r.TotalCount, 0);
      assert.deepEqual(ccns(r), []);
    });
  });

  describe('ModifyCloudConnectNetwork', () => {
    let A;
    let id;

    before(async () => {
      A = await h.createAccount(server, 'ccnModify');
      id = await createCcn(A.client, { Name: 'mod-orig', Description: 'before', CidrBlock: '10.0.0.0/8' });
    });

    it('changes Name, Description, CidrBlock and InterworkingStatus (V1 and V3)', async () => {
      const r = await A.client.call('ModifyCloudConnectNetwork', {
        RegionId: REGION, CcnId: id, Name: 'mod-new', Description: 'after change', CidrBlock: '172.16.0.0/12',
      });
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      let c = await oneCcn(A.client, id);
      assert.equal(c.Name, 'mod-new');
      assert.equal(c.Description, 'after change');
      assert.equal(c.CidrBlock, '172.16.0.0/12');
      for (const status of ['disable', 'enable', 'disable']) {
        await A.v3.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: id, InterworkingStatus: status });
        c = await oneCcn(A.v3, id);
        assert.equal(c.InterworkingStatus, status);
      }
      assert.equal(c.Name, 'mod-new', 'untouched fields keep their values');
    });

    it('without CcnId is 400 CCN.InvalidId', async () => {
      await h.expectApiError(A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, Name: 'x-name' }), CCN_INVALID_ID);
      await h.expectApiError(A.v3.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: '' }), CCN_INVALID_ID);
    });

    it('without RegionId is smartag\'s 403 MissingParameter', async () => {
      await h.expectApiError(A.client.call('ModifyCloudConnectNetwork', { CcnId: id, Name: 'x-name' }), SMARTAG_MISSING);
      await h.expectApiError(A.v3.call('ModifyCloudConnectNetwork', { CcnId: id, Name: 'x-name' }), SMARTAG_MISSING);
    });

    it('an unknown CCN is 403 InvalidId.CCN', async () => {
      await h.expectApiError(
        A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: UNKNOWN_CCN, Name: 'x-name' }), INVALID_ID_CCN);
    });

    it('invalid values are rejected with their codes and nothing changes', async () => {
      const before = await oneCcn(A.client, id);
      await h.expectApiError(
        A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: id, Name: '1bad' }), INVALID_NAME);
      await h.expectApiError(
        A.v3.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: id, Name: 'ok-name', Description: 'http://x' }),
        INVALID_DESCRIPTION);
      await h.expectApiError(
        A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: id, InterworkingStatus: 'maybe' }),
        INTERWORKING);
      await h.expectApiError(
        A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: id, InterworkingStatus: 'ENABLE' }),
        INTERWORKING);
      await h.expectApiError(
        A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: id, CidrBlock: '10.0.0.1/8' }),
        INVALID_CIDR);
      const six = Array.from({ length: 6 }, (_, i) => `192.168.${i}.0/24`).join(',');
      await h.expectApiError(
        A.v3.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: id, Name: 'ok-name', CidrBlock: six }),
        CIDR_AMOUNT);
      const afterAll = await oneCcn(A.client, id);
      assert.equal(afterAll.Name, before.Name);
      assert.equal(afterAll.Description, before.Description);
      assert.equal(afterAll.CidrBlock, before.CidrBlock);
      assert.equal(afterAll.InterworkingStatus, before.InterworkingStatus);
    });
  });

  describe('binding instances', () => {
    let A;
    let ccn1;
    let ccn2;

    before(async () => {
      A = await h.createAccount(server, 'ccnBind');
      ccn1 = await createCcn(A.client, { Name: 'bind-one' });
      ccn2 = await createCcn(A.client, { Name: 'bind-two' });
    });

    it('binds an active instance (V1); both views show AssociatedCcnId/Name; the CCN counts it', async () => {
      const id = await activeInstance(A.client, { Name: 'bound-1' });
      await expectCcnOf(A.client, id, '');
      const r = await bindCcn(A.client, ccn1, id);
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      await expectCcnOf(A.client, id, ccn1, 'bind-one');
      assert.equal(String((await oneCcn(A.client, ccn1)).AssociatedCloudBoxCount), '1');
      // Binding again to the same CCN succeeds and changes nothing (V3).
      await bindCcn(A.v3, ccn1, id);
      await expectCcnOf(A.v3, id, ccn1, 'bind-one');
      assert.equal(String((await oneCcn(A.client, ccn1)).AssociatedCloudBoxCount), '1');
      // A renamed CCN shows its new name.
      await A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: ccn1, Name: 'bind-one-renamed' });
      await expectCcnOf(A.client, id, ccn1, 'bind-one-renamed');
      await A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: ccn1, Name: 'bind-one' });
    });

    it('without CcnId or SmartAGId is smartag\'s 403 MissingParameter', async () => {
      const id = await activeInstance(A.client, { Name: 'bind-missing' });
      await h.expectApiError(A.client.call('BindSmartAccessGateway', { RegionId: REGION, SmartAGId: id }), SMARTAG_MISSING);
      await h.expectApiError(A.v3.call('BindSmartAccessGateway', { RegionId: REGION, CcnId: ccn1 }), SMARTAG_MISSING);
      await h.expectApiError(A.v3.call('BindSmartAccessGateway', { RegionId: REGION, CcnId: '', SmartAGId: id }), SMARTAG_MISSING);
      await expectCcnOf(A.client, id, '');
    });

    it('an unknown CCN is InvalidId.CCN; an unknown instance InvalidId.SMARTAG', async () => {
      const id = await activeInstance(A.client, { Name: 'bind-unknown' });
      await h.expectApiError(bindCcn(A.client, UNKNOWN_CCN, id), INVALID_ID_CCN);
      await h.expectApiError(bindCcn(A.v3, ccn1, UNKNOWN_SAG), INVALID_ID);
      await expectCcnOf(A.client, id, '');
    });

    it('an instance that is not activated is 500 SmartAccessGatewayNotActivated', async () => {
      const bare = await createInstance(A.client, { Name: 'never-activated' });
      await h.expectApiError(bindCcn(A.client, ccn1, bare), NOT_ACTIVATED);
      await A.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: bare, SerialNumber: freshSn() });
      await h.expectApiError(bindCcn(A.v3, ccn1, bare), NOT_ACTIVATED);
      await expectCcnOf(A.client, bare, '');
    });

    it('an instance on another CCN is 403 SmartAccessGatewayAlreadyBound and stays where it is', async () => {
      const id = await activeInstance(A.client, { Name: 'bound-twice' });
      await bindCcn(A.client, ccn1, id);
      await h.expectApiError(bindCcn(A.client, ccn2, id), SAG_ALREADY_BOUND);
      await h.expectApiError(bindCcn(A.v3, ccn2, id), SAG_ALREADY_BOUND);
      await expectCcnOf(A.client, id, ccn1, 'bind-one');
    });

    it('SmartAGUid of another account is InvalidId.SMARTAG; the caller\'s own is accepted', async () => {
      const B = await h.createAccount(server, 'ccnBindOther');
      const id = await activeInstance(A.client, { Name: 'uid-check' });
      await h.expectApiError(bindCcn(A.client, ccn2, id, REGION, { SmartAGUid: B.accountId }), INVALID_ID);
      await expectCcnOf(A.client, id, '');
      await bindCcn(A.client, ccn2, id, REGION, { SmartAGUid: A.accountId });
      await expectCcnOf(A.client, id, ccn2, 'bind-two');
    });

    it('an instance whose CidrBlock overlaps one already on the CCN is 403 CidrConflict', async () => {
      const ccn = await createCcn(A.client, { Name: 'cidr-ccn' });
      const first = await activeInstance(A.client, { Name: 'cidr-a', cidr: '192.168.0.0/16' });
      const overlapping = await activeInstance(A.client, { Name: 'cidr-b', cidr: '10.9.0.0/16,192.168.10.0/24' });
      const disjoint = await activeInstance(A.client, { Name: 'cidr-c', cidr: '172.20.0.0/16' });
      assert.equal((await attribute(A.client, overlapping)).CidrBlock, '10.9.0.0/16,192.168.10.0/24');
      await bindCcn(A.client, ccn, first);
      await h.expectApiError(bindCcn(A.client, ccn, overlapping), CIDR_CONFLICT);
      await h.expectApiError(bindCcn(A.v3, ccn, overlapping), CIDR_CONFLICT);
      await expectCcnOf(A.client, overlapping, '');
      await bindCcn(A.v3, ccn, disjoint);
      await expectCcnOf(A.client, disjoint, ccn, 'cidr-ccn');
      // On another CCN the same CIDR is fine.
      await bindCcn(A.client, ccn2, overlapping);
      await expectCcnOf(A.client, overlapping, ccn2, 'bind-two');
      // Once the conflicting instance leaves, the other may join.
      await unbindCcn(A.client, ccn2, overlapping);
      await unbindCcn(A.client, ccn, first);
      await bindCcn(A.client, ccn, overlapping);
      await expectCcnOf(A.client, overlapping, ccn, 'cidr-ccn');
    });

    it('an instance in another region than the CCN cannot bind to it', async () => {
      const hz = await activeInstance(A.client, { Name: 'hz-instance', region: 'cn-hangzhou' });
      await h.expectApiError(bindCcn(A.client, ccn1, hz, REGION), INVALID_ID);
      await h.expectApiError(bindCcn(A.client, ccn1, hz, 'cn-hangzhou'), INVALID_ID_CCN);
      const a = await attribute(A.client, hz, 'cn-hangzhou');
      assert.equal(a.AssociatedCcnId, '');
    });

    it('past EndTime (test clock) binding is 500 SmartAccessGatewayInArrears', async () => {
      const id = await activeInstance(A.client, { Name: 'expiring', Period: '1' });
      const a = await attribute(A.client, id);
      const clock = await admin.call('GetClock', {});
      await admin.call('SetClock', { Now: String(a.EndTime + 1000) });
      try {
        await h.expectApiError(bindCcn(A.client, ccn1, id), IN_ARREARS);
        await h.expectApiError(bindCcn(A.v3, ccn1, id), IN_ARREARS);
      } finally {
        await admin.call('SetClock', { Now: String(clock.Now) });
      }
      await expectCcnOf(A.client, id, '');
    });

    it('UnbindSmartAccessGateway: missing CcnId, SmartAGId or RegionId is smartag\'s 403 MissingParameter', async () => {
      const id = await activeInstance(A.client, { Name: 'unbind-missing' });
      await bindCcn(A.client, ccn1, id);
      await h.expectApiError(
        A.client.call('UnbindSmartAccessGateway', { RegionId: REGION, SmartAGId: id }), SMARTAG_MISSING);
      await h.expectApiError(
        A.v3.call('UnbindSmartAccessGateway', { RegionId: REGION, CcnId: ccn1 }), SMARTAG_MISSING);
      await h.expectApiError(
        A.client.call('UnbindSmartAccessGateway', { CcnId: ccn1, SmartAGId: id }), SMARTAG_MISSING);
      await expectCcnOf(A.client, id, ccn1, 'bind-one');
    });

    it('UnbindSmartAccessGateway detaches; not bound or bound elsewhere is InvalidInstanceId.NotFound', async () => {
      const id = await activeInstance(A.client, { Name: 'unbind-1' });
      await h.expectApiError(unbindCcn(A.client, ccn1, id), NOT_BIND);
      await bindCcn(A.client, ccn1, id);
      await h.expectApiError(unbindCcn(A.v3, ccn2, id), NOT_BIND);
      await expectCcnOf(A.client, id, ccn1, 'bind-one');
      const r = await unbindCcn(A.v3, ccn1, id);
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      await expectCcnOf(A.client, id, '');
      await h.expectApiError(unbindCcn(A.client, ccn1, id), NOT_BIND);
      // And it can join another CCN now.
      await bindCcn(A.client, ccn2, id);
      await expectCcnOf(A.client, id, ccn2, 'bind-two');
    });
  });

  describe('DeleteCloudConnectNetwork', () => {
    let A;

    before(async () => {
      A = await h.createAccount(server, 'ccnDelete');
    });

    it('without CcnId is smartag\'s 403 MissingParameter; unknown is ParameterCcnInstanceId', async () => {
      await h.expectApiError(A.client.call('DeleteCloudConnectNetwork', { RegionId: REGION }), SMARTAG_MISSING);
      await h.expectApiError(A.v3.call('DeleteCloudConnectNetwork', {}), SMARTAG_MISSING);
      await h.expectApiError(
        A.client.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: UNKNOWN_CCN }), CCN_GONE);
    });

    it('refuses while an instance is bound (AlreadyBound.SMARTAG); deletes once it is unbound', async () => {
      const ccn = await createCcn(A.client, { Name: 'to-delete' });
      const id = await activeInstance(A.client, { Name: 'holds-ccn' });
      await bindCcn(A.client, ccn, id);
      await h.expectApiError(A.client.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccn }), ALREADY_BOUND_SMARTAG);
      await h.expectApiError(A.v3.call('DeleteCloudConnectNetwork', { CcnId: ccn }), ALREADY_BOUND_SMARTAG);
      assert.equal((await oneCcn(A.client, ccn)).Name, 'to-delete');
      await expectCcnOf(A.client, id, ccn, 'to-delete');
      await unbindCcn(A.client, ccn, id);
      const r = await A.client.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccn });
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      assert.deepEqual(await describeCcn(A.client, ccn), []);
      await h.expectApiError(A.v3.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccn }), CCN_GONE);
      await h.expectApiError(bindCcn(A.client, ccn, id), INVALID_ID_CCN);
    });

    it('deletes over V3 without RegionId', async () => {
      const ccn = await createCcn(A.v3, { Name: 'v3-delete' });
      await A.v3.call('DeleteCloudConnectNetwork', { CcnId: ccn });
      assert.deepEqual(await describeCcn(A.v3, ccn), []);
    });
  });

  describe('DescribeBindableSmartAccessGateways', () => {
    let A;
    let ccn;
    let other;
    let expected; // the bindable ones

    let onCcn;
    let expiring;

    before(async () => {
      A = await h.createAccount(server, 'ccnBindable');
      const O = await h.createAccount(server, 'ccnBindableOther');
      ccn = await createCcn(A.client, { Name: 'bindable-ccn' });
      other = await createCcn(A.client, { Name: 'bindable-other' });
      expected = [
        await activeInstance(A.client, { Name: 'free-1' }),
        await activeInstance(A.client, { Name: 'free-2', HaType: 'warm_backup' }),
        await activeInstance(A.client, { Name: 'free-3' }),
      ];
      await createInstance(A.client, { Name: 'init-only' }); // not activated
      const withDevice = await createInstance(A.client, { Name: 'has-device' });
      await A.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: withDevice, SerialNumber: freshSn() });
      onCcn = await activeInstance(A.client, { Name: 'on-ccn' });
      await bindCcn(A.client, other, onCcn);
      const onThis = await activeInstance(A.client, { Name: 'on-this-ccn' });
      await bindCcn(A.client, ccn, onThis);
      await activeInstance(A.client, { Name: 'hz-free', region: 'cn-hangzhou' });
      expiring = await activeInstance(A.client, { Name: 'short', Period: '1' });
      await activeInstance(O.client, { Name: 'other-account' });
    });

    it('lists exactly the caller\'s active, unbound instances of the region, with Name and SmartAGUid', async () => {
      // The 1-month instance is bindable while it runs.
      const r = await bindable(A.client, ccn);
      assert.deepEqual([...bindableIds(r)].sort(), [...expected, expiring].sort());
      assert.equal(r.TotalCount, 4);
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      for (const x of r.SmartAccessGateways.SmartAccessGateway) {
        assert.equal(String(x.SmartAGUid), A.accountId);
        assert.match(x.Name, /^(free-\d|short)$/);
      }
      const v3 = await bindable(A.v3, ccn);
      assert.deepEqual([...bindableIds(v3)].sort(), [...bindableIds(r)].sort());
    });

    it('an expired instance (test clock) is not bindable', async () => {
      const a = await attribute(A.client, expiring);
      const clock = await admin.call('GetClock', {});
      await admin.call('SetClock', { Now: String(a.EndTime + 1000) });
      try {
        const r = await bindable(A.client, ccn);
        assert.deepEqual([...bindableIds(r)].sort(), [...expected].sort());
        assert.equal(r.TotalCount, 3);
      } finally {
        await admin.call('SetClock', { Now: String(clock.Now) });
      }
    });

    it('follows binds and unbinds', async () => {
      await bindCcn(A.client, ccn, expected[0]);
      let r = await bindable(A.client, ccn);
      assert.ok(!bindableIds(r).includes(expected[0]), 'a bound instance is still listed');
      assert.equal(r.TotalCount, 3);
      await unbindCcn(A.client, ccn, expected[0]);
      await unbindCcn(A.client, other, onCcn);
      r = await bindable(A.client, ccn);
      assert.deepEqual([...bindableIds(r)].sort(), [...expected, expiring, onCcn].sort());
      await bindCcn(A.client, other, onCcn);
    });

    it('pages and filters by SmartAGId; CrossAccount=true lists nothing without grants', async () => {
      const p1 = await bindable(A.client, ccn, { PageSize: '3', PageNumber: '1' });
      const p2 = await bindable(A.client, ccn, { PageSize: '3', PageNumber: '2' });
      assert.equal(p1.TotalCount, 4);
      assert.equal(p2.TotalCount, 4);
      assert.equal(bindableIds(p1).length, 3);
      assert.equal(bindableIds(p2).length, 1);
      assert.deepEqual([...bindableIds(p1), ...bindableIds(p2)].sort(), [...expected, expiring].sort());
      const one = await bindable(A.v3, ccn, { SmartAGId: expected[1] });
      assert.deepEqual(bindableIds(one), [expected[1]]);
      const bound = await bindable(A.v3, ccn, { SmartAGId: onCcn });
      assert.deepEqual(bindableIds(bound), []);
      const cross = await bindable(A.client, ccn, { CrossAccount: 'true' });
      assert.deepEqual(bindableIds(cross), []);
      assert.equal(cross.TotalCount, 0);
    });

    it('without CcnId is CCN.InvalidId; without RegionId MissingParameter; a bad RegionId InvalidRegionID', async () => {
      await h.expectApiError(
        A.client.call('DescribeBindableSmartAccessGateways', { RegionId: REGION }), CCN_INVALID_ID);
      await h.expectApiError(
        A.v3.call('DescribeBindableSmartAccessGateways', { CcnId: ccn }), MISSING('RegionId'));
      await h.expectApiError(
        A.client.call('DescribeBindableSmartAccessGateways', { RegionId: 'xx-nowhere-9', CcnId: ccn }), INVALID_REGION);
    });

    it('an unknown CCN, or the CCN in the wrong region, is InvalidId.CCN', async () => {
      await h.expectApiError(bindable(A.client, UNKNOWN_CCN), INVALID_ID_CCN);
      await h.expectApiError(bindable(A.client, ccn, {}, 'cn-hangzhou'), INVALID_ID_CCN);
    });
  });

  describe('tenant and region isolation', () => {
    let A;
    let B;
    let ccnA;
    let ccnHz;

    before(async () => {
      A = await h.createAccount(server, 'ccnIsoA');
      B = await h.createAccount(server, 'ccnIsoB');
      ccnA = await createCcn(A.client, { Name: 'a-private', Description: 'owned by A' });
      ccnHz = await createCcn(A.client, { RegionId: 'cn-hangzhou', Name: 'a-hangzhou' });
    });

    it('account B neither lists nor finds A\'s CCN', async () => {
      const all = await B.client.call('DescribeCloudConnectNetworks', { RegionId: REGION, PageSize: '50' });
      assert.ok(!ccns(all).some((c) => c.CcnId === ccnA));
      assert.deepEqual(await describeCcn(B.v3, ccnA), []);
    });

    it('account B cannot modify, delete, bind to or list bindables of A\'s CCN: as for an unknown one', async () => {
      const mine = await activeInstance(B.client, { Name: 'b-instance' });
      await h.expectApiError(
        B.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: ccnA, Name: 'stolen' }), INVALID_ID_CCN);
      await h.expectApiError(B.v3.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccnA }), CCN_GONE);
      await h.expectApiError(bindCcn(B.client, ccnA, mine), INVALID_ID_CCN);
      await h.expectApiError(bindable(B.v3, ccnA), INVALID_ID_CCN);
      await expectCcnOf(B.client, mine, '');
      const c = await oneCcn(A.client, ccnA);
      assert.equal(c.Name, 'a-private');
      assert.equal(c.Description, 'owned by A');
    });

    it('account A cannot bind B\'s instance to its CCN: InvalidId.SMARTAG', async () => {
      const theirs = await activeInstance(B.client, { Name: 'b-target' });
      await h.expectApiError(bindCcn(A.client, ccnA, theirs), INVALID_ID);
      await expectCcnOf(B.client, theirs, '');
    });

    it('a CCN in cn-hangzhou does not exist in cn-shanghai', async () => {
      assert.deepEqual(await describeCcn(A.client, ccnHz, REGION), []);
      assert.equal((await oneCcn(A.client, ccnHz, 'cn-hangzhou')).Name, 'a-hangzhou');
      await h.expectApiError(
        A.client.call('ModifyCloudConnectNetwork', { RegionId: REGION, CcnId: ccnHz, Name: 'moved' }), INVALID_ID_CCN);
      await h.expectApiError(A.v3.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: ccnHz }), CCN_GONE);
      assert.equal((await oneCcn(A.client, ccnHz, 'cn-hangzhou')).Name, 'a-hangzhou');
      const sh = await A.client.call('DescribeCloudConnectNetworks', { RegionId: REGION });
      assert.deepEqual(ccns(sh).map((c) => c.CcnId), [ccnA]);
    });
  });
});
