#!/usr/bin/env bash
# From a fresh clone: set up, ingest the sample workspace, answer three questions with citations.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
printf '\n==> ingesting examples/acme\n'
.venv/bin/copilot ingest --workspace examples/acme
ask() { printf '\n==> %s asks: %s\n' "${1:-anonymous}" "$2"; .venv/bin/copilot ask --workspace examples/acme ${1:+--user "$1"} "$2"; }
while IFS='|' read -r user question; do ask "$user" "$question"; done < examples/acme/demo_questions.txt
