"""Local development: the defaults of base.py (SQLite, DEBUG on)."""

from .base import *  # noqa: F403
