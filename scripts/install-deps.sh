#!/usr/bin/env bash
# Installs every Debian and npm package OpenSAG needs to build and test. Idempotent; safe to re-run.
# Debian packages: build toolchain and libraries, and Chromium for the web console's browser tests.
# npm packages: the official Alibaba SDKs used by the end-to-end tests and puppeteer-core (which
# drives Debian's chromium; it downloads no browser), installed into tests/e2e/node_modules from the
# pinned package-lock.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

debs=(build-essential cmake ninja-build pkg-config clang-format clang libclang-rt-14-dev
      libboost1.81-dev libssl-dev libsqlite3-dev libpq-dev libsodium-dev libcli11-dev
      libgtest-dev libgmock-dev libbenchmark-dev libhowardhinnant-date-dev tzdata
      postgresql chromium)
missing=()
# Node.js: the machine image may ship its own build (which bundles npm); only fall back to Debian's.
command -v node >/dev/null 2>&1 || debs+=(nodejs)
command -v npm >/dev/null 2>&1 || debs+=(npm)
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm ci when any package the manifest names is missing (a package added since the last install).
e2e_missing() {
  local dep
  for dep in $(node -p "Object.keys(require('$here/tests/e2e/package.json').dependencies).join(' ')"); do
    [ -d "$here/tests/e2e/node_modules/$dep" ] || return 0
  done
  return 1
}
if [ -f "$here/tests/e2e/package.json" ] && e2e_missing; then
  echo "install-deps: npm ci in tests/e2e"
  (cd "$here/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
