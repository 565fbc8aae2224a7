#!/usr/bin/env bash
# Run every check CI runs: set up (idempotent), lint, type-check, then the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
printf '\n==> ruff\n';  .venv/bin/ruff check .
printf '\n==> ruff format --check\n'; .venv/bin/ruff format --check .
printf '\n==> mypy\n';  .venv/bin/mypy
printf '\n==> pytest\n'; .venv/bin/python -m pytest "$@"
