#!/usr/bin/env bash
# Run every benchmark (never part of the test suite); record the figures in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=config.settings.test
echo "== machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory, $(uname -m)"
.venv/bin/python -m bench.ledger_import "$@"
.venv/bin/python -m bench.house_matrix
# The voice benchmarks (issue 3) need PostgreSQL: a throw-away server for this run, stopped at the end.
# Generating the 1,000,000 voices takes 6-12 minutes.
pgdir=$(mktemp -d /tmp/gongzhi-bench-pg.XXXXXX)
trap 'bash scripts/pg.sh stop "$pgdir"' EXIT
url=$(bash scripts/pg.sh start "$pgdir" "${BENCH_PG_PORT:-$(( 40000 + RANDOM % 20000 ))}")
.venv/bin/python -m bench.voice_pages --database-url "$url"
.venv/bin/python -m bench.voice_submit --database-url "$url"
.venv/bin/python -m bench.meeting_pages --database-url "$url" # issue 4: 50,000 action items against 500 (~25 min)
.venv/bin/python -m bench.duty_roster --database-url "$url"
.venv/bin/python -m bench.duty_pages --database-url "$url"
.venv/bin/python -m bench.activity_calendar --database-url "$url"
.venv/bin/python -m bench.insights_dashboard --database-url "$url" # issue 7: sub-district dashboard, 1,000,000 voices and 312,000 bills against 10,000 voices (~45 min)
