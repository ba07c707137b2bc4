#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks formatting, starts a private PostgreSQL on
# loopback (the store contract suite runs on it as well as on SQLite), builds with ASan+UBSan and
# runs every test (unit, store contract, end-to-end with the official Alibaba Node SDKs) through
# CTest, runs the unit, store contract and device channel tests under ThreadSanitizer
# (scripts/tsan.sh), then fuzzes the parsers (scripts/fuzz.sh). The PostgreSQL server is stopped
# and its data removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
eval "$(bash scripts/pg-test-server.sh start)"  # exports SAG_TEST_PG_DSN (read when tests are listed)
trap 'bash scripts/pg-test-server.sh stop' EXIT
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan
# The unit, store contract and device channel tests again under ThreadSanitizer (a data race or a
# lock-order inversion fails the run).
bash scripts/tsan.sh
# The parsers and canonicalizers under libFuzzer (tests/fuzz), a fixed budget per target.
bash scripts/fuzz.sh "${SAG_FUZZ_SECONDS:-30}"
