"""Staff's edits of the report's paragraphs: one text per compound, period and section (``ReportNarrative``);
a section without one shows the generated text. Both services are atomic and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.services import text_clean
from gongzhi.estates.models import Compound

from ..models import ReportNarrative
from ..periods import parse_period
from ..rules import may_edit_narrative
from .content import NARRATIVE_MAX, SECTIONS


def _checked(actor: Any, compound: Compound, period: str, section: str) -> str:
    """The period's code; NotAllowed for anyone but the compound's narrative editors, DomainError for a section
    or period that is not one."""
    if not may_edit_narrative(actor, compound):
        raise NotAllowed(_("You may not edit this compound's report."))
    if section not in SECTIONS:
        raise DomainError(_("No such section of the report."), field="section", code="bad_section")
    return parse_period(period).code


@transaction.atomic
def report_narrative_set(
    *, actor: Any, compound: Compound, period: str, section: str, text: str
) -> ReportNarrative | None:
    """Keep ``text`` as the section's paragraph for the period (at most 4000 characters, kept as written and
    escaped where shown). Empty text goes back to the generated paragraph (``report_narrative_reset``)."""
    code = _checked(actor, compound, period, section)
    cleaned = text_clean(text, field="text", max_length=NARRATIVE_MAX, required=False).replace("\r\n", "\n")
    if not cleaned:
        return report_narrative_reset(actor=actor, compound=compound, period=code, section=section)
    row = (
        ReportNarrative.objects.select_for_update()
        .filter(community_id=compound.community_id, compound=compound, period=code, section=section)
        .first()
    )
    before = None if row is None else {"text": row.text}
    if row is None:
        row = ReportNarrative(community_id=compound.community_id, compound=compound, period=code, section=section)
    row.text = cleaned
    row.updated_by = actor
    row.save()
    audit_record(
        actor=actor,
        verb="insights.report_narrative_set",
        obj=row,
        community_id=compound.community_id,
        before=before,
        after={"compound": compound.code, "period": code, "section": section, "text": cleaned},
    )
    return row


@transaction.atomic
def report_narrative_reset(*, actor: Any, compound: Compound, period: str, section: str) -> None:
    """Drop the section's edited paragraph: the report shows the generated one again. Nothing to drop is no
    change (and no audit event)."""
    code = _checked(actor, compound, period, section)
    row = (
        ReportNarrative.objects.select_for_update()
        .filter(community_id=compound.community_id, compound=compound, period=code, section=section)
        .first()
    )
    if row is None:
        return None
    audit_record(
        actor=actor,
        verb="insights.report_narrative_reset",
        obj=row,
        community_id=compound.community_id,
        before={"text": row.text},
        after={"compound": compound.code, "period": code, "section": section},
    )
    row.delete()
    return None
