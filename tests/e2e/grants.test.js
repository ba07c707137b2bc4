'use strict';
// Cross-account grants through the official SDKs: Terraform's alicloud_cloud_connect_network_grant
// chain (GrantInstanceToCbn → DescribeGrantRules first page → RevokeInstanceFromCbn → poll until
// gone, with the "already revoked" code), the alicloud_cloud_connect_network drift case (IsDefault
// stored and returned), and a SAG instance granted to another account's CCN and bound there with
// SmartAGUid (GrantSagInstanceToCcn, DescribeGrantSagRules, Bind/UnbindSmartAccessGateway,
// RevokeSagInstanceFromCcn), with every documented error code.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');

const REGION = 'cn-shanghai';

const SMARTAG_MISSING = {
  status: 403, code: 'MissingParameter', message: 'The input parameter is missing, please check your input.',
};
const INVALID = (name) => ({
  status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.`,
});
const INVALID_ID_CCN = { status: 403, code: 'InvalidId.CCN', message: 'Invalid cloud connect network id.' };
const INVALID_ID = {
  status: 403, code: 'InvalidId.SMARTAG', message: 'The specified smart access gateway instance id is invalid.',
};
const GONE = { status: 400, code: 'InvalidInstanceId.NotFound', message: 'The specified instance or grant does not exist.' };
const CCN_INVALID_UID = { status: 400, code: 'CCN.InvalidUid', message: 'The specified CCN user ID is invalid.' };
const CCN_INVALID_ID = { status: 400, code: 'CCN.InvalidId', message: 'You must specify the CCN instance ID.' };
const SAG_ID_EMPTY = { status: 400, code: 'SAG.InstanceIdEmpty', message: 'You must specify the SAG instance ID.' };
const SAG_NO_FOUND = { status: 400, code: 'SAG.InstanceNoFound', message: 'The specified SAG instance does not exist.' };
const GRANT_DUPLICATED = {
  status: 400, code: 'SAG.GrantDuplicated',
  message: 'You have authorized another CCN instance to bind to the specified SAG instance. Revoke the authorization first.',
};
const UNKNOWN_SAG = 'sag-0000000000unknown00';

async function createCcn(client, params = {}) {
  const r = await client.call('CreateCloudConnectNetwork', { RegionId: REGION, ...params });
  assert.match(r.CcnId, /^ccn-[a-z0-9]+$/);
  return r.CcnId;
}

async function oneCcn(client, id) {
  const r = await client.call('DescribeCloudConnectNetworks', { RegionId: REGION, CcnId: id });
  const list = r.CloudConnectNetworks.CloudConnectNetwork;
  assert.equal(list.length, 1);
  return list[0];
}

async function activeInstance(client, overrides = {}) {
  const r = await client.call('CreateSmartAccessGateway', h.createParams({ RegionId: REGION, ...overrides }));
  const id = r.SmartAGId;
  await client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: `GR-${h.randomAlnum(12)}` });
  await client.call('ActivateSmartAccessGateway', { RegionId: REGION, SmartAGId: id });
  return id;
}

async function ccnOf(client, id) {
  const a = await client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
  return a.AssociatedCcnId;
}

// Terraform's read of a CCN grant: DescribeGrantRules {RegionId, AssociatedCcnId}, first page,
// the item whose CcnInstanceId and CenInstanceId both match.
async function terraformReadGrant(client, ccn, cen) {
  const r = await client.call('DescribeGrantRules', { RegionId: REGION, AssociatedCcnId: ccn });
  return r.GrantRules.GrantRule.find((g) => g.CcnInstanceId === ccn && g.CenInstanceId === cen);
}

describe('grants', () => {
  let server;
  let A;
  let B;

  before(async () => {
    server = await h.startSagd({ testMode: true });
    A = await h.createAccount(server, 'grantOwner');
    B = await h.createAccount(server, 'grantPeer');
  });

  after(async () => {
    await h.stopAll();
  });

  describe('alicloud_cloud_connect_network (drift)', () => {
    it('IsDefault is stored and returned as sent, so a plan after apply is empty', async () => {
      const yes = await createCcn(A.client, { Name: 'tf-default', IsDefault: 'true' });
      const no = await createCcn(A.client, { Name: 'tf-plain', IsDefault: 'false' });
      const unset = await createCcn(A.v3, { Name: 'tf-unset' });
      assert.equal((await oneCcn(A.client, yes)).IsDefault, true);
      assert.equal((await oneCcn(A.client, no)).IsDefault, false);
      assert.equal((await oneCcn(A.v3, unset)).IsDefault, false);
      await h.expectApiError(
        A.client.call('CreateCloudConnectNetwork', { RegionId: REGION, IsDefault: 'maybe' }), INVALID('IsDefault'));
    });
  });

  describe('alicloud_cloud_connect_network_grant (CCN -> CEN)', () => {
    let ccn;
    const cen = 'cen-7qthudw0ll6jm00001';

    before(async () => {
      ccn = await createCcn(A.client, { Name: 'granted-ccn' });
    });

    it('create, read (first page, pair match, CenUid a JSON number), delete, poll, and a repeated delete is already gone', async () => {
      const r = await A.client.call('GrantInstanceToCbn', {
        RegionId: REGION, CcnInstanceId: ccn, CenInstanceId: cen, CenUid: B.accountId,
      });
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      const g = await terraformReadGrant(A.client, ccn, cen);
      assert.ok(g, 'the grant is on the first page');
      assert.notEqual(typeof g.CenUid, 'string');  // a JSON number (the SDK reads 16 digits as a big number)
      assert.equal(String(g.CenUid), B.accountId);
      assert.equal(String(g.CcnUid), A.accountId);
      assert.equal(g.GrantTrafficService, false);
      assert.equal(g.RegionId, REGION);
      assert.match(g.GrantRuleId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(typeof g.GmtCreate, 'number');

      // Granting again updates GrantTrafficService in place.
      await A.v3.call('GrantInstanceToCbn', {
        RegionId: REGION, CcnInstanceId: ccn, CenInstanceId: cen, CenUid: B.accountId, GrantTrafficService: 'true',
      });
      const all = await A.client.call('DescribeGrantRules', { RegionId: REGION });
      assert.equal(all.TotalCount, 1);
      assert.equal(all.PageNumber, 1);
      assert.equal(all.PageSize, 10);
      assert.equal(all.GrantRules.GrantRule[0].GrantRuleId, g.GrantRuleId);
      assert.equal(all.GrantRules.GrantRule[0].GrantTrafficService, true);

      // The other account sees none of it.
      const theirs = await B.client.call('DescribeGrantRules', { RegionId: REGION, AssociatedCcnId: ccn });
      assert.deepEqual(theirs.GrantRules.GrantRule, []);

      await A.client.call('RevokeInstanceFromCbn', { RegionId: REGION, CcnInstanceId: ccn, CenInstanceId: cen });
      await h.poll(async () => (await terraformReadGrant(A.client, ccn, cen)) === undefined);
      await h.expectApiError(
        A.client.call('RevokeInstanceFromCbn', { RegionId: REGION, CcnInstanceId: ccn, CenInstanceId: cen }), GONE);
      await h.expectApiError(
        B.v3.call('RevokeInstanceFromCbn', { RegionId: REGION, CcnInstanceId: ccn, CenInstanceId: cen }), GONE);
    });

    it('documented and chosen errors: missing parameters, an unknown or foreign CCN, a CenUid that is no UID', async () => {
      const base = { RegionId: REGION, CcnInstanceId: ccn, CenInstanceId: cen, CenUid: B.accountId };
      for (const name of ['CcnInstanceId', 'CenInstanceId', 'CenUid', 'RegionId']) {
        const params = { ...base };
        delete params[name];
        await h.expectApiError(A.client.call('GrantInstanceToCbn', params), SMARTAG_MISSING);
      }
      await h.expectApiError(A.client.call('GrantInstanceToCbn', { ...base, CenUid: '12ab' }), INVALID('CenUid'));
      await h.expectApiError(
        A.client.call('GrantInstanceToCbn', { ...base, GrantTrafficService: 'yes' }), INVALID('GrantTrafficService'));
      await h.expectApiError(
        A.client.call('GrantInstanceToCbn', { ...base, CcnInstanceId: 'ccn-0000000000unknown00' }), INVALID_ID_CCN);
      await h.expectApiError(B.client.call('GrantInstanceToCbn', base), INVALID_ID_CCN);
      await h.expectApiError(
        A.client.call('RevokeInstanceFromCbn', { RegionId: REGION, CcnInstanceId: ccn }), SMARTAG_MISSING);
      await h.expectApiError(A.client.call('DescribeGrantRules', {}), SMARTAG_MISSING);
      const unknown = await A.client.call('DescribeGrantRules', { RegionId: REGION, AssociatedCcnId: 'ccn-none' });
      assert.deepEqual(unknown.GrantRules.GrantRule, []);
      assert.equal(unknown.TotalCount, 0);
      await h.expectApiError(A.client.call('DescribeGrantRules', { RegionId: REGION, PageSize: '51' }), INVALID('PageSize'));
      assert.equal(await terraformReadGrant(A.client, ccn, cen), undefined);
    });

    it('a CCN with grants can be deleted; its grants go with it', async () => {
      const doomed = await createCcn(A.client, { Name: 'doomed' });
      await A.client.call('GrantInstanceToCbn', {
        RegionId: REGION, CcnInstanceId: doomed, CenInstanceId: cen, CenUid: B.accountId,
      });
      await A.client.call('DeleteCloudConnectNetwork', { RegionId: REGION, CcnId: doomed });
      assert.equal(await terraformReadGrant(A.client, doomed, cen), undefined);
    });
  });

  describe('Devices.Device[] casing', () => {
    it('HaState is Active / Standby, HcState online / offline, DistributeSkStatus a number', async () => {
      const r = await A.client.call('CreateSmartAccessGateway', h.createParams({ HaType: 'warm_backup' }));
      const id = r.SmartAGId;
      for (let i = 0; i < 2; i += 1) {
        await A.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: `HA-${h.randomAlnum(12)}` });
      }
      const a = await A.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
      const devices = a.Devices.Device;
      assert.deepEqual(devices.map((d) => d.HaState), ['Active', 'Standby']);
      assert.deepEqual(devices.map((d) => d.HcState), ['offline', 'offline']);  // never connected
      assert.deepEqual(devices.map((d) => d.DistributeSkStatus), [0, 0]);
    });
  });

  describe('SAG -> CCN of another account', () => {
    let sag;
    let ccnB;

    before(async () => {
      sag = await activeInstance(A.client, { Name: 'shared-sag' });
      ccnB = await createCcn(B.client, { Name: 'peer-ccn' });
    });

    it('grant, list, bind there with SmartAGUid, unbind, rebind, revoke (which unbinds)', async () => {
      // Without a grant B cannot bind A's instance.
      await h.expectApiError(B.client.call('BindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag, SmartAGUid: A.accountId,
      }), INVALID_ID);

      const g = await A.client.call('GrantSagInstanceToCcn', {
        RegionId: REGION, SmartAGId: sag, CcnInstanceId: ccnB, CcnUid: B.accountId,
      });
      assert.match(g.InstanceId, /^sgc-[a-z0-9]+$/);
      const again = await A.v3.call('GrantSagInstanceToCcn', {
        RegionId: REGION, SmartAGId: sag, CcnInstanceId: ccnB, CcnUid: B.accountId,
      });
      assert.equal(again.InstanceId, g.InstanceId);
      const rules = await A.client.call('DescribeGrantSagRules', { RegionId: REGION, SmartAGId: sag });
      assert.equal(rules.TotalCount, 1);
      const rule = rules.GrantRules.GrantRule[0];
      assert.equal(rule.InstanceId, g.InstanceId);
      assert.equal(rule.SmartAGId, sag);
      assert.equal(rule.CcnInstanceId, ccnB);
      assert.notEqual(typeof rule.CcnUid, 'string');  // a JSON number (the SDK reads 16 digits as a big number)
      assert.equal(String(rule.CcnUid), B.accountId);
      assert.equal(rule.GrantTrafficService, false);
      const hidden = await B.client.call('DescribeGrantSagRules', { RegionId: REGION, SmartAGId: sag });
      assert.deepEqual(hidden.GrantRules.GrantRule, []);

      // B finds it among the cross-account bindables of its CCN (with A's UID), not among its own.
      const cross = await B.client.call('DescribeBindableSmartAccessGateways', {
        RegionId: REGION, CcnId: ccnB, CrossAccount: 'true',
      });
      assert.equal(cross.TotalCount, 1);
      const item = cross.SmartAccessGateways.SmartAccessGateway[0];
      assert.equal(item.SmartAGId, sag);
      assert.equal(item.Name, 'shared-sag');
      assert.notEqual(typeof item.SmartAGUid, 'string');  // a JSON number (the SDK reads 16 digits as a big number)
      assert.equal(String(item.SmartAGUid), A.accountId);
      const own = await B.v3.call('DescribeBindableSmartAccessGateways', { RegionId: REGION, CcnId: ccnB });
      assert.equal(own.TotalCount, 0);

      // Granted to B's CCN only: B binding it to another CCN of its own is refused.
      const otherB = await createCcn(B.client, { Name: 'peer-other' });
      await h.expectApiError(B.client.call('BindSmartAccessGateway', {
        RegionId: REGION, CcnId: otherB, SmartAGId: sag, SmartAGUid: A.accountId,
      }), INVALID_ID);
      // Without SmartAGUid the instance is looked up in B's account.
      await h.expectApiError(B.client.call('BindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag,
      }), INVALID_ID);

      await B.client.call('BindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag, SmartAGUid: A.accountId,
      });
      assert.equal(await ccnOf(A.client, sag), ccnB);
      assert.equal((await oneCcn(B.client, ccnB)).AssociatedCloudBoxCount, '1');
      // Binding it again is accepted (already there).
      await B.v3.call('BindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag, SmartAGUid: A.accountId,
      });

      await B.client.call('UnbindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag, SmartAGUid: A.accountId,
      });
      assert.equal(await ccnOf(A.client, sag), '');
      await h.expectApiError(B.client.call('UnbindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag, SmartAGUid: A.accountId,
      }), GONE);

      await B.client.call('BindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag, SmartAGUid: A.accountId,
      });
      await A.client.call('RevokeSagInstanceFromCcn', { RegionId: REGION, SmartAGId: sag, CcnInstanceId: ccnB });
      assert.equal(await ccnOf(A.client, sag), '');
      assert.equal((await oneCcn(B.client, ccnB)).AssociatedCloudBoxCount, '0');
      await h.expectApiError(
        A.client.call('RevokeSagInstanceFromCcn', { RegionId: REGION, SmartAGId: sag, CcnInstanceId: ccnB }), GONE);
      await h.expectApiError(B.client.call('BindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag, SmartAGUid: A.accountId,
      }), INVALID_ID);
      await h.expectApiError(B.client.call('UnbindSmartAccessGateway', {
        RegionId: REGION, CcnId: ccnB, SmartAGId: sag, SmartAGUid: A.accountId,
      }), GONE);
    });

    it('GrantSagInstanceToCcn: every documented error code', async () => {
      const base = { RegionId: REGION, SmartAGId: sag, CcnInstanceId: ccnB, CcnUid: B.accountId };
      const without = (name) => {
        const p = { ...base };
        delete p[name];
        return p;
      };
      for (const c of [A.client, A.v3]) {
        await h.expectApiError(c.call('GrantSagInstanceToCcn', without('SmartAGId')), SAG_ID_EMPTY);
        await h.expectApiError(c.call('GrantSagInstanceToCcn', without('CcnInstanceId')), CCN_INVALID_ID);
        await h.expectApiError(c.call('GrantSagInstanceToCcn', without('CcnUid')), CCN_INVALID_UID);
        await h.expectApiError(c.call('GrantSagInstanceToCcn', { ...base, CcnUid: 'not-a-uid' }), CCN_INVALID_UID);
        await h.expectApiError(c.call('GrantSagInstanceToCcn', { ...base, SmartAGId: UNKNOWN_SAG }), SAG_NO_FOUND);
      }
      // B cannot grant A's instance.
      await h.expectApiError(B.client.call('GrantSagInstanceToCcn', base), SAG_NO_FOUND);
      await A.client.call('GrantSagInstanceToCcn', base);
      await h.expectApiError(
        A.client.call('GrantSagInstanceToCcn', { ...base, CcnInstanceId: 'ccn-another0000000001' }), GRANT_DUPLICATED);
      await A.client.call('RevokeSagInstanceFromCcn', { RegionId: REGION, SmartAGId: sag, CcnInstanceId: ccnB });
    });

    it('RevokeSagInstanceFromCcn and DescribeGrantSagRules: documented codes', async () => {
      await h.expectApiError(
        A.client.call('RevokeSagInstanceFromCcn', { RegionId: REGION, CcnInstanceId: ccnB }), SAG_ID_EMPTY);
      await h.expectApiError(
        A.v3.call('RevokeSagInstanceFromCcn', { RegionId: REGION, SmartAGId: sag }), CCN_INVALID_ID);
      await h.expectApiError(A.client.call('RevokeSagInstanceFromCcn', {
        RegionId: REGION, SmartAGId: UNKNOWN_SAG, CcnInstanceId: ccnB,
      }), SAG_NO_FOUND);
      await h.expectApiError(A.client.call('DescribeGrantSagRules', { RegionId: REGION }), SAG_ID_EMPTY);
      const none = await A.client.call('DescribeGrantSagRules', { RegionId: REGION, SmartAGId: UNKNOWN_SAG });
      assert.deepEqual(none.GrantRules.GrantRule, []);
      assert.equal(none.TotalCount, 0);
    });
  });
});
