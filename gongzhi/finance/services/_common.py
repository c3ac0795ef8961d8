"""What the finance services share: permission checks, transitions, reasons and dates."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.core.services import require as require
from gongzhi.core.services import status_move, text_clean

move = status_move  # the services' name for it

REASON_MAX = 200


# Reasons and notes: at most REASON_MAX characters unless a caller says otherwise.
clean_text = functools.partial(text_clean, max_length=REASON_MAX)


def today() -> datetime.date:
    return timezone.localdate()


def not_in_future(day: Any, *, field: str) -> datetime.date:
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise DomainError(_("Enter a date."), field=field, code="invalid_date")
    if day > today():
        raise DomainError(_("This date is in the future."), field=field, code="future_date")
    return day
