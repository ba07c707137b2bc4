'use strict';
// ResetState (operator API, --test-mode): back to a known state between tests without restarting
// sagd, as a CI suite uses it (a beforeEach fixture), driven by the official SDKs and sag-device.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');
const { REGION, startDevice, stopDevices, readyInstance } = require('./lib/upgrades');

const KEY_NOT_FOUND = {
  status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.',
};

async function instanceCount(client) {
  return (await client.call('DescribeSmartAccessGateways', { RegionId: REGION })).TotalCount;
}

describe('ResetState', () => {
  let server;
  let admin;
  let root;

  before(async () => {
    server = await h.startSagd({ testMode: true });
    admin = h.operatorClient(server);
    root = h.v1Client(server.endpoint, server.rootKey);
  });

  after(async () => {
    stopDevices();
    await h.stopAll();
  });

  describe('between two tests (a beforeEach fixture)', () => {
    beforeEach(async () => {
      await admin.call('ResetState', {});
    });

    it('the first test makes an account and instances', async () => {
      const t = await h.createAccount(server, 'ci-tenant');
      await t.client.call('CreateSmartAccessGateway', h.createParams());
      await root.call('CreateSmartAccessGateway', h.createParams());
      assert.equal(await instanceCount(t.client), 1);
      assert.equal(await instanceCount(root), 1);
    });

    it('the second test starts from nothing: the same account name is free, no instance is left', async () => {
      assert.equal(await instanceCount(root), 0);
      const accounts = (await admin.call('ListAccounts', {})).Accounts.Account;
      assert.deepEqual(accounts.map((a) => a.IsOperator), [true]);
      const t = await h.createAccount(server, 'ci-tenant');
      assert.equal(await instanceCount(t.client), 0);
    });
  });

  it('removes every other account (its keys stop working at once) and keeps the operator\'s keys', async () => {
    const t = await h.createAccount(server, 'gone-tenant');
    await t.client.call('CreateSmartAccessGateway', h.createParams());
    const r = await admin.call('ResetState', {});
    assert.ok(r.AccountsRemoved >= 1);
    await h.expectApiError(t.client.call('DescribeRegions', {}), KEY_NOT_FOUND);
    await root.call('DescribeRegions', {});
  });

  it('AccountId resets one account and leaves the others', async () => {
    await admin.call('ResetState', {});
    const a = await h.createAccount(server, 'tenant-a');
    const b = await h.createAccount(server, 'tenant-b');
    await a.client.call('CreateSmartAccessGateway', h.createParams());
    await b.client.call('CreateSmartAccessGateway', h.createParams());
    await root.call('CreateSmartAccessGateway', h.createParams());
    const r = await admin.call('ResetState', { AccountId: a.accountId });
    assert.equal(r.AccountsRemoved, 1);
    await h.expectApiError(a.client.call('DescribeRegions', {}), KEY_NOT_FOUND);
    assert.equal(await instanceCount(b.client), 1);
    assert.equal(await instanceCount(root), 1);
    // The operator's own AccountId empties its resources and keeps its keys.
    const accounts = (await admin.call('ListAccounts', {})).Accounts.Account;
    const operatorId = accounts.find((x) => x.IsOperator).AccountId;
    const o = await admin.call('ResetState', { AccountId: operatorId });
    assert.equal(o.AccountsRemoved, 0);
    assert.equal(await instanceCount(root), 0);
    assert.equal(await instanceCount(b.client), 1);
  });

  it('clears the clock offset and the fault rules only when every account is reset', async () => {
    await admin.call('SetClock', { AdvanceMs: 3600000 });
    await admin.call('CreateFaultRule', { TargetAction: 'NoSuchAction', Code: 'X' });
    const t = await h.createAccount(server, 'clock-tenant');
    await admin.call('ResetState', { AccountId: t.accountId });
    assert.equal((await admin.call('GetClock', {})).OffsetMs, 3600000);
    assert.equal((await admin.call('ListFaultRules', {})).FaultRules.FaultRule.length, 1);
    await admin.call('ResetState', {});
    assert.equal((await admin.call('GetClock', {})).OffsetMs, 0);
    assert.deepEqual((await admin.call('ListFaultRules', {})).FaultRules.FaultRule, []);
  });

  it('disconnects the devices bound to removed instances and unbinds them', async () => {
    await admin.call('ResetState', {});
    const t = await h.createAccount(server, 'device-tenant');
    const secret = 'reset-device-secret-0123456789';
    const inst = await readyInstance({ client: t.client, op: admin, secret, ccn: false });
    const device = await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret]);
    const r = await admin.call('ResetState', {});
    assert.equal(r.DevicesDisconnected, 1);
    await h.poll(async () => {
      const d = (await admin.call('ListDeviceStates', { SerialNumber: inst.sn })).Devices.Device[0];
      return d.LastOfflineTime !== 0 && d.SmartAGId === '';
    }, { timeoutMs: 30000 });
    assert.ok(device);
  });

  it('the documented errors: EntityNotExist, OperatorOnly', async () => {
    await h.expectApiError(admin.call('ResetState', { AccountId: '1999999999999999' }), {
      status: 404, code: 'EntityNotExist', message: 'The specified account does not exist.',
    });
    const t = await h.createAccount(server, 'err-tenant');
    await h.expectApiError(t.admin.call('ResetState', {}), {
      status: 403, code: 'Forbidden.OperatorOnly', message: 'Only the operator account may call this action.',
    });
  });
});

describe('ResetState without --test-mode', () => {
  after(async () => {
    await h.stopAll();
  });

  it('is Forbidden.TestModeOnly', async () => {
    const server = await h.startSagd({});
    await h.expectApiError(h.operatorClient(server).call('ResetState', {}), {
      status: 403, code: 'Forbidden.TestModeOnly',
      message: 'This action is available only when sagd runs with --test-mode.',
    });
  });
});
