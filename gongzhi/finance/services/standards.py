"""Fee standards (¥ per m² per month, with history) and the service commitments the fee buys."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError
from gongzhi.estates.models import Compound, Phase

from ..models import FeeStandard, HouseType, ServiceCommitment
from ..money import rate_parse
from ..rules import may_keep_fees
from ._common import clean_text, require

STANDARD_FIELDS = ["phase_id", "house_type", "rate", "vacant_percent", "effective_from", "effective_to"]


def _percent(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DomainError(_("Enter a whole percentage from 0 to 100."), field="vacant_percent", code="invalid")
    try:
        number = int(str(value).strip().removesuffix("%"))
    except ValueError:
        raise DomainError(
            _("Enter a whole percentage from 0 to 100."), field="vacant_percent", code="invalid"
        ) from None
    if not 0 <= number <= 100:
        raise DomainError(_("Enter a whole percentage from 0 to 100."), field="vacant_percent", code="invalid")
    return number


@transaction.atomic
def fee_standard_set(
    *,
    actor: Any,
    compound: Compound,
    rate: object,
    effective_from: datetime.date,
    phase: Phase | None = None,
    house_type: str = HouseType.RESIDENTIAL,
    vacant_percent: object = 100,
    note: str = "",
) -> FeeStandard:
    """A new fee standard from ``effective_from`` (the first day of a month); the open one it follows ends then.

    History is only ever extended: a standard cannot start on or before the start of the current one of the
    same compound, phase and house type (bills already generated keep the amounts they were computed with).
    """
    require(may_keep_fees(actor, compound), _("You may not set this compound's fee standards."))
    rate_value = rate_parse(rate)
    percent = _percent(vacant_percent)
    if house_type not in HouseType.values:
        raise DomainError(_("Choose a house type."), field="house_type", code="invalid")
    if phase is not None and phase.compound_id != compound.pk:
        raise DomainError(_("This phase belongs to another compound."), field="phase", code="invalid")
    if not isinstance(effective_from, datetime.date) or effective_from.day != 1:
        raise DomainError(
            _("A fee standard takes effect on the first day of a month."), field="effective_from", code="invalid_date"
        )
    note = clean_text(note, field="note", required=False)
    # Serialize changes to one compound's standards (and bill generation, which reads them).
    Compound.objects.select_for_update().only("pk").get(pk=compound.pk)
    same = FeeStandard.objects.filter(
        community_id=compound.community_id, compound=compound, phase=phase, house_type=house_type
    )
    latest = same.aggregate(latest=Max("effective_from"))["latest"]
    if latest is not None and effective_from <= latest:
        raise Conflict(
            _("A standard already takes effect on %(date)s; a new one must start later.") % {"date": latest},
            field="effective_from",
            code="history_is_append_only",
        )
    current = same.filter(effective_to__isnull=True).first()
    if current is not None:
        before = snapshot(current, STANDARD_FIELDS)
        current.effective_to = effective_from
        current.save(update_fields=["effective_to", "updated_at"])
        audit_record(
            actor=actor,
            verb="fee_standard.close",
            obj=current,
            community_id=compound.community_id,
            before=before,
            after=snapshot(current, STANDARD_FIELDS),
        )
    standard = FeeStandard.objects.create(
        community_id=compound.community_id,
        compound=compound,
        phase=phase,
        house_type=house_type,
        rate=rate_value,
        vacant_percent=percent,
        effective_from=effective_from,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="fee_standard.set",
        obj=standard,
        community_id=compound.community_id,
        after=snapshot(standard, STANDARD_FIELDS),
    )
    return standard


@transaction.atomic
def commitment_add(*, actor: Any, compound: Compound, title: str, detail: str = "") -> ServiceCommitment:
    """Add a promise to the compound's 承诺提质 list (at the end)."""
    require(may_keep_fees(actor, compound), _("You may not change this compound's service commitments."))
    title = clean_text(title, field="title", max_length=100)
    detail = clean_text(detail, field="detail", max_length=1000, required=False)
    last = ServiceCommitment.objects.filter(community_id=compound.community_id, compound=compound).aggregate(
        last=Max("position")
    )["last"]
    commitment = ServiceCommitment.objects.create(
        community_id=compound.community_id,
        compound=compound,
        title=title,
        detail=detail,
        position=(last or 0) + 1,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="commitment.add",
        obj=commitment,
        community_id=compound.community_id,
        after={"title": title, "detail": detail},
    )
    return commitment


@transaction.atomic
def commitment_retire(*, actor: Any, commitment: ServiceCommitment) -> ServiceCommitment:
    """Take a promise off the list (kept, inactive, for the record)."""
    commitment = ServiceCommitment.objects.select_for_update().select_related("compound").get(pk=commitment.pk)
    require(may_keep_fees(actor, commitment), _("You may not change this compound's service commitments."))
    if not commitment.is_active:
        raise Conflict(_("This commitment has already been taken off the list."), code="illegal_transition")
    commitment.is_active = False
    commitment.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        verb="commitment.retire",
        obj=commitment,
        community_id=commitment.community_id,
        before={"is_active": True},
        after={"is_active": False},
    )
    return commitment
