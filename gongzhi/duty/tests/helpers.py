"""A fingerprint of the duty tables (and the audit trail of changes), to show a refusal changed nothing."""

from __future__ import annotations

import json
from typing import Any

from gongzhi.api.tests.helpers import db_state
from gongzhi.duty.models import (
    Assignment,
    DutyCalendarDay,
    DutyPost,
    Shift,
    ShiftPattern,
    SwapRequest,
    Volunteer,
)

TABLES = [DutyPost, ShiftPattern, Shift, Assignment, SwapRequest, Volunteer, DutyCalendarDay]
VOLATILE = frozenset({"updated_at"})


def duty_state() -> dict[str, Any]:
    state = db_state()
    for model in TABLES:
        state[model._meta.label] = sorted(
            json.dumps({k: v for k, v in row.items() if k not in VOLATILE}, sort_keys=True, default=str)
            for row in model._default_manager.values()
        )
    return state
