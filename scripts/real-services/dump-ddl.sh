#!/usr/bin/env bash
# Regenerates testbed/realDdl.generated.ts from the real services' schemas: sets up Nova and
# Blazar (setup.sh), builds their schemas in throwaway databases on the local MariaDB
# (schemas.py create), dumps the tables the tool reads (schemas.py dump) and drops the databases.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/mariadb.sh
export PYTHONPATH
PYTHONPATH=$(bash scripts/real-services/setup.sh)
prefix="rsdump_$$"
trap '/usr/bin/python3 scripts/real-services/schemas.py drop --prefix "$prefix" >/dev/null' EXIT
/usr/bin/python3 scripts/real-services/schemas.py create --prefix "$prefix" >&2
/usr/bin/python3 scripts/real-services/schemas.py dump --prefix "$prefix"
