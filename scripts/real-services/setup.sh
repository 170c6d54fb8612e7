#!/usr/bin/env bash
# Makes the real services' code available for the real-services tests, idempotently:
# - Nova: Debian's python3-nova (26.x, Zed) for the system python3, installed with apt when
#   the `nova` package is not importable (python3-pymysql comes with it);
# - Chameleon's Blazar fork (branch chameleoncloud/2023.1, commit bbd20e84, Apache-2.0), unpacked
#   from vendor/ into .real-services/ (git-ignored) and checked against its sha256; it runs on the
#   SQLAlchemy 1.4, alembic and oslo.db that python3-nova brings.
# Prints the Python path to use: `export PYTHONPATH=$(bash scripts/real-services/setup.sh)`.
# Does not start MariaDB (scripts/mariadb.sh does).
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=/usr/bin/python3
TARBALL=vendor/blazar-chameleon-2023.1-bbd20e84.tar.gz
SHA256=f97b4535ea732d53fbfa9d6f080220faf8ceba33e30053f479c8f969f77bd553
DEST=.real-services
SRC="$DEST/blazar-chameleon-2023.1"

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

has() { "$PY" -c "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in sys.argv[1:]) else 1)" "$@" >/dev/null 2>&1; }

if ! has nova pymysql oslo_db alembic; then
  echo "real-services: installing python3-nova (Debian)" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-nova python3-pymysql >/dev/null
fi

if [ "$(cat "$SRC/.sha256" 2>/dev/null)" != "$SHA256" ]; then
  echo "$SHA256  $TARBALL" | sha256sum -c --quiet - >&2
  rm -rf "$SRC"
  mkdir -p "$DEST"
  tar xzf "$TARBALL" -C "$DEST"
  echo "$SHA256" > "$SRC/.sha256"
fi

echo "$PWD/$SRC"
