#!/usr/bin/env bash
# ACL fan-out benchmark of docs/benchmarks.md: one sagd (SQLite), N simulated devices from one
# sag-device process in warm_backup pairs whose instances share one ACL, then one AddACLRule: the
# time until every device confirmed the new rule set, and the per-device p50/p99 (from the call to
# the moment sagd recorded each confirmation). Loopback only.
# Usage: bench/acl_fanout_bench.sh [devices] [preset]   (preset: release (default) or asan)
# SAG_BENCH_BIN=DIR uses the sagd and sag-device in DIR as they are (no configure, no build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-1000}
preset=${2:-release}
ulimit -n "$(ulimit -Hn)"
if [ -n "${SAG_BENCH_BIN:-}" ]; then
  bin=$SAG_BENCH_BIN
else
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target sagd sag-device >/dev/null
  bin=build/bin
  [ "$preset" = release ] || bin=build/$preset/bin
fi
data=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
export SAG_ROOT_ACCESS_KEY_ID=LTAIbench000000000000001
export SAG_ROOT_ACCESS_KEY_SECRET=benchsecret000000000000000000x
export SAG_ACCESS_KEY_ID=$SAG_ROOT_ACCESS_KEY_ID SAG_ACCESS_KEY_SECRET=$SAG_ROOT_ACCESS_KEY_SECRET
secret=fleet-secret-0123456789

"$bin"/sagd --listen 127.0.0.1:0 --data "$data" --device-registry closed --workers 8 \
  >"$data/sagd.out" 2>"$data/sagd.err" &
for _ in $(seq 600); do ep=$(sed -n 's/sagd listening on //p' "$data/sagd.out" 2>/dev/null || true); [ -n "$ep" ] && break; sleep 0.1; done
acl=$(node bench/acl_fanout.js prepare "$ep" "$n" bench "$secret")
"$bin"/sag-device --endpoint "$ep" --count "$n" --sn-prefix bench --secret "$secret" \
  --threads 2 >"$data/fleet.out" 2>/dev/null &
for _ in $(seq 1200); do grep -q "sag-device: $n online" "$data/fleet.out" && break; sleep 0.1; done
grep -q "sag-device: $n online" "$data/fleet.out" || { echo "fleet did not come online"; exit 1; }
echo "$n devices online ($preset build)"
ACL=$acl node bench/acl_fanout.js fanout "$ep" "$n" bench "$secret"
