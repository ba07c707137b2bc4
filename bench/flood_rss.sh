#!/usr/bin/env bash
# sagd's RSS under the floods of issue 12 (docs/benchmarks.md "Floods"): each flood runs against a
# fresh sagd (release build) for SECONDS while bench/flood_rss.py samples VmRSS every 100 ms and
# probes with a plain request every 0.5 s. Loopback only.
#
#   bench/flood_rss.sh [SECONDS]      (default 10; SAG_BIN=DIR uses the sagd in DIR, no build;
#                                     SAG_FLOODS="trailer fd ..." runs only those)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-10}
bin=${SAG_BIN:-build/bin}
if [ -z "${SAG_BIN:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target sagd >/dev/null
fi
ulimit -n "$(ulimit -Hn)"  # the flood client holds thousands of sockets
export SAG_ROOT_ACCESS_KEY_ID=LTAIflood000000000000001
export SAG_ROOT_ACCESS_KEY_SECRET=floodsecret000000000000000000x
export SAG_ACCESS_KEY_ID=$SAG_ROOT_ACCESS_KEY_ID SAG_ACCESS_KEY_SECRET=$SAG_ROOT_ACCESS_KEY_SECRET
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# run FLOOD CONNECTIONS [NOFILE] -- [SAGD FLAGS...]: one flood against a fresh sagd.
run() {
  local flood=$1 conns=$2 nofile=$3
  shift 4
  local data="$work/$flood"
  mkdir -p "$data"
  "$bin/sagd" --listen 127.0.0.1:0 --data "$data" "$@" >"$data/out" 2>"$data/err" &
  local pid=$! ep=""
  for _ in $(seq 200); do
    ep=$(sed -n 's/sagd listening on //p' "$data/out")
    [ -n "$ep" ] && break
    sleep 0.05
  done
  [ -n "$ep" ] || { echo "sagd did not start: $(cat "$data/err")"; exit 1; }
  if [ "$nofile" != "-" ]; then prlimit --pid "$pid" --nofile="$nofile:$nofile"; fi
  sleep 1  # let the idle RSS settle
  python3 bench/flood_rss.py "$ep" "$pid" "$flood" --seconds "$seconds" --connections "$conns"
  local lines
  lines=$(grep -c -E 'not accepting connections|accept failed' "$data/err" || true)
  [ "$lines" = 0 ] || echo "    ($flood: $lines accept log line(s) in ${seconds} s)"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

floods=${SAG_FLOODS:-trailer upload-unsigned upload-forged upload-signed fd device}
wanted() { [[ " $floods " == *" $1 "* ]]; }

echo "| flood | connections | s | RSS MiB idle / peak / end | survived | slowest probe ms | outcomes |"
echo "|---|---|---|---|---|---|---|"
wanted trailer && run trailer 64 - --
wanted upload-unsigned && run upload-unsigned 8 - --
wanted upload-forged && run upload-forged 8 - --
wanted upload-signed && run upload-signed 8 - --
wanted fd && run fd 4000 1024 --
wanted device && run device 8 - --
