"""Audit of reads: staff opening a voice see its author (DESIGN rule 7)."""

from __future__ import annotations

from typing import Any

from gongzhi.core.audit import audit_record

from ..models import Voice
from ..rules import may_see_author


def voice_view_record(*, actor: Any, voice: Voice) -> None:
    """Staff opened a voice with its author's name (DESIGN rule 7: views of personal data are audited).

    The author reading their own voice, and neighbours (who never see the name), are not recorded.
    """
    if voice.author_id == getattr(actor, "pk", None) or not may_see_author(actor, voice):
        return
    audit_record(actor=actor, verb="voice.view", obj=voice, community_id=voice.community_id)
