#!/bin/sh
# Makes sure Debian's PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed, for the
# tests that start a private cluster (test-utils/postgres.ts). Idempotent: does nothing when
# /usr/lib/postgresql/<version>/bin/initdb exists. Installing needs root (apt-get).
set -eu

found() {
  for initdb in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$initdb" ] && { echo "$initdb"; return 0; }
  done
  return 1
}

if initdb=$(found); then
  echo "postgresql: $initdb"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "postgresql is not installed and installing it needs root: sudo apt-get install -y postgresql" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "postgresql is not installed and apt-get is not available: install PostgreSQL's server (initdb, pg_ctl) under /usr/lib/postgresql/<version>/bin" >&2
  exit 1
fi

echo "postgresql: installing Debian's postgresql (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# The package starts a system cluster; the tests start their own, on a free port, and need none.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for conf in /etc/postgresql/*/*; do
    [ -d "$conf" ] || continue
    pg_ctlcluster "$(basename "$(dirname "$conf")")" "$(basename "$conf")" stop 2>/dev/null || true
  done
fi
initdb=$(found) || { echo "postgresql: installed, but no /usr/lib/postgresql/*/bin/initdb found" >&2; exit 1; }
echo "postgresql: $initdb"
