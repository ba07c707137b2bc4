#!/usr/bin/env bash
# The unit, store contract (SQLite and, when SAG_TEST_PG_DSN is set, PostgreSQL) and device channel
# tests under ThreadSanitizer (preset `tsan`): every GoogleTest binary of tests/, no end-to-end tests.
# A data race or lock-order inversion fails the run.
#
#   scripts/tsan.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1 history_size=4}"
cmake --preset tsan >/dev/null
targets=()
for dir in tests/*/; do
  name="$(basename "$dir")"
  compgen -G "$dir*_test.cc" >/dev/null && targets+=("${name}_tests")
done
compgen -G "tests/api/signing/*_test.cc" >/dev/null && targets+=(api_signing_tests)
cmake --build --preset tsan --target "${targets[@]}"
ctest --preset tsan
