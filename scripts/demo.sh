#!/usr/bin/env bash
# Installs ftprep and runs the demo end to end on generated messy chat logs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh parquet
exec .venv/bin/ftprep demo --out demo-output "$@"
