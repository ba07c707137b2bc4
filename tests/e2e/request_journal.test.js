'use strict';
// The request journal (operator API ListRequests / GetRequest): what sagd received and answered,
// with secrets redacted and the parameters nothing read (UnreadParameters), driven by the official
// SDKs (pop-core V1, openapi-client V3).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');

const MISSING = (name) =>
  `The input parameter "${name}" that is mandatory for processing this request is not supplied.`;
const INVALID = (name) => `The specified parameter "${name}" is not valid.`;

function parameterMap(request) {
  return Object.fromEntries(request.Parameters.Parameter.map((p) => [p.Name, p.Value]));
}

describe('request journal', () => {
  let server;
  let admin;
  let tenant;

  before(async () => {
    server = await h.startSagd({});
    admin = h.operatorClient(server);
    tenant = await h.createAccount(server, 'journal-tenant');
  });

  after(async () => {
    await h.stopAll();
  });

  it('UnreadParameters names a misspelled parameter of a V1 call (pop-core), and only it', async () => {
    const r = await tenant.client.callFull('DescribeSmartAccessGateways',
      { RegionId: 'cn-shanghai', PageSze: '5' });
    assert.equal(r.status, 200);
    const got = await admin.call('GetRequest', { RequestId: r.body.RequestId });
    const req = got.Request;
    assert.equal(req.RequestId, r.body.RequestId);
    assert.equal(req.Action, 'DescribeSmartAccessGateways');
    assert.equal(req.Version, '2018-03-13');
    assert.equal(req.AccountId, tenant.accountId);
    assert.equal(req.UserName, 'root');
    assert.equal(req.AccessKeyId, tenant.key.accessKeyId);
    assert.equal(req.HttpStatus, 200);
    assert.equal(req.Code, '');
    assert.ok(req.LatencyUs >= 0);
    assert.ok(Math.abs(req.TimeMs - Date.now()) < 15 * 60 * 1000);
    assert.deepEqual(req.UnreadParameters.UnreadParameter, ['PageSze']);
    const params = parameterMap(req);
    assert.equal(params.PageSze, '5');
    assert.equal(params.RegionId, 'cn-shanghai');
    assert.equal(params.Signature, '[redacted]');
    assert.equal(params.AccessKeyId, tenant.key.accessKeyId);
    assert.equal(req.ParametersTruncated, false);
  });

  it('UnreadParameters names a misspelled parameter of a V3 call (openapi-client)', async () => {
    const r = await tenant.v3.callFull('DescribeSmartAccessGateways',
      { RegionId: 'cn-shanghai', PageSize: '5', PageNumbr: '2' });
    assert.equal(r.statusCode, 200);
    const req = (await admin.call('GetRequest', { RequestId: r.body.RequestId })).Request;
    assert.equal(req.AccountId, tenant.accountId);
    assert.deepEqual(req.UnreadParameters.UnreadParameter, ['PageNumbr']);
  });

  it('passwords are journaled redacted; a failed call shows its status, Code and Message', async () => {
    await h.expectApiError(admin.call('CreateUser', { UserName: 'root', DisplayName: 'x', Password: 'hunter2hunter2' }), {
      status: 400, code: 'InvalidParameter', message: INVALID('UserName'),
    });
    const list = await admin.call('ListRequests', { TargetAction: 'CreateUser', MaxResults: 1 });
    const req = list.Requests.Request[0];
    assert.equal(req.HttpStatus, 400);
    assert.equal(req.Code, 'InvalidParameter');
    assert.equal(req.Message, INVALID('UserName'));
    assert.equal(parameterMap(req).Password, '[redacted]');
    assert.equal(JSON.stringify(list).includes('hunter2'), false);
  });

  it('a wrongly signed call is journaled with SignatureDoesNotMatch and the key it named', async () => {
    const res = await h.signedRaw(server.endpoint, tenant.key, { Action: 'DescribeRegions' },
      { secret: 'not-the-secret' });
    assert.equal(res.status, 400);
    const req = (await admin.call('GetRequest', { RequestId: res.json.RequestId })).Request;
    assert.equal(req.Code, 'SignatureDoesNotMatch');
    assert.equal(req.HttpStatus, 400);
    assert.equal(req.AccessKeyId, tenant.key.accessKeyId);
    assert.deepEqual(req.UnreadParameters.UnreadParameter, []);  // it never reached its operation
  });

  it('ListRequests filters by TargetAction (glob), AccountId and Code, newest first', async () => {
    const first = await tenant.client.call('DescribeRegions', {});
    const second = await tenant.client.call('DescribeRegions', {});
    await h.expectApiError(tenant.client.call('DescribeRegions', { AcceptLanguage: 'fr-FR' }), {
      status: 400, code: 'InvalidParameter', message: INVALID('AcceptLanguage'),
    });
    const ok = await admin.call('ListRequests',
      { TargetAction: 'Describe*ions', AccountId: tenant.accountId, Code: 'OK', MaxResults: 2 });
    assert.deepEqual(ok.Requests.Request.map((x) => x.RequestId), [second.RequestId, first.RequestId]);
    const bad = await admin.call('ListRequests',
      { TargetAction: 'DescribeRegions', Code: 'InvalidParameter' });
    assert.equal(bad.Requests.Request[0].AccountId, tenant.accountId);
    assert.equal(bad.Requests.Request[0].Message, INVALID('AcceptLanguage'));
    const none = await admin.call('ListRequests', { AccountId: 'no-such-account' });
    assert.deepEqual(none.Requests.Request, []);
    assert.equal(none.JournalSize, 1000);
  });

  it('the documented errors: OperatorOnly, MissingParameter, EntityNotExist, InvalidParameter', async () => {
    await h.expectApiError(tenant.admin.call('ListRequests', {}), {
      status: 403, code: 'Forbidden.OperatorOnly',
      message: 'Only the operator account may call this action.',
    });
    await h.expectApiError(tenant.admin.call('GetRequest', { RequestId: 'x' }), {
      status: 403, code: 'Forbidden.OperatorOnly',
      message: 'Only the operator account may call this action.',
    });
    await h.expectApiError(admin.call('GetRequest', {}), {
      status: 400, code: 'MissingParameter', message: MISSING('RequestId'),
    });
    await h.expectApiError(admin.call('GetRequest', { RequestId: 'AAAAAAAA-0000-0000-0000-000000000000' }), {
      status: 404, code: 'EntityNotExist', message: 'The specified request does not exist.',
    });
    for (const bad of ['0', '1001', 'ten']) {
      await h.expectApiError(admin.call('ListRequests', { MaxResults: bad }), {
        status: 400, code: 'InvalidParameter', message: INVALID('MaxResults'),
      });
    }
  });
});

describe('request journal bound (--journal-size)', () => {
  after(async () => {
    await h.stopAll();
  });

  it('keeps the newest --journal-size calls and drops the oldest first', async () => {
    const server = await h.startSagd({ args: ['--journal-size', '3'] });
    const admin = h.operatorClient(server);
    const root = h.v1Client(server.endpoint, server.rootKey);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await root.call('DescribeRegions', {})).RequestId);
    // The journal now holds the last three DescribeRegions calls; this call is recorded after it
    // answers, so it does not see itself.
    const list = await admin.call('ListRequests', {});
    assert.deepEqual(list.Requests.Request.map((x) => x.RequestId), ids.slice(1).reverse());
    assert.equal(list.JournalSize, 3);
    await h.expectApiError(admin.call('GetRequest', { RequestId: ids[0] }), {
      status: 404, code: 'EntityNotExist', message: 'The specified request does not exist.',
    });
  });
});
