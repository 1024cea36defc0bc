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
  # pip keeps the wheel in its cache for the next install. A portable build (GGML_NATIVE=OFF):
  # -march=native compiles in what the CPU advertises, and some virtual machines advertise AMX
  # that their kernel does not let a process use (the model's first matrix product then dies
  # with a general protection fault in ldtilecfg)
  CMAKE_ARGS="-DGGML_NATIVE=OFF ${CMAKE_ARGS:-}" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    .venv/bin/python -m pip install --quiet -e ".[${extras}]"
  # a wheel built natively by an earlier install may still be in pip's cache: build it again
  ggml=$(find .venv -name 'libggml-cpu.so' -print -quit)
  if [ -n "$ggml" ] && grep -q ggml_backend_amx "$ggml"; then
    .venv/bin/python -m pip cache remove llama_cpp_python >/dev/null 2>&1 || true
    CMAKE_ARGS="-DGGML_NATIVE=OFF ${CMAKE_ARGS:-}" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      .venv/bin/python -m pip install --quiet --force-reinstall --no-deps --no-cache-dir \
      "llama-cpp-python[server]==$(.venv/bin/python -c 'import llama_cpp; print(llama_cpp.__version__)')"
  fi
  touch "$stamp"
fi
