#!/usr/bin/env bash
# Installs what chameleon-usage needs on a fresh Debian/Ubuntu machine: the system libraries that
# the `canvas` package (under chartjs-node-canvas) compiles against, then the npm dependencies
# (`npm ci` also builds the package, through `prepare`). Safe to run again: it skips what is there.
# `--browser` (CI) also installs Debian's chromium for the browser tests (scripts/chromium.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
for p in libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev pkg-config g++ make python3; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--browser" ] || [ "${CI:-}" = "true" ]; then
  bash scripts/chromium.sh
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run build --silent
fi
