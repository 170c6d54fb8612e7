#!/usr/bin/env bash
# The real-service scenarios, end to end: installs python3-nova if it is missing and unpacks the
# Blazar fork (setup.sh), starts MariaDB if it is down, then runs the jest suite that syncs the
# real schemas once, plays every scenario of __tests__/real-services/scenarios/ through Nova's and
# Blazar's own code, and compares report (MariaDB, then extract + SQLite) with each declared truth.
# Extra arguments go to jest, e.g. `-t s15` for one scenario.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/real-services/setup.sh >/dev/null
bash scripts/mariadb.sh
export CHAMELEON_TEST_MYSQL_URL="${CHAMELEON_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}"
export CHAMELEON_TEST_REAL_SERVICES=1
npx jest __tests__/real-services "$@"
