"""Fail when a user-facing string lacks a Chinese translation, or the compiled catalogue is stale.

Runs ``makemessages`` into a scratch copy of the zh_Hans catalogue and reports every empty or fuzzy entry.
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
DOMAINS = ("django",)


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "locale"
        shutil.copytree(ROOT / "locale", work)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        cmd = [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
            "-i",
            ".venv/*",
            "-i",
            "bench/*",
            "-i",
            "*/tests/*",
            "-i",
            "gongzhi/testing/*",
            "-i",
            "static/*",
        ]
        # makemessages writes into LOCALE_PATHS; point it at the scratch copy.
        env["GONGZHI_LOCALE_DIR"] = str(work)
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        po = polib.pofile(str(work / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags or not entry.translated():
                problems.append(entry.msgid)
        committed = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        mo = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if not mo.exists() or polib.mofile(str(mo)).percent_translated() < 100:
            problems.append("(django.mo missing or incomplete: run scripts/translations.sh)")
        elif {e.msgid for e in polib.mofile(str(mo))} != {e.msgid for e in committed.translated_entries()}:
            problems.append("(django.mo is stale: run scripts/translations.sh)")
    for msgid in problems:
        print(f"untranslated: {msgid!r}")
    print(f"{len(problems)} untranslated strings" if problems else "all strings translated")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
