"""A fingerprint of the database for "refused means nothing changed": the estate and accounts tables, the
audit trail of changes, and every notices table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import models

from gongzhi.api.tests.helpers import db_state
from gongzhi.notices import models as nm

NOTICE_TABLES: list[type[models.Model]] = [
    nm.Notice,
    nm.NoticeBuilding,
    nm.NoticeImage,
    nm.ReadReceipt,
    nm.LobbyScreen,
]


def notices_state(media: Path | None = None) -> dict[str, Any]:
    state = db_state()
    for model in NOTICE_TABLES:
        state[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    if media is not None:
        state["files"] = sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return state
