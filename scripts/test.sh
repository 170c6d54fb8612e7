#!/usr/bin/env bash
# The test command: every test, including the integration tests against a real MariaDB
# (started if it is down, installed if it is missing) and the tests on the schemas and rows of the
# real Nova and Blazar (python3-nova installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/mariadb.sh
# the real services' code (python3-nova, the Blazar fork) for the tests on the real schemas
bash scripts/real-services/setup.sh >/dev/null
export CHAMELEON_TEST_MYSQL_URL="${CHAMELEON_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}"
npx jest "$@"
