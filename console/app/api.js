// Signed calls to sagd's API from the page: signature V3 (ACS3-HMAC-SHA256) computed with
// WebCrypto exactly as the official SDKs compute it, so the server checks these calls as it checks
// any SDK's and the page can do exactly what the AccessKey's RAM policies allow.

export const SMARTAG = '2018-03-13';
export const OPERATOR = '2026-11-01';

const ALGORITHM = 'ACS3-HMAC-SHA256';
const encoder = new TextEncoder();

// A failed call: the HTTP status and the error envelope's Code, Message and RequestId.
export class ApiError extends Error {
  constructor(action, status, code, message, requestId) {
    super(`${action}: ${code}: ${message}`);
    this.action = action;
    this.status = status;
    this.code = code;
    this.apiMessage = message;
    this.requestId = requestId;
  }

  // True when the AccessKey may not make this call (RAM, or an operator-only action): the page
  // says so instead of showing an empty list.
  get denied() {
    return this.status === 403 && (this.code === 'Forbidden' || this.code === 'Forbidden.OperatorOnly');
  }

  // True when the key itself was refused (unknown, inactive, or the secret does not match).
  get badCredentials() {
    return this.code === 'SignatureDoesNotMatch' || this.code.startsWith('InvalidAccessKeyId');
  }
}

// RFC 3986 percent-encoding, as the signature's canonical query uses it.
export function percentEncode(text) {
  return encodeURIComponent(String(text)).replace(/[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(text) {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

// Flattens {Name: [a, b]} into Name.1=a, Name.2=b, as the SDKs send repeated parameters.
function flatten(params) {
  const out = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) => out.push([`${name}.${i + 1}`, String(v)]));
    } else {
      out.push([name, String(value)]);
    }
  }
  return out;
}

function isoSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// One AccessKey's API client. The secret lives only in the HMAC key made from it (not
// extractable) and in the session storage the caller read it from.
export class Client {
  // Fails where WebCrypto is missing: browsers offer it only to secure contexts (https, or
  // http on localhost / 127.0.0.1).
  static async create(accessKeyId, accessKeySecret) {
    if (!globalThis.crypto || !crypto.subtle) {
      throw new Error('This page is not a secure context, so the browser offers no WebCrypto to ' +
        'sign with: open the console over https (sagd --tls-cert) or on localhost.');
    }
    const key = await crypto.subtle.importKey('raw', encoder.encode(accessKeySecret),
      { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Client(accessKeyId, key);
  }

  constructor(accessKeyId, hmacKey) {
    this.accessKeyId = accessKeyId;
    this.hmacKey = hmacKey;
  }

  smartag(action, params = {}) {
    return this.call(SMARTAG, action, params);
  }

  operator(action, params = {}) {
    return this.call(OPERATOR, action, params);
  }

  // POST /?<params> with an empty body and the V3 Authorization header; resolves the JSON body,
  // rejects with an ApiError.
  async call(version, action, params = {}) {
    // The canonical query: sorted by name, then value (as sagd sorts them), then encoded.
    const query = flatten(params)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&');
    const payloadHash = await sha256Hex('');
    const headers = {
      host: location.host,
      'x-acs-action': action,
      'x-acs-content-sha256': payloadHash,
      'x-acs-date': isoSeconds(new Date()),
      'x-acs-signature-nonce': crypto.randomUUID(),
      'x-acs-version': version,
    };
    const names = Object.keys(headers).sort();
    const canonicalHeaders = names.map((n) => `${n}:${headers[n]}\n`).join('');
    const canonicalRequest = ['POST', '/', query, canonicalHeaders, names.join(';'), payloadHash].join('\n');
    const stringToSign = `${ALGORITHM}\n${await sha256Hex(canonicalRequest)}`;
    const signature = hex(await crypto.subtle.sign('HMAC', this.hmacKey, encoder.encode(stringToSign)));
    const sent = { ...headers };
    delete sent.host; // the browser sends Host itself, with this very value
    sent.authorization = `${ALGORITHM} Credential=${this.accessKeyId},` +
      `SignedHeaders=${names.join(';')},Signature=${signature}`;
    sent.accept = 'application/json';
    const response = await fetch(query ? `/?${query}` : '/', {
      method: 'POST', headers: sent, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
    });
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(action, response.status, 'BadResponse', `HTTP ${response.status}, not JSON`, '');
    }
    if (!response.ok) {
      throw new ApiError(action, response.status, body.Code || 'Unknown', body.Message || '', body.RequestId || '');
    }
    return body;
  }
}
