// The device-channel flood of issue 12 (case 3), for docs/benchmarks.md: C connections that
// upgrade to the device channel, never send a hello and never read, and send text frames as fast
// as they can (reconnecting whenever sagd drops them) for S seconds. Watch sagd's RSS meanwhile.
// Usage: node bench/device_flood.js http://HOST:PORT C S big|small
//   big: 60 KB frames (over the 4 KiB hello limit); small: 1 KB frames that are not a hello.
'use strict';
const path = require('node:path');
const { connectChannel } = require(path.join(__dirname, '../tests/e2e/lib/ws.js'));

const [, , endpoint, conns, seconds, kind] = process.argv;
const frame = kind === 'big'
  ? JSON.stringify({ type: 'x'.repeat(60 * 1024) })
  : JSON.stringify({ type: 'telemetry', pad: 'x'.repeat(1000) });

(async () => {
  let opened = 0;
  let sent = 0;
  const end = Date.now() + Number(seconds) * 1000;
  const one = async () => {
    while (Date.now() < end) {
      let ws;
      try {
        ws = await connectChannel(endpoint);
      } catch {
        continue;
      }
      opened++;
      while (Date.now() < end && !ws.closed) {
        ws.send(frame);
        sent++;
        await new Promise((r) => setTimeout(r, 1));
      }
      ws.destroy();
    }
  };
  await Promise.all(Array.from({ length: Number(conns) }, one));
  console.log(`${opened} connections, ${sent} frames sent`);
  process.exit(0);
})();
