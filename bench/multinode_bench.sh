#!/usr/bin/env bash
# Multi-node API benchmark of docs/benchmarks.md: signed calls per second with 1, 2 and 3 sagd
# nodes on one PostgreSQL database (a private server from scripts/pg-test-server.sh on
# SAG_PG_PORT, default 55432). For each node count it starts the nodes on a fresh database, creates
# one instance, and runs one sag-bench per node at the same time (connections split evenly), then
# sums their rates. Loopback only; every run is bounded by --duration.
# Usage: bench/multinode_bench.sh [connections] [seconds] [node counts...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
conns=${1:-24}
secs=${2:-10}
shift $(($# < 2 ? $# : 2))
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1 2 3)
cmake --preset release >/dev/null
cmake --build --preset release --target sagd sag sag-bench >/dev/null
eval "$(scripts/pg-test-server.sh start)"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export SAG_ROOT_ACCESS_KEY_ID=LTAIbench000000000000001
export SAG_ROOT_ACCESS_KEY_SECRET=benchsecret000000000000000000x
export SAG_ACCESS_KEY_ID=$SAG_ROOT_ACCESS_KEY_ID SAG_ACCESS_KEY_SECRET=$SAG_ROOT_ACCESS_KEY_SECRET
head -c 32 /dev/urandom >"$work/master.key"
port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$SAG_TEST_PG_DSN")

wait_line() {  # file -> endpoint printed by a server
  for _ in $(seq 200); do
    ep=$(sed -n 's/.*listening on //p' "$1")
    [ -n "$ep" ] && { echo "$ep"; return; }
    sleep 0.05
  done
  echo "server did not start: $(cat "${1%.out}.err")" >&2; exit 1
}

# run_bench N ACTION PARAMS...: one sag-bench per endpoint at once; prints the summed req/s.
run_bench() {
  local n=$1 action=$2; shift 2
  local per=$((conns / n)) i
  for i in $(seq 0 $((n - 1))); do
    build/bin/sag-bench --endpoint "${eps[$i]}" --action "$action" "$@" --connections "$per" \
      --duration "$secs" --json >"$work/bench-$i.json" &
  done
  wait $(jobs -p | tail -n "$n")
  python3 - "$work" "$n" <<'PY'
import json, sys
runs = [json.load(open(f"{sys.argv[1]}/bench-{i}.json")) for i in range(int(sys.argv[2]))]
rps = sum(r["req_per_s"] for r in runs)
bad = sum(r["non_2xx"] + r["transport_errors"] for r in runs)
p50 = max(r["latency_ms"]["p50"] for r in runs)
p99 = max(r["latency_ms"]["p99"] for r in runs)
each = ", ".join(format(r["req_per_s"], ",.0f") for r in runs)
print(f"  {rps:,.0f} req/s  (per node: {each}; "
      f"worst p50 {p50:.2f} ms, worst p99 {p99:.2f} ms; non-2xx/errors {bad})")
PY
}

for n in "${counts[@]}"; do
  db="sag_bench_$$_$n"
  psql "$SAG_TEST_PG_DSN" -qAt -c "CREATE DATABASE $db" >/dev/null
  eps=()
  pids=()
  for i in $(seq 0 $((n - 1))); do
    mkdir -p "$work/n$n-$i"
    build/bin/sagd --listen 127.0.0.1:0 --data "$work/n$n-$i" \
      --store "postgresql://postgres@127.0.0.1:$port/$db" --master-key-file "$work/master.key" \
      >"$work/n$n-$i.out" 2>"$work/n$n-$i.err" &
    pids+=($!)
  done
  for i in $(seq 0 $((n - 1))); do eps+=("$(wait_line "$work/n$n-$i.out")"); done
  export SAG_ENDPOINT=${eps[0]}
  id=$(build/bin/sag smartag CreateSmartAccessGateway --RegionId cn-hangzhou --ChargeType PREPAY \
    --HaType no_backup --HardWareSpec sag-1000 --Period 12 --AutoPay true --BuyerMessage m \
    --ReceiverAddress a --ReceiverCity c --ReceiverCountry c --ReceiverDistrict d \
    --ReceiverEmail e@example.com --ReceiverMobile 1 --ReceiverName n --ReceiverState s \
    --ReceiverTown t --ReceiverZip 1 | sed -n 's/.*"SmartAGId": *"\([^"]*\)".*/\1/p')
  echo "== $n node(s): DescribeSmartAccessGatewayAttribute (signed V1, read; nonce insert) =="
  run_bench "$n" DescribeSmartAccessGatewayAttribute --param RegionId=cn-hangzhou --param SmartAGId="$id"
  echo "== $n node(s): ModifySmartAccessGateway (signed V1, durable write) =="
  run_bench "$n" ModifySmartAccessGateway --param RegionId=cn-hangzhou --param SmartAGId="$id" --param Name=bench
  kill "${pids[@]}"
  wait "${pids[@]}" 2>/dev/null || true
  psql "$SAG_TEST_PG_DSN" -qAt -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
done
