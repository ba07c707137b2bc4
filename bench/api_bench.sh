#!/usr/bin/env bash
# API benchmark of docs/benchmarks.md: builds the release preset, starts sagd on a fresh data dir and
# the canned-body baseline server, and runs sag-bench against each (loopback only; every run is
# bounded by --duration). Usage: bench/api_bench.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
conns=${1:-16}
secs=${2:-10}
cmake --preset release >/dev/null
cmake --build --preset release --target sagd sag sag-bench sag-canned-server >/dev/null
data=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
export SAG_ROOT_ACCESS_KEY_ID=LTAIbench000000000000001
export SAG_ROOT_ACCESS_KEY_SECRET=benchsecret000000000000000000x
export SAG_ACCESS_KEY_ID=$SAG_ROOT_ACCESS_KEY_ID SAG_ACCESS_KEY_SECRET=$SAG_ROOT_ACCESS_KEY_SECRET

wait_line() {  # file -> endpoint printed by a server
  for _ in $(seq 100); do
    ep=$(sed -n 's/.*listening on //p' "$1")
    [ -n "$ep" ] && { echo "$ep"; return; }
    sleep 0.05
  done
  echo "server did not start" >&2; exit 1
}

build/bin/sagd --listen 127.0.0.1:0 --data "$data" >"$data/sagd.out" 2>"$data/sagd.err" &
export SAG_ENDPOINT=$(wait_line "$data/sagd.out")
id=$(build/bin/sag smartag CreateSmartAccessGateway --RegionId cn-hangzhou --ChargeType PREPAY \
  --HaType no_backup --HardWareSpec sag-1000 --Period 12 --AutoPay true --BuyerMessage m \
  --ReceiverAddress a --ReceiverCity c --ReceiverCountry c --ReceiverDistrict d \
  --ReceiverEmail e@example.com --ReceiverMobile 1 --ReceiverName n --ReceiverState s \
  --ReceiverTown t --ReceiverZip 1 | sed -n 's/.*"SmartAGId": *"\([^"]*\)".*/\1/p')

echo "== sagd: DescribeSmartAccessGatewayAttribute (signed V1, read) =="
build/bin/sag-bench --action DescribeSmartAccessGatewayAttribute --param RegionId=cn-hangzhou \
  --param SmartAGId="$id" --connections "$conns" --duration "$secs"
echo "== sagd: ModifySmartAccessGateway (signed V1, durable write) =="
build/bin/sag-bench --action ModifySmartAccessGateway --param RegionId=cn-hangzhou \
  --param SmartAGId="$id" --param Name=bench --connections "$conns" --duration "$secs"
echo "sagd RSS after the runs: $(grep VmRSS /proc/$(pgrep -n -f "data $data")/status | awk '{print $2, $3}')"

build/bin/sag-canned-server >"$data/canned.out" &
canned=$(wait_line "$data/canned.out")
echo "== limit: sag-canned-server (same Beast stack, canned body) =="
build/bin/sag-bench --endpoint "$canned" --action DescribeSmartAccessGatewayAttribute \
  --param RegionId=cn-hangzhou --param SmartAGId="$id" --connections "$conns" --duration "$secs"

# What a user would use instead: WireMock serving a stub. Its standalone jar ships in the npm
# package `wiremock` (pinned); it needs a Java runtime (Debian: openjdk-17-jre-headless).
if command -v java >/dev/null 2>&1; then
  wm="$data/wiremock"
  mkdir -p "$wm/mappings"
  (cd "$wm" && npm pack --silent wiremock@3.13.2 >/dev/null 2>&1 && tar xzf wiremock-3.13.2.tgz)
  cat >"$wm/mappings/stub.json" <<'JSON'
{"request": {"method": "POST", "url": "/"},
 "response": {"status": 200, "headers": {"Content-Type": "application/json;charset=utf-8"},
              "body": "{\"RequestId\":\"00000000-0000-4000-8000-000000000000\",\"SmartAGId\":\"sag-x\"}"}}
JSON
  java -jar "$wm"/package/build/wiremock-standalone-*.jar --port 0 --bind-address 127.0.0.1 \
    --root-dir "$wm" --disable-request-logging --no-request-journal >"$wm/out.log" 2>&1 &
  for _ in $(seq 200); do
    port=$(sed -n 's/.*port: *\([0-9][0-9]*\).*/\1/p' "$wm/out.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  echo "== WireMock 3.13.2 stub (after a ${secs} s JIT warm-up run) =="
  build/bin/sag-bench --endpoint "http://127.0.0.1:$port" --action DescribeSmartAccessGatewayAttribute \
    --param SmartAGId="$id" --connections "$conns" --duration "$secs" >/dev/null 2>&1 || true
  build/bin/sag-bench --endpoint "http://127.0.0.1:$port" --action DescribeSmartAccessGatewayAttribute \
    --param SmartAGId="$id" --connections "$conns" --duration "$secs"
else
  echo "(java not found: WireMock comparison skipped; apt-get install openjdk-17-jre-headless)"
fi
