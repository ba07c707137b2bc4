#!/usr/bin/env python3
"""Floods a running sagd the ways issue 12 describes and reports its RSS (docs/benchmarks.md).

    bench/flood_rss.py ENDPOINT PID FLOOD [--seconds S] [--connections N] [--rate-kib K]
      FLOOD: trailer | upload-unsigned | upload-forged | upload-signed | fd | device
    Environment: SAG_ACCESS_KEY_ID / SAG_ACCESS_KEY_SECRET (the operator's key, upload-signed).

Prints one Markdown table row: flood, connections, seconds, RSS idle / peak / end (MiB), whether
sagd survived, the slowest answer to a probe request sent every 0.5 s meanwhile (ms), and what
the flood's requests got. bench/flood_rss.sh starts sagd and runs every flood.
"""
import argparse
import base64
import hashlib
import hmac
import os
import socket
import struct
import threading
import time
import urllib.parse
import uuid

MiB = 1 << 20
OPERATOR_VERSION = "2026-11-01"


def rss_mib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def connect(host, port, timeout=10):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_status(s):
    """The status code of the next response, or None when the connection closes first."""
    data = b""
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return None
        data += chunk
    return int(data.split(b" ", 2)[1])


def encode(v):
    return urllib.parse.quote(str(v), safe="-_.~")


def v3_upload_header(host, key_id, secret, sha256, length):
    """A PublishVersion header signed with ACS3-HMAC-SHA256 as the official SDKs sign."""
    query = {"VersionType": "Device", "VersionCode": "9.%d" % (uuid.uuid4().int % 10**9),
             "HardwareModels": "sag-1000"}
    canonical_query = "&".join(f"{encode(k)}={encode(query[k])}" for k in sorted(query))
    headers = {
        "host": host,
        "x-acs-action": "PublishVersion",
        "x-acs-version": OPERATOR_VERSION,
        "x-acs-date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "x-acs-signature-nonce": uuid.uuid4().hex,
        "x-acs-content-sha256": sha256,
        "content-type": "application/octet-stream",
    }
    names = sorted(headers)
    canonical = "\n".join(["POST", "/", canonical_query,
                           "".join(f"{n}:{headers[n]}\n" for n in names), ";".join(names), sha256])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    lines = [f"POST /?{canonical_query} HTTP/1.1"] + [f"{n}: {headers[n]}" for n in names]
    lines.append(f"authorization: ACS3-HMAC-SHA256 Credential={key_id},"
                 f"SignedHeaders={';'.join(names)},Signature={signature}")
    lines.append(f"content-length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def ws_frame(payload, opcode=1):
    """A masked client frame."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


class Flood:
    def __init__(self, args):
        url = urllib.parse.urlparse(args.endpoint)
        self.host, self.port = url.hostname, url.port
        self.hostport = f"{self.host}:{self.port}"
        self.args = args
        self.stop = threading.Event()
        self.outcomes = {}
        self.lock = threading.Lock()

    def count(self, outcome):
        with self.lock:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    # Each worker loops until the flood's time is up.
    def trailer(self, _):
        bomb = (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " +
                b"a" * 65534 + b"\r\n\r\n")
        while not self.stop.is_set():
            try:
                s = connect(self.host, self.port)
                s.sendall(bomb)
                self.count(read_status(s))
                s.close()
            except OSError as e:
                self.count(type(e).__name__)

    def slow_body(self, header_fn):
        """Sends header_fn()'s header, then a 256 MiB body at --rate-kib KiB/s (a tenth of a
        second's worth at a time); reconnects when answered."""
        piece = b"\0" * (self.args.rate_kib * 1024 // 10)
        while not self.stop.is_set():
            try:
                s = connect(self.host, self.port)
                s.sendall(header_fn())
                status = None
                while not self.stop.is_set():
                    try:
                        s.settimeout(10)
                        s.sendall(piece)
                    except OSError:
                        break
                    try:
                        s.settimeout(0.1)  # and the rest of the tenth of a second to the answer
                        status = read_status(s)
                        break
                    except socket.timeout:
                        continue
                self.count(status if status is not None else "streaming")
                s.close()
            except OSError as e:
                self.count(type(e).__name__)

    def upload_unsigned(self, _):
        header = (b"POST / HTTP/1.1\r\nHost: x\r\nx-acs-action: PublishVersion\r\n"
                  b"Content-Type: application/octet-stream\r\nContent-Length: 268435456\r\n\r\n")
        self.slow_body(lambda: header)

    def upload_forged(self, _):
        self.slow_body(lambda: v3_upload_header(self.hostport, os.environ.get(
            "SAG_ACCESS_KEY_ID", "LTAIforged"), "wrong", "0" * 64, 256 * MiB))

    def upload_signed(self, _):
        sha = self.zeros_sha256
        self.slow_body(lambda: v3_upload_header(self.hostport, os.environ["SAG_ACCESS_KEY_ID"],
                                                os.environ["SAG_ACCESS_KEY_SECRET"], sha,
                                                256 * MiB))

    def device(self, _):
        key = base64.b64encode(os.urandom(16)).decode()
        # A well-formed message of an unknown, 60 KB type: the channel answers each with an error
        # naming the type (a malformed message would close the connection at once).
        frame = ws_frame(b'{"type":"' + b"x" * 60000 + b'"}')
        try:
            s = connect(self.host, self.port)
            s.sendall((f"GET /device/v1/channel HTTP/1.1\r\nHost: {self.hostport}\r\n"
                       f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n").encode())
            self.count(read_status(s))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and never read again
            s.settimeout(0.5)
            while not self.stop.is_set():
                try:
                    s.sendall(frame)
                except socket.timeout:
                    continue  # the server stopped reading: keep the socket open
            s.close()
            self.count("held to the end")
        except OSError as e:
            self.count(type(e).__name__)

    def fd(self, _):
        held = []
        while not self.stop.is_set() and len(held) < self.args.connections:
            try:
                held.append(connect(self.host, self.port, timeout=1))
            except OSError as e:
                self.count(type(e).__name__)
                time.sleep(0.01)
        self.count(f"{len(held)} connections held")
        self.stop.wait()
        for s in held:
            s.close()

    def probe(self):
        """A request every 0.5 s on a new connection: the slowest answer (ms)."""
        slowest = 0.0
        while not self.stop.wait(0.5):
            t0 = time.monotonic()
            try:
                s = connect(self.host, self.port, timeout=30)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                read_status(s)
                s.close()
            except OSError:
                pass
            slowest = max(slowest, (time.monotonic() - t0) * 1000)
        return slowest

    def run(self):
        flood = self.args.flood.replace("-", "_")
        if flood == "upload_signed":
            h = hashlib.sha256()
            zeros = b"\0" * MiB
            for _ in range(256):
                h.update(zeros)
            self.zeros_sha256 = h.hexdigest()
        pid = self.args.pid
        idle = rss_mib(pid)
        peak = idle
        workers = 1 if flood == "fd" else self.args.connections
        threads = [threading.Thread(target=getattr(self, flood), args=(i,), daemon=True)
                   for i in range(workers)]
        result = {}
        prober = threading.Thread(target=lambda: result.update(slowest=self.probe()), daemon=True)
        for t in threads:
            t.start()
        prober.start()
        deadline = time.monotonic() + self.args.seconds
        while time.monotonic() < deadline and alive(pid):
            peak = max(peak, rss_mib(pid))
            time.sleep(0.1)
        end = rss_mib(pid) if alive(pid) else 0.0
        survived = alive(pid)
        self.stop.set()
        prober.join(timeout=35)
        for t in threads:
            t.join(timeout=5)
        outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(self.outcomes.items(), key=str))
        print(f"| {self.args.flood} | {self.args.connections} | {self.args.seconds} | "
              f"{idle:.0f} / {peak:.0f} / {end:.0f} | {'yes' if survived else '**no**'} | "
              f"{result.get('slowest', 0):.0f} | {outcomes} |", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("endpoint")
    p.add_argument("pid", type=int)
    p.add_argument("flood", choices=["trailer", "upload-unsigned", "upload-forged",
                                     "upload-signed", "fd", "device"])
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--rate-kib", type=int, default=4096, help="upload floods: KiB/s per connection")
    Flood(p.parse_args()).run()


if __name__ == "__main__":
    main()
