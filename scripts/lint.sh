#!/usr/bin/env bash
# Static checks: ruff (lint + format), mypy, migrations up to date, translations complete.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.test
echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy gongzhi config bench
echo "== migrations"; .venv/bin/python manage.py makemigrations --check --dry-run
echo "== translations"; .venv/bin/python scripts/check_translations.py
