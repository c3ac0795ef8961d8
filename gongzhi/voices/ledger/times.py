"""Reading a time of day from a ledger cell, and writing one back.

Ledger times are Beijing time (Asia/Shanghai, the platform's time zone) to the minute: "2024-05-02 09:30",
"2024/5/2 9:30", "2024年5月2日 9:30", an Excel date-time cell or serial number, or a date alone (midnight).
Seconds are dropped, so a time read from any of these, or from the platform's own export, compares equal.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop
from openpyxl.utils.datetime import from_excel

from gongzhi.estates.ledger.values import EXCEL_SERIAL_RANGE, BadValue

_DATE = r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|\.(\d{1,2})\.(\d{1,2})|年(\d{1,2})月(\d{1,2})日?)"
_TIME = r"(?:(?:[ T]+|(?<=日)\s*)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?)?"
TIME_RE = re.compile(rf"^{_DATE}{_TIME}$")
FORMAT_MSGID = gettext_noop("Write the time as 2024-05-02 09:30 (or the date alone, such as 2024-05-02).")


def minute(value: datetime.datetime) -> datetime.datetime:
    """An aware time in the platform's time zone, to the minute."""
    return value.astimezone(timezone.get_default_timezone()).replace(second=0, microsecond=0)


def _aware(naive: datetime.datetime) -> datetime.datetime:
    return naive.replace(second=0, microsecond=0, tzinfo=timezone.get_default_timezone())


def _whole_second(value: datetime.datetime) -> datetime.datetime:
    """Excel keeps times as fractions of a day: 09:30 may come back as 09:29:59.997."""
    return (value + datetime.timedelta(microseconds=500_000)).replace(microsecond=0)


def as_time(value: Any) -> datetime.datetime:
    """The cell's time as an aware datetime in Beijing time, to the minute; ``BadValue`` when it is none."""
    if isinstance(value, datetime.datetime):
        value = _whole_second(value)
        return minute(value) if timezone.is_aware(value) else _aware(value)
    if isinstance(value, datetime.date):
        return _aware(datetime.datetime.combine(value, datetime.time()))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
            converted = from_excel(value)
            if isinstance(converted, datetime.datetime):
                return _aware(_whole_second(converted))
        raise BadValue(FORMAT_MSGID)
    text = str(value).strip()
    m = TIME_RE.match(text)
    if m is None:
        raise BadValue(FORMAT_MSGID)
    groups = m.groups()
    year = int(groups[0])
    month, day = next((int(groups[i]), int(groups[i + 1])) for i in (1, 3, 5, 7) if groups[i] is not None)
    hour, mins = (int(groups[9]), int(groups[10])) if groups[9] is not None else (0, 0)
    try:
        naive = datetime.datetime(year, month, day, hour, mins)
    except ValueError:
        raise BadValue(gettext_noop("There is no such date or time.")) from None
    return _aware(naive)


def as_cell(value: datetime.datetime | None) -> datetime.datetime | None:
    """A stored time as the ledger writes it: Beijing time, to the minute, without a zone (Excel has none)."""
    return minute(value).replace(tzinfo=None) if value is not None else None


def iso(value: datetime.datetime | None) -> str:
    """A time as previews, audit events and row keys show it: 2024-05-02 09:30."""
    if value is None:
        return ""
    v = minute(value)
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}"
