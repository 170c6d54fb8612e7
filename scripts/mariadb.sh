#!/usr/bin/env bash
# Makes sure a MariaDB server answers on 127.0.0.1:3306 (root, empty password) for the integration
# tests: installs Debian's mariadb-server when it is missing and starts it when it is down.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

ping_db() { mysqladmin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1; }

if ping_db; then exit 0; fi

if [ ! -x /usr/sbin/mariadbd ]; then
  echo "mariadb: installing mariadb-server" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mariadb-server >/dev/null
fi

echo "mariadb: starting the server" >&2
$SUDO mkdir -p /run/mysqld
$SUDO chown mysql:mysql /run/mysqld
$SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
for _ in $(seq 1 60); do
  if ping_db; then exit 0; fi
  sleep 1
done
echo "mariadb: the server did not answer on 127.0.0.1:3306 within 60 s" >&2
exit 1
