// The `sag` command-line client against a real sagd: the same calls users make from a shell.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startSagd, stopAll, createParams } = require('./lib/harness');

let server;

// Runs `sag args...` with the server's endpoint and root key in the environment.
function sag(args, { key = server.rootKey, env = {} } = {}) {
  const bin = path.join(process.env.SAG_BIN_DIR, 'sag');
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    timeout: 30000,
    env: {
      ...process.env,
      SAG_ENDPOINT: server.endpoint,
      SAG_ACCESS_KEY_ID: key.accessKeyId,
      SAG_ACCESS_KEY_SECRET: key.accessKeySecret,
      ...env,
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function flags(params) {
  return Object.entries(params).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

before(async () => {
  server = await startSagd({});
});
after(() => stopAll());

test('sag smartag DescribeRegions prints the ten regions as JSON and exits 0', () => {
  const r = sag(['smartag', 'DescribeRegions', '--AcceptLanguage', 'en-US']);
  assert.equal(r.status, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  assert.equal(body.Regions.Region.length, 10);
  assert.ok(body.Regions.Region.some((x) => x.LocalName === 'China (Hangzhou)'));
  assert.match(body.RequestId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
});

test('an instance created with V1 is described with V3 and listed', () => {
  const created = sag(['smartag', 'CreateSmartAccessGateway', ...flags(createParams({ Name: 'cli-made' }))]);
  assert.equal(created.status, 0, created.stdout + created.stderr);
  const id = JSON.parse(created.stdout).SmartAGId;
  const region = createParams().RegionId;
  const described = sag(['--signature', 'v3', 'smartag', 'DescribeSmartAccessGatewayAttribute',
    '--RegionId', region, '--SmartAGId', id]);
  assert.equal(described.status, 0, described.stdout + described.stderr);
  const attr = JSON.parse(described.stdout);
  assert.equal(attr.SmartAGId, id);
  assert.equal(attr.Name, 'cli-made');
  const listed = JSON.parse(sag(['smartag', 'DescribeSmartAccessGateways', '--region', region,
    '--SmartAGIds.1', id]).stdout);
  assert.equal(listed.TotalCount, 1);
});

test('an API error prints the error body on stdout and exits 1', () => {
  const r = sag(['smartag', 'DescribeSmartAccessGatewayAttribute', '--RegionId', 'cn-hangzhou',
    '--SmartAGId', 'sag-doesnotexist000000']);
  assert.equal(r.status, 1);
  const body = JSON.parse(r.stdout);
  assert.equal(body.Code, 'InvalidId.SMARTAG');
  assert.equal(body.Message, 'The specified smart access gateway instance id is invalid.');
});

test('--format xml returns the XML body', () => {
  const r = sag(['--format', 'xml', 'smartag', 'DescribeRegions']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /<DescribeRegionsResponse><RequestId>[0-9A-F-]{36}<\/RequestId>/);
  assert.match(r.stdout, /<RegionId>cn-shanghai<\/RegionId>/);
});

test('sag admin drives the operator API', () => {
  const created = sag(['admin', 'CreateUser', '--UserName', 'cli-alice']);
  assert.equal(created.status, 0, created.stdout + created.stderr);
  assert.equal(JSON.parse(created.stdout).User.UserName, 'cli-alice');
  const again = sag(['admin', 'CreateUser', '--UserName', 'cli-alice']);
  assert.equal(again.status, 1);
  assert.equal(JSON.parse(again.stdout).Code, 'EntityAlreadyExists');
  const users = JSON.parse(sag(['--signature', 'v3', 'admin', 'ListUsers']).stdout);
  assert.deepEqual(users.Users.User.map((u) => u.UserName).sort(), ['cli-alice', 'root']);
});

test('a wrong secret is SignatureDoesNotMatch and the secret is never printed', () => {
  const wrong = { accessKeyId: server.rootKey.accessKeyId, accessKeySecret: 'wrong-secret-value-123456' };
  const r = sag(['smartag', 'DescribeRegions'], { key: wrong });
  assert.equal(r.status, 1);
  assert.equal(JSON.parse(r.stdout).Code, 'SignatureDoesNotMatch');
  assert.ok(!r.stdout.includes(wrong.accessKeySecret) && !r.stderr.includes(wrong.accessKeySecret));
});

test('usage errors exit 2 with a message on stderr', () => {
  const dangling = sag(['smartag', 'DescribeRegions', '--AcceptLanguage']);
  assert.equal(dangling.status, 2);
  assert.notEqual(dangling.stderr.trim(), '');
  const unreachable = sag(['smartag', 'DescribeRegions'], { env: { SAG_ENDPOINT: 'http://127.0.0.1:1' } });
  assert.equal(unreachable.status, 2);
});

test('sag smartag creates a SAG app instance and a client user, then lists it', () => {
  const app = sag(['smartag', 'CreateSmartAccessGatewaySoftware', ...flags({
    RegionId: 'cn-shanghai', ChargeType: 'PREPAY', DataPlan: 5, Period: 1, UserCount: 3, AutoPay: 'true',
    CidrBlock: '10.99.0.0/29',
  })]);
  assert.equal(app.status, 0, app.stdout + app.stderr);
  const id = JSON.parse(app.stdout).SmartAGId;
  const user = sag(['smartag', 'CreateSmartAccessGatewayClientUser', ...flags({
    RegionId: 'cn-shanghai', SmartAGId: id, UserMail: 'cli@example.com', UserName: 'cli-user1', Password: 'Cli-pass-01',
    Bandwidth: 64,
  })]);
  assert.equal(user.status, 0, user.stdout + user.stderr);
  assert.deepEqual({ ...JSON.parse(user.stdout), RequestId: undefined }, {
    UserName: 'cli-user1', UserMail: 'cli@example.com', Bandwidth: 64, ClientIp: '10.99.0.2', RequestId: undefined,
  });
  const again = sag(['smartag', 'CreateSmartAccessGatewayClientUser', ...flags({
    RegionId: 'cn-shanghai', SmartAGId: id, UserMail: 'cli@example.com', UserName: 'cli-user1',
  })]);
  assert.equal(again.status, 1);
  assert.equal(JSON.parse(again.stdout).Code, 'ClientUser.UserExist');
  const listed = JSON.parse(sag(['--signature', 'v3', 'smartag', 'DescribeSmartAccessGatewayClientUsers',
    '--RegionId', 'cn-shanghai', '--SmartAGId', id]).stdout);
  assert.equal(listed.TotalCount, 1);
  assert.equal(listed.Users.User[0].ClientIp, '10.99.0.2');
});
