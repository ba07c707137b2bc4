'use strict';
// A minimal WebSocket client (RFC 6455: client handshake, masked text frames out, unmasked frames
// in) for tests that speak the device channel by hand, as an attacker would. Node 20 has no
// WebSocket client of its own; the tests must not depend on one from the registry either.
const crypto = require('node:crypto');
const net = require('node:net');

const CHANNEL_PATH = '/device/v1/channel';

/**
 * Opens the device channel of `endpoint` (http://host:port). Resolves a connection with
 *   next(timeoutMs) — the next message: {type:'text', text, json} or {type:'close', code}, or
 *                    {type:'end'} when the TCP connection ended; rejects on timeout
 *   send(text)     — one masked text frame
 *   destroy()      — drops the TCP connection
 *   closed         — true once the TCP connection ended
 */
function connectChannel(endpoint) {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const key = crypto.randomBytes(16).toString('base64');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const queue = [];
    const waiters = [];
    const deliver = (m) => {
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    };
    const parseFrames = () => {
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = buffer[0] & 0x0f;
        let len = buffer[1] & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buffer.length < 4) return;
          len = buffer.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buffer.length < 10) return;
          len = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + len) return;
        const payload = buffer.subarray(offset, offset + len);
        buffer = buffer.subarray(offset + len);
        if (opcode === 0x1) {
          const text = payload.toString('utf8');
          let json;
          try { json = JSON.parse(text); } catch { json = undefined; }
          deliver({ type: 'text', text, json });
        } else if (opcode === 0x8) {
          deliver({ type: 'close', code: payload.length >= 2 ? payload.readUInt16BE(0) : 0 });
        }
      }
    };
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        if (!/^HTTP\/1\.1 101/.test(head)) {
          reject(new Error(`no WebSocket upgrade: ${head.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        resolve(conn);
      }
      parseFrames();
    });
    socket.on('close', () => deliver({ type: 'end' }));
    socket.on('error', (e) => { if (!upgraded) reject(e); });
    socket.write(`GET ${CHANNEL_PATH} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const conn = {
      next(timeoutMs = 10000) {
        if (queue.length > 0) return Promise.resolve(queue.shift());
        return new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error('no message in time')), timeoutMs);
          waiters.push((m) => { clearTimeout(timer); res(m); });
        });
      },
      send(text) {
        const payload = Buffer.from(text, 'utf8');
        const mask = crypto.randomBytes(4);
        let header;
        if (payload.length < 126) {
          header = Buffer.from([0x81, 0x80 | payload.length]);
        } else if (payload.length < 65536) {
          header = Buffer.alloc(4);
          header[0] = 0x81;
          header[1] = 0x80 | 126;
          header.writeUInt16BE(payload.length, 2);
        } else {
          header = Buffer.alloc(10);
          header[0] = 0x81;
          header[1] = 0x80 | 127;
          header.writeBigUInt64BE(BigInt(payload.length), 2);
        }
        const masked = Buffer.alloc(payload.length);
        for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i % 4];
        socket.write(Buffer.concat([header, mask, masked]));
      },
      destroy() { socket.destroy(); },
      get closed() { return socket.destroyed; },
    };
  });
}

module.exports = { connectChannel };
