#!/usr/bin/env bash
# Installs ftprep with every extra and the dev tools, then runs the whole test suite (slow tests too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh all,dev
# the SQL collector's tests start a throwaway PostgreSQL server: Debian's package, once
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
