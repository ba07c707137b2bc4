// --master-key-file: nodes that share a database must share the key that seals secrets at rest.
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { startSagd, stopAll, makeTempDir, operatorClient, v1Client, expectApiError } = require('./lib/harness');

after(() => stopAll());

test('a second node on the same database with the same key file accepts keys made on the first', async () => {
  const shared = makeTempDir();
  const keyFile = path.join(shared, 'master.key');
  fs.writeFileSync(keyFile, crypto.randomBytes(32), { mode: 0o600 });
  const store = `sqlite:${path.join(shared, 'sag.db')}`;
  const a = await startSagd({ args: ['--store', store, '--master-key-file', keyFile] });
  assert.ok(!fs.existsSync(path.join(a.dataDir, 'master.key')), 'no per-node key is created');
  const made = await operatorClient(a).call('CreateAccount', { AccountName: 'shared-key' });
  const key = { accessKeyId: made.AccessKey.AccessKeyId, accessKeySecret: made.AccessKey.AccessKeySecret };

  const b = await startSagd({ args: ['--store', store, '--master-key-file', keyFile] });
  const regions = await v1Client(b.endpoint, key).call('DescribeRegions', {});
  assert.equal(regions.Regions.Region.length, 10);

  // A node with its own, different key cannot open the stored secret: it fails closed.
  const c = await startSagd({ args: ['--store', store] });
  await expectApiError(v1Client(c.endpoint, key).call('DescribeRegions', {}), {
    status: 500, code: 'InternalError',
    message: 'The request processing has failed due to some unknown error, exception or failure.',
  });
  assert.ok(!c.stderr().includes(key.accessKeySecret));
});

test('a missing or malformed key file stops sagd at start', async () => {
  const dir = makeTempDir();
  const bad = path.join(dir, 'short.key');
  fs.writeFileSync(bad, 'too short');
  await assert.rejects(startSagd({ args: ['--master-key-file', bad] }), /not a 32-byte key/);
  await assert.rejects(startSagd({ args: ['--master-key-file', path.join(dir, 'missing.key')] }),
    /cannot read master key file/);
});
