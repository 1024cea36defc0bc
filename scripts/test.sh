#!/usr/bin/env bash
# Installs ftprep with every extra and the dev tools, then runs the whole test suite (slow tests too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh all,dev
exec .venv/bin/python -m pytest "$@"
