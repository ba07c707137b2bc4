'use strict';
// Deterministic faults (operator API, --test-mode): CreateFaultRule / ListFaultRules /
// DeleteFaultRule make chosen calls fail with a chosen envelope, header and delay, and change
// nothing; DisconnectDevice closes a device's session from the server side. Driven by the official
// SDKs (pop-core V1, openapi-client V3), sag and sag-device.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');
const { REGION, sag, startDevice, stopDevices, readyInstance } = require('./lib/upgrades');

const MISSING = (name) =>
  `The input parameter "${name}" that is mandatory for processing this request is not supplied.`;
const INVALID = (name) => `The specified parameter "${name}" is not valid.`;
const OPERATOR_ONLY = {
  status: 403, code: 'Forbidden.OperatorOnly', message: 'Only the operator account may call this action.',
};
const THROTTLED = 'Request was denied due to user flow control.';

describe('fault rules', () => {
  let server;
  let admin;
  let tenant;
  let other;

  before(async () => {
    server = await h.startSagd({ testMode: true, args: ['--workers', '1'] });
    admin = h.operatorClient(server);
    tenant = await h.createAccount(server, 'fault-tenant');
    other = await h.createAccount(server, 'fault-other');
  });

  after(async () => {
    stopDevices();
    await h.stopAll();
  });

  async function deleteAllRules() {
    for (const r of (await admin.call('ListFaultRules', {})).FaultRules.FaultRule) {
      await admin.call('DeleteFaultRule', { RuleId: r.RuleId });
    }
  }

  it('Times 2 on BindSerialNumber: two calls fail with the envelope and header, the third binds', async () => {
    const { SmartAGId: id } = await tenant.client.call('CreateSmartAccessGateway', h.createParams());
    const sn = 'sagf' + h.randomAlnum(10).toLowerCase();
    const { RuleId: ruleId } = await admin.call('CreateFaultRule', {
      TargetAction: 'BindSerialNumber', Times: 2, HttpStatus: 400, Code: 'Throttling.User',
      Message: THROTTLED, RetryAfterMs: 1500,
    });
    assert.match(ruleId, /^fr-[a-z0-9]+$/);
    const bind = { Action: 'BindSerialNumber', RegionId: REGION, SmartAGId: id, SerialNumber: sn };
    const first = await h.signedRaw(server.endpoint, tenant.key, bind);
    assert.equal(first.status, 400);
    assert.equal(first.headers['x-acs-retry-after'], '1500');
    assert.equal(first.json.Code, 'Throttling.User');
    assert.equal(first.json.Message, THROTTLED);
    assert.match(first.json.RequestId, h.REQUEST_ID_RE);
    await h.expectApiError(tenant.client.call('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn }), {
      status: 400, code: 'Throttling.User', message: THROTTLED,
    });
    // Neither failed call bound anything.
    const before3 = await tenant.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
    assert.equal(JSON.stringify(before3).includes(sn), false);
    const third = await tenant.client.callFull('BindSerialNumber', { RegionId: REGION, SmartAGId: id, SerialNumber: sn });
    assert.equal(third.status, 200);
    const rule = (await admin.call('ListFaultRules', {})).FaultRules.FaultRule.find((r) => r.RuleId === ruleId);
    assert.deepEqual({ ...rule }, {
      RuleId: ruleId, TargetAction: 'BindSerialNumber', AccountId: '', SmartAGId: '', Times: 2, Hits: 2,
      HttpStatus: 400, Code: 'Throttling.User', Message: THROTTLED, DelayMs: 0, RetryAfterMs: 1500,
    });
    // The journal says which rule answered.
    const journaled = (await admin.call('GetRequest', { RequestId: first.json.RequestId })).Request;
    assert.equal(journaled.FaultRuleId, ruleId);
    assert.equal(journaled.Code, 'Throttling.User');
    await deleteAllRules();
  });

  it('a matching call changes nothing; V3 callers get the same envelope; any status and Code', async () => {
    const count = async () => (await tenant.client.call('DescribeSmartAccessGateways', { RegionId: REGION })).TotalCount;
    const n = await count();
    await admin.call('CreateFaultRule', {
      TargetAction: 'CreateSmartAccessGateway', Times: 1, HttpStatus: 503, Code: 'ServiceUnavailable',
      Message: 'The request has failed due to a temporary failure of the server.',
    });
    await h.expectApiError(tenant.v3.callFull('CreateSmartAccessGateway', h.createParams()), {
      status: 503, code: 'ServiceUnavailable',
      message: 'The request has failed due to a temporary failure of the server.',
    });
    assert.equal(await count(), n);
    await tenant.client.call('CreateSmartAccessGateway', h.createParams());  // Times 1: used up
    assert.equal(await count(), n + 1);
    await deleteAllRules();
  });

  it('AccountId and SmartAGId scope a rule; a glob names several actions; operator-only actions never match', async () => {
    const { SmartAGId: a } = await tenant.client.call('CreateSmartAccessGateway', h.createParams());
    const { SmartAGId: b } = await tenant.client.call('CreateSmartAccessGateway', h.createParams());
    await admin.call('CreateFaultRule', {
      TargetAction: 'Describe*Attribute', AccountId: tenant.accountId, SmartAGId: a, Code: 'Throttling.User',
      HttpStatus: 400, Message: THROTTLED,
    });
    const attr = (client, id) => client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
    await h.expectApiError(attr(tenant.client, a), { status: 400, code: 'Throttling.User', message: THROTTLED });
    await attr(tenant.client, b);  // another instance
    await tenant.client.call('DescribeSmartAccessGateways', { RegionId: REGION });  // not matched by the glob
    // Another account's call naming the same SmartAGId is not the rule's (its answer is its own).
    const foreign = await attr(other.client, a).then(() => null, (e) => e);
    assert.ok(foreign && foreign.data, 'another account cannot see the instance');
    assert.notEqual(foreign.data.Code, 'Throttling.User');
    // A rule matching every action leaves the operator-only ones (ListFaultRules, DeleteFaultRule)
    // working, so it can always be deleted.
    await admin.call('CreateFaultRule', { TargetAction: '*', Code: 'Throttling' });
    await h.expectApiError(tenant.client.call('DescribeRegions', {}), {
      status: 400, code: 'Throttling', message: 'The request failed (fault rule).',
    });
    await deleteAllRules();
    await tenant.client.call('DescribeRegions', {});
  });

  it('DelayMs answers later without holding a worker (--workers 1 serves another call meanwhile)', async () => {
    await admin.call('CreateFaultRule', {
      TargetAction: 'DescribeRegions', AccountId: tenant.accountId, Times: 1, DelayMs: 4000,
      Code: 'Throttling.User', Message: THROTTLED,
    });
    const started = Date.now();
    let delayedDone = false;
    const delayed = h.expectApiError(tenant.client.call('DescribeRegions', {}), {
      status: 400, code: 'Throttling.User', message: THROTTLED,
    }).then(() => {
      delayedDone = true;
    });
    // The only worker is free: another account's call is answered while the fault waits.
    await h.poll(async () => (await admin.call('ListFaultRules', {})).FaultRules.FaultRule[0].Hits === 1);
    await other.client.call('DescribeRegions', {});
    assert.equal(delayedDone, false);
    await delayed;
    assert.ok(Date.now() - started >= 4000);
    await deleteAllRules();
  });

  it('sag admin creates, lists and deletes a rule', async () => {
    const created = sag(server, ['admin', 'CreateFaultRule', '--TargetAction', 'DescribeRegions', '--Code', 'Throttling']);
    assert.equal(created.status, 0, created.stderr);
    const id = JSON.parse(created.stdout).RuleId;
    const listed = sag(server, ['admin', 'ListFaultRules']);
    assert.equal(JSON.parse(listed.stdout).FaultRules.FaultRule[0].RuleId, id);
    assert.equal(sag(server, ['admin', 'DeleteFaultRule', '--RuleId', id]).status, 0);
    assert.deepEqual((await admin.call('ListFaultRules', {})).FaultRules.FaultRule, []);
  });

  it('the documented errors of CreateFaultRule, DeleteFaultRule and DisconnectDevice', async () => {
    await h.expectApiError(tenant.admin.call('CreateFaultRule', { TargetAction: 'A', Code: 'B' }), OPERATOR_ONLY);
    await h.expectApiError(tenant.admin.call('ListFaultRules', {}), OPERATOR_ONLY);
    await h.expectApiError(tenant.admin.call('DeleteFaultRule', { RuleId: 'fr-x' }), OPERATOR_ONLY);
    await h.expectApiError(tenant.admin.call('DisconnectDevice', { SerialNumber: 'x' }), OPERATOR_ONLY);
    await h.expectApiError(admin.call('CreateFaultRule', { Code: 'B' }), {
      status: 400, code: 'MissingParameter', message: MISSING('TargetAction'),
    });
    await h.expectApiError(admin.call('CreateFaultRule', { TargetAction: 'A' }), {
      status: 400, code: 'MissingParameter', message: MISSING('Code'),
    });
    const invalid = [
      [{ TargetAction: 'Bind Serial' }, 'TargetAction'],
      [{ TargetAction: 'A'.repeat(129) }, 'TargetAction'],
      [{ Code: 'no spaces' }, 'Code'],
      [{ HttpStatus: '399' }, 'HttpStatus'],
      [{ HttpStatus: '600' }, 'HttpStatus'],
      [{ HttpStatus: 'abc' }, 'HttpStatus'],
      [{ Times: '-1' }, 'Times'],
      [{ DelayMs: '60001' }, 'DelayMs'],
      [{ RetryAfterMs: '-5' }, 'RetryAfterMs'],
      [{ AccountId: 'a b' }, 'AccountId'],
      [{ SmartAGId: 'sag/1' }, 'SmartAGId'],
    ];
    for (const [params, name] of invalid) {
      await h.expectApiError(admin.call('CreateFaultRule', { TargetAction: 'A', Code: 'B', ...params }), {
        status: 400, code: 'InvalidParameter', message: INVALID(name),
      });
    }
    await h.expectApiError(admin.call('DeleteFaultRule', {}), {
      status: 400, code: 'MissingParameter', message: MISSING('RuleId'),
    });
    await h.expectApiError(admin.call('DeleteFaultRule', { RuleId: 'fr-nosuchrule' }), {
      status: 404, code: 'EntityNotExist', message: 'The specified fault rule does not exist.',
    });
    await h.expectApiError(admin.call('DisconnectDevice', {}), {
      status: 400, code: 'MissingParameter', message: MISSING('SerialNumber'),
    });
    await h.expectApiError(admin.call('DisconnectDevice', { SerialNumber: 'sagnosuchdevice' }), {
      status: 404, code: 'EntityNotExist', message: 'The specified device does not exist.',
    });
  });

  it('at most 1000 rules exist at once: QuotaExceeded.FaultRule', async () => {
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () =>
        admin.call('CreateFaultRule', { TargetAction: 'NoSuchAction', Code: 'X' })));
    }
    await h.expectApiError(admin.call('CreateFaultRule', { TargetAction: 'NoSuchAction', Code: 'X' }), {
      status: 400, code: 'QuotaExceeded.FaultRule',
      message: 'At most 1000 fault rules may exist at once; delete some first.',
    });
    await deleteAllRules();
  });

  it('DisconnectDevice closes a connected device\'s session; the device reconnects', async () => {
    const secret = 'fault-device-secret-0123456789';
    const inst = await readyInstance({ client: tenant.client, op: admin, secret, ccn: false });
    const device = await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret]);
    const r = await admin.call('DisconnectDevice', { SerialNumber: inst.sn });
    assert.equal(r.SerialNumber, inst.sn);
    assert.equal(r.WasOnline, true);
    // The session ends (0 online) and the device reconnects (1 online again).
    await h.poll(() => /0 online\n(.|\n)*1 online/.test(device.stdout()), { timeoutMs: 30000 });
    const states = await admin.call('ListDeviceStates', { SerialNumber: inst.sn });
    assert.notEqual(states.Devices.Device[0].LastOfflineTime, 0);
  });
});

describe('fault rules without --test-mode', () => {
  after(async () => {
    await h.stopAll();
  });

  it('are Forbidden.TestModeOnly', async () => {
    const server = await h.startSagd({});
    const admin = h.operatorClient(server);
    const TEST_ONLY = {
      status: 403, code: 'Forbidden.TestModeOnly',
      message: 'This action is available only when sagd runs with --test-mode.',
    };
    await h.expectApiError(admin.call('CreateFaultRule', { TargetAction: 'A', Code: 'B' }), TEST_ONLY);
    await h.expectApiError(admin.call('ListFaultRules', {}), TEST_ONLY);
    await h.expectApiError(admin.call('DeleteFaultRule', { RuleId: 'fr-x' }), TEST_ONLY);
    await h.expectApiError(admin.call('DisconnectDevice', { SerialNumber: 'x' }), TEST_ONLY);
  });
});
