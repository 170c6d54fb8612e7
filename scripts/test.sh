#!/usr/bin/env bash
# The test command: every test, including the integration tests against a real MariaDB
# (started if it is down, installed if it is missing), the tests on the schemas and rows of the
# real Nova and Blazar, and the real-service scenarios (python3-nova installed if missing, the
# Blazar fork unpacked, by scripts/real-services/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/mariadb.sh
bash scripts/real-services/setup.sh >/dev/null
# the scenarios fail instead of skipping when the services are missing
export CHAMELEON_TEST_REAL_SERVICES=1
export CHAMELEON_TEST_MYSQL_URL="${CHAMELEON_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}"
npx jest "$@"
