"""A resident's question about a line of a published statement: a voice of kind 咨询 (enquiry).

The question goes through the voices' ``voice_submit`` (deadlines, routing, notifications, the resident's
"my voices"), quoting the statement's period and version and the line's category, item and amount, in the
category 物业收费 (else 其他). It is idempotent per resident and line (the voice's idempotency key names the
line): asking again opens the same voice, and the statement page finds it by that key.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.voices.models import Category, Kind, LocationKind, Voice
from gongzhi.voices.services import voice_submit

from ..models import StatementLine
from ..money import yuan_text
from ..rules import is_compound_resident
from ._common import clean_text

QUESTION_MAX = 500
# The voice categories a question about the accounts goes to, the first that exists.
QUESTION_CATEGORIES = ("物业收费", "其他")


def question_key(line_id: int) -> str:
    """The idempotency key of a question about a statement line (one per resident and line)."""
    return f"statement-line:{line_id}"


def _category() -> Category | None:
    found = {c.name: c for c in Category.objects.filter(name__in=QUESTION_CATEGORIES, is_active=True)}
    return next((found[name] for name in QUESTION_CATEGORIES if name in found), None)


@transaction.atomic
def statement_question_ask(*, actor: Any, line: StatementLine | int, question: str) -> Voice:
    """Ask about a line of a published statement (a resident of its compound): the voice raised, or the one
    raised before about the same line. Refused: a draft or discarded statement (NotFound), someone who does
    not live in the compound (NotAllowed), an empty or too long question."""
    pk = line if isinstance(line, int) else line.pk
    found = StatementLine.objects.select_related("statement", "statement__compound").filter(pk=pk).first()
    if found is None or not found.statement.is_public:
        raise NotFound(_("No such line."))
    statement = found.statement
    if not is_compound_resident(actor, statement.compound):
        raise NotAllowed(_("Only residents of this compound may ask about its accounts."))
    question = clean_text(question, field="question", max_length=QUESTION_MAX)
    key = question_key(found.pk)
    asked = Voice.objects.filter(community_id=statement.community_id, author=actor, idempotency_key=key).first()
    if asked is not None:
        return asked
    text = _(
        "Question about the published statement of %(period)s (version %(version)s), line “%(item)s” "
        "(%(kind)s, %(category)s, %(amount)s): %(question)s"
    ) % {
        "period": statement.period,
        "version": statement.version,
        "item": found.item,
        "kind": found.get_kind_display(),
        "category": found.get_category_display(),
        "amount": yuan_text(found.amount),
        "question": question,
    }
    voice = voice_submit(
        author=actor,
        compound=statement.compound,
        kind=Kind.ENQUIRY,
        text=text,
        location_kind=LocationKind.PUBLIC_AREA,
        category=_category(),
        is_public=False,
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        verb="statement.question",
        obj=statement,
        community_id=statement.community_id,
        after={"line": found.pk, "voice": voice.pk},
    )
    return voice
