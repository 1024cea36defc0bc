#!/usr/bin/env bash
# Creates .venv (once) and installs ftprep into it with the given extras. Sourced by the others.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=".venv/.ftprep-installed-${extras//,/-}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  case ",${extras}," in
    # the CPU build of torch, pinned: an unpinned torch pulls gigabytes of CUDA packages
    *,all,*|*,semantic,*) .venv/bin/python -m pip install --quiet "torch==2.13.0" ;;
  esac
  # llama-cpp-python (the llm extra) compiles llama.cpp once (about 10 minutes on 2 cores);
  # pip keeps the wheel in its cache for the next install
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" .venv/bin/python -m pip install --quiet -e ".[${extras}]"
  touch "$stamp"
fi
