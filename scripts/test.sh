#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks formatting, builds with ASan+UBSan and runs
# every test (unit, store contract, end-to-end with the official Alibaba Node SDKs) through CTest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan
