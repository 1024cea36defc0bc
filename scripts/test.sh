#!/usr/bin/env bash
# Installs ftprep with every extra and the dev tools, then runs the whole test suite (slow tests too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh all,dev
# Debian packages the tests use, once: PostgreSQL (the SQL collector's tests start a throwaway
# server) and Chromium (the report and review pages are opened in it, driven by Playwright)
missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
