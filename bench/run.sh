#!/usr/bin/env bash
# Run every benchmark (never part of the test suite); record the figures in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=config.settings.test
echo "== machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory, $(uname -m)"
.venv/bin/python -m bench.ledger_import "$@"
.venv/bin/python -m bench.house_matrix
