'use strict';
// Hostile strings (issue 12, case 8): control characters, bytes that are not UTF-8 and huge values
// in any parameter are refused before an operation sees them, a Host header that is not a host
// name is not echoed, and every answer stays well-formed (the harness checks every XML and JSON
// body of the raw paths; these tests add the SDKs' view).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');

const h = require('./lib/harness');

const INVALID = (name) => ({
  status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.`,
});
const MALFORMED = {
  status: 400, code: 'RequestParameterMalformed', message: 'Request parameters has malformed encoded characters.',
};
const POSITION = 'Hangzhou, Zhejiang';

// Sends bytes over a plain socket and resolves the whole raw answer (the server closes after it).
function rawExchange(port, bytes) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: '127.0.0.1', port });
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.setTimeout(15000, () => socket.destroy(new Error('no answer within 15 s')));
    socket.end(bytes);
  });
}

// {status, headers (lower-case names), body (Buffer)} of one raw HTTP/1.1 answer.
function parseRawResponse(raw) {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no header block in ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: raw.subarray(end + 4) };
}

describe('hostile strings', () => {
  let server;
  let T;
  let id;

  before(async () => {
    server = await h.startSagd({});
    T = await h.createAccount(server, 'hostile');
    id = (await T.client.call('CreateSmartAccessGateway', h.createParams())).SmartAGId;
    await T.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Position: POSITION });
  });
  after(async () => {
    await h.stopAll();
  });

  const modify = (extra, opts) => h.signedRaw(server.endpoint, T.key,
    { Action: 'ModifySmartAccessGateway', RegionId: 'cn-shanghai', SmartAGId: id, ...extra }, opts);

  it('ModifySmartAccessGateway --Position a\\x01b is InvalidParameter (pop-core and Tea SDKs)', async () => {
    await h.expectApiError(T.client.call('ModifySmartAccessGateway',
      { RegionId: 'cn-shanghai', SmartAGId: id, Position: 'a\x01b' }), INVALID('Position'));
    await h.expectApiError(T.v3.call('ModifySmartAccessGateway',
      { RegionId: 'cn-shanghai', SmartAGId: id, Position: 'a\x01b' }), INVALID('Position'));
  });

  it('Position=a%00b on the wire is InvalidParameter', async () => {
    const r = await modify({}, { encoded: { Position: 'a%00b' } });
    await h.expectApiError(r, INVALID('Position'));
  });

  it('Position=%FF%FE (not UTF-8) is InvalidParameter, in JSON and in XML', async () => {
    await h.expectApiError(await modify({}, { encoded: { Position: '%FF%FE' } }), INVALID('Position'));
    const xml = await modify({ Format: 'XML' }, { encoded: { Position: '%FF%FE' } });
    assert.equal(xml.status, 400);
    const doc = h.parseXml(xml.text);
    assert.equal(h.xmlText(doc, 'Code'), 'InvalidParameter');
    assert.equal(h.xmlText(doc, 'Message'), 'The specified parameter "Position" is not valid.');
  });

  it('a 500,000-character Position is InvalidParameter; 1024 characters are accepted', async () => {
    await h.expectApiError(T.client.call('ModifySmartAccessGateway',
      { RegionId: 'cn-shanghai', SmartAGId: id, Position: 'p'.repeat(500000) }), INVALID('Position'));
    await h.expectApiError(T.client.call('ModifySmartAccessGateway',
      { RegionId: 'cn-shanghai', SmartAGId: id, Position: '杭'.repeat(1025) }), INVALID('Position'));
    const longest = '杭'.repeat(1024); // 1024 characters, 3072 bytes
    await T.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Position: longest });
    assert.equal((await T.client.call('DescribeSmartAccessGatewayAttribute',
      { RegionId: 'cn-shanghai', SmartAGId: id })).Position, longest);
    await T.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Position: POSITION });
  });

  it('every parameter is checked, of every operation: Name, Description, any name, another action', async () => {
    await h.expectApiError(modify({ Name: 'two\nlines' }), INVALID('Name'));
    await h.expectApiError(modify({ Description: 'Tab\there' }), INVALID('Description'));
    await h.expectApiError(modify({ Whatever: '\x1b[31mred' }), INVALID('Whatever'));
    await h.expectApiError(T.client.call('DescribeSmartAccessGateways', { Name: 'a\x7f' }), INVALID('Name'));
    await h.expectApiError(h.signedRaw(server.endpoint, server.rootKey,
      { Action: 'CreateAccount', AccountName: 'bad\x00name' }, { version: h.OPERATOR_VERSION }),
    INVALID('AccountName'));
  });

  it('a parameter name that is not UTF-8 text is RequestParameterMalformed', async () => {
    await h.expectApiError(await modify({}, { rawBody: '%FF=1' }), MALFORMED);
    await h.expectApiError(await modify({}, { rawBody: 'a%01b=1' }), MALFORMED);
  });

  it('nothing refused was stored: the instance answers well-formed JSON and XML with its Position', async () => {
    const json = await h.signedRaw(server.endpoint, T.key,
      { Action: 'DescribeSmartAccessGatewayAttribute', RegionId: 'cn-shanghai', SmartAGId: id });
    assert.equal(json.status, 200);
    assert.equal(json.json.Position, POSITION);
    const xml = await h.signedRaw(server.endpoint, T.key,
      { Action: 'DescribeSmartAccessGatewayAttribute', RegionId: 'cn-shanghai', SmartAGId: id, Format: 'XML' });
    assert.equal(xml.status, 200);
    assert.equal(h.xmlText(h.parseXml(xml.text), 'Position'), POSITION);
  });

  it('a Position that is a JSON document keeps its line breaks and markup through JSON and XML', async () => {
    const doc = '[{\n\t"label": "杭州 <西湖> & \'1\' \\"x\\"",\r\n\t"center": "120.19, 30.18"\n}]';
    await T.v3.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Position: doc });
    assert.equal((await T.client.call('DescribeSmartAccessGatewayAttribute',
      { RegionId: 'cn-shanghai', SmartAGId: id })).Position, doc);
    const xml = await h.signedRaw(server.endpoint, T.key,
      { Action: 'DescribeSmartAccessGatewayAttribute', RegionId: 'cn-shanghai', SmartAGId: id, Format: 'XML' });
    assert.equal(h.xmlText(h.parseXml(xml.text), 'Position'), doc);
    await T.client.call('ModifySmartAccessGateway', { RegionId: 'cn-shanghai', SmartAGId: id, Position: POSITION });
  });

  it('a raw Host: a\\xff"b is not echoed into HostId (JSON and XML)', async () => {
    for (const format of ['JSON', 'XML']) {
      const body = `Action=DescribeRegions&Format=${format}`;
      const request = Buffer.concat([
        Buffer.from('POST / HTTP/1.1\r\nHost: a'), Buffer.from([0xff]), Buffer.from('"b\r\n' +
          'Content-Type: application/x-www-form-urlencoded\r\n' +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
      ]);
      const r = parseRawResponse(await rawExchange(server.port, request));
      h.checkResponseBody(r.headers['content-type'], r.body);
      assert.equal(r.status, 400);
      assert.equal(r.body.indexOf(Buffer.from([0xff])), -1, 'the raw byte is not echoed');
      const text = r.body.toString('utf8');
      if (format === 'JSON') {
        const json = JSON.parse(text);
        assert.equal(json.HostId, 'smartag.aliyuncs.com');
        assert.equal(json.Code, 'MissingParameter');
        assert.equal(json.Message,
          'The input parameter "Version" that is mandatory for processing this request is not supplied.');
      } else {
        assert.equal(h.xmlText(h.parseXml(text), 'HostId'), 'smartag.aliyuncs.com');
      }
    }
    // An ordinary host name is still echoed.
    const r = await h.rawHttp(server.endpoint, { method: 'POST', target: '/?Action=DescribeRegions' });
    assert.equal(r.json.HostId, server.host);
  });
});
