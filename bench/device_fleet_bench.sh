#!/usr/bin/env bash
# Device benchmark of docs/benchmarks.md: one sagd (release build), N simulated devices from one
# sag-device process, then the admin-password round trip for one device while all are connected.
# Loopback only; every step is bounded. Usage: bench/device_fleet_bench.sh [devices] [rounds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-10000}
rounds=${2:-200}
ulimit -n "$(ulimit -Hn)"  # each side needs one descriptor per device
cmake --preset release >/dev/null
cmake --build --preset release --target sagd sag-device >/dev/null
data=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
export SAG_ROOT_ACCESS_KEY_ID=LTAIbench000000000000001
export SAG_ROOT_ACCESS_KEY_SECRET=benchsecret000000000000000000x
export SAG_ACCESS_KEY_ID=$SAG_ROOT_ACCESS_KEY_ID SAG_ACCESS_KEY_SECRET=$SAG_ROOT_ACCESS_KEY_SECRET
secret=fleet-secret-0123456789

build/bin/sagd --listen 127.0.0.1:0 --data "$data" --device-registry closed >"$data/sagd.out" 2>"$data/sagd.err" &
sagd_pid=$!
for _ in $(seq 100); do ep=$(sed -n 's/sagd listening on //p' "$data/sagd.out"); [ -n "$ep" ] && break; sleep 0.05; done
rss() { grep VmRSS /proc/"$1"/status | awk '{print $2}'; }

t0=$(date +%s.%N)
node bench/device_fleet.js register "$ep" "$n" bench "$secret"
echo "registered $n devices in $(echo "$(date +%s.%N) - $t0" | bc) s"
id=$(node bench/device_fleet.js prepare "$ep" "$n" bench "$secret")
rss_before=$(rss $sagd_pid)

t0=$(date +%s.%N)
build/bin/sag-device --endpoint "$ep" --count "$n" --sn-prefix bench --secret "$secret" \
  >"$data/fleet.out" 2>/dev/null &
fleet_pid=$!
for _ in $(seq 1200); do grep -q "sag-device: $n online" "$data/fleet.out" && break; sleep 0.1; done
grep -q "sag-device: $n online" "$data/fleet.out" || { echo "fleet did not come online"; tail -2 "$data/fleet.out"; exit 1; }
echo "$n devices online in $(echo "$(date +%s.%N) - $t0" | bc) s"
sleep 2
rss_after=$(rss $sagd_pid)
echo "sagd RSS: ${rss_before} kB before, ${rss_after} kB with $n devices: $(( (rss_after - rss_before) * 1024 / n )) bytes per device"
echo "sag-device RSS: $(rss $fleet_pid) kB for $n devices"
INSTANCE=$id ROUNDS=$rounds node bench/device_fleet.js latency "$ep" "$n" bench "$secret"
