#!/usr/bin/env bash
# The whole test suite: static checks, then pytest on SQLite and again on a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/bootstrap.sh
bash scripts/lint.sh
export DJANGO_SETTINGS_MODULE=config.settings.test
echo "== pytest on SQLite"
env -u DATABASE_URL .venv/bin/pytest "$@"
pgdir=$(mktemp -d /tmp/gongzhi-pg.XXXXXX)
port=$(( 40000 + RANDOM % 20000 ))
trap 'bash scripts/pg.sh stop "$pgdir"' EXIT
url=$(bash scripts/pg.sh start "$pgdir" "$port")
echo "== pytest on PostgreSQL ($url)"
DATABASE_URL=$url .venv/bin/pytest "$@"
