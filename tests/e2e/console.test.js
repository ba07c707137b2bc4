// The web console (/console/, docs/console.md) in Debian's chromium driven by puppeteer-core: how
// sagd serves it; sign-in; the fleet; a sag-device going offline and coming back; an instance's
// devices, HA roles and facets; an upgrade's progress reaching done; a RAM user who sees only the
// instance its policy allows (and denied lists shown as denied); the secret kept in session
// storage only. Screenshots go to <build>/console-screenshots.
'use strict';
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const {
  startSagd, stopAll, operatorClient, createAccount, createParams, rawHttp, randomAlnum, v1Client, poll,
} = require('./lib/harness');
const { REGION, publish, startDevice, stopDevices, readyInstance } = require('./lib/upgrades');
const { findChromium, launch, newPage, waitForText } = require('./lib/browser');

const chromium = findChromium();
const NO_CHROMIUM = chromium ? false
  : 'chromium is not installed: the console tests need Debian\'s chromium (scripts/install-deps.sh installs it)';
const SHOTS = path.resolve(process.env.SAG_BIN_DIR || '.', '..', 'console-screenshots');
const secret = 'device-secret-' + randomAlnum(16);
const ARGS = ['--device-registry', 'closed', '--device-lease-ms', '1500', '--device-heartbeat-ms', '300'];

let server;
let op;
let A;

before(async () => {
  server = await startSagd({ testMode: true, args: ARGS });
  op = operatorClient(server);
  A = await createAccount(server, 'console-a');
});
after(async () => {
  stopDevices();
  await stopAll();
});

test('chromium is installed (the browser tests below are skipped without it)', () => {
  assert.ok(chromium, NO_CHROMIUM);
});

describe('how sagd serves the console', () => {
  const get = (target, headers = {}, method = 'GET') => rawHttp(server.endpoint, { method, target, headers });

  test('index, script, stylesheet and icon with their content types, no-cache + ETag, and a strict CSP', async () => {
    const expected = {
      '/console/': 'text/html; charset=utf-8',
      '/console/index.html': 'text/html; charset=utf-8',
      '/console/app.js': 'text/javascript; charset=utf-8',
      '/console/pages/fleet.js': 'text/javascript; charset=utf-8',
      '/console/console.css': 'text/css; charset=utf-8',
      '/console/icon.svg': 'image/svg+xml',
    };
    for (const [target, type] of Object.entries(expected)) {
      const r = await get(target);
      assert.equal(r.status, 200, target);
      assert.equal(r.headers['content-type'], type, target);
      assert.equal(r.headers['cache-control'], 'no-cache', target);
      assert.match(r.headers.etag, /^"[0-9a-f]{32}"$/, target);
      const csp = r.headers['content-security-policy'];
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /connect-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
    const index = await get('/console/');
    assert.doesNotMatch(index.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(index.text, /\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
    assert.doesNotMatch(index.text, /https?:\/\//, 'nothing from another origin');
  });

  test('every file under console/app is served byte for byte, with its SHA-256 as ETag', async () => {
    const appDir = path.join(__dirname, '..', '..', 'console', 'app');
    const files = fs.readdirSync(appDir, { recursive: true }).filter((f) => fs.statSync(path.join(appDir, f)).isFile());
    assert.ok(files.length >= 10, files.join(' '));
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(appDir, file));
      const r = await get(`/console/${file.split(path.sep).join('/')}`);
      assert.equal(r.status, 200, file);
      assert.equal(r.text, bytes.toString('utf8'), file);
      const sha = crypto.createHash('sha256').update(bytes).digest('hex');
      assert.equal(r.headers.etag, `"${sha.slice(0, 32)}"`, file);
    }
  });

  test('a matching If-None-Match is 304; /console redirects to /console/; unknown paths are 404; POST is 405', async () => {
    const first = await get('/console/app.js');
    const again = await get('/console/app.js', { 'if-none-match': first.headers.etag });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    const moved = await get('/console');
    assert.equal(moved.status, 308);
    assert.equal(moved.headers.location, '/console/');
    for (const target of ['/console/nope.js', '/console/pages/', '/console/../README.md', '/console/app.js/x', '/console/%61pp.js']) {
      const r = await get(target);
      assert.equal(r.status, 404, target);
      assert.match(r.headers['content-security-policy'], /default-src 'none'/);
    }
    const post = await get('/console/', { 'content-type': 'text/plain' }, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const head = await get('/console/app.js', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  test('the API beside it is unchanged: a path that is not the console is still the gateway\'s', async () => {
    const r = await get('/consoles');
    assert.equal(r.json.Code, 'MissingParameter');
  });
});

describe('the console in chromium', { skip: NO_CHROMIUM }, () => {
  let chrome;
  let east; // warm_backup pair, both devices online
  let west; // one device, never connected
  let app;  // SAG app instance with a client user
  const devices = new Map();
  const pages = []; // {page, context, record, secret}

  function deviceArgs(sn) {
    // A reboot of 3 s keeps an upgrade in flight across a page refresh or two.
    return ['--sn', sn, '--secret', secret, '--firmware', '2.0.0', '--dpi', '1.0.0', '--reboot-ms', '3000',
      '--download-chunk-bytes', '65536'];
  }

  async function runDevice(sn) {
    devices.set(sn, await startDevice(server.endpoint, deviceArgs(sn)));
  }

  async function shot(page, name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  // A new window signed in with key; resolves the page once the fleet has been drawn.
  async function signIn(key) {
    const p = await newPage(chrome.browser);
    pages.push({ ...p, secret: key.accessKeySecret });
    await p.page.goto(`${server.endpoint}/console/`);
    await p.page.type('#access-key-id-input', key.accessKeyId);
    await p.page.type('#access-key-secret-input', key.accessKeySecret);
    await p.page.click('#sign-in button[type=submit]');
    await waitForText(p.page, /Live · updated/, { selector: '#live-status' });
    return p.page;
  }

  // Opens route (a fragment, '#/...') in page; resolves once that page has drawn its data.
  async function go(page, route) {
    await page.evaluate((r) => { location.hash = r; }, route);
    await page.waitForFunction((r) => document.getElementById('live-status').dataset.route === r,
      { timeout: 30000 }, route);
  }

  before(async () => {
    chrome = await launch();
    east = await readyInstance({ client: A.client, op, secret, count: 2 });
    west = await readyInstance({ client: A.client, op, secret });
    await A.client.call('ModifySmartAccessGateway', { RegionId: REGION, SmartAGId: east.id, Name: 'shop-east' });
    await A.client.call('ModifySmartAccessGateway', { RegionId: REGION, SmartAGId: west.id, Name: 'shop-west' });
    const sw = await A.client.call('CreateSmartAccessGatewaySoftware', {
      RegionId: REGION, ChargeType: 'PREPAY', DataPlan: '5', Period: '12', UserCount: '10', AutoPay: 'true', CidrBlock: '10.8.0.0/24',
    });
    app = sw.SmartAGId;
    await A.client.call('ModifySmartAccessGateway', { RegionId: REGION, SmartAGId: app, Name: 'road-warriors' });
    await A.client.call('CreateSmartAccessGatewayClientUser', {
      RegionId: REGION, SmartAGId: app, UserMail: 'ana@example.com', UserName: 'ana.lima', Password: 'Secret_pass1',
    });
    publish(server, { code: '2.1.0', size: 1024 * 1024 });
    for (const sn of east.sns) await runDevice(sn);
  });
  after(async () => {
    if (chrome) await chrome.close();
  });

  let tenant;

  test('the account\'s root key signs in and sees its instances by region and status, and its devices', async () => {
    tenant = await signIn(A.key);
    const instances = await waitForText(tenant, /shop-west/, { selector: '#instances' });
    assert.match(instances, /shop-east/);
    assert.match(instances, /road-warriors/);
    const matrix = await waitForText(tenant, /cn-shanghai\s+3\s+3/, { selector: '#instances-by-region' });
    assert.match(matrix, /Active/);
    await waitForText(tenant, /2 online\s+1 offline\s+of 3/, { selector: '#device-counts' });
    const rows = await waitForText(tenant, new RegExp(`${west.sn}[\\s\\S]*never connected`), { selector: '#devices' });
    assert.match(rows, /main[\s\S]*standby/);
    await waitForText(tenant, /Device 2\.0\.0\s*2/, { selector: 'svg.chart' });
    await shot(tenant, 'fleet');
  });

  test('a device that drops shows offline with its reason, then online again, without a reload', async () => {
    // Killed, its connection closes at once; sagd records the reason "closed".
    const sn = east.sns[1];
    const cell = `.presence[data-sn="${sn}"]`;
    await waitForText(tenant, /online/, { selector: cell });
    await tenant.evaluate(() => { window.__sameDocument = true; });
    devices.get(sn).proc.kill('SIGKILL');
    await waitForText(tenant, /offline — connection closed since \d{4}-/, { selector: cell });
    await waitForText(tenant, /1 online\s+2 offline/, { selector: '#device-counts' });
    await shot(tenant, 'fleet-device-offline');
    await runDevice(sn);
    await waitForText(tenant, /^online$/, { selector: cell });
    assert.equal(await tenant.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
  });

  test('instance detail: devices with HA roles, each facet\'s desired and applied generation, recent changes', async () => {
    await go(tenant, `#/instance/${REGION}/${east.id}`);
    const devicesText = await waitForText(tenant, /standby/, { selector: '#instance-devices' });
    assert.match(devicesText, new RegExp(`${east.sns[0]}\\s+main`));
    assert.match(devicesText, new RegExp(`${east.sns[1]}\\s+standby`));
    await A.client.call('ModifySAGAdminPassword', { RegionId: REGION, SmartAGId: east.id, SmartAGSn: east.sn, Password: 'Admin_pass_42' });
    const facets = await waitForText(tenant, new RegExp(`${east.sn}\\s+admin_password\\s+1\\s+1\\s+Synchronized\\s+ok`), { selector: '#facets' });
    assert.doesNotMatch(facets, /argon2/);
    await waitForText(tenant, /admin_password generation 1: ok/, { selector: '#changes' });
    await shot(tenant, 'instance');
  });

  test('an upgrade\'s progress reaches done, on the operator\'s page and on the account\'s', async () => {
    const operator = await signIn(server.rootKey);
    await go(operator, '#/upgrades');
    await go(tenant, '#/upgrades');
    await waitForText(tenant, /The latest upgrade of each device this key can see\./, { selector: 'main' });
    // Every state the operator's page shows for the upgrade, in order.
    await operator.evaluate(() => {
      window.__states = [];
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('#upgrades .upgrade .badge')) {
          if (window.__states.at(-1) !== el.textContent) window.__states.push(el.textContent);
        }
      }).observe(document.getElementById('main'), { childList: true, subtree: true });
    });
    await A.v3.call('UpdateSmartAccessGatewayVersion', { RegionId: REGION, SmartAGId: east.id, VersionCode: '2.1.0', SerialNumber: east.sn });
    await waitForText(operator, new RegExp(`${east.sn}\\s+${east.id}\\s+Device 2\\.0\\.0 → 2\\.1\\.0\\s+Succeeded\\s+100%`), { selector: '#upgrades' });
    await waitForText(operator, /^0 in progress, 1 finished\.$/, { selector: '#upgrade-counts' });
    const shown = await operator.evaluate(() => window.__states);
    assert.equal(shown.at(-1), 'Succeeded');
    assert.ok(shown.slice(0, -1).some((state) => ['Dispatched', 'Downloading', 'Installing', 'Rebooting', 'Verifying'].includes(state)),
      `the page showed the upgrade while it ran: ${shown.join(' → ')}`);
    await waitForText(tenant, new RegExp(`${east.sn}\\s+${east.id}\\s+Device 2\\.0\\.0 → 2\\.1\\.0\\s+Succeeded\\s+100%`), { selector: '#upgrades' });
    await shot(operator, 'upgrades');
    await go(operator, '#/versions');
    await waitForText(operator, /2\.1\.0[\s\S]*1\.0 MiB/, { selector: '#versions' });
    await waitForText(operator, /Device 2\.1\.0\s*1/, { selector: 'svg.chart' });
    await shot(operator, 'versions');
  });

  test('client users of the SAG app instances', async () => {
    await go(tenant, '#/users');
    await waitForText(tenant, /ana\.lima\s+ana@example\.com\s+10\.8\.0\.\d+/, { selector: 'main' });
  });

  test('a RAM user allowed one instance sees it and never the others; denied lists say so', async () => {
    await A.admin.call('CreateUser', { UserName: 'east-viewer' });
    const arn = `acs:smartag:*:${A.accountId}:smartag/${east.id}`;
    await A.admin.call('CreatePolicy', {
      PolicyName: 'east-only',
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: ['smartag:Describe*', 'opensag:ListDeviceStates'], Resource: arn }],
      }),
    });
    await A.admin.call('AttachPolicyToUser', { PolicyName: 'east-only', UserName: 'east-viewer' });
    const k = (await A.admin.call('CreateAccessKey', { UserName: 'east-viewer' })).AccessKey;
    const key = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
    // What the policy allows, through an SDK: the instance, not the lists.
    const viaSdk = v1Client(server.endpoint, key);
    await viaSdk.call('DescribeSmartAccessGatewayAttribute', { RegionId: REGION, SmartAGId: east.id });

    const viewer = await signIn(key);
    await waitForText(viewer, /Denied: this AccessKey's RAM policies do not allow DescribeSmartAccessGateways \(Forbidden\)/, { selector: 'main' });
    await waitForText(viewer, /Denied: this AccessKey's RAM policies do not allow ListDeviceStates \(Forbidden\)/, { selector: 'main' });
    await viewer.select('#open-instance select', REGION);
    await viewer.type('#open-instance input', east.id);
    await viewer.click('#open-instance button');
    await waitForText(viewer, /shop-east/, { selector: 'main' });
    await waitForText(viewer, new RegExp(`${east.sns[1]}\\s+standby`), { selector: '#instance-devices' });
    await waitForText(viewer, /admin_password/, { selector: '#facets' });
    await shot(viewer, 'ram-user-instance');
    await go(viewer, `#/instance/${REGION}/${west.id}`);
    await waitForText(viewer, /Denied: this AccessKey's RAM policies do not allow DescribeSmartAccessGatewayAttribute/, { selector: 'main' });
    await go(viewer, '#/fleet');
    // Only instances that opened are remembered.
    const opened = await waitForText(viewer, /shop-east/, { selector: '#opened' });
    assert.doesNotMatch(opened, new RegExp(west.id));
    await shot(viewer, 'ram-user-fleet');
    const seen = await viewer.evaluate(() => document.body.innerText);
    for (const hidden of ['shop-west', 'road-warriors', west.sn, 'ana.lima']) {
      assert.ok(!seen.includes(hidden), `the RAM user's page shows ${hidden}`);
    }
  });

  test('the secret is in the tab\'s session storage only: never local storage, a cookie or a URL; sign-out forgets it', async () => {
    assert.ok(pages.length >= 3);
    for (const { page, context, record, secret: s } of pages) {
      const storage = await page.evaluate(() => ({
        local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), cookie: document.cookie,
      }));
      assert.ok(storage.session.includes(s), 'kept in session storage');
      assert.ok(!storage.local.includes(s), 'not in local storage');
      assert.equal(storage.cookie, '');
      const cookies = await context.cookies();
      assert.deepEqual(cookies, []);
      assert.ok(!page.url().includes(s));
      assert.ok(record.urls.length > 10);
      for (const url of record.urls) assert.ok(!url.includes(s), `a request URL carries the secret: ${url}`);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations || []), [], 'no CSP violation');
      assert.deepEqual(record.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no script error');
    }
    const { page } = pages[0];
    await page.click('#sign-out');
    await waitForText(page, /Sign in/, { selector: 'main' });
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  });
});
