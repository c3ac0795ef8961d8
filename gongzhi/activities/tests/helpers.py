"""A fingerprint of the activity and care tables, to show a refused request changed nothing."""

from __future__ import annotations

import json
from typing import Any

from gongzhi.activities.models import (
    Activity,
    ActivityPhoto,
    CarePlan,
    CareTask,
    CareVisit,
    CareVisitItem,
    CareVisitPhoto,
    Feedback,
    Signup,
)
from gongzhi.api.tests.helpers import db_state
from gongzhi.notifications.models import Notification
from gongzhi.voices.models import Voice

TRACKED = [
    Activity,
    Signup,
    Feedback,
    ActivityPhoto,
    CareTask,
    CarePlan,
    CareVisit,
    CareVisitItem,
    CareVisitPhoto,
    Voice,
    Notification,
]


def state() -> dict[str, Any]:
    """Every row of this app's tables (and voices, notifications), with the estate tables and the audit trail."""
    out = db_state()
    for model in TRACKED:
        out[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    return out
