#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan+UBSan; preset `fuzz`) and runs each for
# a time budget, starting from the committed seeds in tests/fuzz/corpus/<target>/. New inputs go to
# build/fuzz/corpus/<target>/ (not committed); a crash or a violated property stops with the input
# saved under build/fuzz/crashes/ and a non-zero exit.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-20}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
mkdir -p build/fuzz/crashes
status=0
for src in tests/fuzz/*_fuzz.cc; do
  name="$(basename "$src" .cc)"
  work="build/fuzz/corpus/$name"
  seeds="tests/fuzz/corpus/$name"
  mkdir -p "$work" "$seeds"
  echo "fuzz: $name for ${seconds}s"
  if ! "build/fuzz/bin/$name" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build/fuzz/crashes/$name-" \
      "$work" "$seeds" 2>"build/fuzz/$name.log"; then
    echo "fuzz: $name FAILED (log build/fuzz/$name.log):"
    tail -40 "build/fuzz/$name.log"
    status=1
  else
    grep -E '^stat::(number_of_executed_units|new_units_added)' "build/fuzz/$name.log" |
      sed "s/^/fuzz: $name /"
  fi
done
exit "$status"
