"""The agenda: items picked from the candidates (a hot topic, overdue voices, an open action item) or written
freely, while the meeting is a draft or published (and, for an item raised at the meeting, while it is held);
edited (title, notes, private or not), reordered and taken off before the meeting is held."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotFound

from ..models import TEXT_MAX, TITLE_MAX, ActionItem, AgendaItem, AgendaItemVoice, AgendaSource, Meeting, MeetingStatus
from ..rules import may_convene
from ._common import clean_text, compound_voices, meeting_lock, require, user_or_none

ADDABLE = frozenset({MeetingStatus.DRAFT, MeetingStatus.PUBLISHED, MeetingStatus.HELD})
REMOVABLE = frozenset({MeetingStatus.DRAFT, MeetingStatus.PUBLISHED})
# Items are edited and reordered before the meeting is held (their minutes are recorded under these titles).
EDITABLE = REMOVABLE
MOVES = {"up": -1, "down": 1}
MAX_ITEMS = 50
ITEM_FIELDS = ["position", "title", "detail", "source", "topic_words", "action_item_id", "is_private"]


def _not_convener() -> str:
    return _("You may not convene meetings of this compound.")


@transaction.atomic
def agenda_item_add(
    *,
    actor: Any,
    meeting: Meeting | int,
    title: str = "",
    detail: str = "",
    voice_ids: Iterable[Any] = (),
    topic_words: Iterable[str] = (),
    action_item: ActionItem | None = None,
    is_private: bool = False,
) -> AgendaItem:
    """Add an item at the end of the agenda. Its source follows from what it is linked to: an open action item
    of the compound, a hot topic (its words, and its voices), overdue voices, or nothing (written freely).
    The title defaults to the action item's title or the topic's words."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    if locked.status not in ADDABLE:
        raise Conflict(
            _("This meeting is %(status)s: its agenda can no longer be changed.")
            % {"status": MeetingStatus(locked.status).label},
            code="immutable",
        )
    words = [w.strip() for w in topic_words if w and w.strip()]
    voices = compound_voices(locked.compound, voice_ids)
    if action_item is not None:
        if action_item.compound_id != locked.compound_id:
            raise DomainError(
                _("This action item belongs to another compound."), field="action_item", code="other_compound"
            )
        source, default_title = AgendaSource.ACTION, action_item.title
    elif words:
        source, default_title = AgendaSource.TOPIC, "、".join(words)
    elif voices:
        source, default_title = AgendaSource.VOICES, ""
    else:
        source, default_title = AgendaSource.FREE, ""
    title = clean_text(title or default_title[:TITLE_MAX], field="title", max_length=TITLE_MAX)
    detail = clean_text(detail, field="detail", max_length=TEXT_MAX, required=False)
    topic_text = clean_text(" ".join(words), field="topic_words", required=False)
    items = AgendaItem.objects.filter(community_id=locked.community_id, meeting=locked)
    if items.count() >= MAX_ITEMS:
        raise DomainError(
            _("An agenda has at most %(max)d items.") % {"max": MAX_ITEMS}, field="title", code="too_many"
        )
    position = (items.aggregate(p=Max("position"))["p"] or 0) + 1
    item = AgendaItem.objects.create(
        community_id=locked.community_id,
        meeting=locked,
        position=position,
        title=title,
        detail=detail,
        source=source,
        topic_words=topic_text,
        action_item=action_item,
        is_private=bool(is_private),
        added_by=user_or_none(actor),
    )
    AgendaItemVoice.objects.bulk_create(
        AgendaItemVoice(community_id=locked.community_id, agenda_item=item, voice=v) for v in voices
    )
    audit_record(
        actor=actor,
        verb="meeting.agenda_add",
        obj=locked,
        community_id=locked.community_id,
        after={"item": item.pk, **snapshot(item, ITEM_FIELDS), "voices": [v.pk for v in voices]},
    )
    return item


def _item_locked(item: AgendaItem | int) -> tuple[AgendaItem, Meeting]:
    pk = item if isinstance(item, int) else item.pk
    meeting_id = AgendaItem.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise NotFound(_("No such agenda item."))
    meeting = meeting_lock(meeting_id)
    return AgendaItem.objects.get(pk=pk), meeting


def _require_editable(meeting: Meeting) -> None:
    if meeting.status not in EDITABLE:
        raise Conflict(
            _("This meeting is %(status)s: its agenda can no longer be changed.")
            % {"status": MeetingStatus(meeting.status).label},
            code="immutable",
        )


@transaction.atomic
def agenda_item_update(
    *, actor: Any, item: AgendaItem | int, title: str, detail: str = "", is_private: bool = False
) -> AgendaItem:
    """Change an item's title, notes and whether it is private, while the meeting is a draft or published."""
    found, meeting = _item_locked(item)
    require(may_convene(actor, meeting), _not_convener())
    _require_editable(meeting)
    before = snapshot(found, ["title", "detail", "is_private"])
    found.title = clean_text(title, field="title", max_length=TITLE_MAX)
    found.detail = clean_text(detail, field="detail", max_length=TEXT_MAX, required=False)
    found.is_private = bool(is_private)
    found.save(update_fields=["title", "detail", "is_private"])
    audit_record(
        actor=actor,
        verb="meeting.agenda_update",
        obj=meeting,
        community_id=meeting.community_id,
        before={"item": found.pk, **before},
        after={"item": found.pk, **snapshot(found, ["title", "detail", "is_private"])},
    )
    return found


@transaction.atomic
def agenda_item_remove(*, actor: Any, item: AgendaItem | int) -> None:
    """Take an item off the agenda of a draft or published meeting (the later items move up)."""
    found, meeting = _item_locked(item)
    require(may_convene(actor, meeting), _not_convener())
    if meeting.status not in REMOVABLE:
        raise Conflict(
            _("This meeting is %(status)s: its agenda can no longer be changed.")
            % {"status": MeetingStatus(meeting.status).label},
            code="immutable",
        )
    before = {"item": found.pk, **snapshot(found, ITEM_FIELDS)}
    position = found.position
    found.delete()
    for later in AgendaItem.objects.filter(
        community_id=meeting.community_id, meeting=meeting, position__gt=position
    ).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])
    audit_record(
        actor=actor, verb="meeting.agenda_remove", obj=meeting, community_id=meeting.community_id, before=before
    )


@transaction.atomic
def agenda_item_move(*, actor: Any, item: AgendaItem | int, direction: str) -> AgendaItem:
    """Move an item one place up or down the agenda (it swaps places with its neighbour), while the meeting is
    a draft or published. The first item cannot go up nor the last one down."""
    found, meeting = _item_locked(item)
    require(may_convene(actor, meeting), _not_convener())
    _require_editable(meeting)
    step = MOVES.get(str(direction))
    if step is None:
        raise DomainError(_("Move an item up or down."), field="direction", code="invalid_direction")
    items = AgendaItem.objects.filter(community_id=meeting.community_id, meeting=meeting)
    neighbour = (
        items.filter(position__lt=found.position).order_by("-position").first()
        if step < 0
        else items.filter(position__gt=found.position).order_by("position").first()
    )
    if neighbour is None:
        raise DomainError(
            _("This item is already first.") if step < 0 else _("This item is already last."),
            field="direction",
            code="at_the_end",
        )
    before = [found.position, neighbour.position]
    # Positions are unique per meeting: park the item on 0 (positions start at 1) while they swap.
    mine, theirs = found.position, neighbour.position
    found.position = 0
    found.save(update_fields=["position"])
    neighbour.position = mine
    neighbour.save(update_fields=["position"])
    found.position = theirs
    found.save(update_fields=["position"])
    audit_record(
        actor=actor,
        verb="meeting.agenda_move",
        obj=meeting,
        community_id=meeting.community_id,
        before={"item": found.pk, "neighbour": neighbour.pk, "positions": before},
        after={"item": found.pk, "neighbour": neighbour.pk, "positions": [found.position, neighbour.position]},
    )
    return found
