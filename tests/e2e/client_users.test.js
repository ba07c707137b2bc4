'use strict';
// SAG app instances and their VPN client users through the official SDKs (reference §3 F, seed
// 004): CreateSmartAccessGatewaySoftware, Create/Describe/Modify/Delete...ClientUser,
// ResetSmartAccessGatewayClientUserPassword, Enable/DisableSmartAccessGatewayUser, KickOutClients,
// DescribeUserOnlineClients — every documented code with exact status, Code and Message; ClientIp
// allocation (uniqueness under concurrency, exhaustion, a /30 pool); paging; the Terraform
// alicloud_sag_client_user call chain; ModifySAGAdminPassword on an app instance.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./lib/harness');

const REGION = 'cn-shanghai';
const UNKNOWN_SAG = 'sag-0000000000unknown00';

const E = {
  bandwidth: { status: 400, code: 'ClientUser.BandwidthInvalid', message: 'The specified Bandwidth is invalid.' },
  nameEmpty: { status: 400, code: 'ClientUser.NameEmpty', message: 'You must specify UserName.' },
  nameInvalid: { status: 400, code: 'ClientUser.NameInvalid', message: 'The specified UserName is invalid.' },
  idEmpty: { status: 400, code: 'SAG.InstanceIdEmpty', message: 'You must specify the SAG instance ID.' },
  noFound: { status: 400, code: 'SAG.InstanceNoFound', message: 'The specified SAG instance does not exist.' },
  noFoundDb: { status: 400, code: 'SAG.InstanceNoFound', message: 'The specified DB instance does not exist.' },
  userNotFound: { status: 400, code: 'ResourceNotFound.User', message: 'The specified user is not found.' },
  // Delete of a user already gone: the code Terraform treats as deleted.
  userGone: { status: 400, code: 'ParameterSagClientId', message: 'The specified client user does not exist.' },
  emailEmpty: { status: 400, code: 'ClientUser.EmailEmpty', message: 'You must specify UserEmail.' },
  emailInvalid: { status: 400, code: 'ClientUser.EmailInvalid', message: 'The format of the specified UserEmail is invalid.' },
  invalidClientIp: { status: 400, code: 'ClientUser.InvalidClientIp', message: 'The specified ClientIp is invalid.' },
  ipEmpty: { status: 400, code: 'ClientUser.IpEmpty', message: 'You must specify ClientIp.' },
  ipInvalid: { status: 400, code: 'ClientUser.IpInvalid', message: 'The specified ClientIp is invalid.' },
  userExist: { status: 400, code: 'ClientUser.UserExist', message: 'The specified user already exists.' },
  overLimit: { status: 400, code: 'ClientUser.UserOverLimit', message: 'The maximum number of users is exceeded.' },
  cidrEmpty: { status: 400, code: 'SAG.CidrEmpty', message: 'You must specify the CIDR blocks of SAG.' },
  exhausted: {
    status: 400, code: 'ClientUser.IpPoolExhausted',
    message: 'No free ClientIp is left in the CIDR blocks of the SAG app instance.',
  },
  password: { status: 400, code: 'IllegalParam.Password', message: 'The specified Password is invalid.' },
  actionNotSupport: { status: 400, code: 'ActionNotSupport', message: 'The specified instance does not support this action.' },
  subUser: { status: 400, code: 'Forbbiden.SubUser', message: 'You are not authorized to operate on the specified resource.' },
  forbidden: { status: 403, code: 'Forbidden', message: 'User not authorized to operate on the specified resource.' },
  inArrears: { status: 500, code: 'SmartAccessGatewayInArrears', message: 'The specified Smart Access Gateway has expired.' },
  softwareNotSupport: {
    status: 400, code: 'SAG.SoftwareNotSupport', message: 'The specified SAG software edition instance does not support ACL.',
  },
  softwareNotSupportFeature: {
    status: 400, code: 'SAG.SoftwareNotSupportFeature',
    message: 'The specified SAG Software instance does not support this feature.',
  },
  invalidCidr: { status: 403, code: 'InvalidCidr', message: 'Cidr is illegal, please check your input.' },
  disabled: { status: 403, code: 'ClientUser.Disabled', message: 'The specified client user is disabled.' },
  sessionNotExist: { status: 404, code: 'EntityNotExist', message: 'The specified client session does not exist.' },
  userNotExist: { status: 404, code: 'EntityNotExist', message: 'The specified client user does not exist.' },
  invalid: (name) => ({ status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.` }),
};

// Creates a SAG app instance; returns its id.
async function appInstance(client, { cidr = '10.8.0.0/24', userCount = 50, period = 12, region = REGION } = {}) {
  const params = {
    RegionId: region, ChargeType: 'PREPAY', DataPlan: '5', Period: String(period),
    UserCount: String(userCount), AutoPay: 'true',
  };
  if (cidr !== null) params.CidrBlock = cidr;
  const r = await client.call('CreateSmartAccessGatewaySoftware', params);
  assert.match(r.SmartAGId, /^sag-[a-z0-9]+$/);
  assert.match(r.OrderId, /^[0-9]{15}$/);
  assert.match(r.ResourceGroupId, /^rg-/);
  assert.match(r.RequestId, h.REQUEST_ID_RE);
  return r.SmartAGId;
}

function createUser(client, id, params = {}) {
  return client.call('CreateSmartAccessGatewayClientUser', {
    RegionId: REGION, SmartAGId: id, UserMail: 'someone@example.com', ...params,
  });
}

function listUsers(client, id, params = {}) {
  return client.call('DescribeSmartAccessGatewayClientUsers', { RegionId: REGION, SmartAGId: id, ...params });
}

async function onlyUser(client, id, name) {
  const r = await listUsers(client, id, { UserName: name });
  assert.equal(r.TotalCount, 1);
  return r.Users.User[0];
}

function online(client, id, name) {
  return client.call('DescribeUserOnlineClients', { RegionId: REGION, SmartAGId: id, UserName: name });
}

// a.b.c.d -> number
function ipNum(ip) {
  return ip.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
}

describe('SAG app instances and client users', () => {
  let server;
  let admin;
  let A;
  let B;

  before(async () => {
    server = await h.startSagd({ testMode: true });
    admin = h.operatorClient(server);
    A = await h.createAccount(server, 'cuA');
    B = await h.createAccount(server, 'cuB');
  });

  after(async () => {
    await h.stopAll();
  });

  describe('CreateSmartAccessGatewaySoftware', () => {
    it('creates an Active sag-software instance that DescribeSmartAccessGateways lists with its user count', async () => {
      const id = await appInstance(A.client, { userCount: 7 });
      const r = await A.client.call('DescribeSmartAccessGateways', { RegionId: REGION, SmartAGId: id });
      assert.equal(r.TotalCount, 1);
      const item = r.SmartAccessGateways.SmartAccessGateway[0];
      assert.equal(item.Status, 'Active');
      assert.equal(item.CidrBlock, '10.8.0.0/24');
      const v3 = await A.v3.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
      assert.equal(v3.InstanceType, 'sag-software');
      assert.equal(v3.UserCount, 7);
    });

    it('rejects a bad ChargeType, UserCount, DataPlan, Period and CidrBlock', async () => {
      const base = { RegionId: REGION, ChargeType: 'PREPAY', DataPlan: '5', Period: '12', UserCount: '5', AutoPay: 'false' };
      const call = (o) => A.client.call('CreateSmartAccessGatewaySoftware', { ...base, ...o });
      await h.expectApiError(call({ ChargeType: 'POSTPAY' }), E.invalid('ChargeType'));
      await h.expectApiError(call({ UserCount: '0' }), E.invalid('UserCount'));
      await h.expectApiError(call({ DataPlan: 'x' }), E.invalid('DataPlan'));
      await h.expectApiError(call({ Period: '10' }), E.invalid('Period'));
      await h.expectApiError(call({ CidrBlock: '10.0.0.0/31' }), E.invalidCidr);
      await h.expectApiError(call({ CidrBlock: '10.0.0.1/24' }), E.invalidCidr);
    });
  });

  it('Terraform alicloud_sag_client_user chain: create, read, modify, reset, disable/enable, kick out, delete', async () => {
    const id = await appInstance(A.client, { cidr: '172.16.10.0/24' });
    // Create (terraform sends SmartAGId, UserMail, Bandwidth, ClientIp, UserName, Password).
    const created = await A.client.call('CreateSmartAccessGatewayClientUser', {
      RegionId: REGION, SmartAGId: id, UserMail: 'tf-user@example.com', Bandwidth: '20',
      UserName: 'tfuser01', Password: 'Passw0rd-tf',
    });
    assert.deepEqual({ ...created, RequestId: undefined }, {
      UserName: 'tfuser01', UserMail: 'tf-user@example.com', Bandwidth: 20, ClientIp: '172.16.10.2', RequestId: undefined,
    });
    // Read: terraform lists with only RegionId + SmartAGId and scans Users.User[].
    let list = await listUsers(A.client, id);
    assert.equal(list.TotalCount, 1);
    assert.deepEqual({ ...list.Users.User[0] }, {
      UserName: 'tfuser01', UserMail: 'tf-user@example.com', Bandwidth: 20, AccelerateBandwidth: 0,
      ClientIp: '172.16.10.2', IsStaticIp: 0, State: 0,
    });
    // Modify (bandwidth, email) — the V3 SDK, as the current Tea clients.
    const modified = await A.v3.call('ModifySmartAccessGatewayClientUser', {
      RegionId: REGION, SmartAGId: id, UserName: 'tfuser01', Bandwidth: 500, Email: 'tf-new@example.com',
    });
    assert.deepEqual({ ...modified, RequestId: undefined }, {
      UserName: 'tfuser01', UserMail: 'tf-new@example.com', Bandwidth: 500, ClientIp: '172.16.10.2', RequestId: undefined,
    });
    assert.match(modified.RequestId, h.REQUEST_ID_RE);
    let user = await onlyUser(A.client, id, 'tfuser01');
    assert.equal(user.Bandwidth, 500);
    assert.equal(user.UserMail, 'tf-new@example.com');
    // Reset the password (given, then generated: shown once).
    const reset = await A.client.call('ResetSmartAccessGatewayClientUserPassword', {
      RegionId: REGION, SmartAGId: id, UserName: 'tfuser01', Password: 'An0ther.pass',
    });
    assert.equal(reset.Password, undefined);
    const generated = await A.client.call('ResetSmartAccessGatewayClientUserPassword', {
      RegionId: REGION, SmartAGId: id, UserName: 'tfuser01',
    });
    assert.match(generated.Password, /^[A-Za-z0-9][A-Za-z0-9_@.-]{7,31}$/);
    // A client connects (operator API, test mode), then Disable drops it and Enable allows it again.
    const s1 = await admin.call('OpenClientSession', { SmartAGId: id, UserName: 'tfuser01' });
    assert.equal(s1.ClientIp, '172.16.10.2');
    assert.equal((await online(A.client, id, 'tfuser01')).Users.User.length, 1);
    await A.client.call('DisableSmartAccessGatewayUser', { RegionId: REGION, SmartAGId: id, UserName: 'tfuser01' });
    user = await onlyUser(A.client, id, 'tfuser01');
    assert.equal(user.State, 1);
    assert.deepEqual((await online(A.client, id, 'tfuser01')).Users.User, []);
    await h.expectApiError(admin.call('OpenClientSession', { SmartAGId: id, UserName: 'tfuser01' }), E.disabled);
    await A.client.call('EnableSmartAccessGatewayUser', { RegionId: REGION, SmartAGId: id, UserName: 'tfuser01' });
    assert.equal((await onlyUser(A.client, id, 'tfuser01')).State, 0);
    // Two clients online, KickOutClients closes both.
    await admin.call('OpenClientSession', { SmartAGId: id, UserName: 'tfuser01' });
    await admin.call('OpenClientSession', { SmartAGId: id, UserName: 'tfuser01' });
    const on = await online(A.v3, id, 'tfuser01');
    assert.equal(on.Users.User.length, 2);
    for (const c of on.Users.User) {
      assert.equal(c.ClientIp, '172.16.10.2');
      assert.match(c.OnlineTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    }
    await A.client.call('KickOutClients', { RegionId: REGION, SmartAGId: id, Username: 'tfuser01' });
    assert.deepEqual((await online(A.client, id, 'tfuser01')).Users.User, []);
    // Delete, then terraform polls the list until the user is gone.
    const s2 = await admin.call('OpenClientSession', { SmartAGId: id, UserName: 'tfuser01' });
    await A.client.call('DeleteSmartAccessGatewayClientUser', { RegionId: REGION, SmartAGId: id, UserName: 'tfuser01' });
    list = await listUsers(A.client, id);
    assert.equal(list.TotalCount, 0);
    assert.deepEqual(list.Users.User, []);
    await h.expectApiError(admin.call('CloseClientSession', { SessionId: s2.SessionId }), E.sessionNotExist);
    // The address is free again.
    assert.equal((await createUser(A.client, id, { UserName: 'tfuser02' })).ClientIp, '172.16.10.2');
  });

  describe('CreateSmartAccessGatewayClientUser', () => {
    let id;
    before(async () => {
      id = await appInstance(A.client, { cidr: '10.20.0.0/24', userCount: 5 });
    });

    it('without UserName and Password generates both and shows the password once; default Bandwidth 2000', async () => {
      const r = await createUser(A.client, id, { UserMail: 'gen@example.com' });
      assert.match(r.UserName, /^user[a-z0-9]{8}$/);
      assert.match(r.Password, /^[A-Za-z0-9]{16}$/);
      assert.equal(r.Bandwidth, 2000);
      assert.equal(r.ClientIp, '10.20.0.2');
      const listed = await onlyUser(A.client, id, r.UserName);
      assert.equal(listed.Password, undefined);
      await A.client.call('DeleteSmartAccessGatewayClientUser', { RegionId: REGION, SmartAGId: id, UserName: r.UserName });
    });

    it('a static ClientIp is kept (IsStaticIp 1); taken, outside, network, gateway or broadcast is ClientUser.InvalidClientIp', async () => {
      const r = await createUser(A.client, id, { UserName: 'static01', Password: 'Static-pass1', ClientIp: '10.20.0.200' });
      assert.equal(r.ClientIp, '10.20.0.200');
      assert.equal((await onlyUser(A.client, id, 'static01')).IsStaticIp, 1);
      for (const ip of ['10.20.0.200', '10.21.0.5', '10.20.0.0', '10.20.0.1', '10.20.0.255']) {
        await h.expectApiError(createUser(A.client, id, { UserName: 'static02', ClientIp: ip }), E.invalidClientIp);
      }
      await h.expectApiError(createUser(A.v3, id, { UserName: 'static02', ClientIp: '10.20.0' }), E.ipInvalid);
      await h.expectApiError(createUser(A.client, id, { UserName: 'static02', ClientIp: '' }), E.ipEmpty);
      await A.client.call('DeleteSmartAccessGatewayClientUser', { RegionId: REGION, SmartAGId: id, UserName: 'static01' });
    });

    it('every documented parameter code, exact status and message (V1 and V3)', async () => {
      for (const c of [A.client, A.v3]) {
        for (const bw of ['0', '20001', 'abc', '-5']) {
          await h.expectApiError(createUser(c, id, { UserName: 'bwuser01', Bandwidth: bw }), E.bandwidth);
        }
        await h.expectApiError(c.call('CreateSmartAccessGatewayClientUser', { RegionId: REGION, SmartAGId: id }), E.emailEmpty);
        for (const m of ['nobody', 'a@b', '@example.com', 'a b@example.com', 'x@-bad.com']) {
          await h.expectApiError(createUser(c, id, { UserName: 'mailuser01', UserMail: m }), E.emailInvalid);
        }
        await h.expectApiError(createUser(c, id, { Password: 'Passw0rd-1' }), E.nameEmpty);
        for (const n of ['short', '_underscore1', 'x'.repeat(34), 'bad name!']) {
          await h.expectApiError(createUser(c, id, { UserName: n }), E.nameInvalid);
        }
        for (const p of ['short', '-startsdash', 'p'.repeat(33), 'bad pass word']) {
          await h.expectApiError(createUser(c, id, { UserName: 'pwuser001', Password: p }), E.password);
        }
        await h.expectApiError(c.call('CreateSmartAccessGatewayClientUser', { RegionId: REGION, UserMail: 'a@example.com' }), E.idEmpty);
        await h.expectApiError(createUser(c, UNKNOWN_SAG, { UserName: 'nouser001' }), E.noFound);
      }
    });

    it('UserExist for a taken name; UserOverLimit past UserCount', async () => {
      const small = await appInstance(A.client, { cidr: '10.30.0.0/24', userCount: 2 });
      await createUser(A.client, small, { UserName: 'dupuser01' });
      await h.expectApiError(createUser(A.client, small, { UserName: 'dupuser01' }), E.userExist);
      await createUser(A.client, small, { UserName: 'dupuser02' });
      await h.expectApiError(createUser(A.v3, small, { UserName: 'dupuser03' }), E.overLimit);
    });

    it('SAG.CidrEmpty without a CidrBlock, until ModifySmartAccessGateway sets one; a new block must hold the users\' addresses', async () => {
      const bare = await appInstance(A.client, { cidr: null });
      await h.expectApiError(createUser(A.client, bare, { UserName: 'nocidr001' }), E.cidrEmpty);
      await A.client.call('ModifySmartAccessGateway', { RegionId: REGION, SmartAGId: bare, CidrBlock: '192.168.50.0/29' });
      assert.equal((await createUser(A.client, bare, { UserName: 'nocidr001' })).ClientIp, '192.168.50.2');
      // A new CidrBlock must still hold the users' addresses.
      await h.expectApiError(
        A.client.call('ModifySmartAccessGateway', { RegionId: REGION, SmartAGId: bare, CidrBlock: '10.1.0.0/24' }),
        { status: 400, code: 'ResourceInOperating', message: 'The specified resource is being used. Please try later.' });
      await A.client.call('ModifySmartAccessGateway', { RegionId: REGION, SmartAGId: bare, CidrBlock: '192.168.50.0/24,10.1.0.0/24' });
      assert.equal((await createUser(A.client, bare, { UserName: 'nocidr002' })).ClientIp, '192.168.50.3');
    });

    it('a /30 pool holds exactly one user; then ClientUser.IpPoolExhausted', async () => {
      const tiny = await appInstance(A.client, { cidr: '10.40.0.8/30', userCount: 10 });
      assert.equal((await createUser(A.client, tiny, { UserName: 'tinyuser1' })).ClientIp, '10.40.0.10');
      await h.expectApiError(createUser(A.client, tiny, { UserName: 'tinyuser2' }), E.exhausted);
      await h.expectApiError(createUser(A.client, tiny, { UserName: 'tinyuser2', ClientIp: '10.40.0.9' }), E.invalidClientIp);
      await A.client.call('DeleteSmartAccessGatewayClientUser', { RegionId: REGION, SmartAGId: tiny, UserName: 'tinyuser1' });
      assert.equal((await createUser(A.client, tiny, { UserName: 'tinyuser2' })).ClientIp, '10.40.0.10');
    });

    it('creates racing a CidrBlock change: no user is ever left outside the block (the losers get ResourceInOperating)', async () => {
      // New users get addresses of the first block; the change drops that block. A create reads the
      // block, hashes the password, then stores the user: the change lands in between in some of
      // the rounds (the delays spread it over that gap).
      for (const delayMs of [0, 2, 5, 10, 20]) {
        const id = await appInstance(A.client, { cidr: '10.61.0.0/24,10.60.0.0/24', userCount: 100 });
        const creates = Array.from({ length: 6 }, (_, i) =>
          createUser(A.client, id, { UserName: `race-user-${i}`, Password: 'Race-pass-1' }));
        await new Promise((r) => setTimeout(r, delayMs));
        const modify = A.client.call('ModifySmartAccessGateway', { RegionId: REGION, SmartAGId: id, CidrBlock: '10.60.0.0/24' });
        const results = await Promise.allSettled([modify, ...creates]);
        for (const r of results.filter((x) => x.status === 'rejected')) {
          await h.expectApiError(Promise.reject(r.reason), {
            status: 400, code: 'ResourceInOperating', message: 'The specified resource is being used. Please try later.',
          });
        }
        const attr = await A.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: id });
        const blocks = attr.CidrBlock.split(',').map((c) => {
          const [ip, bits] = c.split('/');
          const base = ipNum(ip);
          return [base, base + 2 ** (32 - Number(bits)) - 1];
        });
        const users = (await listUsers(A.client, id, { PageSize: '100' })).Users.User;
        assert.equal(users.length, results.slice(1).filter((r) => r.status === 'fulfilled').length);
        for (const u of users) {
          assert.ok(blocks.some(([lo, hi]) => ipNum(u.ClientIp) > lo && ipNum(u.ClientIp) < hi),
            `${u.UserName} has ${u.ClientIp}, outside ${attr.CidrBlock} (round with ${delayMs} ms)`);
        }
      }
    });

    it('32 concurrent creates into a /27 (29 usable addresses): 29 unique addresses inside the block, 3 exhausted', async () => {
      const pool = await appInstance(A.client, { cidr: '10.50.0.32/27', userCount: 100 });
      const results = await Promise.allSettled(Array.from({ length: 32 }, (_, i) => {
        // pop-core (15 s timeout): each create hashes a password with Argon2id (64 MiB, memory-hard),
        // so under ASan on a busy 2-core machine the last of 32 answers can take more than the 5 s
        // the harness gives the Tea client.
        return createUser(A.client, pool, { UserName: `conc-user-${String(i).padStart(2, '0')}`, Password: 'Conc-pass-1' });
      }));
      const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.ClientIp);
      const failed = results.filter((r) => r.status === 'rejected');
      assert.equal(ok.length, 29, failed.map((f) => `${f.reason.code} ${f.reason.message}`).join('; '));
      assert.equal(new Set(ok).size, 29);
      for (const ip of ok) {
        const n = ipNum(ip);
        assert.ok(n >= ipNum('10.50.0.34') && n <= ipNum('10.50.0.62'), ip);
      }
      assert.equal(failed.length, 3);
      for (const f of failed) await h.expectApiError(Promise.reject(f.reason), E.exhausted);
      const list = await listUsers(A.client, pool, { PageSize: '100' });
      assert.equal(list.TotalCount, 29);
      assert.deepEqual(new Set(list.Users.User.map((u) => u.ClientIp)), new Set(ok));
    });

    it('a hardware instance is ActionNotSupport; another account\'s app instance is SAG.InstanceNoFound', async () => {
      const hw = (await A.client.call('CreateSmartAccessGateway', h.createParams())).SmartAGId;
      await h.expectApiError(createUser(A.client, hw, { UserName: 'hwuser001' }), E.actionNotSupport);
      await h.expectApiError(createUser(B.client, id, { UserName: 'foreign01' }), E.noFound);
    });

    it('past EndTime (test clock) creating a user is 500 SmartAccessGatewayInArrears', async () => {
      const exp = await appInstance(A.client, { period: 1 });
      const a = await A.client.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: exp });
      const clock = await admin.call('GetClock', {});
      await admin.call('SetClock', { Now: String(a.EndTime + 1000) });
      try {
        await h.expectApiError(createUser(A.client, exp, { UserName: 'lateuser1' }), E.inArrears);
      } finally {
        await admin.call('SetClock', { Now: String(clock.Now) });
      }
    });
  });

  describe('ModifySmartAccessGatewayClientUser', () => {
    let id;
    before(async () => {
      id = await appInstance(A.client, { cidr: '10.60.0.0/24' });
      await createUser(A.client, id, { UserName: 'moduser01', Bandwidth: '100' });
    });
    const modify = (c, params) => c.call('ModifySmartAccessGatewayClientUser', { RegionId: REGION, ...params });

    it('reaches every documented code with exact status and message (V1 and V3)', async () => {
      for (const c of [A.client, A.v3]) {
        for (const bw of ['0', '20001', 'x']) {
          await h.expectApiError(modify(c, { SmartAGId: id, UserName: 'moduser01', Bandwidth: bw }), E.bandwidth);
        }
        await h.expectApiError(modify(c, { SmartAGId: id, Bandwidth: '5' }), E.nameEmpty);
        await h.expectApiError(modify(c, { SmartAGId: id, UserName: 'abc', Bandwidth: '5' }), E.nameInvalid);
        await h.expectApiError(modify(c, { UserName: 'moduser01', Bandwidth: '5' }), E.idEmpty);
        await h.expectApiError(modify(c, { SmartAGId: UNKNOWN_SAG, UserName: 'moduser01', Bandwidth: '5' }), E.noFound);
        await h.expectApiError(modify(c, { SmartAGId: id, UserName: 'nosuchuser', Bandwidth: '5' }), E.userNotFound);
        await h.expectApiError(modify(c, { SmartAGId: id, UserName: 'moduser01', Email: 'not-a-mail' }), E.emailInvalid);
      }
      await h.expectApiError(modify(B.client, { SmartAGId: id, UserName: 'moduser01', Bandwidth: '5' }), E.noFound);
      const hw = (await A.client.call('CreateSmartAccessGateway', h.createParams())).SmartAGId;
      await h.expectApiError(modify(A.client, { SmartAGId: hw, UserName: 'moduser01', Bandwidth: '5' }), E.actionNotSupport);
      // Nothing changed by the failures.
      const u = await onlyUser(A.client, id, 'moduser01');
      assert.equal(u.Bandwidth, 100);
      assert.equal(u.UserMail, 'someone@example.com');
    });

    it('Bandwidth alone keeps the e-mail; the bounds 1 and 20000 are accepted', async () => {
      let r = await modify(A.client, { SmartAGId: id, UserName: 'moduser01', Bandwidth: '1' });
      assert.equal(r.Bandwidth, 1);
      assert.equal(r.UserMail, 'someone@example.com');
      assert.equal(r.ClientIp, '10.60.0.2');
      r = await modify(A.client, { SmartAGId: id, UserName: 'moduser01', Bandwidth: '20000' });
      assert.equal(r.Bandwidth, 20000);
    });
  });

  describe('DescribeSmartAccessGatewayClientUsers', () => {
    let id;
    before(async () => {
      id = await appInstance(A.client, { cidr: '10.70.0.0/24' });
      for (let i = 0; i < 12; ++i) {
        await createUser(A.client, id, { UserName: `pageuser${String(i).padStart(2, '0')}`, Password: 'Page-pass-1' });
      }
    });

    it('pages with PageNumber (default size 10) and the older PageNo, in creation order, with TotalCount', async () => {
      const p1 = await listUsers(A.client, id);
      assert.equal(p1.TotalCount, 12);
      assert.equal(p1.PageNumber, 1);
      assert.equal(p1.PageSize, 10);
      assert.deepEqual(p1.Users.User.map((u) => u.UserName), Array.from({ length: 10 }, (_, i) => `pageuser${String(i).padStart(2, '0')}`));
      const p2 = await listUsers(A.v3, id, { PageNumber: 2 });
      assert.deepEqual(p2.Users.User.map((u) => u.UserName), ['pageuser10', 'pageuser11']);
      const old = await listUsers(A.client, id, { PageNo: '2', PageSize: '5' });
      assert.equal(old.PageNumber, 2);
      assert.deepEqual(old.Users.User.map((u) => u.UserName), ['pageuser05', 'pageuser06', 'pageuser07', 'pageuser08', 'pageuser09']);
      const both = await listUsers(A.client, id, { PageNumber: '3', PageNo: '1', PageSize: '5' });
      assert.deepEqual(both.Users.User.map((u) => u.UserName), ['pageuser10', 'pageuser11']);
      const max = await listUsers(A.client, id, { PageSize: '100' });
      assert.equal(max.Users.User.length, 12);
    });

    it('a page past the end is empty with the real TotalCount; out-of-range values are InvalidParameter', async () => {
      const past = await listUsers(A.client, id, { PageNumber: '9' });
      assert.deepEqual(past.Users.User, []);
      assert.equal(past.TotalCount, 12);
      await h.expectApiError(listUsers(A.client, id, { PageSize: '0' }), E.invalid('PageSize'));
      await h.expectApiError(listUsers(A.client, id, { PageSize: '101' }), E.invalid('PageSize'));
      await h.expectApiError(listUsers(A.client, id, { PageNumber: '0' }), E.invalid('PageNumber'));
      await h.expectApiError(listUsers(A.client, id, { PageNo: '0' }), E.invalid('PageNo'));
    });

    it('filters by UserName and UserMail', async () => {
      const r = await listUsers(A.client, id, { UserName: 'pageuser07' });
      assert.equal(r.TotalCount, 1);
      assert.equal(r.Users.User[0].UserName, 'pageuser07');
      assert.equal((await listUsers(A.client, id, { UserName: 'nosuchuser' })).TotalCount, 0);
      assert.equal((await listUsers(A.client, id, { UserMail: 'someone@example.com' })).TotalCount, 12);
      assert.equal((await listUsers(A.client, id, { UserMail: 'other@example.com' })).TotalCount, 0);
    });

    it('SAG.InstanceIdEmpty and SAG.InstanceNoFound (unknown, other account)', async () => {
      await h.expectApiError(A.client.call('DescribeSmartAccessGatewayClientUsers', { RegionId: REGION }), E.idEmpty);
      await h.expectApiError(listUsers(A.v3, UNKNOWN_SAG), E.noFound);
      await h.expectApiError(listUsers(B.client, id), E.noFound);
    });
  });

  describe('Delete, Reset, Enable, Disable, KickOutClients, DescribeUserOnlineClients codes', () => {
    let id;
    before(async () => {
      id = await appInstance(A.client, { cidr: '10.80.0.0/24' });
      await createUser(A.client, id, { UserName: 'codeuser01' });
    });

    const ops = [
      ['DeleteSmartAccessGatewayClientUser', 'UserName'],
      ['ResetSmartAccessGatewayClientUserPassword', 'UserName'],
      ['EnableSmartAccessGatewayUser', 'UserName'],
      ['DisableSmartAccessGatewayUser', 'UserName'],
      ['DescribeUserOnlineClients', 'UserName'],
      ['KickOutClients', 'Username'],
    ];

    for (const [action, nameParam] of ops) {
      it(`${action}: NameEmpty, NameInvalid, InstanceIdEmpty, InstanceNoFound, ResourceNotFound.User`, async () => {
        const notFound = action === 'KickOutClients' ? E.noFoundDb : E.noFound;
        for (const c of [A.client, A.v3]) {
          await h.expectApiError(c.call(action, { RegionId: REGION, SmartAGId: id }), E.nameEmpty);
          await h.expectApiError(c.call(action, { RegionId: REGION, SmartAGId: id, [nameParam]: 'x!' }), E.nameInvalid);
          await h.expectApiError(c.call(action, { RegionId: REGION, [nameParam]: 'codeuser01' }), E.idEmpty);
          await h.expectApiError(c.call(action, { RegionId: REGION, SmartAGId: UNKNOWN_SAG, [nameParam]: 'codeuser01' }), notFound);
          await h.expectApiError(c.call(action, { RegionId: REGION, SmartAGId: id, [nameParam]: 'nosuchuser' }),
            action === 'DeleteSmartAccessGatewayClientUser' ? E.userGone : E.userNotFound);
        }
        await h.expectApiError(B.client.call(action, { RegionId: REGION, SmartAGId: id, [nameParam]: 'codeuser01' }), notFound);
      });
    }

    it('Reset: an invalid Password is IllegalParam.Password', async () => {
      await h.expectApiError(A.client.call('ResetSmartAccessGatewayClientUserPassword', {
        RegionId: REGION, SmartAGId: id, UserName: 'codeuser01', Password: 'short',
      }), E.password);
    });

    it('Enable/Disable: Forbidden without a policy; a RAM user cannot enable what the root user disabled (Forbbiden.SubUser)', async () => {
      const ram = async (userName, actions) => {
        await A.admin.call('CreateUser', { UserName: userName });
        if (actions) {
          const doc = { Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
          await A.admin.call('CreatePolicy', { PolicyName: `${userName}-p`, PolicyDocument: JSON.stringify(doc) });
          await A.admin.call('AttachPolicyToUser', { PolicyName: `${userName}-p`, UserName: userName });
        }
        const k = await A.admin.call('CreateAccessKey', { UserName: userName });
        const key = { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret };
        return { v1: h.v1Client(server.endpoint, key), v3: h.v3Client(server.endpoint, key) };
      };
      const nobody = await ram('cu-nobody', null);
      const args = { RegionId: REGION, SmartAGId: id, UserName: 'codeuser01' };
      await h.expectApiError(nobody.v1.call('EnableSmartAccessGatewayUser', args), E.forbidden);
      await h.expectApiError(nobody.v3.call('DisableSmartAccessGatewayUser', args), E.forbidden);
      const helpdesk = await ram('cu-helpdesk', ['smartag:EnableSmartAccessGatewayUser', 'smartag:DisableSmartAccessGatewayUser',
        'smartag:DescribeSmartAccessGatewayClientUsers']);
      // Disabled by a RAM user: a RAM user may enable it again.
      await helpdesk.v1.call('DisableSmartAccessGatewayUser', args);
      assert.equal((await onlyUser(helpdesk.v1, id, 'codeuser01')).State, 1);
      await helpdesk.v3.call('EnableSmartAccessGatewayUser', args);
      assert.equal((await onlyUser(helpdesk.v1, id, 'codeuser01')).State, 0);
      // Disabled by the root user: only the root user may.
      await A.client.call('DisableSmartAccessGatewayUser', args);
      await h.expectApiError(helpdesk.v1.call('EnableSmartAccessGatewayUser', args), E.subUser);
      await h.expectApiError(helpdesk.v3.call('EnableSmartAccessGatewayUser', args), E.subUser);
      assert.equal((await onlyUser(A.client, id, 'codeuser01')).State, 1);
      await A.client.call('EnableSmartAccessGatewayUser', args);
      assert.equal((await onlyUser(A.client, id, 'codeuser01')).State, 0);
    });

    it('operator OpenClientSession: unknown user is EntityNotExist; sessions of a deleted user are gone', async () => {
      await h.expectApiError(admin.call('OpenClientSession', { SmartAGId: id, UserName: 'nosuchuser' }), E.userNotExist);
      await createUser(A.client, id, { UserName: 'goneuser01' });
      const s = await admin.call('OpenClientSession', { SmartAGId: id, UserName: 'goneuser01' });
      assert.match(s.SessionId, /^cs-/);
      await A.client.call('DeleteSmartAccessGatewayClientUser', { RegionId: REGION, SmartAGId: id, UserName: 'goneuser01' });
      await createUser(A.client, id, { UserName: 'goneuser01' });
      assert.deepEqual((await online(A.client, id, 'goneuser01')).Users.User, []);
      await h.expectApiError(admin.call('CloseClientSession', { SessionId: s.SessionId }), E.sessionNotExist);
    });
  });

  it('passwords are stored only as Argon2id hashes: neither a chosen nor a generated one is in the database files', async () => {
    const fs = require('node:fs');
    const path = require('node:path');
    const id = await appInstance(A.client, { cidr: '10.92.0.0/24' });
    const chosen = 'Chosen-secret-9431';
    await createUser(A.client, id, { UserName: 'secretuser1', Password: chosen });
    const generated = (await createUser(A.client, id, { UserName: 'secretuser2' })).Password;
    const reset = (await A.client.call('ResetSmartAccessGatewayClientUserPassword', {
      RegionId: REGION, SmartAGId: id, UserName: 'secretuser1',
    })).Password;
    const files = fs.readdirSync(server.dataDir).filter((f) => f.startsWith('sag.db'));
    assert.ok(files.includes('sag.db'), String(files));
    let argon = false;
    for (const f of files) {
      const bytes = fs.readFileSync(path.join(server.dataDir, f));
      for (const secret of [chosen, generated, reset]) {
        assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${f} holds a plaintext password`);
      }
      argon = argon || bytes.indexOf(Buffer.from('$argon2id$')) !== -1;
    }
    assert.ok(argon, 'no Argon2id hash found in the database files');
  });

  describe('DescribeUserOnlineClientStatistics', () => {
    it('counts each named user\'s online clients (as a string) and reaches every documented code', async () => {
      const id = await appInstance(A.client, { cidr: '10.91.0.0/24' });
      await createUser(A.client, id, { UserName: 'statuser01' });
      await createUser(A.client, id, { UserName: 'statuser02' });
      await admin.call('OpenClientSession', { SmartAGId: id, UserName: 'statuser01' });
      await admin.call('OpenClientSession', { SmartAGId: id, UserName: 'statuser01' });
      const stats = (c, names, extra = {}) => c.call('DescribeUserOnlineClientStatistics', {
        RegionId: REGION, SmartAGId: id, ...Object.fromEntries(names.map((n, i) => [`UserNames.${i + 1}`, n])), ...extra,
      });
      const r = await stats(A.v3, ['statuser01', 'statuser02', 'statuser03']);
      assert.deepEqual(r.UserStatistics.Statistics.map((x) => ({ ...x })), [
        { UserName: 'statuser01', OnlineCount: '2' },
        { UserName: 'statuser02', OnlineCount: '0' },
        { UserName: 'statuser03', OnlineCount: '0' },
      ]);
      for (const c of [A.client, A.v3]) {
        await h.expectApiError(stats(c, []), E.nameEmpty);
        await h.expectApiError(stats(c, ['statuser01', 'x!']), E.nameInvalid);
        await h.expectApiError(stats(c, ['statuser01'], { SmartAGId: '' }), E.idEmpty);
        await h.expectApiError(stats(c, ['statuser01'], { SmartAGId: UNKNOWN_SAG }), E.noFound);
      }
      await h.expectApiError(stats(A.client, Array.from({ length: 51 }, (_, i) => `statuser${String(i).padStart(2, '0')}`)),
        E.invalid('UserNames'));
    });
  });

  describe('ModifySAGAdminPassword on a SAG app instance', () => {
    it('SAG.SoftwareNotSupport for a serial number; SAG.SoftwareNotSupportFeature when SmartAGSn names a client user', async () => {
      const id = await appInstance(A.client, { cidr: '10.90.0.0/24' });
      await createUser(A.client, id, { UserName: 'adminuser1' });
      const args = { RegionId: REGION, SmartAGId: id, Password: 'Admin_pass1' };
      for (const c of [A.client, A.v3]) {
        await h.expectApiError(c.call('ModifySAGAdminPassword', { ...args, SmartAGSn: 'sage62x0001' }), E.softwareNotSupport);
        await h.expectApiError(c.call('ModifySAGAdminPassword', { ...args, SmartAGSn: 'adminuser1' }), E.softwareNotSupportFeature);
      }
    });
  });
});
