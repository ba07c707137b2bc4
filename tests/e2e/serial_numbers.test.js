'use strict';
// Serial numbers (devices) of SAG instances through the official SDKs: BindSerialNumber and
// UnbindSerialNumber with every documented code, device replacement, activation, the HA view,
// reboot, the operator's device inventory (open and closed registry) and bind races.

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
const INSTANCE_ID_EMPTY = {
  status: 400, code: 'SAG.InstanceIdEmpty', message: 'You must specify the SAG instance ID.',
};
const NO_FOUND = {
  status: 400, code: 'SAG.InstanceNoFound', message: 'The specified SAG instance does not exist.',
};
const SN_OVER_LIMIT = {
  status: 400, code: 'SAG.SnOverLimit',
  message: 'The maximum number of serial numbers bound to the SAG instance is exceeded.',
};
const SN_CONFLICT = {
  status: 400, code: 'SAG.SnConflict',
  message: 'The specified SerialNumber has been bound to another SAG instance.',
};
const INVALID_SN = {
  status: 400, code: 'SAG.InvalidSerialNumber', message: 'The specified SerialNumber is invalid.',
};
const IN_ARREARS = {
  status: 500, code: 'SmartAccessGatewayInArrears', message: 'The specified Smart Access Gateway has expired.',
};
const ACTIVATE_FAILED = {
  status: 500, code: 'SmartAccessGatewayActivateFailed',
  message: 'An error has occurred while activating the specified Smart Access Gateway.',
};
const INVALID_ID = {
  status: 403, code: 'InvalidId.SMARTAG',
  message: 'The specified smart access gateway instance id is invalid.',
};
const NOT_ONLINE = {
  status: 403, code: 'SmartAccessGatewayNotOnline', message: 'The specified smart access gateway is not online.',
};
const INSTANCE_NOT_EXIT = {
  status: 400, code: 'InstanceNotExit', message: 'The specified instance does not exist.',
};
const RESOURCE_IN_OPERATING = {
  status: 400, code: 'ResourceInOperating', message: 'The specified resource is being used. Please try later.',
};
const DEVICE_NOT_EXIST = {
  status: 404, code: 'EntityNotExist', message: 'The specified device does not exist.',
};
const DEVICE_EXISTS = {
  status: 409, code: 'EntityAlreadyExists', message: 'The specified device already exists.',
};
const OPERATOR_ONLY = {
  status: 403, code: 'Forbidden.OperatorOnly', message: 'Only the operator account may call this action.',
};
const UNKNOWN_ID = 'sag-0000000000unknown00';

// A fresh, well-formed serial number.
function freshSn(prefix = 'SN') {
  return `${prefix}-${h.randomAlnum(12)}`;
}

async function create(client, overrides = {}) {
  const r = await client.call('CreateSmartAccessGateway', h.createParams(overrides));
  assert.match(r.SmartAGId, /^sag-[a-z0-9]+$/);
  return r.SmartAGId;
}

function bind(client, id, sn, region = REGION) {
  return client.call('BindSerialNumber', { RegionId: region, SmartAGId: id, SerialNumber: sn });
}

function unbind(client, id, sn, region = REGION) {
  return client.call('UnbindSerialNumber', { RegionId: region, SmartAGId: id, SerialNumber: sn });
}

function activate(client, id, region = REGION) {
  return client.call('ActivateSmartAccessGateway', { RegionId: region, SmartAGId: id });
}

function attribute(client, id, region = REGION) {
  return client.call('DescribeSmartAccessGatewayAttribute', { RegionId: region, SmartAGId: id });
}

function ha(client, id, region = REGION) {
  return client.call('DescribeSmartAccessGatewayHa', { RegionId: region, SmartAGId: id });
}

function items(body) {
  return body.SmartAccessGateways.SmartAccessGateway;
}

async function listItem(client, id) {
  const r = await client.call('DescribeSmartAccessGateways', { SmartAGId: id });
  assert.equal(items(r).length, 1, `DescribeSmartAccessGateways SmartAGId=${id}`);
  return items(r)[0];
}

// Both instance views agree that the instance has exactly these serial numbers, in this order.
async function expectSerialNumbers(client, id, sns) {
  const a = await attribute(client, id);
  assert.equal(a.SerialNumber, sns.join(','), 'Attribute SerialNumber');
  assert.deepEqual(a.Devices.Device.map((d) => d.SerialNumber), sns, 'Attribute Devices.Device[].SerialNumber');
  const l = await listItem(client, id);
  assert.equal(l.SerialNumber, sns.join(','), 'DescribeSmartAccessGateways SerialNumber');
}

// Every device the operator sees, all pages.
async function allDevices(admin) {
  const out = [];
  for (let page = 1; ; page++) {
    const r = await admin.call('ListDevices', { PageSize: '100', PageNumber: String(page) });
    out.push(...r.Devices.Device);
    if (out.length >= r.TotalCount || r.Devices.Device.length === 0) {
      assert.equal(out.length, r.TotalCount, 'ListDevices TotalCount');
      return out;
    }
  }
}

async function device(admin, sn) {
  const found = (await allDevices(admin)).filter((d) => d.SerialNumber === sn);
  assert.ok(found.length <= 1, `${sn} listed ${found.length} times`);
  return found[0];
}

// status and body of a rejected SDK call (pop-core or openapi-client); fails if it succeeded.
async function rejection(promise) {
  try {
    const r = await promise;
    return { ok: true, body: r };
  } catch (e) {
    if (e && e.entry && e.entry.response) return { ok: false, status: e.entry.response.statusCode, body: e.data };
    if (e && e.data && typeof e.data.statusCode === 'number') {
      const { statusCode, ...body } = e.data;
      return { ok: false, status: statusCode, body };
    }
    throw e;
  }
}

describe('serial numbers (open device registry)', () => {
  let server;
  let admin;
  let A;
  let B;

  before(async () => {
    server = await h.startSagd({ testMode: true });
    admin = h.operatorClient(server);
    A = await h.createAccount(server, 'snTenantA');
    B = await h.createAccount(server, 'snTenantB');
  });

  after(async () => {
    await h.stopAll();
  });

  describe('BindSerialNumber', () => {
    it('binds a device (pop-core); both instance views and the SerialNumber filter show it', async () => {
      const id = await create(A.client, { Name: 'bind-1' });
      const sn = freshSn();
      const r = await bind(A.client, id, sn);
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      await expectSerialNumbers(A.client, id, [sn]);
      assert.equal((await attribute(A.client, id)).Status, 'Init', 'binding alone does not activate');
      const bySn = await A.client.call('DescribeSmartAccessGateways', { SerialNumber: sn });
      assert.equal(bySn.TotalCount, 1);
      assert.deepEqual(items(bySn).map((x) => x.SmartAGId), [id]);
      const none = await A.client.call('DescribeSmartAccessGateways', { SerialNumber: freshSn() });
      assert.equal(none.TotalCount, 0);
      assert.deepEqual(items(none), []);
    });

    it('binds over V3; binding the same SN to the same instance again succeeds and changes nothing', async () => {
      const id = await create(A.v3, { Name: 'bind-v3', HaType: 'warm_backup' });
      const sn = freshSn();
      const r = await bind(A.v3, id, sn);
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      const again = await bind(A.v3, id, sn);
      assert.match(again.RequestId, h.REQUEST_ID_RE);
      await bind(A.client, id, sn);
      await expectSerialNumbers(A.v3, id, [sn]);
      // The retry did not use up the second (standby) slot.
      const second = freshSn();
      await bind(A.v3, id, second);
      await expectSerialNumbers(A.client, id, [sn, second]);
    });

    it('without SmartAGId is 400 SAG.InstanceIdEmpty (V1 and V3)', async () => {
      await h.expectApiError(
        A.client.call('BindSerialNumber', { RegionId: REGION, SerialNumber: freshSn() }), INSTANCE_ID_EMPTY);
      await h.expectApiError(
        A.v3.call('BindSerialNumber', { RegionId: REGION, SerialNumber: freshSn() }), INSTANCE_ID_EMPTY);
      await h.expectApiError(
        A.v3.call('BindSerialNumber', { RegionId: REGION, SmartAGId: '', SerialNumber: freshSn() }),
        INSTANCE_ID_EMPTY);
    });

    it('without RegionId or SerialNumber is the gateway\'s MissingParameter naming it', async () => {
      const id = await create(A.client, { Name: 'bind-missing' });
      await h.expectApiError(
        A.client.call('BindSerialNumber', { SmartAGId: id, SerialNumber: freshSn() }), MISSING('RegionId'));
      await h.expectApiError(
        A.v3.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id }), MISSING('SerialNumber'));
      await expectSerialNumbers(A.client, id, []);
    });

    it('an unknown, foreign or other-region instance is SAG.InstanceNoFound and binds nothing', async () => {
      const mine = await create(A.client, { Name: 'bind-nofound' });
      const theirs = await create(B.client, { Name: 'b-private' });
      const sn = freshSn();
      await h.expectApiError(bind(A.client, UNKNOWN_ID, sn), NO_FOUND);
      await h.expectApiError(bind(A.v3, theirs, sn), NO_FOUND);
      await h.expectApiError(bind(A.client, mine, sn, 'cn-hangzhou'), NO_FOUND);
      await expectSerialNumbers(B.client, theirs, []);
      await expectSerialNumbers(A.client, mine, []);
      // None of the failed attempts reserved the SN.
      await bind(A.client, mine, sn);
      await expectSerialNumbers(A.client, mine, [sn]);
    });

    for (const [haType, max] of [['no_backup', 1], ['warm_backup', 2], ['cold_backup', 2]]) {
      it(`${haType} holds ${max} device(s); one more is SAG.SnOverLimit and is not bound`, async () => {
        const id = await create(A.client, { Name: `limit-${haType.replace('_', '-')}`, HaType: haType });
        const sns = Array.from({ length: max }, () => freshSn());
        for (const sn of sns) await bind(A.client, id, sn);
        const extra = freshSn();
        await h.expectApiError(bind(A.client, id, extra), SN_OVER_LIMIT);
        await h.expectApiError(bind(A.v3, id, extra), SN_OVER_LIMIT);
        await expectSerialNumbers(A.client, id, sns);
        // The rejected device is still free.
        const other = await create(A.client, { Name: 'limit-spare' });
        await bind(A.v3, other, extra);
        await expectSerialNumbers(A.client, other, [extra]);
      });
    }

    it('an SN bound to another instance of the same account is SAG.SnConflict', async () => {
      const a1 = await create(A.client, { Name: 'conflict-a1' });
      const a2 = await create(A.client, { Name: 'conflict-a2' });
      const sn = freshSn();
      await bind(A.client, a1, sn);
      await h.expectApiError(bind(A.client, a2, sn), SN_CONFLICT);
      await h.expectApiError(bind(A.v3, a2, sn), SN_CONFLICT);
      await expectSerialNumbers(A.client, a1, [sn]);
      await expectSerialNumbers(A.client, a2, []);
    });

    it('an SN bound in another account is the same SAG.SnConflict, revealing nothing about the owner', async () => {
      const a1 = await create(A.client, { Name: 'owner-a1' });
      const a2 = await create(A.client, { Name: 'owner-a2' });
      const b1 = await create(B.client, { Name: 'thief-b1' });
      const sn = freshSn();
      await bind(A.client, a1, sn);

      const own = await h.expectApiError(bind(A.client, a2, sn), SN_CONFLICT);
      const foreign = await h.expectApiError(bind(B.client, b1, sn), SN_CONFLICT);
      await h.expectApiError(bind(B.v3, b1, sn), SN_CONFLICT);
      const shape = (body) => {
        const copy = { ...body };
        const rid = copy.RequestId;
        copy.RequestId = '<id>';
        for (const k of Object.keys(copy)) {
          if (typeof copy[k] === 'string') copy[k] = copy[k].split(rid).join('<id>');
        }
        return copy;
      };
      assert.deepEqual(shape(foreign), shape(own), 'the foreign conflict differs from an own-account conflict');

      // Byte for byte on the wire, too (JSON and XML), apart from the request id.
      for (const format of [undefined, 'XML']) {
        const params = (id) => ({ Action: 'BindSerialNumber', RegionId: REGION, SmartAGId: id, SerialNumber: sn });
        const rawOwn = await h.signedRaw(server.endpoint, A.key, params(a2), { format });
        const rawForeign = await h.signedRaw(server.endpoint, B.key, params(b1), { format });
        assert.equal(rawOwn.status, 400);
        assert.equal(rawForeign.status, rawOwn.status);
        assert.equal(rawForeign.headers['content-type'], rawOwn.headers['content-type']);
        const norm = (r) => r.text.split(r.headers['x-acs-request-id']).join('<id>');
        assert.equal(norm(rawForeign), norm(rawOwn));
        for (const secret of [a1, A.accountId, 'owner-a1']) {
          assert.ok(!rawForeign.text.includes(secret), `the error reveals ${secret}: ${rawForeign.text}`);
        }
      }
      await expectSerialNumbers(A.client, a1, [sn]);
      await expectSerialNumbers(B.client, b1, []);
      // B cannot find the device through its own views either.
      const bySn = await B.client.call('DescribeSmartAccessGateways', { SerialNumber: sn });
      assert.equal(bySn.TotalCount, 0);
    });

    const malformed = ['-leading-dash', '_leading', 'has space', 'dot.ted', 'semi;colon', 'x'.repeat(65),
      'ünicode', 'sn/slash'];
    for (const sn of malformed) {
      it(`malformed SN ${JSON.stringify(sn.length > 20 ? sn.slice(0, 8) + '…' : sn)} is SAG.InvalidSerialNumber`, async () => {
        const id = await create(A.client, { Name: 'malformed' });
        await h.expectApiError(bind(A.client, id, sn), INVALID_SN);
        await expectSerialNumbers(A.client, id, []);
      });
    }

    it('the longest well-formed SN (64 characters, with - and _) binds', async () => {
      const id = await create(A.v3, { Name: 'long-sn' });
      const sn = ('L' + h.randomAlnum(10) + '-_'.repeat(30)).padEnd(64, '9').slice(0, 64);
      assert.equal(sn.length, 64);
      await bind(A.v3, id, sn);
      await expectSerialNumbers(A.v3, id, [sn]);
    });

    it('an SN registered for another hardware model is SAG.InvalidSerialNumber', async () => {
      const sn = freshSn('BIG');
      await admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-1000' });
      const small = await create(A.client, { Name: 'model-small', HardWareSpec: 'sag-100wm' });
      await h.expectApiError(bind(A.client, small, sn), INVALID_SN);
      await expectSerialNumbers(A.client, small, []);
      const big = await create(A.client, { Name: 'model-big', HardWareSpec: 'sag-1000' });
      await bind(A.client, big, sn);
      await expectSerialNumbers(A.client, big, [sn]);
    });

    it('the open registry records an unknown SN with the instance\'s model; another model then rejects it', async () => {
      const small = await create(A.client, { Name: 'auto-reg', HardWareSpec: 'sag-100wm' });
      const sn = freshSn('AUTO');
      assert.equal(await device(admin, sn), undefined);
      await bind(A.client, small, sn);
      const d = await device(admin, sn);
      assert.ok(d, 'the bound SN is in the inventory');
      assert.equal(d.HardwareModel, 'sag-100wm');
      assert.equal(d.Status, 'Registered');
      assert.equal(d.SmartAGId, small);
      assert.equal(String(d.AccountId), A.accountId);
      await unbind(A.client, small, sn);
      const big = await create(A.client, { Name: 'auto-reg-big', HardWareSpec: 'sag-1000' });
      await h.expectApiError(bind(A.v3, big, sn), INVALID_SN);
      await expectSerialNumbers(A.client, big, []);
    });

    it('past EndTime (test clock) is 500 SmartAccessGatewayInArrears and binds nothing (V3)', async () => {
      const id = await create(A.v3, { Name: 'expiring', Period: '1' });
      const sn = freshSn();
      const a = await attribute(A.v3, id);
      const clock = await admin.call('GetClock', {});
      await admin.call('SetClock', { Now: String(a.EndTime + 1000) });
      try {
        await h.expectApiError(bind(A.v3, id, sn), IN_ARREARS);
        await h.expectApiError(bind(A.client, id, sn), IN_ARREARS);
      } finally {
        await admin.call('SetClock', { Now: String(clock.Now) });
      }
      await expectSerialNumbers(A.client, id, []);
      const other = await create(A.client, { Name: 'after-arrears' });
      await bind(A.client, other, sn);
    });
  });

  describe('UnbindSerialNumber', () => {
    it('without SmartAGId is SAG.InstanceIdEmpty; without RegionId or SerialNumber MissingParameter', async () => {
      const id = await create(A.client, { Name: 'unbind-missing' });
      const sn = freshSn();
      await bind(A.client, id, sn);
      await h.expectApiError(
        A.client.call('UnbindSerialNumber', { RegionId: REGION, SerialNumber: sn }), INSTANCE_ID_EMPTY);
      await h.expectApiError(
        A.v3.call('UnbindSerialNumber', { SmartAGId: id, SerialNumber: sn }), MISSING('RegionId'));
      await h.expectApiError(
        A.client.call('UnbindSerialNumber', { RegionId: REGION, SmartAGId: id }), MISSING('SerialNumber'));
      await expectSerialNumbers(A.client, id, [sn]);
    });

    it('an SN not bound to that instance is SAG.InvalidSerialNumber; the owner keeps it', async () => {
      const a1 = await create(A.client, { Name: 'unbind-owner' });
      const a2 = await create(A.client, { Name: 'unbind-other' });
      const sn = freshSn();
      await bind(A.client, a1, sn);
      await h.expectApiError(unbind(A.client, a2, sn), INVALID_SN);
      await h.expectApiError(unbind(A.v3, a1, freshSn()), INVALID_SN);
      await expectSerialNumbers(A.client, a1, [sn]);
    });

    it('another account cannot unbind the device: its instance is SAG.InstanceNoFound', async () => {
      const a1 = await create(A.client, { Name: 'unbind-foreign' });
      const sn = freshSn();
      await bind(A.client, a1, sn);
      await h.expectApiError(unbind(B.client, a1, sn), NO_FOUND);
      await h.expectApiError(unbind(A.client, UNKNOWN_ID, sn), NO_FOUND);
      await expectSerialNumbers(A.client, a1, [sn]);
    });

    it('device replacement: Unbind + Bind of a new SN on an active instance; it stays Active', async () => {
      const id = await create(A.client, { Name: 'replace-me' });
      const old = freshSn('OLD');
      await bind(A.client, id, old);
      await activate(A.client, id);
      const r = await unbind(A.client, id, old);
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      await expectSerialNumbers(A.client, id, []);
      assert.equal((await attribute(A.client, id)).Status, 'Active');
      assert.equal((await listItem(A.v3, id)).Status, 'Active');
      const fresh = freshSn('NEW');
      await bind(A.v3, id, fresh);
      await expectSerialNumbers(A.v3, id, [fresh]);
      assert.equal((await attribute(A.client, id)).Status, 'Active');
      assert.equal((await ha(A.client, id)).MainDeviceId, fresh);
      // The old device is free for another instance (of another account, even).
      const elsewhere = await create(B.v3, { Name: 'gets-old' });
      await bind(B.v3, elsewhere, old);
      await expectSerialNumbers(B.client, elsewhere, [old]);
      // Unbinding it again from the first instance is now an error.
      await h.expectApiError(unbind(A.client, id, old), INVALID_SN);
    });

    it('unbinding the main device of an HA pair leaves the standby as main; a rebind comes second', async () => {
      const id = await create(A.client, { Name: 'ha-swap', HaType: 'cold_backup' });
      const first = freshSn('M');
      const second = freshSn('S');
      await bind(A.client, id, first);
      await bind(A.client, id, second);
      await unbind(A.v3, id, first);
      await expectSerialNumbers(A.client, id, [second]);
      let v = await ha(A.client, id);
      assert.equal(v.MainDeviceId, second);
      assert.equal(v.BackupDeviceId, '');
      await bind(A.client, id, first);
      await expectSerialNumbers(A.client, id, [second, first]);
      v = await ha(A.v3, id);
      assert.equal(v.MainDeviceId, second);
      assert.equal(v.BackupDeviceId, first);
    });
  });

  describe('ActivateSmartAccessGateway', () => {
    it('without RegionId or SmartAGId is MissingParameter naming it', async () => {
      const id = await create(A.client, { Name: 'act-missing' });
      await h.expectApiError(A.client.call('ActivateSmartAccessGateway', { SmartAGId: id }), MISSING('RegionId'));
      await h.expectApiError(A.v3.call('ActivateSmartAccessGateway', { RegionId: REGION }), MISSING('SmartAGId'));
    });

    it('an unknown or foreign instance is 403 InvalidId.SMARTAG', async () => {
      const theirs = await create(B.client, { Name: 'act-foreign' });
      await bind(B.client, theirs, freshSn());
      await h.expectApiError(activate(A.client, UNKNOWN_ID), INVALID_ID);
      await h.expectApiError(activate(A.v3, theirs), INVALID_ID);
      assert.equal((await attribute(B.client, theirs)).Status, 'Init');
    });

    it('without a device is 500 SmartAccessGatewayActivateFailed; with one it becomes Active', async () => {
      const id = await create(A.client, { Name: 'act-1' });
      await h.expectApiError(activate(A.client, id), ACTIVATE_FAILED);
      await h.expectApiError(activate(A.v3, id), ACTIVATE_FAILED);
      assert.equal((await attribute(A.client, id)).Status, 'Init');
      await bind(A.client, id, freshSn());
      const r = await activate(A.v3, id);
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      assert.equal((await attribute(A.client, id)).Status, 'Active');
      assert.equal((await listItem(A.client, id)).Status, 'Active');
      const active = await A.client.call('DescribeSmartAccessGateways', { Status: 'Active', PageSize: '50' });
      assert.ok(items(active).some((x) => x.SmartAGId === id), 'listed under Status=Active');
      // Activating an active instance succeeds.
      await activate(A.client, id);
      assert.equal((await attribute(A.v3, id)).Status, 'Active');
    });
  });

  describe('DescribeSmartAccessGatewayHa', () => {
    it('without RegionId or SmartAGId is MissingParameter; unknown is InvalidId.SMARTAG', async () => {
      const id = await create(A.client, { Name: 'ha-missing' });
      await h.expectApiError(A.client.call('DescribeSmartAccessGatewayHa', { SmartAGId: id }), MISSING('RegionId'));
      await h.expectApiError(A.v3.call('DescribeSmartAccessGatewayHa', { RegionId: REGION }), MISSING('SmartAGId'));
      await h.expectApiError(ha(A.client, UNKNOWN_ID), INVALID_ID);
      await h.expectApiError(ha(B.v3, id), INVALID_ID);
    });

    it('warm_backup: main and backup follow bind order', async () => {
      const id = await create(A.client, { Name: 'ha-warm', HaType: 'warm_backup', HardWareSpec: 'sag-1000' });
      let v = await ha(A.client, id);
      assert.equal(v.SmartAGId, id);
      assert.equal(v.DeviceLevelBackupState, 'ON');
      assert.equal(v.DeviceLevelBackupType, 'warm_backup');
      assert.equal(v.MainDeviceId, '');
      assert.equal(v.BackupDeviceId, '');
      assert.ok(Array.isArray(v.LinkBackupInfoList.LinkBackupInfoList));
      const main = freshSn('ZZZ'); // sorts after the backup: order is bind order, not alphabetical
      const backup = freshSn('AAA');
      await bind(A.client, id, main);
      v = await ha(A.v3, id);
      assert.equal(v.MainDeviceId, main);
      assert.equal(v.BackupDeviceId, '');
      await bind(A.v3, id, backup);
      v = await ha(A.client, id);
      assert.equal(v.MainDeviceId, main);
      assert.equal(v.BackupDeviceId, backup);
      assert.match(v.RequestId, h.REQUEST_ID_RE);
      await expectSerialNumbers(A.client, id, [main, backup]);
      const a = await attribute(A.client, id);
      assert.equal(a.SerialNumber, `${main},${backup}`);
    });

    it('cold_backup reports its type; no_backup reports OFF and no backup device', async () => {
      const cold = await create(A.client, { Name: 'ha-cold', HaType: 'cold_backup' });
      const c = await ha(A.client, cold);
      assert.equal(c.DeviceLevelBackupState, 'ON');
      assert.equal(c.DeviceLevelBackupType, 'cold_backup');
      const single = await create(A.client, { Name: 'ha-none', HaType: 'no_backup' });
      const sn = freshSn();
      await bind(A.client, single, sn);
      const n = await ha(A.v3, single);
      assert.equal(n.DeviceLevelBackupState, 'OFF');
      assert.equal(n.DeviceLevelBackupType, 'no_backup');
      assert.equal(n.MainDeviceId, sn);
      assert.equal(n.BackupDeviceId, '');
    });
  });

  describe('RebootSmartAccessGateway', () => {
    it('without RegionId or SmartAGId is MissingParameter; unknown or foreign is InvalidId.SMARTAG', async () => {
      const id = await create(A.client, { Name: 'reboot-missing' });
      await h.expectApiError(A.client.call('RebootSmartAccessGateway', { SmartAGId: id }), MISSING('RegionId'));
      await h.expectApiError(A.v3.call('RebootSmartAccessGateway', { RegionId: REGION }), MISSING('SmartAGId'));
      await h.expectApiError(
        A.client.call('RebootSmartAccessGateway', { RegionId: REGION, SmartAGId: UNKNOWN_ID }), INVALID_ID);
      await h.expectApiError(
        B.v3.call('RebootSmartAccessGateway', { RegionId: REGION, SmartAGId: id }), INVALID_ID);
    });

    it('a valid instance answers 403 SmartAccessGatewayNotOnline (no device can be online yet)', async () => {
      const id = await create(A.client, { Name: 'reboot-1' });
      const sn = freshSn();
      await h.expectApiError(
        A.client.call('RebootSmartAccessGateway', { RegionId: REGION, SmartAGId: id }), NOT_ONLINE);
      await bind(A.client, id, sn);
      await activate(A.client, id);
      await h.expectApiError(
        A.client.call('RebootSmartAccessGateway', { RegionId: REGION, SmartAGId: id }), NOT_ONLINE);
      await h.expectApiError(
        A.v3.call('RebootSmartAccessGateway', { RegionId: REGION, SmartAGId: id, SerialNumber: sn }), NOT_ONLINE);
    });

    it('an SN not bound to the instance is InstanceNotExit', async () => {
      const id = await create(A.client, { Name: 'reboot-2' });
      await bind(A.client, id, freshSn());
      await h.expectApiError(
        A.client.call('RebootSmartAccessGateway', { RegionId: REGION, SmartAGId: id, SerialNumber: freshSn() }),
        INSTANCE_NOT_EXIT);
    });
  });

  describe('device inventory (operator API)', () => {
    it('RegisterDevice without DeviceSecret generates one and returns it once', async () => {
      const sn = freshSn('REG');
      const r = await admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-100wm' });
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      assert.equal(typeof r.DeviceSecret, 'string');
      assert.ok(r.DeviceSecret.length >= 16, `DeviceSecret ${JSON.stringify(r.DeviceSecret)} is too short`);
      const d = await device(admin, sn);
      assert.ok(d, 'listed');
      assert.equal(d.HardwareModel, 'sag-100wm');
      assert.equal(d.Status, 'Registered');
      assert.equal(d.SmartAGId || '', '');
      const page = await admin.call('ListDevices', { PageSize: '100' });
      assert.ok(!JSON.stringify(page).includes(r.DeviceSecret), 'ListDevices shows the secret');
      // A second registration of the same SN neither succeeds nor shows the secret again.
      const dup = await h.expectApiError(
        admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-100wm' }), DEVICE_EXISTS);
      assert.ok(!JSON.stringify(dup).includes(r.DeviceSecret));
    });

    it('RegisterDevice with a DeviceSecret does not echo it', async () => {
      const sn = freshSn('REG');
      const secret = h.randomAlnum(32);
      const r = await admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-vcpe', DeviceSecret: secret });
      assert.equal(r.DeviceSecret, undefined);
      assert.ok(!JSON.stringify(r).includes(secret));
      const d = await device(admin, sn);
      assert.equal(d.HardwareModel, 'sag-vcpe');
      assert.ok(!JSON.stringify(await admin.call('ListDevices', { PageSize: '100' })).includes(secret));
    });

    it('RegisterDevice checks its parameters', async () => {
      await h.expectApiError(admin.call('RegisterDevice', { HardwareModel: 'sag-1000' }), MISSING('SerialNumber'));
      await h.expectApiError(admin.call('RegisterDevice', { SerialNumber: freshSn() }), MISSING('HardwareModel'));
      const sn = freshSn('BAD');
      await h.expectApiError(
        admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-9000' }), INVALID('HardwareModel'));
      await h.expectApiError(
        admin.call('RegisterDevice', { SerialNumber: 'bad sn', HardwareModel: 'sag-1000' }), INVALID_SN);
      assert.equal(await device(admin, sn), undefined);
    });

    it('only the operator may manage devices', async () => {
      await h.expectApiError(
        A.admin.call('RegisterDevice', { SerialNumber: freshSn(), HardwareModel: 'sag-1000' }), OPERATOR_ONLY);
      await h.expectApiError(A.admin.call('ListDevices', {}), OPERATOR_ONLY);
      await h.expectApiError(A.admin.call('RetireDevice', { SerialNumber: freshSn() }), OPERATOR_ONLY);
    });

    it('ListDevices pages (PageSize up to 100) with an exact TotalCount', async () => {
      for (let i = 0; i < 12; i++) {
        await admin.call('RegisterDevice', { SerialNumber: freshSn('PG'), HardwareModel: 'sag-1000' });
      }
      const first = await admin.call('ListDevices', { PageSize: '7' });
      const total = first.TotalCount;
      assert.ok(total >= 12, `TotalCount ${total}`);
      assert.equal(first.PageSize, 7);
      assert.equal(first.PageNumber, 1);
      const seen = [];
      for (let page = 1; page <= Math.ceil(total / 7); page++) {
        const r = await admin.call('ListDevices', { PageSize: '7', PageNumber: String(page) });
        assert.equal(r.TotalCount, total);
        assert.equal(r.Devices.Device.length, Math.min(7, total - (page - 1) * 7));
        for (const d of r.Devices.Device) {
          assert.ok(['Registered', 'Retired'].includes(d.Status), `Status ${d.Status}`);
          assert.ok(['sag-100wm', 'sag-1000', 'sag-vcpe'].includes(d.HardwareModel), `HardwareModel ${d.HardwareModel}`);
        }
        seen.push(...r.Devices.Device.map((d) => d.SerialNumber));
      }
      assert.equal(new Set(seen).size, total, 'pages repeat or skip devices');
      const big = await admin.call('ListDevices', { PageSize: '100' });
      assert.equal(big.Devices.Device.length, Math.min(100, total));
      await h.expectApiError(admin.call('ListDevices', { PageSize: '101' }), INVALID('PageSize'));
    });

    it('RetireDevice: ResourceInOperating while bound, EntityNotExist when unknown, Retired after unbind', async () => {
      const id = await create(A.client, { Name: 'retire-me' });
      const sn = freshSn('RET');
      await bind(A.client, id, sn);
      const bound = await device(admin, sn);
      assert.equal(bound.SmartAGId, id);
      assert.equal(String(bound.AccountId), A.accountId);
      await h.expectApiError(admin.call('RetireDevice', { SerialNumber: sn }), RESOURCE_IN_OPERATING);
      assert.equal((await device(admin, sn)).Status, 'Registered');
      await expectSerialNumbers(A.client, id, [sn]);
      await h.expectApiError(admin.call('RetireDevice', { SerialNumber: freshSn('NONE') }), DEVICE_NOT_EXIST);
      await h.expectApiError(admin.call('RetireDevice', {}), MISSING('SerialNumber'));
      await unbind(A.client, id, sn);
      const r = await admin.call('RetireDevice', { SerialNumber: sn });
      assert.match(r.RequestId, h.REQUEST_ID_RE);
      const d = await device(admin, sn);
      assert.equal(d.Status, 'Retired');
      assert.equal(d.SmartAGId || '', '');
    });
  });

  describe('races', () => {
    it('64 concurrent clients bind one SN to 64 instances: exactly one wins, 63 SAG.SnConflict (x5)', async () => {
      const tenants = [A, B, await h.createAccount(server, 'raceC'), await h.createAccount(server, 'raceD')];
      for (let round = 0; round < 5; round++) {
        const owners = Array.from({ length: 64 }, (_, i) => tenants[i % tenants.length]);
        const ids = await Promise.all(owners.map((t, i) => create(t.client, { Name: `race-${round}-${i}` })));
        const sn = freshSn(`RACE${round}`);
        // A separate pop-core client (own RPCClient, own connections) per request.
        const results = await Promise.all(owners.map((t, i) =>
          rejection(bind(h.v1Client(server.endpoint, t.key), ids[i], sn))));
        const winners = results.map((r, i) => (r.ok ? i : -1)).filter((i) => i >= 0);
        assert.equal(winners.length, 1, `round ${round}: ${winners.length} binds succeeded`);
        for (const [i, r] of results.entries()) {
          if (r.ok) continue;
          assert.equal(r.status, 400, `round ${round} client ${i}: ${JSON.stringify(r.body)}`);
          assert.equal(r.body.Code, SN_CONFLICT.code, `round ${round} client ${i}: ${JSON.stringify(r.body)}`);
          assert.equal(r.body.Message, SN_CONFLICT.message);
        }
        const w = winners[0];
        await expectSerialNumbers(owners[w].client, ids[w], [sn]);
        // Every account's SerialNumber filter together finds exactly the winner.
        const found = [];
        for (const t of tenants) {
          const r = await t.client.call('DescribeSmartAccessGateways', { SerialNumber: sn });
          found.push(...items(r).map((x) => x.SmartAGId));
        }
        assert.deepEqual(found, [ids[w]]);
        const d = await device(admin, sn);
        assert.equal(d.SmartAGId, ids[w]);
        assert.equal(String(d.AccountId), owners[w].accountId);
        // A loser checked at random holds nothing.
        const loser = (w + 1 + round) % 64;
        assert.equal((await attribute(owners[loser].client, ids[loser])).SerialNumber, '');
      }
    });

    it('3 concurrent binds of 3 SNs to one warm_backup instance: exactly two win, one SAG.SnOverLimit (x10)', async () => {
      const spare = await create(A.client, { Name: 'race-spare' });
      for (let round = 0; round < 10; round++) {
        const id = await create(A.client, { Name: `warm-race-${round}`, HaType: 'warm_backup' });
        const sns = [freshSn(`W${round}a`), freshSn(`W${round}b`), freshSn(`W${round}c`)];
        const clients = [
          h.v1Client(server.endpoint, A.key),
          h.v3Client(server.endpoint, A.key),
          h.v1Client(server.endpoint, A.key),
        ];
        const results = await Promise.all(sns.map((sn, i) => rejection(bind(clients[i], id, sn))));
        const won = sns.filter((_, i) => results[i].ok);
        const lost = sns.filter((_, i) => !results[i].ok);
        assert.equal(won.length, 2, `round ${round}: ${won.length} binds succeeded`);
        const failure = results.find((r) => !r.ok);
        assert.equal(failure.status, 400, JSON.stringify(failure.body));
        assert.equal(failure.body.Code, SN_OVER_LIMIT.code, JSON.stringify(failure.body));
        assert.equal(failure.body.Message, SN_OVER_LIMIT.message);
        const a = await attribute(A.client, id);
        const bound = a.SerialNumber.split(',');
        assert.deepEqual([...bound].sort(), [...won].sort(), `round ${round}: views show ${a.SerialNumber}`);
        assert.deepEqual(a.Devices.Device.map((x) => x.SerialNumber), bound);
        const v = await ha(A.client, id);
        assert.deepEqual([v.MainDeviceId, v.BackupDeviceId], bound);
        // The loser is free.
        await bind(A.client, spare, lost[0]);
        await unbind(A.client, spare, lost[0]);
      }
    });
  });
});

describe('serial numbers (closed device registry)', () => {
  let server;
  let admin;
  let T;

  before(async () => {
    server = await h.startSagd({ args: ['--device-registry', 'closed'] });
    admin = h.operatorClient(server);
    T = await h.createAccount(server, 'closedTenant');
  });

  after(async () => {
    await h.stopAll();
  });

  it('an SN the operator has not registered is SAG.InvalidSerialNumber and stays unregistered', async () => {
    const id = await create(T.client, { Name: 'closed-1' });
    const sn = freshSn('UNREG');
    await h.expectApiError(bind(T.client, id, sn), INVALID_SN);
    await h.expectApiError(bind(T.v3, id, sn), INVALID_SN);
    await expectSerialNumbers(T.client, id, []);
    assert.equal(await device(admin, sn), undefined);
  });

  it('a registered SN binds; the inventory shows the instance and account', async () => {
    const id = await create(T.v3, { Name: 'closed-2', HardWareSpec: 'sag-1000' });
    const sn = freshSn('OK');
    await admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-1000' });
    await bind(T.v3, id, sn);
    await expectSerialNumbers(T.client, id, [sn]);
    const d = await device(admin, sn);
    assert.equal(d.SmartAGId, id);
    assert.equal(String(d.AccountId), T.accountId);
    assert.equal(d.Status, 'Registered');
  });

  it('a retired SN is SAG.InvalidSerialNumber', async () => {
    const id = await create(T.client, { Name: 'closed-3' });
    const sn = freshSn('OLD');
    await admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-100wm' });
    await admin.call('RetireDevice', { SerialNumber: sn });
    await h.expectApiError(bind(T.client, id, sn), INVALID_SN);
    await expectSerialNumbers(T.client, id, []);
  });

  it('an SN registered for another model is SAG.InvalidSerialNumber', async () => {
    const small = await create(T.client, { Name: 'closed-4', HardWareSpec: 'sag-100wm' });
    const sn = freshSn('VCPE');
    await admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-vcpe' });
    await h.expectApiError(bind(T.client, small, sn), INVALID_SN);
    await expectSerialNumbers(T.client, small, []);
  });

  it('a malformed SN is SAG.InvalidSerialNumber here too', async () => {
    const id = await create(T.client, { Name: 'closed-5' });
    await h.expectApiError(bind(T.client, id, 'not valid!'), INVALID_SN);
  });

  it('activation works with a registered device', async () => {
    const id = await create(T.client, { Name: 'closed-6' });
    await h.expectApiError(activate(T.client, id), ACTIVATE_FAILED);
    const sn = freshSn('ACT');
    await admin.call('RegisterDevice', { SerialNumber: sn, HardwareModel: 'sag-100wm' });
    await bind(T.client, id, sn);
    await activate(T.client, id);
    assert.equal((await attribute(T.client, id)).Status, 'Active');
  });
});
