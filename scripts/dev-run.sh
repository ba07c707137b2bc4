#!/usr/bin/env bash
# Installs what is missing, builds the optimised preset, and runs sagd on the embedded SQLite store
# (data in ./sag-data, API on http://127.0.0.1:8086). Extra arguments go to sagd, e.g.
#   scripts/dev-run.sh --listen 127.0.0.1:0 --test-mode
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sagd sag sag-bench sag-device
exec build/bin/sagd "$@"
