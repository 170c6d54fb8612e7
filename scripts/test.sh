#!/usr/bin/env bash
# The test command: every test, including the integration tests against a real MariaDB
# (started if it is down, installed if it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/mariadb.sh
export CHAMELEON_TEST_MYSQL_URL="${CHAMELEON_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}"
npx jest "$@"
