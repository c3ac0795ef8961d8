#!/usr/bin/env bash
# Install, migrate, load the demo compound and serve http://127.0.0.1:8000 with a background worker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo
.venv/bin/python manage.py voices_sweep --schedule   # the periodic deadline sweep (runs in the worker)
.venv/bin/python manage.py meetings_sweep --schedule # meeting reminders
.venv/bin/python manage.py voices_intake --schedule  # drains the voice intake every 3 s (runs in the worker)
.venv/bin/python manage.py mediation_sweep --schedule # mediation session and follow-up reminders
.venv/bin/python manage.py duty_sweep --schedule      # reminders before duty shifts
.venv/bin/python manage.py activities_sweep --schedule # activity reminders the day before
.venv/bin/python manage.py kpi_rollups_sweep --schedule # keeps the KPI rollups up to date, hourly
.venv/bin/python manage.py prune_db_task_results --min-age-days 1 -v0 # finished background runs of earlier days
.venv/bin/python manage.py db_worker --no-reload --interval 1 >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT
echo "Worker running (log: var/worker.log). Open http://127.0.0.1:8000"
.venv/bin/python manage.py runserver --noreload 127.0.0.1:8000
