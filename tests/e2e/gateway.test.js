'use strict';
// The gateway as a client sees it: signatures (V1 by pop-core and by hand, V3 by openapi-client),
// the clock window, nonces, the error envelope (JSON and XML), request ids and the body limit.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const h = require('./lib/harness');

const SIGNATURE_PREFIX =
  'Specified signature is not matched with our calculation. server string to sign is:';

const REGION_IDS = [
  'cn-hangzhou', 'cn-shanghai', 'cn-shanghai-finance-1', 'cn-hongkong', 'ap-southeast-1',
  'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5', 'ap-northeast-1', 'eu-central-1',
];

const MISSING = (name) =>
  `The input parameter "${name}" that is mandatory for processing this request is not supplied.`;

describe('gateway', () => {
  let server;
  let root; // pop-core, V1
  let rootV3; // openapi-client, V3
  let admin; // operator API

  before(async () => {
    server = await h.startSagd({});
    root = h.v1Client(server.endpoint, server.rootKey);
    rootV3 = h.v3Client(server.endpoint, server.rootKey);
    admin = h.operatorClient(server);
  });

  after(async () => {
    await h.stopAll();
  });

  describe('successful calls', () => {
    function regionMap(body) {
      const list = body.Regions.Region;
      return Object.fromEntries(list.map((r) => [r.RegionId, r]));
    }

    it('DescribeRegions over V1 POST (pop-core) lists the ten regions, zh-CN names by default', async () => {
      const r = await root.callFull('DescribeRegions', {});
      assert.equal(r.status, 200);
      const ids = r.body.Regions.Region.map((x) => x.RegionId);
      assert.deepEqual([...ids].sort(), [...REGION_IDS].sort());
      const m = regionMap(r.body);
      assert.equal(m['cn-shanghai'].LocalName, '华东2（上海）');
      assert.equal(m['cn-hangzhou'].LocalName, '华东1（杭州）');
      assert.equal(m['cn-shanghai'].RegionEndpoint, 'smartag.cn-shanghai.aliyuncs.com');
      assert.match(r.body.RequestId, h.REQUEST_ID_RE);
    });

    it('DescribeRegions over V1 GET (pop-core) honours AcceptLanguage=en-US', async () => {
      const r = await root.getFull('DescribeRegions', { AcceptLanguage: 'en-US' });
      assert.equal(r.status, 200);
      assert.equal(r.body.Regions.Region.length, 10);
      const m = regionMap(r.body);
      assert.equal(m['cn-shanghai'].LocalName, 'China (Shanghai)');
      assert.equal(m['eu-central-1'].LocalName, 'Germany (Frankfurt)');
      assert.equal(m['ap-southeast-1'].LocalName, 'Singapore');
    });

    it('DescribeRegions over V3 (openapi-client) honours AcceptLanguage=ja', async () => {
      const r = await rootV3.callFull('DescribeRegions', { AcceptLanguage: 'ja' });
      assert.equal(r.statusCode, 200);
      assert.equal(r.body.Regions.Region.length, 10);
      const m = regionMap(r.body);
      assert.equal(m['ap-southeast-1'].LocalName, 'シンガポール');
      assert.equal(m['ap-northeast-1'].LocalName, '日本 (東京)');
      assert.deepEqual(Object.keys(m).sort(), [...REGION_IDS].sort());
      assert.match(r.body.RequestId, h.REQUEST_ID_RE);
    });

    it('an AcceptLanguage outside zh-CN/en-US/ja is InvalidParameter', async () => {
      await h.expectApiError(root.call('DescribeRegions', { AcceptLanguage: 'fr-FR' }), {
        status: 400,
        code: 'InvalidParameter',
        message: 'The specified parameter "AcceptLanguage" is not valid.',
      });
    });

    it('a hand-signed V1 GET with everything in the query succeeds', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions', AcceptLanguage: 'en-US' }, { method: 'GET' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.Regions.Region.length, 10);
    });

    it('parameters split between query and form body are merged and all signed (Tea 2020 style)', async () => {
      // Common parameters in the query, the business parameter in the body.
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions', AcceptLanguage: 'en-US' },
        { method: 'POST', where: 'query', bodyNames: ['AcceptLanguage'] });
      assert.equal(r.status, 200, r.text);
      assert.equal(regionMap(r.json)['cn-hongkong'].LocalName, 'China (Hong Kong)');
    });

    it('a form body with spaces encoded as + (Python/Go style) is decoded and verified', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        h.createParams({ Action: 'CreateSmartAccessGateway', Description: 'Shanghai branch office', BuyerMessage: 'leave at the gate' }),
        { method: 'POST', plusForSpace: true });
      assert.equal(r.status, 200, r.text);
      const a = await root.call('DescribeSmartAccessGatewayAttribute', { RegionId: 'cn-shanghai', SmartAGId: r.json.SmartAGId });
      assert.equal(a.Description, 'Shanghai branch office');
    });

    it('non-ASCII values survive signing and storage (V1 and V3)', async () => {
      const text = 'Branch 上海分支 — café';
      const c1 = await root.call('CreateSmartAccessGateway', h.createParams({ Description: text }));
      const c3 = await rootV3.call('CreateSmartAccessGateway', h.createParams({ Description: text, Name: 'unicode-v3' }));
      for (const id of [c1.SmartAGId, c3.SmartAGId]) {
        const a = await rootV3.call('DescribeSmartAccessGatewayAttribute', { RegionId: 'cn-shanghai', SmartAGId: id });
        assert.equal(a.Description, text);
      }
    });

    it('a Timestamp with milliseconds inside the window is accepted', async () => {
      const ts = new Date(Date.now() - 1000).toISOString(); // ...:ss.mmmZ
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { timestamp: ts });
      assert.equal(r.status, 200, r.text);
    });

    it('Format=json in lower case (as DARA sends it) gives JSON', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { format: 'json' });
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.equal(r.json.Regions.Region.length, 10);
    });
  });

  describe('request ids and the error envelope', () => {
    it('x-acs-request-id equals the body RequestId, an upper-case UUID, on success', async () => {
      const a = await root.callFull('DescribeRegions', {});
      const b = await root.callFull('DescribeRegions', {});
      assert.match(a.headers['x-acs-request-id'], h.REQUEST_ID_RE);
      assert.equal(a.headers['x-acs-request-id'], a.body.RequestId);
      assert.equal(b.headers['x-acs-request-id'], b.body.RequestId);
      assert.notEqual(a.body.RequestId, b.body.RequestId, 'request ids must be unique');
      assert.match(a.headers['content-type'], /^application\/json/);
    });

    it('V3 responses carry the same header', async () => {
      const r = await rootV3.callFull('DescribeRegions', {});
      assert.equal(r.headers['x-acs-request-id'], r.body.RequestId);
      assert.match(r.body.RequestId, h.REQUEST_ID_RE);
    });

    it('an error body has RequestId, HostId, Code, Message and Recommend', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeSmartAccessGatewayAttribute', RegionId: 'cn-shanghai', SmartAGId: 'sag-doesnotexist0000' });
      assert.equal(r.status, 403);
      assert.match(r.headers['content-type'], /^application\/json/);
      const body = r.json;
      assert.deepEqual(Object.keys(body).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
      assert.equal(body.Code, 'InvalidId.SMARTAG');
      assert.equal(body.Message, 'The specified smart access gateway instance id is invalid.');
      assert.match(body.RequestId, h.REQUEST_ID_RE);
      assert.equal(r.headers['x-acs-request-id'], body.RequestId);
      assert.equal(body.HostId, server.host, 'HostId is the endpoint host the client used');
      assert.ok(body.Recommend.includes('InvalidId.SMARTAG'), body.Recommend);
      assert.ok(body.Recommend.includes(body.RequestId), body.Recommend);
    });

    it('a gateway error from pop-core also carries the header', async () => {
      const bad = h.v1Client(server.endpoint, { accessKeyId: 'LTAInotakey000000000000', accessKeySecret: 'x' });
      try {
        await bad.call('DescribeRegions', {});
        assert.fail('should have failed');
      } catch (e) {
        assert.ok(e.entry, String(e));
        assert.equal(e.entry.response.headers['x-acs-request-id'], e.data.RequestId);
        assert.match(e.data.RequestId, h.REQUEST_ID_RE);
      }
    });

    it('Format=XML: a success is <ActionResponse> with RequestId', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions', AcceptLanguage: 'en-US' }, { format: 'XML' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['content-type'], 'text/xml;charset=utf-8');
      assert.match(r.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<DescribeRegionsResponse>/);
      assert.match(r.text, /<\/DescribeRegionsResponse>\s*$/);
      const id = r.text.match(/<RequestId>([^<]*)<\/RequestId>/);
      assert.ok(id, r.text);
      assert.match(id[1], h.REQUEST_ID_RE);
      assert.equal(r.headers['x-acs-request-id'], id[1]);
      assert.ok(r.text.includes('<RegionId>eu-central-1</RegionId>'), r.text);
      assert.ok(r.text.includes('<LocalName>China (Shanghai)</LocalName>'), r.text);
      assert.equal((r.text.match(/<Region>/g) || []).length, 10);
    });

    it('Format=XML: an error is <Error> with RequestId, HostId, Code, Message, Recommend', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeSmartAccessGatewayAttribute', RegionId: 'cn-shanghai', SmartAGId: 'sag-doesnotexist0000' },
        { format: 'XML' });
      assert.equal(r.status, 403);
      assert.equal(r.headers['content-type'], 'text/xml;charset=utf-8');
      assert.match(r.text, /^<\?xml version='1\.0' encoding='UTF-8'\?>\s*<Error>/);
      const field = (name) => {
        const m = r.text.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`));
        return m && m[1];
      };
      assert.match(field('RequestId'), h.REQUEST_ID_RE);
      assert.equal(r.headers['x-acs-request-id'], field('RequestId'));
      assert.equal(field('HostId'), server.host);
      assert.equal(field('Code'), 'InvalidId.SMARTAG');
      assert.equal(field('Message'), 'The specified smart access gateway instance id is invalid.');
      assert.ok(field('Recommend') && field('Recommend').includes('InvalidId.SMARTAG'), r.text);
    });

    it('Format=XML escapes markup in values', async () => {
      const c = await root.call('CreateSmartAccessGateway', h.createParams({ Description: 'A<b>&"quoted"\'' }));
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeSmartAccessGatewayAttribute', RegionId: 'cn-shanghai', SmartAGId: c.SmartAGId },
        { format: 'XML' });
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /<DescribeSmartAccessGatewayAttributeResponse>/);
      const m = r.text.match(/<Description>([^<]*)<\/Description>/);
      assert.ok(m, r.text);
      assert.equal(m[1], 'A&lt;b&gt;&amp;&quot;quoted&quot;&apos;');
    });

    it('Format=XML applies to gateway errors too (bad signature)', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { format: 'xml', secret: 'wrong-secret' });
      assert.equal(r.status, 400);
      assert.match(r.text, /<Error>[\s\S]*<Code>SignatureDoesNotMatch<\/Code>/);
    });

    it('without Format, an Accept header asking only for XML gives XML', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { headers: { accept: 'application/xml' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['content-type'], 'text/xml;charset=utf-8');
      assert.match(r.text, /<DescribeRegionsResponse>/);
    });
  });

  describe('signatures and keys', () => {
    it('a wrong secret is SignatureDoesNotMatch with the server string to sign (hand-signed)', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { secret: 'not-the-secret' });
      const body = await h.expectApiError(r, {
        status: 400, code: 'SignatureDoesNotMatch', messagePrefix: SIGNATURE_PREFIX,
      });
      // The client can compare the server's string to sign with its own (PYCORE does).
      assert.equal(body.Message, SIGNATURE_PREFIX + r.stringToSign);
    });

    it('a wrong secret is SignatureDoesNotMatch through pop-core', async () => {
      const bad = h.v1Client(server.endpoint, { ...server.rootKey, accessKeySecret: 'not-the-secret' });
      const body = await h.expectApiError(bad.call('DescribeRegions', {}), {
        status: 400, code: 'SignatureDoesNotMatch', messagePrefix: SIGNATURE_PREFIX,
      });
      assert.ok(body.Message.slice(SIGNATURE_PREFIX.length).startsWith('POST&%2F&'), body.Message);
    });

    it('a wrong secret is SignatureDoesNotMatch through openapi-client (V3)', async () => {
      const bad = h.v3Client(server.endpoint, { ...server.rootKey, accessKeySecret: 'not-the-secret' });
      const body = await h.expectApiError(bad.call('DescribeRegions', {}), {
        status: 400, code: 'SignatureDoesNotMatch', messagePrefix: SIGNATURE_PREFIX,
      });
      assert.match(body.Message.slice(SIGNATURE_PREFIX.length), /^ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
    });

    it('a V1 request signed for GET but sent as POST does not match', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { method: 'POST', signMethod: 'GET' });
      await h.expectApiError(r, { status: 400, code: 'SignatureDoesNotMatch', messagePrefix: SIGNATURE_PREFIX });
    });

    it('a parameter added or changed after signing does not match', async () => {
      const added = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions', AcceptLanguage: 'en-US' },
        { method: 'GET', rawQuery: 'Extra=added-after-signing' });
      await h.expectApiError(added, { status: 400, code: 'SignatureDoesNotMatch', messagePrefix: SIGNATURE_PREFIX });
      const changed = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions', AcceptLanguage: 'en-US' },
        { tamper: (p) => { p.AcceptLanguage = 'ja'; } });
      await h.expectApiError(changed, { status: 400, code: 'SignatureDoesNotMatch', messagePrefix: SIGNATURE_PREFIX });
    });

    it('an unknown AccessKeyId is 404 InvalidAccessKeyId.NotFound (V1 and V3)', async () => {
      const ghost = { accessKeyId: 'LTAI' + h.randomAlnum(20), accessKeySecret: h.randomAlnum(30) };
      const expected = {
        status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.',
      };
      await h.expectApiError(h.v1Client(server.endpoint, ghost).call('DescribeRegions', {}), expected);
      await h.expectApiError(h.v3Client(server.endpoint, ghost).call('DescribeRegions', {}), expected);
    });

    it('a disabled AccessKey is InvalidAccessKeyId.Inactive; enabling it again restores access', async () => {
      const created = await admin.call('CreateAccessKey', {});
      const key = {
        accessKeyId: created.AccessKey.AccessKeyId,
        accessKeySecret: created.AccessKey.AccessKeySecret,
      };
      const c1 = h.v1Client(server.endpoint, key);
      const c3 = h.v3Client(server.endpoint, key);
      assert.equal((await c1.call('DescribeRegions', {})).Regions.Region.length, 10);

      await admin.call('UpdateAccessKey', { UserAccessKeyId: key.accessKeyId, Status: 'Inactive' });
      const expected = {
        status: 400, code: 'InvalidAccessKeyId.Inactive', message: 'Specified access key is disabled.',
      };
      await h.expectApiError(c1.call('DescribeRegions', {}), expected);
      await h.expectApiError(c3.call('DescribeRegions', {}), expected);

      await admin.call('UpdateAccessKey', { UserAccessKeyId: key.accessKeyId, Status: 'Active' });
      assert.equal((await c3.call('DescribeRegions', {})).Regions.Region.length, 10);
    });
  });

  describe('clock window and nonces', () => {
    const EXPIRED = {
      status: 400, code: 'InvalidTimeStamp.Expired', message: 'Specified time stamp or date value is expired.',
    };

    it('a Timestamp 10 minutes old is still inside the window', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { timestamp: h.isoTimestamp(Date.now() - 10 * 60 * 1000) });
      assert.equal(r.status, 200, r.text);
    });

    it('a Timestamp 20 minutes old is InvalidTimeStamp.Expired', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { timestamp: h.isoTimestamp(Date.now() - 20 * 60 * 1000) });
      await h.expectApiError(r, EXPIRED);
    });

    it('a Timestamp 20 minutes in the future is InvalidTimeStamp.Expired', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { timestamp: h.isoTimestamp(Date.now() + 20 * 60 * 1000) });
      await h.expectApiError(r, EXPIRED);
    });

    for (const bad of ['yesterday', '2024-13-01T00:00:00Z', '2024-01-01 00:00:00', '1700000000']) {
      it(`a malformed Timestamp (${bad}) is IllegalTimestamp`, async () => {
        const r = await h.signedRaw(server.endpoint, server.rootKey,
          { Action: 'DescribeRegions' }, { timestamp: bad });
        await h.expectApiError(r, {
          status: 400, code: 'IllegalTimestamp', message: MISSING('Timestamp'),
        });
      });
    }

    it('a reused SignatureNonce is SignatureNonceUsed', async () => {
      const nonce = h.newNonce();
      const timestamp = h.isoTimestamp();
      const first = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { nonce, timestamp });
      assert.equal(first.status, 200, first.text);
      // The same request replayed, and a different request with the same nonce.
      const replay = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { nonce, timestamp });
      const expected = {
        status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.',
      };
      await h.expectApiError(replay, expected);
      const other = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions', AcceptLanguage: 'en-US' }, { nonce, method: 'GET' });
      await h.expectApiError(other, expected);
    });

    it('nonces are per AccessKey: another key may use the same nonce', async () => {
      const other = await admin.call('CreateAccessKey', {});
      const otherKey = { accessKeyId: other.AccessKey.AccessKeyId, accessKeySecret: other.AccessKey.AccessKeySecret };
      const nonce = h.newNonce();
      const a = await h.signedRaw(server.endpoint, server.rootKey, { Action: 'DescribeRegions' }, { nonce });
      assert.equal(a.status, 200, a.text);
      const b = await h.signedRaw(server.endpoint, otherKey, { Action: 'DescribeRegions' }, { nonce });
      assert.equal(b.status, 200, b.text);
    });

    it('a badly signed request does not burn its nonce', async () => {
      const nonce = h.newNonce();
      const forged = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { nonce, secret: 'attacker-guess' });
      await h.expectApiError(forged, {
        status: 400, code: 'SignatureDoesNotMatch', messagePrefix: SIGNATURE_PREFIX,
      });
      const genuine = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { nonce });
      assert.equal(genuine.status, 200, genuine.text);
      const again = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { nonce });
      await h.expectApiError(again, {
        status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.',
      });
    });
  });

  describe('routing and parameters', () => {
    it('an unknown action is 404 InvalidAction.NotFound (V1 and V3)', async () => {
      const expected = {
        status: 404, code: 'InvalidAction.NotFound',
        message: 'Specified api is not found, please check your url and method.',
      };
      await h.expectApiError(root.call('DescribeNothingAtAll', {}), expected);
      await h.expectApiError(rootV3.call('DescribeNothingAtAll', {}), expected);
      // An operator action is not a smartag action.
      await h.expectApiError(root.call('CreateAccount', { AccountName: 'x1' }), expected);
    });

    it('a path other than / is InvalidAction.NotFound', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { method: 'GET', path: '/v1/regions' });
      await h.expectApiError(r, {
        status: 404, code: 'InvalidAction.NotFound',
        message: 'Specified api is not found, please check your url and method.',
      });
    });

    it('an unknown Version is 400 InvalidVersion (V1 and V3)', async () => {
      const expected = {
        status: 400, code: 'InvalidVersion', message: 'Specified parameter Version is not valid.',
      };
      await h.expectApiError(
        h.v1Client(server.endpoint, server.rootKey, '2017-01-01').call('DescribeRegions', {}), expected);
      await h.expectApiError(
        h.v3Client(server.endpoint, server.rootKey, '2017-01-01').call('DescribeRegions', {}), expected);
    });

    it('a missing business parameter is MissingParameter naming it', async () => {
      await h.expectApiError(
        root.call('DescribeSmartAccessGatewayAttribute', { RegionId: 'cn-shanghai' }),
        { status: 400, code: 'MissingParameter', message: MISSING('SmartAGId') });
      await h.expectApiError(
        rootV3.call('DescribeSmartAccessGatewayAttribute', { SmartAGId: 'sag-abc' }),
        { status: 400, code: 'MissingParameter', message: MISSING('RegionId') });
    });

    it('an empty value counts as missing', async () => {
      await h.expectApiError(
        root.call('DescribeSmartAccessGatewayAttribute', { RegionId: 'cn-shanghai', SmartAGId: '' }),
        { status: 400, code: 'MissingParameter', message: MISSING('SmartAGId') });
    });

    for (const name of ['Action', 'Version', 'AccessKeyId', 'Signature', 'SignatureNonce', 'Timestamp']) {
      it(`a request without ${name} is MissingParameter "${name}"`, async () => {
        const r = await h.signedRaw(server.endpoint, server.rootKey,
          { Action: 'DescribeRegions' }, { omit: [name] });
        await h.expectApiError(r, { status: 400, code: 'MissingParameter', message: MISSING(name) });
      });
    }

    it('malformed percent-encoding in the query is RequestParameterMalformed', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { method: 'GET', rawQuery: 'Name=%ZZbad' });
      await h.expectApiError(r, {
        status: 400, code: 'RequestParameterMalformed',
        message: 'Request parameters has malformed encoded characters.',
      });
    });

    it('malformed percent-encoding in the form body is RequestParameterMalformed', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { method: 'POST', rawBody: 'Name=abc%2' });
      await h.expectApiError(r, {
        status: 400, code: 'RequestParameterMalformed',
        message: 'Request parameters has malformed encoded characters.',
      });
    });

    it('an unknown RegionId is InvalidRegionID (V1 and V3)', async () => {
      const expected = {
        status: 400, code: 'InvalidRegionID', message: 'The specified regionId does not exist.',
      };
      await h.expectApiError(root.call('DescribeSmartAccessGateways', { RegionId: 'mars-north-1' }), expected);
      await h.expectApiError(rootV3.call('DescribeSmartAccessGateways', { RegionId: 'cn-nowhere' }), expected);
    });

    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      it(`${method} is 405 UnsupportedHTTPMethod`, async () => {
        const r = await h.signedRaw(server.endpoint, server.rootKey,
          { Action: 'DescribeRegions' }, { method, where: 'query' });
        await h.expectApiError(r, {
          status: 405, code: 'UnsupportedHTTPMethod', message: 'This http method is not supported.',
        });
      });
    }

    it('an unsupported method is 405 before its parameters are looked at (documented check order)', async () => {
      const r = await h.rawHttp(server.endpoint, { method: 'PUT', target: '/?Name=%ZZbad' });
      await h.expectApiError(r, {
        status: 405, code: 'UnsupportedHTTPMethod', message: 'This http method is not supported.',
      });
    });

    it('a body over 1 MiB is 413 RequestEntityTooLarge', async () => {
      const r = await h.signedRaw(server.endpoint, server.rootKey,
        { Action: 'DescribeRegions' }, { rawBody: 'Pad=' + 'a'.repeat(1 << 20) });
      await h.expectApiError(r, {
        status: 413, code: 'RequestEntityTooLarge',
        message: 'The request body is larger than the service accepts.',
      });
      // The server is still serving afterwards.
      assert.equal((await root.call('DescribeRegions', {})).Regions.Region.length, 10);
    });

    it('a chunked body over 1 MiB is 413 too', async () => {
      const url = new URL(server.endpoint);
      const res = await new Promise((resolve, reject) => {
        const req = http.request({
          host: url.hostname, port: url.port, method: 'POST', path: '/', agent: false,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
        }, (r) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (d) => { text += d; });
          r.on('end', () => resolve({ status: r.statusCode, text, json: JSON.parse(text) }));
        });
        req.on('error', reject);
        const chunk = 'a'.repeat(64 * 1024);
        let n = 0;
        const pump = () => {
          while (n < 20) {
            n++;
            if (!req.write(chunk)) return req.once('drain', pump);
          }
          return req.end();
        };
        req.write('Pad=');
        pump();
      });
      await h.expectApiError(res, {
        status: 413, code: 'RequestEntityTooLarge',
        message: 'The request body is larger than the service accepts.',
      });
    });

    it('a body just under 1 MiB is accepted', async () => {
      // Many parameters: each value is limited to 1024 characters (docs/semantics.md).
      const pads = {};
      for (let i = 0; i < 1030; i++) pads[`Pad${i}`] = 'a'.repeat(1000);
      const r = await h.signedRaw(server.endpoint, server.rootKey, { Action: 'DescribeRegions', ...pads });
      assert.equal(r.status, 200, r.text.slice(0, 300));
      assert.equal(r.json.Regions.Region.length, 10);
    });
  });
});
