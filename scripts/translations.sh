#!/usr/bin/env bash
# Refresh the zh_Hans catalogue from the code, then compile it. Translate new entries in locale/zh_Hans/.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.test
.venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete --no-location \
  -i ".venv/*" -i "bench/*" -i "*/tests/*" -i "gongzhi/testing/*" -i "static/*" -i "scripts/*"
.venv/bin/python manage.py compilemessages -l zh_Hans -v0
