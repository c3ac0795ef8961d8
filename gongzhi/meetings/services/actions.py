"""Action items (整改事项): created by community staff (or by closing a meeting), updated by the responsible
organization — progress, status, notes, before/after photos — broken into sub-items whose progress rolls up
by weight, rated by the residents whose voices they answer; and updated in bulk, all or nothing.

Status moves follow ``ActionItem.TRANSITIONS``: delaying, cancelling and moving a done item back need a reason;
recording progress on a planned item starts it; done means 100%. An item with sub-items takes its progress
from them (``rollup_progress``) and is done or cancelled only once they all are.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.estates.models import Compound
from gongzhi.finance.money import money_parse
from gongzhi.voices.models import Score, Voice
from gongzhi.voices.photos import PreparedPhoto, photos_prepare, thumb_name

from ..models import (
    OPEN_ACTION_STATUSES,
    TEXT_MAX,
    TITLE_MAX,
    ActionItem,
    ActionItemVoice,
    ActionPhoto,
    ActionRating,
    ActionStatus,
    ActionUpdate,
    Meeting,
    PhotoStage,
    UpdateSource,
    action_photo_path,
)
from ..rules import may_cancel_action, may_create_action, may_rate_action, may_update_action
from ._common import (
    action_link,
    clean_text,
    compound_voices,
    local_day,
    move,
    notify_later,
    now_or,
    organization_members,
    require,
    user_or_none,
)

logger = logging.getLogger(__name__)

MAX_WEIGHT = 100
MAX_SUB_ITEMS = 50
BULK_MAX_ROWS = 5000
ITEM_FIELDS = [
    "title",
    "detail",
    "responsible_organization_id",
    "responsible_user_id",
    "due_on",
    "budget",
    "weight",
    "is_public",
]


# --- Checking input -----------------------------------------------------------------------------------------------


def _date(value: Any, *, field: str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(_("Enter a date."), field=field, code="invalid_date") from None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise DomainError(_("Enter a date."), field=field, code="invalid_date")
    return value


def due_date_check(value: Any, *, created_on: datetime.date, field: str = "due_on") -> datetime.date:
    """A due date, not before the day the item was created (or is being created)."""
    day = _date(value, field=field)
    if day < created_on:
        raise DomainError(
            _("The due date cannot be before the day the item was created (%(day)s).") % {"day": created_on},
            field=field,
            code="due_before_creation",
        )
    return day


def budget_parse(value: Any, *, field: str = "budget") -> Decimal | None:
    """A budget estimate in yuan (¥, two decimals at most), or none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return money_parse(value, field=field, allow_zero=True)


def progress_parse(value: Any, *, field: str = "progress") -> int | None:
    """A whole percentage 0–100, or None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().removesuffix("%").strip() if isinstance(value, str) else value
    try:
        number = Decimal(text) if not isinstance(text, bool) else None
    except (ArithmeticError, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value() or not 0 <= number <= 100:
        raise DomainError(_("Progress is a whole number from 0 to 100."), field=field, code="invalid_progress")
    return int(number)


def weight_parse(value: Any, *, field: str = "weight") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or not 1 <= number <= MAX_WEIGHT or str(number) != str(value).strip():
        raise DomainError(
            _("The weight is a whole number from 1 to %(max)d.") % {"max": MAX_WEIGHT}, field=field, code="invalid"
        )
    return number


def responsible_check(organization: Organization | None, person: User | None) -> None:
    if organization is None and person is None:
        raise DomainError(
            _("Name the responsible organization or person."), field="responsible_organization", code="required"
        )
    if person is not None and not person.is_active:
        raise DomainError(
            _("%(name)s cannot be made responsible: the account is not active.") % {"name": person.name},
            field="responsible_user",
            code="inactive",
        )
    if (
        organization is not None
        and person is not None
        and not Membership.objects.filter(organization=organization, user=person).exists()
    ):
        raise DomainError(
            _("%(name)s is not a member of the responsible organization.") % {"name": person.name},
            field="responsible_user",
            code="not_member",
        )


# --- Locks, rollup, notifications ---------------------------------------------------------------------------------


def item_lock(item: ActionItem | int) -> ActionItem:
    """The item under a row lock, its parent locked first (always parent before child: no deadlock)."""
    pk = item if isinstance(item, int) else item.pk
    parent_id = ActionItem.objects.filter(pk=pk).values_list("parent_id", flat=True).first()
    if parent_id is not None:
        ActionItem.objects.select_for_update().filter(pk=parent_id).first()
    found = (
        ActionItem.objects.select_for_update().select_related("compound", "compound__community").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound(_("No such action item."))
    return found


def rollup_progress(parts: Iterable[tuple[int, int, str]]) -> int | None:
    """The progress of an item from its sub-items' (weight, progress, status): Σ weight × progress / Σ weight,
    rounded half up to a whole percent; cancelled sub-items are left out. None when nothing is left."""
    live = [(w, p) for w, p, status in parts if status != ActionStatus.CANCELLED]
    total = sum(w for w, _p in live)
    if not total:
        return None
    return int((Decimal(sum(w * p for w, p in live)) / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _sub_items(item: ActionItem) -> list[ActionItem]:
    return list(ActionItem.objects.filter(community_id=item.community_id, parent=item).order_by("pk"))


def _rollup(parent: ActionItem, *, actor: Any, at: datetime.datetime) -> None:
    """Recompute a (locked) parent's progress from its sub-items; a planned parent starts once any work shows."""
    parent.refresh_from_db()
    value = rollup_progress((s.weight, s.progress, s.status) for s in _sub_items(parent))
    if value is None or value == parent.progress:
        return
    status_before, progress_before = parent.status, parent.progress
    parent.progress = value
    if parent.status == ActionStatus.PLANNED and value > 0:
        move(parent, ActionStatus.IN_PROGRESS, transitions=ActionItem.TRANSITIONS, labels=ActionStatus)
        parent.started_at = parent.started_at or at
    parent.save(update_fields=["progress", "status", "started_at", "updated_at"])
    ActionUpdate.objects.create(
        community_id=parent.community_id,
        action_item=parent,
        actor=user_or_none(actor),
        source=UpdateSource.ROLLUP,
        status_before=status_before,
        status_after=parent.status,
        progress_before=progress_before,
        progress_after=value,
        at=at,
    )
    audit_record(
        actor=actor,
        verb="action.rollup",
        obj=parent,
        community_id=parent.community_id,
        before={"status": status_before, "progress": progress_before},
        after={"status": parent.status, "progress": value},
    )


def _responsible_people(item: ActionItem) -> list[User]:
    people = organization_members(item.responsible_organization_id)
    if item.responsible_user_id is not None and all(p.pk != item.responsible_user_id for p in people):
        people.extend(User.objects.filter(pk=item.responsible_user_id, is_active=True))
    return people


def notify_assigned(item: ActionItem) -> None:
    notify_later(
        recipients=_responsible_people(item),
        verb="action.assigned",
        title=_("New action item: %(title)s") % {"title": item.title},
        body=_("Due %(day)s") % {"day": item.due_on},
        link=action_link(item.pk),
        key=f"action:{item.pk}:assigned",
        community_id=item.community_id,
    )


def _voice_authors(item: ActionItem) -> list[User]:
    ids = ActionItemVoice.objects.filter(
        community_id=item.community_id, action_item=item, voice__author__isnull=False
    ).values("voice__author_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


# --- Creating and editing -----------------------------------------------------------------------------------------


def action_item_build(
    *,
    actor: Any,
    compound: Compound,
    title: str,
    due_on: Any,
    responsible_organization: Organization | None,
    responsible_user: User | None,
    budget: Any,
    detail: str,
    voices: Sequence[Voice],
    is_public: bool,
    at: datetime.datetime,
    meeting: Meeting | None = None,
    parent: ActionItem | None = None,
    weight: Any = 1,
    source: str = UpdateSource.APP,
) -> ActionItem:
    """Check and write one item with its voices and first update (inside the caller's transaction, after the
    caller's permission check)."""
    title = clean_text(title, field="title", max_length=TITLE_MAX)
    detail = clean_text(detail, field="detail", max_length=TEXT_MAX, required=False)
    due = due_date_check(due_on, created_on=local_day(at))
    money = budget_parse(budget)
    responsible_check(responsible_organization, responsible_user)
    item = ActionItem.objects.create(
        community_id=compound.community_id,
        compound=compound,
        meeting=meeting,
        parent=parent,
        weight=weight_parse(weight),
        title=title,
        detail=detail,
        responsible_organization=responsible_organization,
        responsible_user=responsible_user,
        due_on=due,
        budget=money,
        is_public=bool(is_public),
        created_by=user_or_none(actor),
    )
    ActionItemVoice.objects.bulk_create(
        ActionItemVoice(community_id=item.community_id, action_item=item, voice=v) for v in voices
    )
    ActionUpdate.objects.create(
        community_id=item.community_id,
        action_item=item,
        actor=user_or_none(actor),
        source=source,
        status_after=item.status,
        progress_after=item.progress,
        at=at,
    )
    audit_record(
        actor=actor,
        verb="action.create",
        obj=item,
        community_id=item.community_id,
        after={
            **snapshot(item, ITEM_FIELDS),
            "meeting": item.meeting_id,
            "parent": item.parent_id,
            "voices": [v.pk for v in voices],
        },
    )
    notify_assigned(item)
    return item


@transaction.atomic
def action_item_create(
    *,
    actor: Any,
    compound: Compound | None = None,
    title: str,
    due_on: Any,
    responsible_organization: Organization | None = None,
    responsible_user: User | None = None,
    budget: Any = None,
    detail: str = "",
    voice_ids: Iterable[Any] = (),
    is_public: bool = True,
    parent: ActionItem | int | None = None,
    weight: Any = 1,
    now: datetime.datetime | None = None,
) -> ActionItem:
    """A new action item of a compound (community staff), or a sub-item of an item (whoever may update that
    item; the responsible organization and publicity follow the parent unless given). The due date is not
    before today; a sub-item cannot have sub-items of its own."""
    at = now_or(now)
    if parent is not None:
        locked = item_lock(parent)
        require(may_update_action(actor, locked), _("You may not update this action item."))
        if locked.parent_id is not None:
            raise DomainError(_("A sub-item cannot have sub-items of its own."), field="parent", code="too_deep")
        if locked.status not in OPEN_ACTION_STATUSES:
            raise Conflict(
                _("This action item is %(status)s: no sub-items can be added.")
                % {"status": ActionStatus(locked.status).label},
                code="illegal_transition",
            )
        if ActionItem.objects.filter(community_id=locked.community_id, parent=locked).count() >= MAX_SUB_ITEMS:
            raise DomainError(
                _("An action item has at most %(max)d sub-items.") % {"max": MAX_SUB_ITEMS},
                field="parent",
                code="too_many",
            )
        item = action_item_build(
            actor=actor,
            compound=locked.compound,
            title=title,
            due_on=due_on,
            responsible_organization=responsible_organization or locked.responsible_organization,
            responsible_user=responsible_user,
            budget=budget,
            detail=detail,
            voices=compound_voices(locked.compound, voice_ids),
            is_public=locked.is_public and is_public,
            at=at,
            meeting=locked.meeting,
            parent=locked,
            weight=weight,
        )
        _rollup(locked, actor=actor, at=at)
        return item
    if compound is None:
        raise DomainError(_("Choose a compound."), field="compound", code="required")
    require(may_create_action(actor, compound), _("You may not create action items for this compound."))
    return action_item_build(
        actor=actor,
        compound=compound,
        title=title,
        due_on=due_on,
        responsible_organization=responsible_organization,
        responsible_user=responsible_user,
        budget=budget,
        detail=detail,
        voices=compound_voices(compound, voice_ids),
        is_public=is_public,
        at=at,
        weight=weight,
    )


@transaction.atomic
def action_item_edit(
    *,
    actor: Any,
    item: ActionItem | int,
    title: str,
    due_on: Any,
    responsible_organization: Organization | None = None,
    responsible_user: User | None = None,
    budget: Any = None,
    detail: str = "",
    is_public: bool = True,
    weight: Any = 1,
    now: datetime.datetime | None = None,
) -> ActionItem:
    """Community staff change an open item's details. The due date stays on or after the day it was created."""
    locked = item_lock(item)
    require(may_cancel_action(actor, locked), _("Only community staff may change an action item's details."))
    if locked.status not in OPEN_ACTION_STATUSES:
        raise Conflict(
            _("This action item is %(status)s: it can no longer be changed.")
            % {"status": ActionStatus(locked.status).label},
            code="immutable",
        )
    before = snapshot(locked, ITEM_FIELDS)
    locked.title = clean_text(title, field="title", max_length=TITLE_MAX)
    locked.detail = clean_text(detail, field="detail", max_length=TEXT_MAX, required=False)
    locked.due_on = due_date_check(due_on, created_on=local_day(locked.created_at))
    locked.budget = budget_parse(budget)
    responsible_check(responsible_organization, responsible_user)
    reassigned = locked.responsible_organization_id != getattr(
        responsible_organization, "pk", None
    ) or locked.responsible_user_id != getattr(responsible_user, "pk", None)
    locked.responsible_organization = responsible_organization
    locked.responsible_user = responsible_user
    locked.weight = weight_parse(weight)
    parent_public = locked.parent.is_public if locked.parent_id is not None and locked.parent else True
    locked.is_public = bool(is_public) and parent_public
    after = snapshot(locked, ITEM_FIELDS)
    if after == before:
        return locked
    locked.save()
    audit_record(
        actor=actor, verb="action.edit", obj=locked, community_id=locked.community_id, before=before, after=after
    )
    if before["is_public"] and not locked.is_public:  # a private item's sub-items leave the public list too
        ActionItem.objects.filter(community_id=locked.community_id, parent=locked, is_public=True).update(
            is_public=False
        )
    if reassigned:
        notify_assigned(locked)
    if locked.parent_id is not None and before["weight"] != after["weight"] and locked.parent:
        _rollup(locked.parent, actor=actor, at=now_or(now))
    return locked


@transaction.atomic
def action_voices_link(*, actor: Any, item: ActionItem | int, voice_ids: Iterable[Any]) -> list[ActionItemVoice]:
    """Link voices of the compound to an item (community staff): their authors will be told when it is done."""
    locked = item_lock(item)
    require(may_cancel_action(actor, locked), _("Only community staff may change an action item's details."))
    voices = compound_voices(locked.compound, voice_ids)
    have = set(
        ActionItemVoice.objects.filter(community_id=locked.community_id, action_item=locked).values_list(
            "voice_id", flat=True
        )
    )
    links = ActionItemVoice.objects.bulk_create(
        ActionItemVoice(community_id=locked.community_id, action_item=locked, voice=v)
        for v in voices
        if v.pk not in have
    )
    if links:
        audit_record(
            actor=actor,
            verb="action.voices_link",
            obj=locked,
            community_id=locked.community_id,
            after={"voices": [link.voice_id for link in links]},
        )
    return links


# --- Progress and status ------------------------------------------------------------------------------------------


def _status_value(status: Any) -> str:
    """A status from its value or its label (as a spreadsheet shows it); "" when not given."""
    text = str(status or "").strip()
    if not text:
        return ""
    for choice in ActionStatus:
        if text in (choice.value, str(choice.label)):
            return choice.value
    raise DomainError(_("Choose a status."), field="status", code="invalid_status")


def _reason_message(before: str, to: str) -> str:
    if to == ActionStatus.DELAYED:
        return _("Give the reason for the delay.")
    if to == ActionStatus.CANCELLED:
        return _("Give the reason for cancelling.")
    return _("Give the reason for moving a done item back.")


@dataclass(frozen=True)
class Change:
    """What one update did to an item."""

    item_id: int
    status_before: str
    status_after: str
    progress_before: int
    progress_after: int
    update_id: int | None = None


def apply_update(
    *,
    actor: Any,
    item: ActionItem | int,
    progress: Any = None,
    status: Any = "",
    note: str = "",
    reason: str = "",
    due_on: Any = None,
    has_photos: bool = False,
    at: datetime.datetime,
    source: str = UpdateSource.APP,
) -> tuple[ActionItem, ActionUpdate]:
    """One update of one item, inside the caller's transaction: every check, then the writes."""
    locked = item_lock(item)
    require(may_update_action(actor, locked), _("You may not update this action item."))
    if locked.status == ActionStatus.CANCELLED:
        raise Conflict(_("This action item was cancelled: it can no longer be updated."), code="cancelled")
    value = progress_parse(progress)
    wanted = _status_value(status)
    note = clean_text(note, field="note", max_length=TEXT_MAX, required=False)
    reason = clean_text(reason, field="reason", required=False)
    before_status, before_progress = locked.status, locked.progress
    subs = _sub_items(locked)
    live_subs = [s for s in subs if s.status != ActionStatus.CANCELLED]
    if live_subs and value is not None and value != locked.progress:
        raise DomainError(
            _("The progress of an item with sub-items follows them: update the sub-items."),
            field="progress",
            code="rollup",
        )
    target = wanted
    if not target and locked.status == ActionStatus.PLANNED and value:
        target = ActionStatus.IN_PROGRESS  # recording progress starts the work
    if target == locked.status and not (target == ActionStatus.DELAYED and reason):
        target = ""  # the same status again: only progress or a note
    if locked.status == ActionStatus.DONE and target != ActionStatus.IN_PROGRESS and value not in (None, 100):
        raise Conflict(_("A done item changes only by moving it back to in progress, with a reason."), code="done_item")
    if target:
        if (locked.status, target) in ActionItem.REASON_NEEDED and not reason:
            raise DomainError(_reason_message(locked.status, target), field="reason", code="reason_required")
        if target == ActionStatus.CANCELLED:
            require(may_cancel_action(actor, locked), _("Only community staff may cancel an action item."))
        if target in (ActionStatus.DONE, ActionStatus.CANCELLED) and any(
            s.status in OPEN_ACTION_STATUSES for s in subs
        ):
            raise Conflict(_("Finish or cancel its sub-items first."), code="open_sub_items")
        if target == ActionStatus.DONE and value not in (None, 100):
            raise DomainError(_("A done item's progress is 100."), field="progress", code="invalid_progress")
        move(locked, target, transitions=ActionItem.TRANSITIONS, labels=ActionStatus)
    progress_changed = value is not None and value != locked.progress
    if not target and not progress_changed and not note and not has_photos:
        raise DomainError(
            _("Nothing to update: change the progress or the status, or add a note or photos."), code="nothing"
        )
    new_due = None
    if due_on not in (None, ""):
        if target != ActionStatus.DELAYED:
            raise DomainError(
                _("A new due date is set by delaying the item."), field="due_on", code="due_without_delay"
            )
        new_due = _date(due_on, field="due_on")
        if new_due < max(local_day(at), local_day(locked.created_at)):
            raise DomainError(_("The new due date cannot be before today."), field="due_on", code="due_in_past")
    if value is not None and not live_subs:
        locked.progress = value
    if target == ActionStatus.DONE:
        locked.progress = 100
        locked.done_at = at
        locked.done_round += 1
    elif target and before_status == ActionStatus.DONE:
        locked.done_at = None
    if target == ActionStatus.IN_PROGRESS and locked.started_at is None:
        locked.started_at = at
    if target == ActionStatus.CANCELLED:
        locked.cancelled_at = at
    if target and (before_status, target) in ActionItem.REASON_NEEDED:
        locked.status_reason = reason
    if new_due is not None:
        locked.due_on = new_due
    locked.save()
    update = ActionUpdate.objects.create(
        community_id=locked.community_id,
        action_item=locked,
        actor=user_or_none(actor),
        source=source,
        status_before=before_status,
        status_after=locked.status,
        progress_before=before_progress,
        progress_after=locked.progress,
        note=note,
        reason=reason,
        at=at,
    )
    audit_record(
        actor=actor,
        verb="action.update",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before_status, "progress": before_progress},
        after={
            "status": locked.status,
            "progress": locked.progress,
            "reason": reason,
            "due_on": locked.due_on,
            "update": update.pk,
            "source": source,
        },
    )
    if locked.parent_id is not None and locked.parent:
        _rollup(locked.parent, actor=actor, at=at)
    if target == ActionStatus.DONE:
        notify_later(
            recipients=_voice_authors(locked),
            verb="action.done",
            title=_("Done: %(title)s — the action item answering your voice. How did it go?") % {"title": locked.title},
            body=note[:200],
            link=action_link(locked.pk),
            key=f"action:{locked.pk}:done:{locked.done_round}",
            community_id=locked.community_id,
        )
    return locked, update


def action_progress_update(
    *,
    actor: Any,
    item: ActionItem | int,
    progress: Any = None,
    status: Any = "",
    note: str = "",
    reason: str = "",
    due_on: Any = None,
    photos_before: Sequence[Any] = (),
    photos_after: Sequence[Any] = (),
    now: datetime.datetime | None = None,
) -> ActionUpdate:
    """Update an item's progress (0–100) and/or status, with a note and before/after photos.

    Photos are checked and re-encoded before the transaction (slow, no lock held); rows are written in it and
    the files once it commits. Any bad input refuses the whole update and changes nothing.
    """
    before = photos_prepare(photos_before)
    after = photos_prepare(photos_after)
    return _progress_update(
        actor=actor,
        item=item,
        progress=progress,
        status=status,
        note=note,
        reason=reason,
        due_on=due_on,
        photos={PhotoStage.BEFORE: before, PhotoStage.AFTER: after},
        at=now_or(now),
    )


@transaction.atomic
def _progress_update(
    *,
    actor: Any,
    item: ActionItem | int,
    progress: Any,
    status: Any,
    note: str,
    reason: str,
    due_on: Any,
    photos: dict[str, list[PreparedPhoto]],
    at: datetime.datetime,
) -> ActionUpdate:
    count = sum(len(p) for p in photos.values())
    locked, update = apply_update(
        actor=actor,
        item=item,
        progress=progress,
        status=status,
        note=note,
        reason=reason,
        due_on=due_on,
        has_photos=bool(count),
        at=at,
    )
    if count:
        _photos_store(actor=actor, item=locked, update=update, photos=photos, at=at)
    return update


def photo_storage() -> Any:
    return ActionPhoto._meta.get_field("image").storage


def _photos_store(
    *, actor: Any, item: ActionItem, update: ActionUpdate, photos: dict[str, list[PreparedPhoto]], at: datetime.datetime
) -> list[ActionPhoto]:
    """Rows for checked photos, files written once the transaction commits (rows removed if that fails)."""
    adding = sum(len(p) for p in photos.values())
    already = ActionPhoto.objects.filter(community_id=item.community_id, action_item=item).count()
    if already + adding > ActionPhoto.MAX_PER_ITEM:
        raise DomainError(
            _("An action item has at most %(max)d photos (it has %(n)d).")
            % {"max": ActionPhoto.MAX_PER_ITEM, "n": already},
            field="photos",
            code="photo_too_many",
        )
    rows: list[ActionPhoto] = []
    items: list[tuple[int, str, PreparedPhoto]] = []
    for stage, prepared in photos.items():
        for p in prepared:
            photo = ActionPhoto(
                community_id=item.community_id,
                action_item=item,
                update=update,
                stage=stage,
                width=p.width,
                height=p.height,
                size=len(p.data),
                uploaded_by=user_or_none(actor),
                created_at=at,
            )
            photo.image.name = action_photo_path(photo, "photo.jpg")
            photo.save()
            rows.append(photo)
            items.append((photo.pk, photo.image.name, p))
    storage = photo_storage()

    def write() -> None:
        written: list[str] = []
        try:
            for pk, name, prepared in items:
                saved = storage.save(name, ContentFile(prepared.data))
                written.append(saved)
                if saved != name:
                    ActionPhoto.objects.filter(pk=pk).update(image=saved)
                written.append(storage.save(thumb_name(saved), ContentFile(prepared.thumb)))
        except Exception:
            logger.exception("Action item photos could not be written; their rows are removed.")
            for name in written:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("Could not remove %s", name)
            ActionPhoto.objects.filter(pk__in=[pk for pk, _n, _p in items]).delete()

    transaction.on_commit(write)
    audit_record(
        actor=actor,
        verb="action.photos_add",
        obj=item,
        community_id=item.community_id,
        after={
            "update": update.pk,
            "photos": [p.pk for p in rows],
            "stages": [p.stage for p in rows],
            "bytes": sum(p.size for p in rows),
        },
    )
    return rows


# --- Ratings ------------------------------------------------------------------------------------------------------


@transaction.atomic
def action_rate(
    *, actor: Any, item: ActionItem | int, score: str, comment: str = "", now: datetime.datetime | None = None
) -> ActionRating:
    """A resident whose voice the done item answers rates it, once each time it is done."""
    locked = item_lock(item)
    require(may_rate_action(actor, locked), _("Only residents whose voices this item answers may rate it."))
    if score not in Score.values:
        raise DomainError(_("Choose satisfied, basically satisfied or dissatisfied."), field="score", code="invalid")
    comment = clean_text(comment, field="comment", max_length=500, required=False)
    if locked.status != ActionStatus.DONE:
        raise Conflict(_("Only a done action item can be rated."), code="not_done")
    if ActionRating.objects.filter(
        community_id=locked.community_id, action_item=locked, rater=actor, round=locked.done_round
    ).exists():
        raise Conflict(_("You have already rated this action item."), code="already_rated")
    rating = ActionRating.objects.create(
        community_id=locked.community_id,
        action_item=locked,
        rater=actor,
        round=locked.done_round,
        score=score,
        comment=comment,
        at=now_or(now),
    )
    audit_record(
        actor=actor,
        verb="action.rate",
        obj=locked,
        community_id=locked.community_id,
        after={"score": score, "round": rating.round},
    )
    if score == Score.DISSATISFIED:
        notify_later(
            recipients=_responsible_people(locked),
            verb="action.dissatisfied",
            title=_("A resident is not satisfied with “%(title)s”") % {"title": locked.title},
            body=comment[:200],
            link=action_link(locked.pk),
            key=f"action:{locked.pk}:dissatisfied:{rating.pk}",
            community_id=locked.community_id,
        )
    return rating


# --- Bulk update --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkRow:
    """One row of a bulk progress update (a spreadsheet row): the item's id, and what to change."""

    id: Any
    progress: Any = None
    status: Any = ""
    note: str = ""
    reason: str = ""
    row: int = 0  # the row number shown in errors (the spreadsheet's); its position in the list when 0


@dataclass(frozen=True)
class BulkError:
    row: int
    field: str
    message: str
    code: str = "invalid"


@dataclass
class BulkResult:
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False


class BulkRefused(DomainError):
    """A bulk update with any bad row: nothing is changed; ``errors`` lists every bad row."""

    def __init__(self, errors: list[BulkError]) -> None:
        n = len({e.row for e in errors})
        super().__init__(
            ngettext("Nothing was updated: %(n)d row has errors.", "Nothing was updated: %(n)d rows have errors.", n)
            % {"n": n},
            code="bulk_refused",
        )
        self.errors = errors


class _Rollback(Exception):
    pass


def _row_id(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def actions_bulk_update(
    *, actor: Any, rows: Sequence[BulkRow], dry_run: bool = False, now: datetime.datetime | None = None
) -> BulkResult:
    """Apply progress rows all or nothing: every row is checked as ``action_progress_update`` would (in order,
    each seeing the rows before it); any bad row refuses the whole update (``BulkRefused`` with every bad row).
    ``dry_run`` checks and reports the changes without keeping them (the preview)."""
    at = now_or(now)
    if not rows:
        raise DomainError(_("There is no row to update."), code="empty")
    if len(rows) > BULK_MAX_ROWS:
        raise DomainError(_("At most %(max)d rows at once.") % {"max": BULK_MAX_ROWS}, code="too_many")
    numbered = [(r.row or n, r) for n, r in enumerate(rows, start=1)]
    errors: list[BulkError] = []
    seen: dict[int, int] = {}
    for number, row in numbered:
        pk = _row_id(row.id)
        if pk is None:
            errors.append(BulkError(number, "id", _("Enter the action item's number.")))
        elif pk in seen:
            errors.append(BulkError(number, "id", _("This action item is also in row %(row)d.") % {"row": seen[pk]}))
        else:
            seen[pk] = number
    if errors:
        raise BulkRefused(errors)
    result = BulkResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            # Lock every item (and parent) in one order first, so that two bulk updates cannot deadlock.
            ids = set(seen)
            parents = set(
                ActionItem.objects.filter(pk__in=ids, parent__isnull=False).values_list("parent_id", flat=True)
            )
            list(ActionItem.objects.select_for_update().filter(pk__in=ids | parents).order_by("pk").values("pk"))
            for number, row in numbered:
                try:
                    with transaction.atomic():
                        item, update = apply_update(
                            actor=actor,
                            item=int(str(row.id).strip()),
                            progress=row.progress,
                            status=row.status,
                            note=row.note,
                            reason=row.reason,
                            at=at,
                            source=UpdateSource.BULK,
                        )
                    result.changes.append(
                        Change(
                            item_id=item.pk,
                            status_before=update.status_before,
                            status_after=update.status_after,
                            progress_before=update.progress_before or 0,
                            progress_after=update.progress_after,
                            update_id=None if dry_run else update.pk,
                        )
                    )
                except DomainError as refused:
                    errors.append(BulkError(number, refused.field or "", refused.message, refused.code))
            if errors or dry_run:
                raise _Rollback
            audit_record(
                actor=actor,
                verb="action.bulk_update",
                object_type="meetings.actionitem",
                after={"rows": len(rows), "items": sorted(ids)},
            )
    except _Rollback:
        pass
    if errors:
        raise BulkRefused(errors)
    return result
