#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests of report.html (__tests__/page.browser.test.ts,
# driven by playwright-core, which downloads no browser). Skips when /usr/bin/chromium is there.
# .ci/run calls it through scripts/setup.sh --browser; without chromium those tests are skipped.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "chromium: installing the Debian package (apt)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version >&2
