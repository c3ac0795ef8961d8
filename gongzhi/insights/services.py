"""Writes of the insights pages: a sub-district's red-list weights and the honours of compounds.

Keyword-only, atomic, each change audited in the same transaction; bad input is a DomainError naming its field
and changes nothing; who may write is decided by rules.py (NotAllowed otherwise).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.estates.models import Area, AreaLevel, Compound

from .models import Honour, RedListWeights
from .redlist import WEIGHT_FIELDS, weights_of
from .rules import may_record_honour, may_set_weights

MIN_HONOUR_YEAR = 1990
MINIMUM_MAX = 1000
TITLE_MAX, AWARDED_BY_MAX, NOTE_MAX = 100, 100, 300


def _whole(value: Any, *, field: str, low: int, high: int) -> int:
    """A whole number within [low, high], or a DomainError naming ``field``."""
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value is not None else None
    except ValueError:
        number = None
    if number is None:
        raise DomainError(_("Enter a whole number."), field=field, code="not_a_number")
    if not low <= number <= high:
        raise DomainError(
            _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=field,
            code="out_of_range",
        )
    return number


@transaction.atomic
def redlist_weights_set(
    *,
    actor: Any,
    area: Area,
    satisfaction: int,
    resolution: int,
    response: int,
    collection: int,
    min_ratings: int,
    min_voices: int,
) -> RedListWeights:
    """Set a sub-district's red-list weights: four whole percentages adding up to 100, and the fewest ratings
    and voices a compound needs to be ranked on satisfaction and on response and resolution."""
    if area.level != AreaLevel.SUB_DISTRICT:
        raise DomainError(_("Red-list weights are set for a sub-district."), field="area", code="not_sub_district")
    if not may_set_weights(actor, area):
        raise NotAllowed(_("Only the sub-district's or the district's supervisors may change the weights."))
    values = {
        "satisfaction": _whole(satisfaction, field="satisfaction", low=0, high=100),
        "resolution": _whole(resolution, field="resolution", low=0, high=100),
        "response": _whole(response, field="response", low=0, high=100),
        "collection": _whole(collection, field="collection", low=0, high=100),
        "min_ratings": _whole(min_ratings, field="min_ratings", low=1, high=MINIMUM_MAX),
        "min_voices": _whole(min_voices, field="min_voices", low=1, high=MINIMUM_MAX),
    }
    total = values["satisfaction"] + values["resolution"] + values["response"] + values["collection"]
    if total != 100:
        raise DomainError(
            _("The weights add up to %(sum)s%%; they must add up to 100%%.") % {"sum": total},
            code="weights_sum",
        )
    row = RedListWeights.objects.select_for_update().filter(area=area).first()
    current = weights_of(area)
    before = {name: current.of(name) for name in WEIGHT_FIELDS}
    if row is None:
        row = RedListWeights(area=area)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    audit_record(
        actor=actor,
        verb="insights.redlist_weights_set",
        obj=row,
        before={**before, "default": current.is_default},
        after=snapshot(row, WEIGHT_FIELDS),
    )
    return row


def _text(value: Any, *, field: str, limit: int, required: bool = True) -> str:
    """One line of plain text: trimmed, within ``limit`` characters, no control characters."""
    text = " ".join(str(value or "").split())
    if required and not text:
        raise DomainError(_("This field is required."), field=field, code="required")
    if len(text) > limit:
        raise DomainError(
            _("At most %(limit)s characters (this has %(n)s).") % {"limit": limit, "n": len(text)},
            field=field,
            code="too_long",
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise DomainError(_("Remove the control characters."), field=field, code="control_characters")
    return text


HONOUR_FIELDS = ("compound_id", "year", "title", "awarded_by", "note")


@transaction.atomic
def honour_record(*, actor: Any, compound: Compound, year: int, title: str, awarded_by: str, note: str = "") -> Honour:
    """Record an honour a compound received in a year (e.g. 区级最美小区); the same title twice in a year is
    refused."""
    if not may_record_honour(actor, compound):
        raise NotAllowed(_("Only the supervisors of this compound's sub-district or district record its honours."))
    this_year = timezone.localdate().year
    clean_year = _whole(year, field="year", low=MIN_HONOUR_YEAR, high=this_year)
    clean_title = _text(title, field="title", limit=TITLE_MAX)
    clean_by = _text(awarded_by, field="awarded_by", limit=AWARDED_BY_MAX)
    clean_note = _text(note, field="note", limit=NOTE_MAX, required=False)
    duplicate = _("%(compound)s already has the honour “%(title)s” for %(year)s.") % {
        "compound": compound.name,
        "title": clean_title,
        "year": clean_year,
    }
    if Honour.objects.filter(compound=compound, year=clean_year, title=clean_title).exists():
        raise Conflict(duplicate, field="title", code="duplicate_honour")
    try:
        with transaction.atomic():  # a savepoint: the same honour recorded a moment ago, in another request
            honour = Honour.objects.create(
                community_id=compound.community_id,
                compound=compound,
                year=clean_year,
                title=clean_title,
                awarded_by=clean_by,
                note=clean_note,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise Conflict(duplicate, field="title", code="duplicate_honour") from None
    audit_record(
        actor=actor,
        verb="insights.honour_record",
        obj=honour,
        community_id=compound.community_id,
        after=snapshot(honour, HONOUR_FIELDS),
    )
    return honour


@transaction.atomic
def honour_remove(*, actor: Any, honour: Honour) -> None:
    """Take an honour off the record (entered by mistake)."""
    if not may_record_honour(actor, honour.compound):
        raise NotAllowed(_("Only the supervisors of this compound's sub-district or district record its honours."))
    locked = Honour.objects.select_for_update().filter(pk=honour.pk).first()
    if locked is None:
        raise Conflict(_("This honour was already removed."), code="gone")
    before = snapshot(locked, HONOUR_FIELDS)
    pk = locked.pk
    locked.delete()
    audit_record(
        actor=actor,
        verb="insights.honour_remove",
        object_type="insights.honour",
        object_id=pk,
        community_id=honour.community_id,
        before=before,
    )
