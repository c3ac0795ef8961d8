"""Test settings: fast hashing, tasks run in-process unless a test asks for the worker."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
# Uploads (photos, ledgers) from the tests never land in the working tree.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="gongzhi-test-media-"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in memory unless a live server needs a file

# Tests assert the English msgids; the Chinese catalogue is checked by scripts/check_translations.py and by
# gongzhi/core/tests/test_chinese_ui.py, which switches it back on. Django's own zh-hans formats stay active.
LOCALE_PATHS = []
