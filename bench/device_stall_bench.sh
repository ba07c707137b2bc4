#!/usr/bin/env bash
# Device-stall benchmark of docs/benchmarks.md: one sagd (release build, default 8 workers), N
# devices that never answer (sag-device --slow-apply-ms one hour), N calls waiting on them (half
# ModifySAGAdminPassword, half UpdateSmartAccessGatewayVersion), and the latency of another
# account's DescribeRegions meanwhile. Loopback only; every step is bounded.
# Usage: bench/device_stall_bench.sh [calls] [rounds]   (SAG_BENCH_BIN: another build's bin dir)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-64}
rounds=${2:-500}
bin=${SAG_BENCH_BIN:-build/bin}
if [ -z "${SAG_BENCH_BIN:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target sagd sag sag-device >/dev/null
fi
data=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
export SAG_ROOT_ACCESS_KEY_ID=LTAIbench000000000000001
export SAG_ROOT_ACCESS_KEY_SECRET=benchsecret000000000000000000x
export SAG_ACCESS_KEY_ID=$SAG_ROOT_ACCESS_KEY_ID SAG_ACCESS_KEY_SECRET=$SAG_ROOT_ACCESS_KEY_SECRET
secret=stall-secret-0123456789

"$bin/sagd" --listen 127.0.0.1:0 --data "$data" --device-registry closed \
  --admin-password-timeout-ms 600000 --upgrade-ack-timeout-ms 600000 \
  --max-device-waits-per-account "$n" >"$data/sagd.out" 2>"$data/sagd.err" &
for _ in $(seq 100); do ep=$(sed -n 's/sagd listening on //p' "$data/sagd.out"); [ -n "$ep" ] && break; sleep 0.05; done
[ -n "$ep" ] || { echo "sagd did not start"; cat "$data/sagd.err"; exit 1; }
export SAG_ENDPOINT=$ep

head -c 65536 /dev/urandom >"$data/artifact.bin"
"$bin/sag" admin PublishVersion --VersionType Device --VersionCode 2.1.0 --HardwareModels sag-1000 \
  --ReleaseType release --ArtifactFile "$data/artifact.bin" >/dev/null
node bench/device_stall.js prepare "$ep" "$n" stall "$secret" "$data/state.json"
"$bin/sag-device" --endpoint "$ep" --count "$n" --sn-prefix stall --secret "$secret" \
  --firmware 2.0.0 --slow-apply-ms 3600000 >"$data/fleet.out" 2>/dev/null &
for _ in $(seq 600); do grep -q "sag-device: $n online" "$data/fleet.out" && break; sleep 0.1; done
grep -q "sag-device: $n online" "$data/fleet.out" || { echo "fleet did not come online"; exit 1; }
ROUNDS=$rounds node bench/device_stall.js run "$ep" "$n" stall "$secret" "$data/state.json"
