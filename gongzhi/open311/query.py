"""Parsing GET requests' filters as GeoReport v2 defines them; a bad filter is a 400 with a clear message."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

from .selectors import MAX_RESULTS, RequestQuery

MAX_SPAN = datetime.timedelta(days=90)
STATUSES = frozenset({"open", "closed"})


def _csv(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_datetime(value: str, *, field: str) -> datetime.datetime:
    """A w3 date-time (``2010-01-01T00:00:00Z``, an offset, or a plain date); no offset means Shanghai time."""
    text = value.strip()
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(
            _("%(field)s is not a date and time in w3 format, such as 2010-01-01T00:00:00Z.") % {"field": field},
            field=field,
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def parse_request_query(params: Mapping[str, str], *, now: datetime.datetime | None = None) -> RequestQuery:
    """The filters of GET requests: ids (overriding the rest), service codes, dates, status.

    Without dates the range is the last 90 days; with one date, the 90 days from (or up to) it; a range longer
    than 90 days, or ending before it starts, is refused.
    """
    raw_ids = _csv(params.get("service_request_id", ""))
    if raw_ids:
        if not all(i.isdigit() and len(i) < 19 for i in raw_ids):
            raise DomainError(
                _("service_request_id must be request ids separated by commas."), field="service_request_id"
            )
        if len(raw_ids) > MAX_RESULTS:
            raise DomainError(
                _("Ask for at most %(max)d service_request_id at once.") % {"max": MAX_RESULTS},
                field="service_request_id",
            )
        return RequestQuery(ids=tuple(dict.fromkeys(int(i) for i in raw_ids)))
    statuses = frozenset(s.lower() for s in _csv(params.get("status", "")))
    if statuses - STATUSES:
        raise DomainError(_("status must be open or closed (or both, comma separated)."), field="status")
    start_raw, end_raw = params.get("start_date", "").strip(), params.get("end_date", "").strip()
    start = parse_datetime(start_raw, field="start_date") if start_raw else None
    end = parse_datetime(end_raw, field="end_date") if end_raw else None
    try:
        if start is None and end is None:
            end = now or timezone.now()
            start = end - MAX_SPAN
        elif start is None:
            assert end is not None
            start = end - MAX_SPAN
        elif end is None:
            end = start + MAX_SPAN
    except OverflowError:
        raise DomainError(_("The dates are out of range."), field="start_date") from None
    if end < start:
        raise DomainError(_("end_date is before start_date."), field="end_date")
    if end - start > MAX_SPAN:
        raise DomainError(_("start_date and end_date may not span more than 90 days."), field="end_date")
    return RequestQuery(
        service_codes=tuple(_csv(params.get("service_code", ""))), start=start, end=end, statuses=statuses
    )
