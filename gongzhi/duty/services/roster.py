"""Putting people on shifts: staff rostering, volunteers taking open places, swaps, checking in and out.

A person is never on two shifts whose times overlap (any post): refused with a clear error, nothing changed.
Changes to one person's shifts are serialised by a lock on their user row, changes to a shift's places by a
lock on the shift row.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound

from ..models import Assignment, DutyPost, ServeKind, Shift, SwapRequest, SwapStatus
from ..people import KIND_ORDER, serve_kinds
from ..rules import (
    may_answer_swap,
    may_check_in,
    may_manage,
    may_propose_swap,
    may_take_place,
    may_withdraw_swap,
)
from ._common import (
    MINE_LINK,
    lock_assignment,
    lock_shift,
    lock_user,
    move,
    notify_later,
    now_or,
    refuse_overlap,
    require,
    when,
)

# Check-in opens this long before a shift starts; check-out closes this long after it ends.
CHECK_IN_EARLY = datetime.timedelta(minutes=15)
CHECK_OUT_LATE = datetime.timedelta(minutes=60)


def kind_counts(shift: Shift | int) -> dict[str, int]:
    """How many people serve as each kind on the shift."""
    pk = shift if isinstance(shift, int) else shift.pk
    rows = Assignment.objects.filter(shift_id=pk).values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    return {kind: n for kind, n in rows}


def _open_shift(shift: Shift, at: datetime.datetime) -> None:
    if shift.cancelled:
        raise Conflict(_("This shift is cancelled."), code="cancelled")
    if shift.ends_at <= at:
        raise Conflict(_("This shift is over."), code="past")


def _not_twice(shift: Shift, user: Any) -> None:
    if Assignment.objects.filter(community_id=shift.community_id, shift=shift, user_id=user.pk).exists():
        raise Conflict(
            _("%(name)s is already on this shift.") % {"name": getattr(user, "name", "")}, field="user", code="twice"
        )


def _room(shift: Shift) -> None:
    taken = Assignment.objects.filter(community_id=shift.community_id, shift=shift).count()
    if taken >= shift.post.places:
        raise Conflict(_("This shift is full."), code="full")


def _assign(*, actor: Any, shift: Shift, user: Any, kind: str, verb: str) -> Assignment:
    row = Assignment.objects.create(
        community_id=shift.community_id,
        shift=shift,
        user=user,
        kind=kind,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb=verb,
        obj=row,
        community_id=row.community_id,
        after={"shift": shift.pk, "user": user.pk, "kind": kind},
    )
    return row


@transaction.atomic
def assignment_create(
    *, actor: Any, shift: Shift | int, user: Any, kind: str | None = None, now: datetime.datetime | None = None
) -> Assignment:
    """Put a person on a shift (staff rostering), serving as ``kind`` (by default the first kind they may serve
    as whose minimum the shift does not yet meet, else their first kind)."""
    at = now_or(now)
    locked = lock_shift(shift)
    compound = locked.post.compound
    require(may_manage(actor, compound), _("You may not manage the duty posts of this compound."))
    person = lock_user(user)
    kinds = serve_kinds(person, compound)
    if not kinds:
        raise DomainError(
            _("%(name)s is not a police officer, property staff member or active resident volunteer here.")
            % {"name": person.name},
            field="user",
            code="not_eligible",
        )
    if kind is None:
        counts = kind_counts(locked)
        short = [k for k in kinds if counts.get(k, 0) < locked.post.minimum(k)]
        kind = (short or kinds)[0]
    elif kind not in kinds:
        raise DomainError(
            _("%(name)s cannot serve as %(kind)s here.") % {"name": person.name, "kind": ServeKind(kind).label},
            field="kind",
            code="not_eligible",
        )
    _open_shift(locked, at)
    _not_twice(locked, person)
    _room(locked)
    refuse_overlap(person, locked.starts_at, locked.ends_at)
    row = _assign(actor=actor, shift=locked, user=person, kind=kind, verb="duty.assign")
    notify_later(
        recipients=[person],
        verb="duty.assigned",
        title=_("You are on duty: %(post)s") % {"post": locked.post.name},
        body=when(locked),
        link=MINE_LINK,
        key=f"duty:assign:{row.pk}",
        community_id=locked.community_id,
    )
    return row


@transaction.atomic
def assignment_remove(*, actor: Any, assignment: Assignment | int) -> None:
    """Take a person off a shift (staff); not once they have checked in."""
    row = lock_assignment(assignment)
    require(may_manage(actor, row.shift.post.compound), _("You may not manage the duty posts of this compound."))
    if row.checked_in_at is not None:
        raise Conflict(_("This person has already checked in."), code="checked_in")
    audit_record(
        actor=actor,
        verb="duty.unassign",
        obj=row,
        community_id=row.community_id,
        before={"shift": row.shift_id, "user": row.user_id, "kind": row.kind},
    )
    SwapRequest.objects.filter(status=SwapStatus.PROPOSED, offered=row).update(status=SwapStatus.WITHDRAWN)
    SwapRequest.objects.filter(status=SwapStatus.PROPOSED, wanted=row).update(status=SwapStatus.WITHDRAWN)
    row.delete()


@transaction.atomic
def place_take(*, user: Any, shift: Shift | int, now: datetime.datetime | None = None) -> Assignment:
    """A resident volunteer takes an open place on a shift that has not started."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Log in to take a place."))
    at = now_or(now)
    locked = lock_shift(shift)
    require(may_take_place(user, locked), _("Only active volunteers living in this compound take places."))
    person = lock_user(user)
    if locked.starts_at <= at:
        _open_shift(locked, at)
        raise Conflict(_("This shift has started."), code="started")
    _open_shift(locked, at)
    _not_twice(locked, person)
    _room(locked)
    refuse_overlap(person, locked.starts_at, locked.ends_at)
    return _assign(actor=person, shift=locked, user=person, kind=ServeKind.VOLUNTEER, verb="duty.place_take")


@transaction.atomic
def place_leave(*, user: Any, assignment: Assignment | int, now: datetime.datetime | None = None) -> None:
    """A volunteer gives back a place they took, before the shift starts."""
    at = now_or(now)
    row = lock_assignment(assignment)
    require(may_check_in(user, row), _("This is not your shift."))
    if row.starts_at <= at:
        raise Conflict(_("This shift has started."), code="started")
    audit_record(
        actor=user,
        verb="duty.place_leave",
        obj=row,
        community_id=row.community_id,
        before={"shift": row.shift_id, "user": row.user_id, "kind": row.kind},
    )
    SwapRequest.objects.filter(status=SwapStatus.PROPOSED, offered=row).update(status=SwapStatus.WITHDRAWN)
    SwapRequest.objects.filter(status=SwapStatus.PROPOSED, wanted=row).update(status=SwapStatus.WITHDRAWN)
    row.delete()


# --- Swaps ----------------------------------------------------------------------------------------------------------


def _rule_after_swap(shift: Shift, post: DutyPost, leaving: str, coming: str) -> None:
    """Refuse when ``leaving`` going and ``coming`` arriving leaves the shift short of its rule for ``leaving``
    (a shift already short is not made shorter)."""
    if leaving == coming:
        return
    before = kind_counts(shift).get(leaving, 0)
    after = before - 1
    if after < post.minimum(leaving):
        raise DomainError(
            _(
                "After this swap the shift of %(when)s would have %(n)d %(kind)s, fewer than its rule requires "
                "(%(min)d)."
            )
            % {"when": when(shift), "n": after, "kind": ServeKind(leaving).label, "min": post.minimum(leaving)},
            field="wanted",
            code="breaks_rule",
        )


def _swap_check(offered: Assignment, wanted: Assignment, at: datetime.datetime) -> None:
    """Everything a swap must satisfy, checked when it is proposed and again when it is accepted."""
    for row in (offered, wanted):
        _open_shift(row.shift, at)
        if row.starts_at <= at or row.checked_in_at is not None:
            raise Conflict(_("A shift that has started cannot be swapped."), code="started")
    if offered.user_id == wanted.user_id:
        raise DomainError(_("Choose someone else's shift."), field="wanted", code="same_person")
    if offered.shift_id == wanted.shift_id:
        raise DomainError(_("You are both on this shift already."), field="wanted", code="same_shift")
    # each must be able to serve as their kind on the other's post
    for row, other in ((offered, wanted), (wanted, offered)):
        if row.kind not in serve_kinds(row.user, other.shift.post.compound):
            raise DomainError(
                _("%(name)s cannot serve as %(kind)s on that post.")
                % {"name": row.user.name, "kind": ServeKind(row.kind).label},
                field="wanted",
                code="not_eligible",
            )
    _rule_after_swap(offered.shift, offered.shift.post, offered.kind, wanted.kind)
    _rule_after_swap(wanted.shift, wanted.shift.post, wanted.kind, offered.kind)
    for row, other in ((offered, wanted), (wanted, offered)):
        if Assignment.objects.filter(shift_id=other.shift_id, user_id=row.user_id).exists():
            raise Conflict(_("%(name)s is already on that shift.") % {"name": row.user.name}, code="twice")
        refuse_overlap(row.user, other.starts_at, other.ends_at, exclude=[row.pk])


@transaction.atomic
def swap_propose(
    *, user: Any, offered: Assignment | int, wanted: Assignment | int, now: datetime.datetime | None = None
) -> SwapRequest:
    """Propose to give one's own shift for another person's; they accept or decline."""
    at = now_or(now)
    mine = lock_assignment(offered)
    require(may_propose_swap(user, mine), _("This is not your shift."))
    theirs = lock_assignment(wanted)
    if theirs.community_id != mine.community_id:
        raise DomainError(_("Choose a shift of the same community."), field="wanted", code="other_community")
    if SwapRequest.objects.filter(status=SwapStatus.PROPOSED, offered=mine, wanted=theirs).exists():
        raise Conflict(_("You have already proposed this swap."), code="twice")
    _swap_check(mine, theirs, at)
    swap = SwapRequest.objects.create(
        community_id=mine.community_id, offered=mine, wanted=theirs, proposer=mine.user, counterpart=theirs.user
    )
    audit_record(
        actor=user,
        verb="duty.swap_propose",
        obj=swap,
        community_id=swap.community_id,
        after={"offered": mine.pk, "wanted": theirs.pk},
    )
    notify_later(
        recipients=[theirs.user],
        verb="duty.swap_proposed",
        title=_("%(name)s asks to swap shifts with you") % {"name": mine.user.name},
        body=f"{when(mine.shift)} ⇄ {when(theirs.shift)}",
        link=MINE_LINK,
        key=f"duty:swap:{swap.pk}",
        community_id=swap.community_id,
    )
    return swap


def _lock_swap(swap: SwapRequest | int) -> SwapRequest:
    pk = swap if isinstance(swap, int) else swap.pk
    found = SwapRequest.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such swap request."))
    return found


@transaction.atomic
def swap_accept(*, user: Any, swap: SwapRequest | int, now: datetime.datetime | None = None) -> SwapRequest:
    """The other person accepts: the two exchange shifts, if the swap still keeps both shifts' rules."""
    at = now_or(now)
    found = _lock_swap(swap)
    require(may_answer_swap(user, found), _("This swap is not addressed to you."))
    move(found, SwapStatus.ACCEPTED, transitions=SwapRequest.TRANSITIONS, labels=SwapStatus)
    first, second = sorted([found.offered_id, found.wanted_id])
    lock_user(found.proposer)
    lock_user(found.counterpart)
    rows = {first: lock_assignment(first), second: lock_assignment(second)}
    mine, theirs = rows[found.offered_id], rows[found.wanted_id]
    if mine.user_id != found.proposer_id or theirs.user_id != found.counterpart_id:
        raise Conflict(_("These shifts have changed since the swap was proposed."), code="stale")
    _swap_check(mine, theirs, at)
    shift_a, shift_b = mine.shift, theirs.shift
    mine.shift, mine.starts_at, mine.ends_at = shift_b, shift_b.starts_at, shift_b.ends_at
    theirs.shift, theirs.starts_at, theirs.ends_at = shift_a, shift_a.starts_at, shift_a.ends_at
    mine.reminded_at = theirs.reminded_at = None
    mine.save(update_fields=["shift", "starts_at", "ends_at", "reminded_at"])
    theirs.save(update_fields=["shift", "starts_at", "ends_at", "reminded_at"])
    found.decided_at = at
    found.save(update_fields=["status", "decided_at"])
    SwapRequest.objects.filter(status=SwapStatus.PROPOSED, offered_id__in=[mine.pk, theirs.pk]).update(
        status=SwapStatus.WITHDRAWN
    )
    SwapRequest.objects.filter(status=SwapStatus.PROPOSED, wanted_id__in=[mine.pk, theirs.pk]).update(
        status=SwapStatus.WITHDRAWN
    )
    audit_record(
        actor=user,
        verb="duty.swap_accept",
        obj=found,
        community_id=found.community_id,
        after={"offered": mine.pk, "wanted": theirs.pk, "shifts": [shift_a.pk, shift_b.pk]},
    )
    notify_later(
        recipients=[found.proposer],
        verb="duty.swap_accepted",
        title=_("Your shift swap was accepted"),
        body=f"{when(shift_a)} ⇄ {when(shift_b)}",
        link=MINE_LINK,
        key=f"duty:swap:{found.pk}:accepted",
        community_id=found.community_id,
    )
    return found


@transaction.atomic
def swap_decline(*, user: Any, swap: SwapRequest | int, now: datetime.datetime | None = None) -> SwapRequest:
    found = _lock_swap(swap)
    require(may_answer_swap(user, found), _("This swap is not addressed to you."))
    move(found, SwapStatus.DECLINED, transitions=SwapRequest.TRANSITIONS, labels=SwapStatus)
    found.decided_at = now_or(now)
    found.save(update_fields=["status", "decided_at"])
    audit_record(actor=user, verb="duty.swap_decline", obj=found, community_id=found.community_id)
    return found


@transaction.atomic
def swap_withdraw(*, user: Any, swap: SwapRequest | int, now: datetime.datetime | None = None) -> SwapRequest:
    found = _lock_swap(swap)
    require(may_withdraw_swap(user, found), _("This is not your swap request."))
    move(found, SwapStatus.WITHDRAWN, transitions=SwapRequest.TRANSITIONS, labels=SwapStatus)
    found.decided_at = now_or(now)
    found.save(update_fields=["status", "decided_at"])
    audit_record(actor=user, verb="duty.swap_withdraw", obj=found, community_id=found.community_id)
    return found


# --- Checking in and out ------------------------------------------------------------------------------------------


@transaction.atomic
def check_in(*, user: Any, assignment: Assignment | int, now: datetime.datetime | None = None) -> Assignment:
    """Check in on one's own shift, from a quarter of an hour before it starts until it ends; once."""
    at = now_or(now)
    row = lock_assignment(assignment)
    require(may_check_in(user, row), _("This is not your shift."))
    if row.shift.cancelled:
        raise Conflict(_("This shift is cancelled."), code="cancelled")
    if row.checked_in_at is not None:
        raise Conflict(_("You have already checked in."), code="twice")
    if at < row.starts_at - CHECK_IN_EARLY:
        raise Conflict(
            _("Check-in opens at %(time)s.") % {"time": f"{timezone.localtime(row.starts_at - CHECK_IN_EARLY):%H:%M}"},
            code="too_early",
        )
    if at > row.ends_at:
        raise Conflict(_("This shift is over; check-in is closed."), code="too_late")
    row.checked_in_at = at
    row.save(update_fields=["checked_in_at"])
    audit_record(actor=user, verb="duty.check_in", obj=row, community_id=row.community_id, after={"at": at})
    return row


@transaction.atomic
def check_out(*, user: Any, assignment: Assignment | int, now: datetime.datetime | None = None) -> Assignment:
    """Check out after checking in, until an hour after the shift ends; once."""
    at = now_or(now)
    row = lock_assignment(assignment)
    require(may_check_in(user, row), _("This is not your shift."))
    if row.checked_in_at is None:
        raise Conflict(_("Check in first."), code="not_checked_in")
    if row.checked_out_at is not None:
        raise Conflict(_("You have already checked out."), code="twice")
    if at > row.ends_at + CHECK_OUT_LATE:
        raise Conflict(_("Check-out closed an hour after the shift ended."), code="too_late")
    if at < row.checked_in_at:
        raise Conflict(_("Check-out cannot be before check-in."), code="too_early")
    row.checked_out_at = at
    row.save(update_fields=["checked_out_at"])
    audit_record(actor=user, verb="duty.check_out", obj=row, community_id=row.community_id, after={"at": at})
    return row


__all__ = [
    "KIND_ORDER",
    "assignment_create",
    "assignment_remove",
    "check_in",
    "check_out",
    "kind_counts",
    "place_leave",
    "place_take",
    "swap_accept",
    "swap_decline",
    "swap_propose",
    "swap_withdraw",
]
