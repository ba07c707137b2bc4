'use strict';
// SAG instance lifecycle through the official SDKs: Create, Describe (list and attribute),
// Modify, Delete; region and tenant isolation; RAM policies.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');

const MISSING = (name) =>
  `The input parameter "${name}" that is mandatory for processing this request is not supplied.`;
const INVALID = (name) => ({
  status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.`,
});
const INVALID_ID = {
  status: 403, code: 'InvalidId.SMARTAG',
  message: 'The specified smart access gateway instance id is invalid.',
};
const NO_FOUND = {
  status: 400, code: 'SAG.InstanceNoFound', message: 'The specified SAG instance does not exist.',
};
const SMARTAG_MISSING = {
  status: 403, code: 'MissingParameter', message: 'The input parameter is missing, please check your input.',
};
const FORBIDDEN = {
  status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.',
};
const UNKNOWN_ID = 'sag-0000000000unknown00';

const REQUIRED_CREATE = [
  'RegionId', 'ChargeType', 'HaType', 'HardWareSpec', 'Period', 'AutoPay', 'BuyerMessage',
  'ReceiverAddress', 'ReceiverCity', 'ReceiverCountry', 'ReceiverDistrict', 'ReceiverEmail',
  'ReceiverMobile', 'ReceiverName', 'ReceiverState', 'ReceiverTown', 'ReceiverZip',
];

async function create(client, overrides = {}) {
  const r = await client.call('CreateSmartAccessGateway', h.createParams(overrides));
  assert.match(r.SmartAGId, /^sag-[a-z0-9]+$/);
  return r.SmartAGId;
}

function items(body) {
  return body.SmartAccessGateways.SmartAccessGateway;
}

function ids(body) {
  return items(body).map((x) => x.SmartAGId);
}

async function attribute(client, id, region = 'cn-shanghai') {
  return client.call('DescribeSmartAccessGatewayAttribute', { RegionId: region, SmartAGId: id });
}

// The calendar month arithmetic the server documents (day clamped to the end of a shorter month).
function addMonths(ms, months) {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(),
    d.getUTCSeconds(), d.getUTCMilliseconds());
}

describe('instances', () => {
  let server;
  let A; // the main tenant
  let B; // another tenant

  before(async () => {
    server = await h.startSagd({});
    A = await h.createAccount(server, 'tenantA');
    B = await h.createAccount(server, 'tenantB');
  });

  after(async () => {
    await h.stopAll();
  });

  describe('CreateSmartAccessGateway', () => {
    it('creates an instance (pop-core) that then describes as ordered', async () => {
      const before = Date.now();
      const r = await A.client.call('CreateSmartAccessGateway', h.createParams({
        Name: 'branch-01', Description: 'Shanghai branch', MaxBandWidth: '20',
      }));
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      assert.match(r.SmartAGId, /^sag-[a-z0-9]+$/);
      assert.match(String(r.OrderId), /^[1-9][0-9]{14}$/);
      assert.equal(r.Name, 'branch-01');
      assert.equal(r.Description, 'Shanghai branch');
      assert.match(r.ResourceGroupId, /^rg-[a-z0-9]+$/);

      const a = await attribute(A.client, r.SmartAGId);
      assert.equal(a.SmartAGId, r.SmartAGId);
      assert.equal(a.Name, 'branch-01');
      assert.equal(a.Description, 'Shanghai branch');
      assert.equal(a.Status, 'Init');
      assert.equal(a.InstanceType, 'sag-100wm');
      assert.equal(a.MaxBandwidth, '20');
      assert.equal(a.ResourceGroupId, r.ResourceGroupId);
      assert.ok(a.CreateTime >= before - 2000 && a.CreateTime <= Date.now() + 2000, `CreateTime ${a.CreateTime}`);
      assert.equal(a.EndTime, addMonths(a.CreateTime, 12), 'EndTime = CreateTime + Period months');
    });

    it('creates a sag-1000 warm_backup instance over V3 with the maximum bandwidth', async () => {
      const r = await A.v3.call('CreateSmartAccessGateway', h.createParams({
        HardWareSpec: 'sag-1000', HaType: 'warm_backup', MaxBandWidth: '500', Period: '24', AlreadyHaveSag: 'false',
      }));
      assert.match(r.SmartAGId, /^sag-[a-z0-9]+$/);
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      const a = await attribute(A.v3, r.SmartAGId);
      assert.equal(a.InstanceType, 'sag-1000');
      assert.equal(a.MaxBandwidth, '500');
      assert.equal(a.EndTime, addMonths(a.CreateTime, 24));
    });

    it('MaxBandWidth defaults to the minimum of the model', async () => {
      const id = await create(A.client, { HardWareSpec: 'sag-vcpe', HaType: 'warm_backup' });
      const a = await attribute(A.client, id);
      assert.equal(a.InstanceType, 'sag-vcpe');
      assert.equal(a.MaxBandwidth, '10');
    });

    for (const name of REQUIRED_CREATE) {
      it(`without ${name} is MissingParameter "${name}"`, async () => {
        await h.expectApiError(
          A.client.call('CreateSmartAccessGateway', h.createParams({ [name]: undefined })),
          { status: 400, code: 'MissingParameter', message: MISSING(name) });
      });
    }

    it('a missing parameter over V3 gives the same error', async () => {
      await h.expectApiError(
        A.v3.call('CreateSmartAccessGateway', h.createParams({ HardWareSpec: undefined })),
        { status: 400, code: 'MissingParameter', message: MISSING('HardWareSpec') });
    });

    const invalid = [
      ['HaType', 'hot_backup'],
      ['HaType', 'NO_BACKUP'],
      ['HardWareSpec', 'sag-9999'],
      ['ChargeType', 'POSTPAY'],
      ['Period', '10'],
      ['Period', '0'],
      ['Period', '13'],
      ['Period', '48'],
      ['Period', 'twelve'],
      ['MaxBandWidth', '51'],
      ['MaxBandWidth', '1'],
      ['MaxBandWidth', 'fast'],
      ['AutoPay', 'maybe'],
      ['CPEVersion', 'premium'],
    ];
    for (const [param, value] of invalid) {
      it(`${param}=${value} is InvalidParameter "${param}"`, async () => {
        await h.expectApiError(
          A.client.call('CreateSmartAccessGateway', h.createParams({ [param]: value })),
          INVALID(param));
      });
    }

    it('MaxBandWidth is checked against the chosen model (sag-1000: 10-500) over V3', async () => {
      await h.expectApiError(
        A.v3.call('CreateSmartAccessGateway', h.createParams({ HardWareSpec: 'sag-1000', MaxBandWidth: '9' })),
        INVALID('MaxBandWidth'));
      await h.expectApiError(
        A.v3.call('CreateSmartAccessGateway', h.createParams({ HardWareSpec: 'sag-1000', MaxBandWidth: '501' })),
        INVALID('MaxBandWidth'));
    });

    for (const name of ['1branch', 'a', 'has space', 'x'.repeat(129), 'emoji-😀', '-dash']) {
      it(`Name ${JSON.stringify(name.length > 20 ? name.slice(0, 10) + '…' : name)} is InvalidName`, async () => {
        await h.expectApiError(
          A.client.call('CreateSmartAccessGateway', h.createParams({ Name: name })),
          { status: 400, code: 'InvalidName', message: 'The specified name is invalid.' });
      });
    }

    it('a 128-character name with . _ - is accepted', async () => {
      const name = 'N' + 'a._-9'.repeat(25) + 'xx';
      assert.equal(name.length, 128);
      const id = await create(A.client, { Name: name });
      assert.equal((await attribute(A.client, id)).Name, name);
    });

    it('a URL as Description is InvalidDescription', async () => {
      await h.expectApiError(
        A.client.call('CreateSmartAccessGateway', h.createParams({ Description: 'http://example.com' })),
        { status: 400, code: 'InvalidDescription', message: 'The specified description is invalid.' });
    });

    it('a rejected create leaves no instance behind', async () => {
      const C = await h.createAccount(server, 'tenantCreateFail');
      await h.expectApiError(
        C.client.call('CreateSmartAccessGateway', h.createParams({ Period: '11' })), INVALID('Period'));
      await h.expectApiError(
        C.client.call('CreateSmartAccessGateway', h.createParams({ Name: '9nine' })),
        { status: 400, code: 'InvalidName', message: 'The specified name is invalid.' });
      const l = await C.client.call('DescribeSmartAccessGateways', {});
      assert.equal(l.TotalCount, 0);
      assert.equal(items(l).length, 0);
    });
  });

  describe('DescribeSmartAccessGateways', () => {
    let L; // a tenant with a known set of instances
    let shanghai; // ids in cn-shanghai, in creation order
    let hangzhou;
    let big; // the sag-1000 ones

    before(async () => {
      L = await h.createAccount(server, 'tenantList');
      shanghai = [];
      big = [];
      for (let i = 0; i < 7; i++) {
        const spec = i % 3 === 0 ? 'sag-1000' : 'sag-100wm';
        const id = await create(L.client, { Name: `list-${i}`, HardWareSpec: spec });
        shanghai.push(id);
        if (spec === 'sag-1000') big.push(id);
      }
      hangzhou = [
        await create(L.client, { RegionId: 'cn-hangzhou', Name: 'hz-0' }),
        await create(L.client, { RegionId: 'cn-hangzhou', Name: 'list-0' }),
      ];
    });

    it('lists every instance of the account with an exact TotalCount (no RegionId = all regions)', async () => {
      const r = await L.client.call('DescribeSmartAccessGateways', { PageSize: '50' });
      assert.equal(r.TotalCount, 9);
      assert.deepEqual([...ids(r)].sort(), [...shanghai, ...hangzhou].sort());
      assert.equal(r.PageNumber, 1);
      assert.equal(r.PageSize, 50);
    });

    it('RegionId restricts the list to that region (V3)', async () => {
      const r = await L.v3.call('DescribeSmartAccessGateways', { RegionId: 'cn-shanghai', PageSize: 50 });
      assert.equal(r.TotalCount, 7);
      assert.deepEqual([...ids(r)].sort(), [...shanghai].sort());
      const hz = await L.v3.call('DescribeSmartAccessGateways', { RegionId: 'cn-hangzhou' });
      assert.equal(hz.TotalCount, 2);
      assert.deepEqual([...ids(hz)].sort(), [...hangzhou].sort());
      const sg = await L.v3.call('DescribeSmartAccessGateways', { RegionId: 'ap-southeast-1' });
      assert.equal(sg.TotalCount, 0);
      assert.deepEqual(ids(sg), []);
    });

    it('list items carry the documented fields', async () => {
      const r = await L.client.call('DescribeSmartAccessGateways', { SmartAGId: big[0] });
      const [x] = items(r);
      assert.equal(x.SmartAGId, big[0]);
      assert.equal(x.Name, 'list-0');
      assert.equal(x.Status, 'Init');
      assert.equal(x.HardwareVersion, 'sag-1000');
      assert.equal(x.MaxBandwidth, '10');
      assert.equal(typeof x.CreateTime, 'number');
      assert.equal(typeof x.EndTime, 'number');
      assert.equal(String(x.SmartAGUid), L.accountId);
      assert.ok(Array.isArray(x.Links.Link));
    });

    it('concurrent creates all succeed with distinct ids and an exact TotalCount', async () => {
      const P = await h.createAccount(server, 'tenantParallel');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? P.v3 : P.client).call('CreateSmartAccessGateway', h.createParams({ Name: `par-${i}` }))));
      const created = results.map((r) => r.SmartAGId);
      assert.equal(new Set(created).size, 20);
      const r = await P.client.call('DescribeSmartAccessGateways', { PageSize: '50' });
      assert.equal(r.TotalCount, 20);
      assert.deepEqual([...ids(r)].sort(), [...created].sort());
    });

    it('filters by SmartAGId', async () => {
      const r = await L.client.call('DescribeSmartAccessGateways', { SmartAGId: shanghai[3] });
      assert.equal(r.TotalCount, 1);
      assert.deepEqual(ids(r), [shanghai[3]]);
    });

    it('filters by SmartAGIds.N (pop-core repeat list and V3)', async () => {
      const wanted = [shanghai[1], shanghai[5], hangzhou[0]];
      const r = await L.client.call('DescribeSmartAccessGateways', { SmartAGIds: wanted });
      assert.equal(r.TotalCount, 3);
      assert.deepEqual([...ids(r)].sort(), [...wanted].sort());
      const r3 = await L.v3.call('DescribeSmartAccessGateways', { SmartAGIds: wanted, RegionId: 'cn-shanghai' });
      assert.equal(r3.TotalCount, 2);
      assert.deepEqual([...ids(r3)].sort(), [shanghai[1], shanghai[5]].sort());
    });

    it('filters by Name (exact)', async () => {
      const r = await L.client.call('DescribeSmartAccessGateways', { Name: 'list-0' });
      assert.equal(r.TotalCount, 2);
      assert.deepEqual([...ids(r)].sort(), [shanghai[0], hangzhou[1]].sort());
      const none = await L.client.call('DescribeSmartAccessGateways', { Name: 'list-' });
      assert.equal(none.TotalCount, 0);
    });

    it('filters by Status (case-insensitive)', async () => {
      for (const status of ['Init', 'init']) {
        const r = await L.client.call('DescribeSmartAccessGateways', { Status: status, PageSize: '50' });
        assert.equal(r.TotalCount, 9, `Status=${status}`);
      }
      const active = await L.client.call('DescribeSmartAccessGateways', { Status: 'Active' });
      assert.equal(active.TotalCount, 0);
      assert.deepEqual(ids(active), []);
    });

    it('filters by HardwareType', async () => {
      const r = await L.v3.call('DescribeSmartAccessGateways', { HardwareType: 'sag-1000' });
      assert.equal(r.TotalCount, big.length);
      assert.deepEqual([...ids(r)].sort(), [...big].sort());
      const vcpe = await L.v3.call('DescribeSmartAccessGateways', { HardwareType: 'sag-vcpe' });
      assert.equal(vcpe.TotalCount, 0);
    });

    it('filters by InstanceType', async () => {
      const hw = await L.client.call('DescribeSmartAccessGateways', { InstanceType: 'hardware', PageSize: '50' });
      assert.equal(hw.TotalCount, 9);
      const sw = await L.client.call('DescribeSmartAccessGateways', { InstanceType: 'software' });
      assert.equal(sw.TotalCount, 0);
      await h.expectApiError(
        L.client.call('DescribeSmartAccessGateways', { InstanceType: 'virtual' }), INVALID('InstanceType'));
    });

    it('filters combine', async () => {
      const r = await L.client.call('DescribeSmartAccessGateways', {
        RegionId: 'cn-shanghai', HardwareType: 'sag-100wm', Name: 'list-1',
      });
      assert.deepEqual(ids(r), [shanghai[1]]);
      assert.equal(r.TotalCount, 1);
    });

    it('pages through the list without gaps or repeats; TotalCount is the whole set', async () => {
      const seen = [];
      for (let page = 1; page <= 3; page++) {
        const r = await L.client.call('DescribeSmartAccessGateways', {
          RegionId: 'cn-shanghai', PageSize: '3', PageNumber: String(page),
        });
        assert.equal(r.TotalCount, 7);
        assert.equal(r.PageNumber, page);
        assert.equal(r.PageSize, 3);
        assert.equal(items(r).length, page < 3 ? 3 : 1);
        seen.push(...ids(r));
      }
      assert.equal(new Set(seen).size, 7);
      assert.deepEqual([...seen].sort(), [...shanghai].sort());
    });

    it('PageSize 1 and 50 are accepted; the default page size is 10', async () => {
      const one = await L.client.call('DescribeSmartAccessGateways', { PageSize: '1', PageNumber: '9' });
      assert.equal(items(one).length, 1);
      assert.equal(one.TotalCount, 9);
      const fifty = await L.v3.call('DescribeSmartAccessGateways', { PageSize: 50 });
      assert.equal(items(fifty).length, 9);
      const dflt = await L.client.call('DescribeSmartAccessGateways', {});
      assert.equal(dflt.PageSize, 10);
      assert.equal(dflt.PageNumber, 1);
      assert.equal(items(dflt).length, 9);
    });

    it('a page past the end is empty with the real TotalCount', async () => {
      const r = await L.client.call('DescribeSmartAccessGateways', { PageSize: '5', PageNumber: '3' });
      assert.deepEqual(ids(r), []);
      assert.equal(r.TotalCount, 9);
      assert.equal(r.PageNumber, 3);
      const far = await L.v3.call('DescribeSmartAccessGateways', { PageSize: 50, PageNumber: 1000 });
      assert.deepEqual(ids(far), []);
      assert.equal(far.TotalCount, 9);
    });

    for (const size of ['0', '51', '-1', 'ten']) {
      it(`PageSize ${size} is InvalidParameter "PageSize"`, async () => {
        await h.expectApiError(
          L.client.call('DescribeSmartAccessGateways', { PageSize: size }), INVALID('PageSize'));
      });
    }

    for (const number of ['0', '-2', 'first']) {
      it(`PageNumber ${number} is InvalidParameter "PageNumber"`, async () => {
        await h.expectApiError(
          L.v3.call('DescribeSmartAccessGateways', { PageNumber: number }), INVALID('PageNumber'));
      });
    }
  });

  describe('DescribeSmartAccessGatewayAttribute', () => {
    it('returns the instance with its documented fields (V1 and V3 agree)', async () => {
      const id = await create(A.client, { Name: 'attr-1', Description: 'attr test', HardWareSpec: 'sag-1000', MaxBandWidth: '100' });
      const a = await attribute(A.client, id);
      const b = await attribute(A.v3, id);
      for (const x of [a, b]) {
        assert.equal(x.SmartAGId, id);
        assert.equal(x.Name, 'attr-1');
        assert.equal(x.Description, 'attr test');
        assert.equal(x.Status, 'Init');
        assert.equal(x.InstanceType, 'sag-1000');
        assert.equal(x.MaxBandwidth, '100');
        assert.equal(x.RoutingStrategy, 'static');
        assert.equal(x.SecurityLockThreshold, 0);
        assert.equal(x.SerialNumber, '');
        assert.deepEqual([...x.Devices.Device], []);
        assert.deepEqual([...x.AclIds.AclId], []);
        assert.deepEqual([...x.QosIds.QosId], []);
        assert.deepEqual([...x.Links.Link], []);
        assert.equal(typeof x.CreateTime, 'number');
        assert.ok(x.EndTime > x.CreateTime);
      }
      assert.equal(a.CreateTime, b.CreateTime);
      assert.notEqual(a.RequestId, b.RequestId);
    });

    it('an unknown id is 403 InvalidId.SMARTAG (V1 and V3)', async () => {
      await h.expectApiError(attribute(A.client, UNKNOWN_ID), INVALID_ID);
      await h.expectApiError(attribute(A.v3, 'sag-nope'), INVALID_ID);
      await h.expectApiError(attribute(A.v3, 'not-an-id'), INVALID_ID);
    });
  });

  describe('ModifySmartAccessGateway', () => {
    let id;

    before(async () => {
      id = await create(A.client, { Name: 'mod-orig', Description: 'before change' });
    });

    it('Name, Description, Position and SecurityLockThreshold changes show in the next describe (V1)', async () => {
      const r = await A.client.call('ModifySmartAccessGateway', {
        RegionId: 'cn-shanghai', SmartAGId: id, Name: 'mod-new', Description: 'after change',
        Position: 'Hangzhou, Zhejiang', SecurityLockThreshold: '3600',
      });
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      const a = await attribute(A.client, id);
      assert.equal(a.Name, 'mod-new');
      assert.equal(a.Description, 'after change');
      assert.equal(a.Position, 'Hangzhou, Zhejiang');
      assert.equal(a.SecurityLockThreshold, 3600);
      const l = await A.client.call('DescribeSmartAccessGateways', { SmartAGId: id });
      assert.equal(items(l)[0].Name, 'mod-new');
      assert.equal(items(l)[0].SecurityLockThreshold, 3600);
    });

    it('changes over V3 show too, and untouched fields keep their values', async () => {
      await A.v3.call('ModifySmartAccessGateway', {
        RegionId: 'cn-shanghai', SmartAGId: id, SecurityLockThreshold: 0, Name: 'mod-v3',
      });
      const a = await attribute(A.v3, id);
      assert.equal(a.Name, 'mod-v3');
      assert.equal(a.SecurityLockThreshold, 0);
      assert.equal(a.Description, 'after change');
      assert.equal(a.Position, 'Hangzhou, Zhejiang');
    });

    it('without SmartAGId is 400 SAG.InstanceIdEmpty', async () => {
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', Name: 'x-name' }),
        { status: 400, code: 'SAG.InstanceIdEmpty', message: 'You must specify the SAG instance ID.' });
    });

    it('without RegionId is smartag\'s own 403 MissingParameter', async () => {
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', { SmartAGId: id, Name: 'x-name' }), SMARTAG_MISSING);
      await h.expectApiError(
        A.v3.call('ModifySmartAccessGateway', { SmartAGId: id, Name: 'x-name' }), SMARTAG_MISSING);
    });

    for (const bad of ['SAG-UPPERCASE', 'foo', 'sag-', 'sag-has_underscore']) {
      it(`a malformed id (${bad}) is InvalidId.SMARTAG`, async () => {
        await h.expectApiError(
          A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: bad, Name: 'x-name' }),
          INVALID_ID);
      });
    }

    it('an unknown well-formed id is SAG.InstanceNoFound', async () => {
      await h.expectApiError(
        A.v3.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: UNKNOWN_ID, Name: 'x-name' }),
        NO_FOUND);
    });

    it('CidrBlock or RoutingStrategy on an instance that is not activated is 500 SmartAccessGatewayNotActivated', async () => {
      const expected = {
        status: 500, code: 'SmartAccessGatewayNotActivated',
        message: 'The specified Smart Access Gateway has not been activated.',
      };
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, CidrBlock: '172.16.0.0/24' }),
        expected);
      await h.expectApiError(
        A.v3.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, RoutingStrategy: 'dynamic' }),
        expected);
      const a = await attribute(A.client, id);
      assert.equal(a.CidrBlock, '');
      assert.equal(a.RoutingStrategy, 'static');
    });

    for (const cidr of ['10.0.0.1/24', '300.0.0.0/8', '10.0.0.0/33', 'ten-dot-zero', '10.0.0.0']) {
      it(`CidrBlock ${cidr} is 403 InvalidCidr`, async () => {
        await h.expectApiError(
          A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, CidrBlock: cidr }),
          { status: 403, code: 'InvalidCidr', message: 'Cidr is illegal, please check your input.' });
      });
    }

    it('overlapping CIDR blocks are 403 CidrConflict', async () => {
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', {
          RegionId: 'cn-shanghai', SmartAGId: id, CidrBlock: '10.0.0.0/16,10.0.1.0/24',
        }),
        { status: 403, code: 'CidrConflict', message: 'Cidr is conflict, Please Check your input.' });
    });

    it('EnableSoftwareConnectionAudit on a hardware instance is 403 FeatureNotSupport', async () => {
      await h.expectApiError(
        A.v3.call('ModifySmartAccessGateway', {
          RegionId: 'cn-shanghai', SmartAGId: id, EnableSoftwareConnectionAudit: true,
        }),
        {
          status: 403, code: 'FeatureNotSupport',
          message: 'The current edition of the smart access gateway does not support this feature.',
        });
      assert.equal((await attribute(A.client, id)).EnableSoftwareConnectionAudit, false);
    });

    it('invalid values are rejected and nothing changes', async () => {
      const beforeChange = await attribute(A.client, id);
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Name: '1bad' }),
        { status: 400, code: 'InvalidName', message: 'The specified name is invalid.' });
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', {
          RegionId: 'cn-shanghai', SmartAGId: id, Name: 'good-name', Description: 'https://x.example',
        }),
        { status: 400, code: 'InvalidDescription', message: 'The specified description is invalid.' });
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', {
          RegionId: 'cn-shanghai', SmartAGId: id, Name: 'good-name', SecurityLockThreshold: '-1',
        }),
        INVALID('SecurityLockThreshold'));
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, RoutingStrategy: 'bgp' }),
        { status: 400, code: 'SAG.InvalidRoutingStrategy', message: 'The specified routing strategy is invalid.' });
      const afterChange = await attribute(A.client, id);
      assert.equal(afterChange.Name, beforeChange.Name);
      assert.equal(afterChange.Description, beforeChange.Description);
      assert.equal(afterChange.SecurityLockThreshold, beforeChange.SecurityLockThreshold);
    });
  });

  describe('DeleteSmartAccessGateway', () => {
    it('deletes an instance (pop-core); it is gone from describe and list', async () => {
      const id = await create(A.client, { Name: 'del-1' });
      const r = await A.client.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai', InstanceId: id });
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      await h.expectApiError(attribute(A.client, id), INVALID_ID);
      const l = await A.client.call('DescribeSmartAccessGateways', { SmartAGId: id });
      assert.equal(l.TotalCount, 0);
      assert.deepEqual(ids(l), []);
      await h.expectApiError(
        A.client.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai', InstanceId: id }), INVALID_ID);
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Name: 'zombie' }),
        NO_FOUND);
    });

    it('deletes over V3 without RegionId', async () => {
      const id = await create(A.v3, { Name: 'del-2', RegionId: 'cn-hongkong' });
      await A.v3.call('DeleteSmartAccessGateway', { InstanceId: id });
      await h.expectApiError(attribute(A.v3, id, 'cn-hongkong'), INVALID_ID);
    });

    it('deleting one instance leaves the others', async () => {
      const keep = await create(A.client, { Name: 'keep-me' });
      const drop = await create(A.client, { Name: 'drop-me' });
      await A.v3.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai', InstanceId: drop });
      assert.equal((await attribute(A.client, keep)).Name, 'keep-me');
    });

    it('without InstanceId is smartag\'s own 403 MissingParameter', async () => {
      await h.expectApiError(
        A.client.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai' }), SMARTAG_MISSING);
      await h.expectApiError(
        A.v3.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai', InstanceId: '' }), SMARTAG_MISSING);
    });

    it('an unknown id is 403 InvalidId.SMARTAG', async () => {
      await h.expectApiError(
        A.v3.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai', InstanceId: UNKNOWN_ID }), INVALID_ID);
    });
  });

  describe('region isolation', () => {
    let id;

    before(async () => {
      id = await create(A.client, { Name: 'sh-only', RegionId: 'cn-shanghai' });
    });

    it('an instance in cn-shanghai does not exist in cn-hangzhou', async () => {
      await h.expectApiError(attribute(A.client, id, 'cn-hangzhou'), INVALID_ID);
      await h.expectApiError(attribute(A.v3, id, 'cn-hangzhou'), INVALID_ID);
      const l = await A.client.call('DescribeSmartAccessGateways', { RegionId: 'cn-hangzhou', PageSize: '50' });
      assert.ok(!ids(l).includes(id), 'listed in the wrong region');
      const byId = await A.v3.call('DescribeSmartAccessGateways', { RegionId: 'cn-hangzhou', SmartAGId: id });
      assert.equal(byId.TotalCount, 0);
    });

    it('it cannot be modified or deleted through cn-hangzhou', async () => {
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', { RegionId: 'cn-hangzhou', SmartAGId: id, Name: 'hijack' }),
        NO_FOUND);
      await h.expectApiError(
        A.client.call('DeleteSmartAccessGateway', { RegionId: 'cn-hangzhou', InstanceId: id }), INVALID_ID);
      const a = await attribute(A.client, id, 'cn-shanghai');
      assert.equal(a.Name, 'sh-only');
    });
  });

  describe('tenant isolation', () => {
    let id;

    before(async () => {
      id = await create(A.client, { Name: 'a-private', Description: 'owned by A' });
    });

    it('account B cannot see A\'s instance: same error as an unknown id', async () => {
      const foreign = await h.expectApiError(attribute(B.client, id), INVALID_ID);
      const unknown = await h.expectApiError(attribute(B.client, UNKNOWN_ID), INVALID_ID);
      assert.equal(foreign.Message, unknown.Message);
      await h.expectApiError(attribute(B.v3, id), INVALID_ID);
    });

    it('account B does not list A\'s instance', async () => {
      const all = await B.client.call('DescribeSmartAccessGateways', { PageSize: '50' });
      assert.ok(!ids(all).includes(id));
      const byId = await B.v3.call('DescribeSmartAccessGateways', { SmartAGId: id });
      assert.equal(byId.TotalCount, 0);
      assert.deepEqual(ids(byId), []);
      const byIds = await B.client.call('DescribeSmartAccessGateways', { SmartAGIds: [id] });
      assert.equal(byIds.TotalCount, 0);
    });

    it('account B cannot modify A\'s instance: same error as an unknown id', async () => {
      await h.expectApiError(
        B.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Name: 'stolen' }),
        NO_FOUND);
      await h.expectApiError(
        B.v3.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Description: 'defaced' }),
        NO_FOUND);
      await h.expectApiError(
        B.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: UNKNOWN_ID, Name: 'stolen' }),
        NO_FOUND);
    });

    it('account B cannot delete A\'s instance: same error as an unknown id', async () => {
      await h.expectApiError(
        B.client.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai', InstanceId: id }), INVALID_ID);
      await h.expectApiError(B.v3.call('DeleteSmartAccessGateway', { InstanceId: id }), INVALID_ID);
      await h.expectApiError(B.v3.call('DeleteSmartAccessGateway', { InstanceId: UNKNOWN_ID }), INVALID_ID);
    });

    it('A\'s instance is untouched by B\'s attempts', async () => {
      const a = await attribute(A.client, id);
      assert.equal(a.Name, 'a-private');
      assert.equal(a.Description, 'owned by A');
    });
  });

  describe('RAM policies', () => {
    let X;
    let Y;

    async function ramUser(userName, policies) {
      await A.admin.call('CreateUser', { UserName: userName });
      for (const [i, doc] of policies.entries()) {
        const policyName = `${userName}-p${i}`;
        await A.admin.call('CreatePolicy', { PolicyName: policyName, PolicyDocument: JSON.stringify(doc) });
        await A.admin.call('AttachPolicyToUser', { PolicyName: policyName, UserName: userName });
      }
      const k = await A.admin.call('CreateAccessKey', { UserName: userName });
      const key = { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret };
      return { v1: h.v1Client(server.endpoint, key), v3: h.v3Client(server.endpoint, key) };
    }

    const arn = (instance) => `acs:smartag:*:${A.accountId}:smartag/${instance}`;

    before(async () => {
      X = await create(A.client, { Name: 'ram-x' });
      Y = await create(A.client, { Name: 'ram-y' });
    });

    it('an Allow on instance X\'s ARN permits describing X and nothing else', async () => {
      const alice = await ramUser('alice', [{
        Version: '1',
        Statement: [{
          Effect: 'Allow', Action: 'smartag:DescribeSmartAccessGatewayAttribute', Resource: arn(X),
        }],
      }]);
      assert.equal((await attribute(alice.v1, X)).Name, 'ram-x');
      assert.equal((await attribute(alice.v3, X)).Name, 'ram-x');
      await h.expectApiError(attribute(alice.v1, Y), FORBIDDEN);
      await h.expectApiError(attribute(alice.v3, Y), FORBIDDEN);
      await h.expectApiError(
        alice.v1.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: X, Name: 'alice-was-here' }),
        FORBIDDEN);
      await h.expectApiError(alice.v3.call('DescribeSmartAccessGateways', {}), FORBIDDEN);
      await h.expectApiError(
        alice.v1.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai', InstanceId: X }), FORBIDDEN);
      assert.equal((await attribute(A.client, X)).Name, 'ram-x');
    });

    it('an explicit Deny on X overrides an Allow on *', async () => {
      const bob = await ramUser('bob', [
        { Version: '1', Statement: [{ Effect: 'Allow', Action: 'smartag:*', Resource: '*' }] },
        {
          Version: '1',
          Statement: [{ Effect: 'Deny', Action: 'smartag:DescribeSmartAccessGatewayAttribute', Resource: arn(X) }],
        },
      ]);
      await h.expectApiError(attribute(bob.v1, X), FORBIDDEN);
      await h.expectApiError(attribute(bob.v3, X), FORBIDDEN);
      assert.equal((await attribute(bob.v1, Y)).Name, 'ram-y');
      // The Allow on * still covers other actions on X.
      await bob.v3.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: X, Description: 'set by bob' });
      assert.equal((await attribute(A.client, X)).Description, 'set by bob');
      const l = await bob.v1.call('DescribeSmartAccessGateways', { SmartAGIds: [X, Y] });
      assert.equal(l.TotalCount, 2);
    });

    it('a user with no policy is Forbidden everywhere', async () => {
      const carol = await ramUser('carol', []);
      await h.expectApiError(attribute(carol.v1, X), FORBIDDEN);
      await h.expectApiError(carol.v3.call('DescribeSmartAccessGateways', {}), FORBIDDEN);
      await h.expectApiError(carol.v1.call('DescribeRegions', {}), FORBIDDEN);
      await h.expectApiError(
        carol.v3.call('CreateSmartAccessGateway', h.createParams({ Name: 'carol-sag' })), FORBIDDEN);
      await h.expectApiError(
        carol.v1.call('DeleteSmartAccessGateway', { RegionId: 'cn-shanghai', InstanceId: Y }), FORBIDDEN);
      const l = await A.client.call('DescribeSmartAccessGateways', { Name: 'carol-sag' });
      assert.equal(l.TotalCount, 0);
    });

    it('a policy naming another account\'s ARN grants nothing in this one', async () => {
      const dave = await ramUser('dave', [{
        Version: '1',
        Statement: [{
          Effect: 'Allow', Action: 'smartag:DescribeSmartAccessGatewayAttribute',
          Resource: `acs:smartag:*:${B.accountId}:smartag/${X}`,
        }],
      }]);
      await h.expectApiError(attribute(dave.v1, X), FORBIDDEN);
    });
  });
});

describe('instance expiry (test-mode clock)', () => {
  let server;
  let T;

  before(async () => {
    server = await h.startSagd({ testMode: true });
    T = await h.createAccount(server, 'tenantClock');
  });

  after(async () => {
    await h.stopAll();
  });

  it('past EndTime the instance reads Arrearage and refuses changes with SmartAccessGatewayInArrears', async () => {
    const id = await create(T.client, { Period: '1', Name: 'short-lived' });
    const a = await attribute(T.client, id);
    assert.equal(a.Status, 'Init');
    const admin = h.operatorClient(server);
    await admin.call('SetClock', { Now: String(a.EndTime + 1000) });
    const b = await attribute(T.v3, id);
    assert.equal(b.Status, 'Arrearage');
    await h.expectApiError(
      T.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Name: 'too-late' }),
      { status: 500, code: 'SmartAccessGatewayInArrears', message: 'The specified Smart Access Gateway has expired.' });
    assert.equal((await attribute(T.client, id)).Name, 'short-lived');
  });

  it('the Status filter matches the status the list shows (Arrearage, not Init, once expired)', async () => {
    const U = await h.createAccount(server, 'tenantClock2');
    const admin = h.operatorClient(server);
    const clock = await admin.call('GetClock', {});
    const id = await create(U.client, { Period: '1', Name: 'expiring' });
    const fresh = await create(U.client, { Period: '36', Name: 'long-lived' });
    const a = await attribute(U.client, id);
    await admin.call('SetClock', { Now: String(a.EndTime + 1000) });
    try {
      const init = await U.client.call('DescribeSmartAccessGateways', { Status: 'Init' });
      for (const x of items(init)) assert.equal(x.Status, 'Init', `Status=Init listed ${x.SmartAGId} as ${x.Status}`);
      assert.deepEqual(ids(init), [fresh]);
      assert.equal(init.TotalCount, 1);
      const arrears = await U.v3.call('DescribeSmartAccessGateways', { Status: 'Arrearage' });
      assert.deepEqual(ids(arrears), [id]);
      assert.equal(arrears.TotalCount, 1);
    } finally {
      await admin.call('SetClock', { Now: String(clock.Now) });
    }
  });
});
