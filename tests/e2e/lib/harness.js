'use strict';
// End-to-end harness: starts real `sagd` processes, builds clients with the official Alibaba Node
// SDKs (pop-core: signature V1; openapi-client: signature V3) and signs raw V1 requests by hand
// for what the SDKs cannot produce (old timestamps, reused nonces, broken encodings, PUT, XML...).

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const RPCClient = require('@alicloud/pop-core').RPCClient;
const OpenApi = require('@alicloud/openapi-client');
const OpenApiUtil = require('@alicloud/openapi-util').default;
const TeaUtil = require('@alicloud/tea-util');

const { checkResponseBody, checkXmlText } = require('./wellformed');

const SMARTAG_VERSION = '2018-03-13';
const OPERATOR_VERSION = '2026-11-01';
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 15000;

// ---------------------------------------------------------------------------------------------
// Processes

const running = new Set(); // servers not yet known to have exited
const tempDirs = new Set(); // data dirs this harness created

function binDir() {
  const dir = process.env.SAG_BIN_DIR;
  if (!dir) throw new Error('SAG_BIN_DIR is not set (the directory holding the sagd binary)');
  const bin = path.join(dir, 'sagd');
  if (!fs.existsSync(bin)) throw new Error(`no sagd binary at ${bin}`);
  return bin;
}

function randomAlnum(n) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

function makeTempDir(prefix = 'sag-e2e-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function parseCredentialsFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  const get = (name) => {
    const m = text.match(new RegExp(`^${name}=(.*)$`, 'm'));
    return m ? m[1] : undefined;
  };
  return {
    accessKeyId: get('SAG_ROOT_ACCESS_KEY_ID'),
    accessKeySecret: get('SAG_ROOT_ACCESS_KEY_SECRET'),
  };
}

// Waits for the child to exit; resolves {code, signal}. Rejects after timeoutMs.
function waitExit(proc, timeoutMs) {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`sagd pid ${proc.pid} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/**
 * Starts sagd on 127.0.0.1:0.
 *   testMode  — pass --test-mode
 *   dataDir   — reuse this data directory (restart); default: a fresh temp dir
 *   env       — extra environment variables
 *   rootKey   — {accessKeyId, accessKeySecret} for the operator root key; default: random;
 *               null: leave SAG_ROOT_ACCESS_KEY_* unset (sagd writes DIR/root-credentials)
 *   args      — extra command-line flags, e.g. ['--device-registry', 'closed']
 * Resolves {endpoint, host, port, dataDir, rootKey, stderr(), stop(), kill9(), proc}.
 */
async function startSagd({ testMode = false, dataDir, env = {}, rootKey, args: extraArgs = [], listen = '127.0.0.1:0' } = {}) {
  const bin = binDir();
  const dir = dataDir || makeTempDir();
  const childEnv = { ...process.env };
  delete childEnv.SAG_ROOT_ACCESS_KEY_ID;
  delete childEnv.SAG_ROOT_ACCESS_KEY_SECRET;
  let key = rootKey;
  if (key === undefined) {
    key = { accessKeyId: 'LTAI' + randomAlnum(20), accessKeySecret: randomAlnum(30) };
  }
  if (key) {
    childEnv.SAG_ROOT_ACCESS_KEY_ID = key.accessKeyId;
    childEnv.SAG_ROOT_ACCESS_KEY_SECRET = key.accessKeySecret;
  }
  Object.assign(childEnv, env);

  const args = ['--listen', listen, '--data', dir];
  if (testMode) args.push('--test-mode');
  args.push(...extraArgs);
  const proc = spawn(bin, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));

  let stderr = '';
  let stdout = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    stderr += d;
  });
  proc.stdout.setEncoding('utf8');

  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`sagd did not print its listening line within ${START_TIMEOUT_MS} ms; ` +
                       `stdout: ${JSON.stringify(stdout)} stderr: ${JSON.stringify(stderr)}`));
    }, START_TIMEOUT_MS);
    const onData = (d) => {
      stdout += d;
      const m = stdout.match(/^sagd listening on (http:\/\/[^\s]+)\n/m);
      if (m) {
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        proc.off('exit', onExit);
        resolve(m[1]);
      }
    };
    const onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`sagd exited (code ${code}, signal ${signal}) before listening; ` +
                       `stdout: ${JSON.stringify(stdout)} stderr: ${JSON.stringify(stderr)}`));
    };
    proc.stdout.on('data', onData);
    proc.once('exit', onExit);
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  proc.stdout.on('data', (d) => {
    stdout += d;
  });

  const url = new URL(endpoint);
  if (key === null) {
    key = parseCredentialsFile(path.join(dir, 'root-credentials'));
  }
  return {
    endpoint,
    host: url.host,
    port: Number(url.port),
    dataDir: dir,
    rootKey: key,
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    // SIGTERM, then wait; resolves {code, signal}.
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      try {
        return await waitExit(proc, STOP_TIMEOUT_MS);
      } catch (e) {
        proc.kill('SIGKILL');
        await waitExit(proc, STOP_TIMEOUT_MS);
        throw e;
      }
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      return waitExit(proc, STOP_TIMEOUT_MS);
    },
  };
}

// Stops every server this process started (SIGTERM, then SIGKILL) and removes the temp dirs.
// Meant for `after()` hooks; never throws.
async function stopAll() {
  const procs = [...running];
  await Promise.all(procs.map(async (proc) => {
    try {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await waitExit(proc, STOP_TIMEOUT_MS);
    } catch {
      try {
        proc.kill('SIGKILL');
        await waitExit(proc, STOP_TIMEOUT_MS);
      } catch {
        // nothing more we can do
      }
    }
  }));
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // ignore
    }
  }
  tempDirs.clear();
}

// Last resort if a test file dies without running its hooks.
process.on('exit', () => {
  for (const proc of running) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // ignore
    }
  }
});

// ---------------------------------------------------------------------------------------------
// SDK clients

/**
 * A pop-core (signature V1) client. `call` uses POST (params in the form body); `get` uses GET
 * (params in the query). Both resolve the JSON body; `callFull`/`getFull` resolve
 * {body, status, headers}. Errors are pop-core's (err.code, err.data, err.entry.response).
 */
function v1Client(endpoint, key, version = SMARTAG_VERSION) {
  const client = new RPCClient({
    endpoint,
    apiVersion: version,
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
  }, true);
  const full = async (action, params, opts) => {
    const [body, entry] = await client.request(action, params || {}, {
      timeout: 15000,
      formatParams: false,
      ...opts,
    });
    return { body, status: entry.response.statusCode, headers: entry.response.headers };
  };
  return {
    client,
    callFull: (action, params, opts) => full(action, params, { method: 'POST', ...opts }),
    getFull: (action, params, opts) => full(action, params, { method: 'GET', ...opts }),
    call: async (action, params, opts) => (await full(action, params, { method: 'POST', ...opts })).body,
    get: async (action, params, opts) => (await full(action, params, { method: 'GET', ...opts })).body,
  };
}

/**
 * An openapi-client (signature V3, ACS3-HMAC-SHA256) client, as the current Tea SDKs call
 * smartag. `call` resolves the JSON body; `callFull` resolves {body, statusCode, headers}.
 */
function v3Client(endpoint, key, version = SMARTAG_VERSION) {
  const url = new URL(endpoint);
  const client = new OpenApi.default(new OpenApi.Config({
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    endpoint: url.host,
    protocol: url.protocol.replace(':', ''),
    readTimeout: 15000,
    connectTimeout: 5000,
  }));
  const callFull = async (action, params = {}) => {
    const apiParams = new OpenApi.Params({
      action,
      version,
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new OpenApi.OpenApiRequest({ query: OpenApiUtil.query(params) });
    return client.callApi(apiParams, request, new TeaUtil.RuntimeOptions({}));
  };
  return {
    client,
    callFull,
    call: async (action, params) => (await callFull(action, params)).body,
  };
}

// ---------------------------------------------------------------------------------------------
// Raw signed V1 requests

// RFC 3986 percent-encoding as in the V1 signature (reference §1.4).
function percentEncode(s) {
  return encodeURIComponent(String(s))
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

function isoTimestamp(ms = Date.now()) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// encoded: parameters whose values are given already percent-encoded (bytes that are not UTF-8,
// e.g. '%FF%FE'); they are signed as given.
function v1Signature(secret, method, params, encoded = {}) {
  const canonical = [...Object.keys(params), ...Object.keys(encoded)]
    .sort()
    .map((k) => `${percentEncode(k)}=${k in encoded ? encoded[k] : percentEncode(params[k])}`)
    .join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  const signature = crypto.createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
  return { stringToSign, signature };
}

// plus: encode spaces as '+' (as Python's urlencode and Go's form encoding do).
function encodeParams(params, { plus = false } = {}) {
  const enc = (x) => (plus ? percentEncode(x).replace(/%20/g, '+') : percentEncode(x));
  return Object.keys(params).map((k) => `${enc(k)}=${enc(params[k])}`).join('&');
}

function newNonce() {
  return crypto.randomUUID();
}

/**
 * Sends a V1-signed request built by hand. `params` are the business parameters plus Action
 * (and optionally Version); the common parameters are added unless overridden.
 * opts:
 *   method      — HTTP method (default POST); also the method in the string to sign unless signMethod
 *   signMethod  — method used in the string to sign
 *   where       — 'body' (default for POST) or 'query' (default otherwise)
 *   bodyNames / queryNames — parameters sent in the body / query whatever `where` says
 *   version, format, timestamp, nonce — common parameter values (format: undefined = not sent)
 *   secret      — sign with this secret instead of key.accessKeySecret
 *   omit        — names of parameters to drop after signing (e.g. ['Timestamp'])
 *   tamper      — function(sentParams) that may change the parameters after signing
 *   unsigned    — true: send no Signature at all
 *   plusForSpace — encode spaces in the form body as '+'
 *   rawQuery / rawBody — strings appended verbatim (after '&') to the query / body (not signed)
 *   encoded     — {name: value already percent-encoded}: signed and sent as given, in the body
 *                 (POST) or the query
 *   body        — a raw body string that replaces the encoded form body
 *   headers     — extra request headers
 *   path        — request path (default '/')
 * Resolves {status, headers, text, json (or undefined), stringToSign, params}.
 */
async function signedRaw(endpoint, key, params, opts = {}) {
  const method = opts.method || 'POST';
  const all = {
    Version: opts.version === undefined ? SMARTAG_VERSION : opts.version,
    AccessKeyId: key.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: opts.nonce || newNonce(),
    Timestamp: opts.timestamp || isoTimestamp(),
    ...(opts.format !== undefined ? { Format: opts.format } : {}),
    ...params,
  };
  for (const k of Object.keys(all)) {
    if (all[k] === undefined || all[k] === null) delete all[k];
  }
  const { stringToSign, signature } = v1Signature(
    opts.secret !== undefined ? opts.secret : key.accessKeySecret, opts.signMethod || method, all,
    opts.encoded || {});
  const sent = { ...all };
  if (!opts.unsigned) sent.Signature = signature;
  for (const name of opts.omit || []) delete sent[name];
  if (opts.tamper) opts.tamper(sent);

  const where = opts.where || (method === 'POST' ? 'body' : 'query');
  const inBody = {};
  const inQuery = {};
  for (const [k, v] of Object.entries(sent)) {
    const toBody = (opts.bodyNames || []).includes(k) || (where === 'body' && !(opts.queryNames || []).includes(k));
    (toBody ? inBody : inQuery)[k] = v;
  }
  let query = encodeParams(inQuery);
  let body = encodeParams(inBody, { plus: !!opts.plusForSpace });
  const preEncoded = Object.entries(opts.encoded || {}).map(([k, v]) => `${percentEncode(k)}=${v}`).join('&');
  if (preEncoded && where === 'body') body = body ? `${body}&${preEncoded}` : preEncoded;
  if (preEncoded && where !== 'body') query = query ? `${query}&${preEncoded}` : preEncoded;
  if (opts.rawQuery) query = query ? `${query}&${opts.rawQuery}` : opts.rawQuery;
  if (opts.rawBody) body = body ? `${body}&${opts.rawBody}` : opts.rawBody;
  if (opts.body !== undefined) body = opts.body;
  const headers = { ...(opts.headers || {}) };
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const target = (opts.path || '/') + (query ? `?${query}` : '');
  const res = await rawHttp(endpoint, { method, target, headers, body });
  return { ...res, stringToSign, params: sent };
}

/**
 * One plain HTTP request, no keep-alive. Resolves {status, headers, text, json}. Every XML body is
 * checked to be well-formed UTF-8 XML and every JSON body valid UTF-8 JSON (lib/wellformed.js): a
 * response that is not rejects, so whichever test received it fails.
 */
function rawHttp(endpoint, { method = 'GET', target = '/', headers = {}, body = '' } = {}) {
  const url = new URL(endpoint);
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method,
      path: target,
      headers: { ...headers, 'content-length': payload.length, connection: 'close' },
      agent: false,
      timeout: 15000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        try {
          checkResponseBody(res.headers['content-type'], bytes);
        } catch (e) {
          reject(new Error(`${method} ${target.slice(0, 200)} got a malformed ${res.statusCode} body: ${e.message}`));
          return;
        }
        const text = bytes.toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// Assertions

const REQUEST_ID_RE = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

// Normalises an error (pop-core, openapi-client) or a raw response into {status, body}.
function errorInfo(e) {
  if (e && typeof e.status === 'number' && 'text' in e) { // rawHttp / signedRaw response
    return { status: e.status, body: e.json, via: 'raw' };
  }
  if (e && e.entry && e.entry.response) { // pop-core
    return { status: e.entry.response.statusCode, body: e.data, via: 'pop-core' };
  }
  if (e && e.data && typeof e.data.statusCode === 'number') { // openapi-client (Tea)
    const { statusCode, ...body } = e.data;
    return { status: statusCode, body, via: 'openapi-client', code: e.code };
  }
  return undefined;
}

/**
 * Asserts that `promiseOrResponse` (an SDK call, or a signedRaw/rawHttp result or promise of one)
 * failed with exactly this HTTP status, Code and Message. `message` may be a string (exact), or
 * use `messagePrefix` for a prefix. Returns the error body for further checks.
 */
async function expectApiError(promiseOrResponse, { status, code, message, messagePrefix }) {
  let outcome;
  try {
    outcome = await promiseOrResponse;
  } catch (e) {
    outcome = e;
    const info = errorInfo(e);
    if (!info) throw e; // a transport failure or a bug in the test: surface it as is
    return checkError(info, { status, code, message, messagePrefix });
  }
  const info = errorInfo(outcome);
  if (!info || info.via !== 'raw') {
    assert.fail(`expected ${status} ${code} but the call succeeded: ${JSON.stringify(outcome)}`);
  }
  return checkError(info, { status, code, message, messagePrefix });
}

function checkError(info, { status, code, message, messagePrefix }) {
  const body = info.body;
  const summary = `${info.status} ${JSON.stringify(body)}`;
  assert.ok(body && typeof body === 'object', `error body is not JSON: ${summary}`);
  assert.equal(info.status, status, `HTTP status (${summary})`);
  assert.equal(body.Code, code, `Code (${summary})`);
  if (info.code !== undefined) assert.equal(info.code, code, 'SDK error code');
  if (message !== undefined) assert.equal(body.Message, message, `Message (${summary})`);
  if (messagePrefix !== undefined) {
    assert.ok(typeof body.Message === 'string' && body.Message.startsWith(messagePrefix),
      `Message should start with ${JSON.stringify(messagePrefix)} (${summary})`);
  }
  assert.match(body.RequestId, REQUEST_ID_RE, `RequestId (${summary})`);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Operator API conveniences

function operatorClient(server) {
  return v1Client(server.endpoint, server.rootKey, OPERATOR_VERSION);
}

// A new tenant account: {accountId, key, client (V1), v3 (V3)}.
async function createAccount(server, name) {
  const admin = operatorClient(server);
  const r = await admin.call('CreateAccount', { AccountName: name });
  const key = { accessKeyId: r.AccessKey.AccessKeyId, accessKeySecret: r.AccessKey.AccessKeySecret };
  return {
    accountId: String(r.AccountId),
    key,
    client: v1Client(server.endpoint, key),
    v3: v3Client(server.endpoint, key),
    admin: v1Client(server.endpoint, key, OPERATOR_VERSION),
  };
}

// A complete, valid CreateSmartAccessGateway request; override any field.
function createParams(overrides = {}) {
  const p = {
    RegionId: 'cn-shanghai',
    ChargeType: 'PREPAY',
    HaType: 'no_backup',
    HardWareSpec: 'sag-100wm',
    Period: '12',
    AutoPay: 'true',
    BuyerMessage: 'e2e order',
    ReceiverAddress: 'No. 1 Road',
    ReceiverCity: 'Hangzhou',
    ReceiverCountry: 'China',
    ReceiverDistrict: 'West Lake',
    ReceiverEmail: 'ops@example.com',
    ReceiverMobile: '18840850000',
    ReceiverName: 'John Doe',
    ReceiverState: 'Zhejiang',
    ReceiverTown: 'Zhuantang',
    ReceiverZip: '310000',
    ...overrides,
  };
  for (const k of Object.keys(p)) {
    if (p[k] === undefined) delete p[k];
  }
  return p;
}

// Polls `fn` until it returns a truthy value (or throws the last error) within timeoutMs.
async function poll(fn, { timeoutMs = 10000, intervalMs = 20 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw lastError || new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// XML bodies (Format=XML)

const XML_ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function xmlUnescape(s) {
  return s.replace(/&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/g, (_, e, dec, hex) => {
    if (e) return XML_ENTITIES[e];
    return String.fromCodePoint(dec !== undefined ? Number(dec) : parseInt(hex, 16));
  });
}

/**
 * Parses the XML this server writes (elements, text, CDATA; no attributes) into a tree of
 * {name, children: [...], text}. Throws on anything that is not well-formed, so a broken body
 * fails the test.
 */
function parseXml(text) {
  checkXmlText(text);
  const body = text.replace(/^\s*<\?xml[^?]*\?>/, '');
  const root = { name: '#document', children: [], text: '' };
  const stack = [root];
  const re = /<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([A-Za-z_][\w.\-]*)\s*(\/?)>|([^<]+)|(<)/g;
  let m;
  while ((m = re.exec(body)) !== null) {
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) {
      top.text += m[1];
    } else if (m[3] !== undefined) {
      if (m[2] === '/') {
        if (top.name !== m[3]) throw new Error(`XML: </${m[3]}> closes <${top.name}>`);
        stack.pop();
      } else {
        const node = { name: m[3], children: [], text: '' };
        top.children.push(node);
        if (m[4] !== '/') stack.push(node);
      }
    } else if (m[5] !== undefined) {
      top.text += xmlUnescape(m[5]);
    } else {
      throw new Error(`XML: stray '<' at ${m.index}`);
    }
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1].name}> is never closed`);
  if (root.children.length !== 1) throw new Error(`XML: ${root.children.length} root elements`);
  return root.children[0];
}

// The child elements of `node` named `name`.
function xmlChildren(node, name) {
  return node.children.filter((c) => c.name === name);
}

// The only child element named `name` (fails when there is none or several).
function xmlChild(node, name) {
  const found = xmlChildren(node, name);
  assert.equal(found.length, 1, `<${node.name}> should have exactly one <${name}>`);
  return found[0];
}

// The text of the only child element named `name` ('' for an empty element).
function xmlText(node, name) {
  const c = xmlChild(node, name);
  assert.equal(c.children.length, 0, `<${name}> should be a text element`);
  return c.text;
}

module.exports = {
  SMARTAG_VERSION,
  OPERATOR_VERSION,
  REQUEST_ID_RE,
  startSagd,
  stopAll,
  makeTempDir,
  parseCredentialsFile,
  v1Client,
  v3Client,
  operatorClient,
  createAccount,
  createParams,
  signedRaw,
  rawHttp,
  v1Signature,
  percentEncode,
  isoTimestamp,
  newNonce,
  expectApiError,
  poll,
  randomAlnum,
  parseXml,
  checkResponseBody,
  xmlChildren,
  xmlChild,
  xmlText,
};
