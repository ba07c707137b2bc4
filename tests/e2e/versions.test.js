// The software catalogue: the operator publishes Device and Dpi versions with `sag admin`
// (artifact file streamed as a V3-signed body), lists and withdraws them; users see what fits
// their instance with DescribeSmartAccessGatewayVersions through the official SDKs (issue 5).
'use strict';
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  startSagd, stopAll, v1Client, operatorClient, createAccount, expectApiError, randomAlnum,
} = require('./lib/harness');
const { REGION, sag, makeArtifact, publish, startDevice, stopDevices, readyInstance } = require('./lib/upgrades');

let server;
let op;
let A;
const secret = 'device-secret-' + randomAlnum(16);

before(async () => {
  server = await startSagd({ testMode: true, args: ['--device-registry', 'closed'] });
  op = operatorClient(server);
  A = await createAccount(server, 'versions-a');
});
after(() => { stopDevices(); stopAll(); });

describe('PublishVersion / ListVersions / WithdrawVersion (operator API)', () => {
  test('sag admin PublishVersion stores the artifact content-addressed with its SHA-256 and size', () => {
    const v = publish(server, { code: '2.1.0', models: 'sag-1000, sag-100wm', size: 100000, name: 'fw-2.1.0' });
    assert.equal(v.VersionType, 'Device');
    assert.equal(v.VersionCode, '2.1.0');
    assert.equal(v.VersionName, 'fw-2.1.0');
    assert.equal(v.HardwareModels, 'sag-1000,sag-100wm');
    assert.equal(v.Sha256, v.artifact.sha256);
    assert.equal(v.Size, 100000);
    assert.equal(v.Status, 'Published');
    const stored = fs.readFileSync(path.join(server.dataDir, 'artifacts', v.artifact.sha256));
    assert.ok(stored.equals(v.artifact.bytes), 'the stored artifact is the uploaded file');
    assert.deepEqual(fs.readdirSync(path.join(server.dataDir, 'artifacts')).filter((f) => f.startsWith('.')), [],
      'no temporary upload file is left');
  });

  test('publishing the same version twice is 409 EntityAlreadyExists', () => {
    const artifact = makeArtifact(1000);
    const r = sag(server, ['admin', 'PublishVersion', '--VersionType', 'Device', '--VersionCode', '2.1.0',
      '--HardwareModels', 'sag-1000', '--ArtifactFile', artifact.file]);
    assert.notEqual(r.status, 0);
    const body = JSON.parse(r.stdout);
    assert.equal(body.Code, 'EntityAlreadyExists');
    assert.equal(body.Message, 'The specified version already exists.');
  });

  test('publishing the same artifact again (as on every node of a cluster) answers the version unchanged', () => {
    const v = publish(server, { code: '7.7.7', models: 'sag-vcpe', size: 5000 });
    fs.rmSync(path.join(server.dataDir, 'artifacts', v.artifact.sha256));  // as on a node without it
    const r = sag(server, ['admin', 'PublishVersion', '--VersionType', 'Device', '--VersionCode', '7.7.7',
      '--HardwareModels', 'sag-100wm', '--ArtifactFile', v.artifact.file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const again = JSON.parse(r.stdout).Version;
    assert.deepEqual([again.Sha256, again.CreateTime, again.HardwareModels], [v.Sha256, v.CreateTime, 'sag-vcpe']);
    assert.ok(fs.readFileSync(path.join(server.dataDir, 'artifacts', v.artifact.sha256)).equals(v.artifact.bytes));
  });

  test('without an artifact body (a V1 form call) PublishVersion is MissingParameter Artifact', async () => {
    await expectApiError(op.call('PublishVersion', { VersionType: 'Device', VersionCode: '3.0.0', HardwareModels: 'sag-1000' }), {
      status: 400, code: 'MissingParameter',
      message: 'The input parameter "Artifact" that is mandatory for processing this request is not supplied.',
    });
  });

  test('bad VersionType, VersionCode, HardwareModels or ArtifactSha256 are InvalidParameter', () => {
    const artifact = makeArtifact(1000);
    const cases = [
      [['--VersionType', 'Kernel', '--VersionCode', '3.0', '--HardwareModels', 'sag-1000'], 'VersionType'],
      [['--VersionType', 'Device', '--VersionCode', '3.x', '--HardwareModels', 'sag-1000'], 'VersionCode'],
      [['--VersionType', 'Device', '--VersionCode', '3.0', '--HardwareModels', 'sag-9'], 'HardwareModels'],
      [['--VersionType', 'Device', '--VersionCode', '3.0', '--HardwareModels', 'sag-1000', '--ArtifactSha256', 'ab'.repeat(32)], 'ArtifactSha256'],
      [['--VersionType', 'Device', '--VersionCode', '3.0', '--HardwareModels', 'sag-1000', '--MinDeviceVersion', '2.0'], 'MinDeviceVersion'],
    ];
    for (const [args, param] of cases) {
      const r = sag(server, ['admin', 'PublishVersion', ...args, '--ArtifactFile', artifact.file]);
      const body = JSON.parse(r.stdout);
      assert.equal(body.Code, 'InvalidParameter', param);
      assert.equal(body.Message, `The specified parameter "${param}" is not valid.`);
    }
  });

  test('a tenant cannot publish: 403 Forbidden.OperatorOnly', () => {
    const artifact = makeArtifact(1000);
    const r = sag(server, ['admin', 'PublishVersion', '--VersionType', 'Device', '--VersionCode', '9.0',
      '--HardwareModels', 'sag-1000', '--ArtifactFile', artifact.file], A.key);
    assert.equal(JSON.parse(r.stdout).Code, 'Forbidden.OperatorOnly');
  });

  test('ListVersions lists both types; WithdrawVersion marks a version Withdrawn', async () => {
    publish(server, { code: '2.0.9', size: 2000 });
    await op.call('WithdrawVersion', { VersionType: 'Device', VersionCode: '2.0.9' });
    const r = await op.call('ListVersions', {});
    const byCode = Object.fromEntries(r.Versions.Version.map((v) => [v.VersionType + ' ' + v.VersionCode, v]));
    assert.equal(byCode['Device 2.0.9'].Status, 'Withdrawn');
    assert.equal(byCode['Device 2.1.0'].Status, 'Published');
    await expectApiError(op.call('WithdrawVersion', { VersionType: 'Device', VersionCode: '0.0.1' }), {
      status: 404, code: 'EntityNotExist', message: 'The specified version does not exist.',
    });
  });
});

describe('DescribeSmartAccessGatewayVersions', () => {
  let inst;
  before(async () => {
    publish(server, { code: '1.9.0', models: 'sag-1000', release: 'beta', size: 1000 });
    publish(server, { code: '2.2.0', models: 'sag-100wm', size: 1000 });
    publish(server, { type: 'Dpi', code: '1.1.0', models: 'sag-1000', minDevice: '2.1.0', size: 1000 });
    publish(server, { type: 'Dpi', code: '1.0.5', models: 'sag-1000', size: 1000 });
    inst = await readyInstance({ client: A.client, op, secret });
    await startDevice(server.endpoint, ['--sn', inst.sn, '--secret', secret, '--firmware', '2.0.0', '--dpi', '1.0.0']);
  });

  test('without SmartAGSn: every published Device version for the model, in the reference shape', async () => {
    const r = await A.client.call('DescribeSmartAccessGatewayVersions', { RegionId: REGION, SmartAGId: inst.id });
    const list = r.SmartAGVersions.SmartAGVersion;
    assert.deepEqual(list.map((v) => v.VersionCode).sort(), ['1.9.0', '2.1.0']);  // not 2.0.9 (withdrawn), not 2.2.0 (sag-100wm)
    const v = list.find((x) => x.VersionCode === '2.1.0');
    assert.equal(typeof v.VersionCode, 'string');
    assert.equal(v.Type, 'release');
    assert.equal(v.VersionName, 'fw-2.1.0');
    assert.equal(typeof v.CreateTime, 'number');
    assert.ok(Math.abs(v.CreateTime - Date.now()) < 600000, 'CreateTime is epoch ms');
    assert.equal(list.find((x) => x.VersionCode === '1.9.0').Type, 'beta');
  });

  test('with SmartAGSn: only what that device can install now (V3 SDK)', async () => {
    const r = await A.v3.call('DescribeSmartAccessGatewayVersions', { RegionId: REGION, SmartAGId: inst.id, SmartAGSn: inst.sn });
    assert.deepEqual(r.SmartAGVersions.SmartAGVersion.map((v) => v.VersionCode), ['2.1.0']);  // 1.9.0 is older than 2.0.0
  });

  test('VersionType Dpi: with SmartAGSn the Dpi needing Device 2.1.0 is left out', async () => {
    const all = await A.client.call('DescribeSmartAccessGatewayVersions', { RegionId: REGION, SmartAGId: inst.id, VersionType: 'Dpi' });
    assert.deepEqual(all.SmartAGVersions.SmartAGVersion.map((v) => v.VersionCode).sort(), ['1.0.5', '1.1.0']);
    const mine = await A.client.call('DescribeSmartAccessGatewayVersions', { RegionId: REGION, SmartAGId: inst.id, VersionType: 'Dpi', SmartAGSn: inst.sn });
    assert.deepEqual(mine.SmartAGVersions.SmartAGVersion.map((v) => v.VersionCode), ['1.0.5']);
  });

  test('an unknown VersionType is 400 VersionNotExist', async () => {
    await expectApiError(A.client.call('DescribeSmartAccessGatewayVersions', { RegionId: REGION, SmartAGId: inst.id, VersionType: 'Kernel' }), {
      status: 400, code: 'VersionNotExist', message: 'The specified version does not exist.',
    });
  });

  test('a RAM user without a policy is 403 Forbidden', async () => {
    await A.admin.call('CreateUser', { UserName: 'nopolicy' });
    const k = await A.admin.call('CreateAccessKey', { UserName: 'nopolicy' });
    const user = v1Client(server.endpoint, { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret });
    await expectApiError(user.call('DescribeSmartAccessGatewayVersions', { RegionId: REGION, SmartAGId: inst.id }), {
      status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.',
    });
  });

  test('another account\'s instance is 403 InvalidId.SMARTAG', async () => {
    const B = await createAccount(server, 'versions-b');
    await expectApiError(B.client.call('DescribeSmartAccessGatewayVersions', { RegionId: REGION, SmartAGId: inst.id }), {
      status: 403, code: 'InvalidId.SMARTAG', message: 'The specified smart access gateway instance id is invalid.',
    });
  });
});
