#!/usr/bin/env bash
# Upgrade rollout benchmark of docs/benchmarks.md: one sagd (release build, SQLite), N simulated
# devices from one sag-device process, an artifact of M MiB published with `sag admin
# PublishVersion`, then one RolloutVersion: the time until every device runs the new version
# (downloaded with HTTP Range chunks, SHA-256 checked, installed, rebooted, reported), and sagd's
# peak memory (VmHWM). Loopback only. Usage: bench/upgrade_rollout_bench.sh [devices] [MiB]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-10000}
mib=${2:-16}
ulimit -n "$(ulimit -Hn)"  # each side needs one descriptor per device
cmake --preset release >/dev/null
cmake --build --preset release --target sagd sag sag-device >/dev/null
data=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
export SAG_ROOT_ACCESS_KEY_ID=LTAIbench000000000000001
export SAG_ROOT_ACCESS_KEY_SECRET=benchsecret000000000000000000x
export SAG_ACCESS_KEY_ID=$SAG_ROOT_ACCESS_KEY_ID SAG_ACCESS_KEY_SECRET=$SAG_ROOT_ACCESS_KEY_SECRET
secret=fleet-secret-0123456789

build/bin/sagd --listen 127.0.0.1:0 --data "$data" --device-registry closed --workers 8 \
  >"$data/sagd.out" 2>"$data/sagd.err" &
sagd_pid=$!
for _ in $(seq 100); do ep=$(sed -n 's/sagd listening on //p' "$data/sagd.out" 2>/dev/null || true); [ -n "$ep" ] && break; sleep 0.05; done
export SAG_ENDPOINT=$ep
hwm() { grep VmHWM /proc/"$1"/status | awk '{print $2}'; }
rss() { grep VmRSS /proc/"$1"/status | awk '{print $2}'; }

node bench/device_fleet.js register "$ep" "$n" bench "$secret"
head -c $((mib << 20)) /dev/urandom >"$data/fw.bin"
build/bin/sag admin PublishVersion --VersionType Device --VersionCode 2.1.0 \
  --HardwareModels sag-1000 --ArtifactFile "$data/fw.bin" >/dev/null

build/bin/sag-device --endpoint "$ep" --count "$n" --sn-prefix bench --secret "$secret" \
  --firmware 2.0.0 --threads 2 --max-concurrent-downloads 64 >"$data/fleet.out" 2>/dev/null &
fleet_pid=$!
for _ in $(seq 1200); do grep -q "sag-device: $n online" "$data/fleet.out" && break; sleep 0.1; done
grep -q "sag-device: $n online" "$data/fleet.out" || { echo "fleet did not come online"; exit 1; }
echo "$n devices online; sagd VmHWM $(hwm $sagd_pid) kB, VmRSS $(rss $sagd_pid) kB before the rollout"

t0=$(date +%s.%N)
build/bin/sag --timeout 3600 admin RolloutVersion --VersionType Device --VersionCode 2.1.0 \
  | tr -d ' \n' | sed 's/.*"Started":\([0-9]*\).*/started \1 upgrades\n/'
t_dispatch=$(echo "$(date +%s.%N) - $t0" | bc)
while build/bin/sag admin ListUpgrades --ActiveOnly true --MaxResults 1 | grep -q '"UpgradeId"'; do
  sleep 1
done
t_total=$(echo "$(date +%s.%N) - $t0" | bc)
succeeded=$(build/bin/sag admin ListUpgrades --MaxResults 10000 | grep -c '"State": "Succeeded"' || true)
echo "rollout of ${mib} MiB to $n devices: dispatched in ${t_dispatch} s, all finished in ${t_total} s; $succeeded Succeeded"
echo "sagd peak memory VmHWM $(hwm $sagd_pid) kB (VmRSS now $(rss $sagd_pid) kB); sag-device VmHWM $(hwm $fleet_pid) kB"
echo "transferred $(( n * mib )) MiB: $(echo "$n * $mib / $t_total" | bc) MiB/s"
