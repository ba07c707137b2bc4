'use strict';
// The nonce replay window (issue 12, cases 5 and 6): bounded per AccessKey, so one key's flood
// throttles only that key (Throttling.User with x-acs-retry-after) while every other key, the
// operator's included, goes on; and durable on SQLite, so that a request answered before a SIGTERM
// or a kill -9 is SignatureNonceUsed when it is replayed after the restart.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');

const NONCE_USED = {
  status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.',
};
const THROTTLED = {
  status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.',
};
const WINDOW_MS = 15 * 60 * 1000;

// A signed request that can be sent again byte for byte: same nonce, same timestamp, same signature.
function replayable(params) {
  return { params, opts: { nonce: h.newNonce(), timestamp: h.isoTimestamp() } };
}
const send = (server, key, req) => h.signedRaw(server.endpoint, key, req.params, req.opts);

async function instanceCount(server, key) {
  return (await h.v1Client(server.endpoint, key).call('DescribeSmartAccessGateways', {})).TotalCount;
}

describe('nonce window', () => {
  after(async () => {
    await h.stopAll();
  });

  it('one key over its bound is Throttling.User with x-acs-retry-after; other keys and the operator go on', async () => {
    const PER_KEY = 20;
    const server = await h.startSagd({ args: ['--nonce-window-per-key', String(PER_KEY)] });
    const A = await h.createAccount(server, 'flooder');
    const B = await h.createAccount(server, 'neighbour');
    // A's flood: as many calls as its bound allows, through both SDKs...
    const sent = [];
    for (let i = 0; i < PER_KEY; i++) {
      if (i % 2 === 0) {
        const req = replayable({ Action: 'DescribeRegions' });
        const r = await send(server, A.key, req);
        assert.equal(r.status, 200, `call ${i}: ${r.text}`);
        sent.push(req);
      } else {
        assert.equal((await A.v3.call('DescribeRegions', {})).Regions.Region.length, 10);
      }
    }
    // ...then refused, whatever the signature version, with the time until its oldest nonces expire.
    const refused = await h.signedRaw(server.endpoint, A.key, { Action: 'DescribeRegions' });
    await h.expectApiError(refused, THROTTLED);
    const retryAfter = Number(refused.headers['x-acs-retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= WINDOW_MS + 60000,
      `x-acs-retry-after: ${refused.headers['x-acs-retry-after']}`);
    await h.expectApiError(A.client.call('DescribeRegions', {}), THROTTLED);
    await h.expectApiError(A.v3.call('DescribeRegions', {}), THROTTLED);
    const xml = await h.signedRaw(server.endpoint, A.key, { Action: 'DescribeRegions', Format: 'XML' });
    assert.equal(xml.status, 400);
    assert.equal(h.xmlText(h.parseXml(xml.text), 'Code'), 'Throttling.User');
    assert.ok(Number(xml.headers['x-acs-retry-after']) > 0);
    // A replay of A's is still a replay, not a throttle.
    await h.expectApiError(send(server, A.key, sent[0]), NONCE_USED);
    // Every other key goes on: another tenant (V1 and V3) and the operator.
    assert.equal((await B.client.call('DescribeRegions', {})).Regions.Region.length, 10);
    assert.equal((await B.v3.call('DescribeRegions', {})).Regions.Region.length, 10);
    assert.equal((await h.operatorClient(server).call('ListAccounts', {})).Accounts.Account.length, 3);
    assert.equal((await h.v1Client(server.endpoint, server.rootKey).call('DescribeRegions', {}))
      .Regions.Region.length, 10);
  });

  it('a request answered before a SIGTERM is SignatureNonceUsed when replayed after the restart', async () => {
    const s1 = await h.startSagd({});
    const T = await h.createAccount(s1, 'sigterm');
    const create = replayable({ Action: 'CreateSmartAccessGateway', ...h.createParams() });
    const read = replayable({ Action: 'DescribeRegions' });
    assert.equal((await send(s1, T.key, create)).status, 200);
    assert.equal((await send(s1, T.key, read)).status, 200);
    assert.equal((await s1.stop()).code, 0);

    const s2 = await h.startSagd({ dataDir: s1.dataDir, rootKey: s1.rootKey });
    await h.expectApiError(send(s2, T.key, create), NONCE_USED);
    await h.expectApiError(send(s2, T.key, read), NONCE_USED);
    assert.equal(await instanceCount(s2, T.key), 1, 'the instance was created once');
    // After a clean stop nothing else is refused: a new request signed a minute ago is accepted.
    const earlier = await h.signedRaw(s2.endpoint, T.key, { Action: 'DescribeRegions' },
      { timestamp: h.isoTimestamp(Date.now() - 60000) });
    assert.equal(earlier.status, 200, earlier.text);
  });

  it('a request answered before a kill -9 is SignatureNonceUsed when replayed after the restart', async () => {
    const s1 = await h.startSagd({});
    const T = await h.createAccount(s1, 'killed');
    const create = replayable({ Action: 'CreateSmartAccessGateway', ...h.createParams() });
    const read = replayable({ Action: 'DescribeRegions' });
    assert.equal((await send(s1, T.key, create)).status, 200);
    assert.equal((await send(s1, T.key, read)).status, 200); // its nonce may still be queued
    await s1.kill9();

    const s2 = await h.startSagd({ dataDir: s1.dataDir, rootKey: s1.rootKey });
    await h.expectApiError(send(s2, T.key, create), NONCE_USED);
    await h.expectApiError(send(s2, T.key, read), NONCE_USED);
    assert.equal(await instanceCount(s2, T.key), 1, 'the instance was created once');
    // The restart fence: any request signed before this start could have been in the lost tail.
    await h.expectApiError(h.signedRaw(s2.endpoint, T.key, { Action: 'DescribeRegions' },
      { timestamp: h.isoTimestamp(Date.now() - 60000) }), NONCE_USED);
    // Requests signed now, as SDKs sign them, are fine (V1 and V3).
    assert.equal((await h.v1Client(s2.endpoint, T.key).call('DescribeRegions', {})).Regions.Region.length, 10);
    assert.equal((await h.v3Client(s2.endpoint, T.key).call('DescribeRegions', {})).Regions.Region.length, 10);

    // The fence survives a later clean restart.
    assert.equal((await s2.stop()).code, 0);
    const s3 = await h.startSagd({ dataDir: s1.dataDir, rootKey: s1.rootKey });
    await h.expectApiError(send(s3, T.key, read), NONCE_USED);
    assert.equal(await instanceCount(s3, T.key), 1);
  });
});
