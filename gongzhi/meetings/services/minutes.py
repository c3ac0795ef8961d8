"""Minutes and decisions; closing a meeting (decisions become action items, in one transaction); publishing the
minutes, and correcting published minutes by a new version with a reason (both stay readable)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization, User
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotFound

from ..models import (
    TEXT_MAX,
    TITLE_MAX,
    ActionItem,
    AgendaItem,
    AgendaItemVoice,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesEntry,
    MinutesStatus,
    UpdateSource,
)
from ..rules import may_convene
from ._common import (
    clean_text,
    invitee_users,
    local_day,
    meeting_link,
    meeting_lock,
    move,
    notify_later,
    now_or,
    require,
    user_or_none,
)
from .actions import action_item_build, budget_parse, due_date_check, responsible_check

ENTRY_MAX = TEXT_MAX * 2
DECISION_FIELDS = [
    "text",
    "becomes_action",
    "action_title",
    "responsible_organization_id",
    "responsible_user_id",
    "due_on",
    "budget",
]


def _not_convener() -> str:
    return _("You may not convene meetings of this compound.")


def _item_of(meeting: Meeting, item: AgendaItem | int) -> AgendaItem:
    pk = item if isinstance(item, int) else item.pk
    found = AgendaItem.objects.filter(community_id=meeting.community_id, meeting=meeting, pk=pk).first()
    if found is None:
        raise DomainError(_("This agenda item belongs to another meeting."), field="item", code="other_meeting")
    return found


def _versions(meeting: Meeting) -> Any:
    return Minutes.objects.filter(community_id=meeting.community_id, meeting=meeting)


def _missing_items(minutes: Minutes | None, meeting: Meeting) -> list[AgendaItem]:
    """Agenda items with no minutes in this version."""
    items = list(AgendaItem.objects.filter(community_id=meeting.community_id, meeting=meeting).order_by("position"))
    if minutes is None:
        return items
    written = set(
        MinutesEntry.objects.filter(community_id=meeting.community_id, minutes=minutes)
        .exclude(text="")
        .values_list("agenda_item_id", flat=True)
    )
    return [i for i in items if i.pk not in written]


# --- Minutes ------------------------------------------------------------------------------------------------------


@transaction.atomic
def minutes_record(*, actor: Any, meeting: Meeting | int, item: AgendaItem | int, text: str) -> MinutesEntry:
    """Write (or rewrite) the minutes of one agenda item in the draft: the first version while the meeting is
    held or closed and not yet published, or a correction being prepared. Published minutes are never changed
    in place: ``minutes_correct`` starts a new version."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    if locked.status not in (MeetingStatus.HELD, MeetingStatus.CLOSED):
        raise Conflict(_("Minutes are recorded once the meeting is held."), code="not_held")
    agenda_item = _item_of(locked, item)
    text = clean_text(text, field="text", max_length=ENTRY_MAX)
    draft = _versions(locked).select_for_update().filter(status=MinutesStatus.DRAFT).first()
    if draft is None:
        if _versions(locked).exists():
            raise Conflict(
                _("Published minutes cannot be changed in place: start a correction, with a reason."),
                code="immutable",
            )
        draft = Minutes.objects.create(
            community_id=locked.community_id, meeting=locked, version=1, created_by=user_or_none(actor)
        )
    entry = MinutesEntry.objects.filter(
        community_id=locked.community_id, minutes=draft, agenda_item=agenda_item
    ).first()
    before = entry.text if entry is not None else None
    if entry is None:
        entry = MinutesEntry.objects.create(
            community_id=locked.community_id, minutes=draft, agenda_item=agenda_item, text=text
        )
    elif entry.text != text:
        entry.text = text
        entry.save(update_fields=["text"])
    audit_record(
        actor=actor,
        verb="minutes.record",
        obj=draft,
        community_id=locked.community_id,
        before={"item": agenda_item.pk, "text": before} if before is not None else None,
        after={"item": agenda_item.pk, "text": text, "version": draft.version},
    )
    return entry


def _minutes_lock(minutes: Minutes | int) -> tuple[Minutes, Meeting]:
    pk = minutes if isinstance(minutes, int) else minutes.pk
    meeting_id = Minutes.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise NotFound(_("No such minutes."))
    meeting = meeting_lock(meeting_id)
    return Minutes.objects.select_for_update().get(pk=pk), meeting


def _entries(minutes: Minutes) -> dict[int, str]:
    return dict(
        MinutesEntry.objects.filter(community_id=minutes.community_id, minutes=minutes).values_list(
            "agenda_item_id", "text"
        )
    )


@transaction.atomic
def minutes_publish(*, actor: Any, minutes: Minutes | int, now: datetime.datetime | None = None) -> Minutes:
    """Publish a draft of a closed meeting's minutes: from now on it never changes. A correction replaces the
    version it corrects, which is kept, marked corrected. Invitees are told; the residents' summary of a public
    meeting follows (private items left out)."""
    found, meeting = _minutes_lock(minutes)
    require(may_convene(actor, meeting), _not_convener())
    if meeting.status != MeetingStatus.CLOSED:
        raise Conflict(_("Minutes are published once the meeting is closed."), code="not_closed")
    if found.status != MinutesStatus.DRAFT:
        raise Conflict(
            _("Published minutes cannot be changed in place: start a correction, with a reason."), code="immutable"
        )
    missing = _missing_items(found, meeting)
    if missing:
        raise DomainError(
            _("Record the minutes of every agenda item first (missing: %(items)s).")
            % {"items": "、".join(i.title for i in missing)},
            code="minutes_missing",
        )
    if found.previous_id is not None:
        previous = Minutes.objects.select_for_update().get(pk=found.previous_id)
        if _entries(previous) == _entries(found):
            raise DomainError(_("The correction changes nothing."), code="unchanged")
        move(previous, MinutesStatus.CORRECTED, transitions=Minutes.TRANSITIONS, labels=MinutesStatus)
        previous.save(update_fields=["status", "updated_at"])
    move(found, MinutesStatus.PUBLISHED, transitions=Minutes.TRANSITIONS, labels=MinutesStatus)
    found.published_by = user_or_none(actor)
    found.published_at = now_or(now)
    found.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="minutes.publish",
        obj=found,
        community_id=found.community_id,
        before={"status": MinutesStatus.DRAFT},
        after={"status": found.status, "version": found.version, "corrects": found.previous_id},
    )
    notify_later(
        recipients=invitee_users(meeting),
        verb="minutes.published",
        title=(_("Corrected minutes: %(title)s") if found.previous_id else _("Minutes published: %(title)s"))
        % {"title": meeting.title},
        body=found.correction_reason,
        link=meeting_link(meeting),
        key=f"meeting:{meeting.pk}:minutes:{found.version}",
        community_id=meeting.community_id,
    )
    return found


@transaction.atomic
def minutes_correct(*, actor: Any, minutes: Minutes | int, reason: str) -> Minutes:
    """Start a correction of published minutes: a new draft version with the same text, and the reason readers
    will see beside it. The published version stays until the correction is published."""
    found, meeting = _minutes_lock(minutes)
    require(may_convene(actor, meeting), _not_convener())
    reason = clean_text(reason, field="reason", max_length=500)
    if found.status != MinutesStatus.PUBLISHED:
        raise Conflict(_("Only the published version of the minutes can be corrected."), code="illegal_transition")
    if _versions(meeting).filter(status=MinutesStatus.DRAFT).exists():
        raise Conflict(_("A correction of these minutes is already being prepared."), code="duplicate")
    last = _versions(meeting).aggregate(v=Max("version"))["v"] or found.version
    try:
        with transaction.atomic():
            draft = Minutes.objects.create(
                community_id=meeting.community_id,
                meeting=meeting,
                version=last + 1,
                previous=found,
                correction_reason=reason,
                created_by=user_or_none(actor),
            )
    except IntegrityError:
        raise Conflict(_("A correction of these minutes is already being prepared."), code="duplicate") from None
    MinutesEntry.objects.bulk_create(
        MinutesEntry(community_id=meeting.community_id, minutes=draft, agenda_item_id=item_id, text=text)
        for item_id, text in _entries(found).items()
    )
    audit_record(
        actor=actor,
        verb="minutes.correct",
        obj=draft,
        community_id=draft.community_id,
        after={"corrects": found.pk, "version": draft.version, "reason": reason},
    )
    return draft


@transaction.atomic
def minutes_discard(*, actor: Any, minutes: Minutes | int) -> Minutes:
    """Throw away a correction that was not published (kept, discarded, for the record)."""
    found, meeting = _minutes_lock(minutes)
    require(may_convene(actor, meeting), _not_convener())
    if found.status == MinutesStatus.DRAFT and found.previous_id is None:
        raise Conflict(_("Only a correction can be discarded."), code="illegal_transition")
    before = move(found, MinutesStatus.DISCARDED, transitions=Minutes.TRANSITIONS, labels=MinutesStatus)
    found.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        verb="minutes.discard",
        obj=found,
        community_id=found.community_id,
        before={"status": before},
        after={"status": found.status},
    )
    return found


# --- Decisions ----------------------------------------------------------------------------------------------------


@transaction.atomic
def decision_add(
    *,
    actor: Any,
    item: AgendaItem | int,
    text: str,
    becomes_action: bool = False,
    action_title: str = "",
    responsible_organization: Organization | None = None,
    responsible_user: User | None = None,
    due_on: Any = None,
    budget: Any = None,
    now: datetime.datetime | None = None,
) -> Decision:
    """Record a decision on an agenda item while the meeting is held. One that ``becomes_action`` names who is
    responsible, the due date (not before today) and a budget estimate; it becomes an action item when the
    meeting closes."""
    pk = item if isinstance(item, int) else item.pk
    meeting_id = AgendaItem.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise NotFound(_("No such agenda item."))
    locked = meeting_lock(meeting_id)
    require(may_convene(actor, locked), _not_convener())
    if locked.status != MeetingStatus.HELD:
        raise Conflict(_("Decisions are recorded while the meeting is held."), code="not_held")
    agenda_item = _item_of(locked, pk)
    text = clean_text(text, field="text", max_length=TEXT_MAX)
    fields: dict[str, Any] = {"becomes_action": bool(becomes_action)}
    if becomes_action:
        fields["action_title"] = clean_text(
            action_title or text[:TITLE_MAX], field="action_title", max_length=TITLE_MAX
        )
        if due_on in (None, ""):
            raise DomainError(_("Enter the due date."), field="due_on", code="required")
        fields["due_on"] = due_date_check(due_on, created_on=local_day(now_or(now)))
        fields["budget"] = budget_parse(budget)
        responsible_check(responsible_organization, responsible_user)
        fields["responsible_organization"] = responsible_organization
        fields["responsible_user"] = responsible_user
    decision = Decision.objects.create(
        community_id=locked.community_id,
        meeting=locked,
        agenda_item=agenda_item,
        text=text,
        recorded_by=user_or_none(actor),
        **fields,
    )
    audit_record(
        actor=actor,
        verb="meeting.decision_add",
        obj=locked,
        community_id=locked.community_id,
        after={"decision": decision.pk, "item": agenda_item.pk, **snapshot(decision, DECISION_FIELDS)},
    )
    return decision


@transaction.atomic
def decision_remove(*, actor: Any, decision: Decision | int) -> None:
    """Take back a decision while the meeting is held (before it became an action item)."""
    pk = decision if isinstance(decision, int) else decision.pk
    meeting_id = Decision.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise NotFound(_("No such decision."))
    locked = meeting_lock(meeting_id)
    require(may_convene(actor, locked), _not_convener())
    if locked.status != MeetingStatus.HELD:
        raise Conflict(_("Decisions are recorded while the meeting is held."), code="not_held")
    found = Decision.objects.get(pk=pk)
    before = {"decision": found.pk, **snapshot(found, DECISION_FIELDS)}
    found.delete()
    audit_record(
        actor=actor, verb="meeting.decision_remove", obj=locked, community_id=locked.community_id, before=before
    )


# --- Closing ------------------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_close(*, actor: Any, meeting: Meeting | int, now: datetime.datetime | None = None) -> list[ActionItem]:
    """Close a held meeting: its minutes must cover every agenda item. In the same transaction every decision
    that becomes an action item is made one — linked to the agenda item's voices, public unless the meeting or
    the item is private — and the responsible organizations are told. Returns the new action items."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    at = now_or(now)
    if locked.status != MeetingStatus.HELD:
        move(locked, MeetingStatus.CLOSED, transitions=Meeting.TRANSITIONS, labels=MeetingStatus)  # raises
    minutes = _versions(locked).exclude(status=MinutesStatus.DISCARDED).order_by("-version").first()
    missing = _missing_items(minutes, locked)
    if minutes is None or missing:
        raise DomainError(
            _("Record the minutes of every agenda item before closing (missing: %(items)s).")
            % {"items": "、".join(i.title for i in missing)},
            field="minutes",
            code="minutes_missing",
        )
    decisions = list(
        Decision.objects.filter(
            community_id=locked.community_id, meeting=locked, becomes_action=True, action_item__isnull=True
        )
        .select_related("agenda_item", "responsible_organization", "responsible_user")
        .order_by("agenda_item__position", "created_at", "pk")
    )
    today = local_day(at)
    for decision in decisions:  # every check before the first write
        if decision.due_on is None or decision.due_on < today:
            raise DomainError(
                _("The decision “%(title)s” is due before today: change it before closing.")
                % {"title": decision.action_title},
                field="due_on",
                code="due_before_creation",
            )
    voices_of: dict[int, list[Any]] = {}
    for link in AgendaItemVoice.objects.filter(
        community_id=locked.community_id, agenda_item__meeting=locked
    ).select_related("voice"):
        voices_of.setdefault(link.agenda_item_id, []).append(link.voice)
    created: list[ActionItem] = []
    for decision in decisions:
        item = action_item_build(
            actor=actor,
            compound=locked.compound,
            title=decision.action_title,
            due_on=decision.due_on,
            responsible_organization=decision.responsible_organization,
            responsible_user=decision.responsible_user,
            budget=decision.budget,
            detail=decision.text,
            voices=voices_of.get(decision.agenda_item_id, []),
            is_public=not (locked.is_private or decision.agenda_item.is_private),
            at=at,
            meeting=locked,
            source=UpdateSource.MEETING,
        )
        decision.action_item = item
        decision.save(update_fields=["action_item"])
        created.append(item)
    before = move(locked, MeetingStatus.CLOSED, transitions=Meeting.TRANSITIONS, labels=MeetingStatus)
    locked.closed_at = at
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="meeting.close",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before},
        after={"status": locked.status, "action_items": [i.pk for i in created]},
    )
    return created
