"""Fail when a user-facing string lacks a Chinese translation, or the compiled catalogue is stale.

Runs ``makemessages`` in a scratch copy of the source tree (so the real catalogue is never touched) and
reports every entry that is empty or fuzzy there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("locale") / "zh_Hans" / "LC_MESSAGES"
SKIP = shutil.ignore_patterns(".venv", ".git", "var", "staticfiles", "__pycache__", "*.sqlite3", "node_modules")


def _problems_in_code() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "src"
        shutil.copytree(ROOT, work, ignore=SKIP)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        env.pop("GONGZHI_LOCALE_DIR", None)
        cmd = [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
            "-i",
            "bench/*",
            "-i",
            "*/tests/*",
            "-i",
            "gongzhi/testing/*",
            "-i",
            "static/*",
            "-i",
            "scripts/*",
        ]
        subprocess.run(cmd, cwd=work, env=env, check=True, capture_output=True)
        po = polib.pofile(str(work / CATALOGUE / "django.po"))
        return [e.msgid for e in po if not e.obsolete and ("fuzzy" in e.flags or not e.translated())]


def _problems_in_compiled() -> list[str]:
    po = polib.pofile(str(ROOT / CATALOGUE / "django.po"))
    mo_path = ROOT / CATALOGUE / "django.mo"
    if not mo_path.exists():
        return ["(django.mo missing: run scripts/translations.sh)"]
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(mo_path))}
    wanted = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in po.translated_entries()}
    return [] if compiled == wanted else ["(django.mo is stale: run scripts/translations.sh)"]


def main() -> int:
    problems = _problems_in_code() + _problems_in_compiled()
    for msgid in problems:
        print(f"untranslated: {msgid!r}")
    print(f"{len(problems)} untranslated strings" if problems else "all strings translated")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
