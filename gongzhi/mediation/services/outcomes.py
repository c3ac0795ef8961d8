"""Sessions, the agreement (in versions), the outcome, follow-up visits, reopening and the follow-up policy."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Area, BindingStatus, Compound, HouseBinding

from ..models import (
    AGREED_OUTCOMES,
    PLACE_MAX,
    Agreement,
    AgreementStatus,
    Case,
    CaseMediator,
    CaseParty,
    CaseSession,
    CaseStatus,
    FollowUp,
    FollowUpStatus,
    MediationPolicy,
    Outcome,
    ReferredTo,
    SessionAttendance,
    SessionStatus,
)
from ..rules import may_manage_case, may_set_policy, may_view_case
from ..selectors import follow_up_days
from ._common import (
    REASON_MAX,
    TEXT_MAX,
    case_link,
    case_lock,
    choice,
    clean_text,
    event_add,
    move,
    notify_later,
    now_or,
    require_visible,
    user_or_none,
)

TERMS_MAX = TEXT_MAX * 2
MAX_FOLLOW_UP_DAYS = 365


def _manager(actor: Any, case: Case) -> None:
    require_visible(may_view_case(actor, case))
    if not may_manage_case(actor, case):
        raise NotAllowed(_("You may not change this case."))


def _open_case(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This case is closed."), code="closed")


def _party_ids(case: Case, ids: Iterable[Any], *, field: str) -> list[CaseParty]:
    try:
        wanted = sorted({int(v) for v in ids})
    except (TypeError, ValueError):
        raise DomainError(_("Choose parties of this case."), field=field, code="invalid_party") from None
    found = list(CaseParty.objects.filter(community_id=case.community_id, case=case, pk__in=wanted))
    if len(found) != len(wanted):
        raise DomainError(_("Choose parties of this case."), field=field, code="invalid_party")
    return found


def party_users(parties: Iterable[CaseParty]) -> list[User]:
    """The people behind parties: named accounts and the residents bound to household parties."""
    parties = list(parties)
    ids = {p.user_id for p in parties if p.user_id}
    houses = [p.house_id for p in parties if p.house_id and p.kind == "household"]
    if houses:
        ids |= set(
            HouseBinding.objects.filter(house_id__in=houses, status=BindingStatus.APPROVED).values_list(
                "user_id", flat=True
            )
        )
    return list(User.objects.filter(pk__in=ids, is_active=True))


def mediator_users(case: Case) -> list[User]:
    ids = CaseMediator.objects.filter(community_id=case.community_id, case=case, is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


# --- Sessions ------------------------------------------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *,
    actor: Any,
    case: Case,
    starts_at: datetime.datetime | None,
    place: str,
    invited: Iterable[Any] = (),
    now: datetime.datetime | None = None,
) -> CaseSession:
    """Schedule a session (never in the past) and invite parties; the case is then in mediation."""
    case = case_lock(case)
    _manager(actor, case)
    _open_case(case)
    at = now_or(now)
    if starts_at is None:
        raise DomainError(_("This field is required."), field="starts_at", code="required")
    if starts_at <= at:
        raise DomainError(_("A session cannot be scheduled in the past."), field="starts_at", code="in_past")
    if starts_at > at + datetime.timedelta(days=365):
        raise DomainError(_("A session is at most a year ahead."), field="starts_at", code="too_far")
    place = clean_text(place, field="place", max_length=PLACE_MAX)
    parties = _party_ids(case, invited, field="invited")
    session = CaseSession.objects.create(
        community_id=case.community_id,
        case=case,
        starts_at=starts_at,
        place=place,
        created_by=user_or_none(actor),
        created_at=at,
    )
    session.invited.set(parties)
    if case.status in (CaseStatus.OPEN, CaseStatus.REOPENED):
        move(case, CaseStatus.MEDIATING, transitions=Case.TRANSITIONS, labels=CaseStatus)
        case.save(update_fields=["status", "updated_at"])
    when = timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")
    event_add(case, actor=actor, verb="session_schedule", at=at, note=f"{when} {place}")
    audit_record(
        actor=actor,
        verb="mediation.session_schedule",
        obj=session,
        community_id=case.community_id,
        after={"case": case.pk, "starts_at": starts_at, "invited": [p.pk for p in parties]},
    )
    notify_later(
        recipients=[*party_users(parties), *mediator_users(case)],
        verb="mediation.session",
        title=_("Mediation session for case #%(id)s on %(when)s") % {"id": case.pk, "when": when},
        body=place,
        link=case_link(case),
        key=f"mediation:session:{session.pk}:scheduled",
        community_id=case.community_id,
    )
    return session


def _session_lock(case: Case, session_id: Any) -> CaseSession:
    session = (
        CaseSession.objects.select_for_update().filter(community_id=case.community_id, case=case, pk=session_id).first()
    )
    if session is None:
        raise NotFound(_("No such session."))
    return session


@transaction.atomic
def session_record(
    *,
    actor: Any,
    case: Case,
    session_id: Any,
    present: Iterable[Any] = (),
    notes: str = "",
    now: datetime.datetime | None = None,
) -> CaseSession:
    """Mark a session held: who of the invited parties came, and the notes."""
    case = case_lock(case)
    _manager(actor, case)
    session = _session_lock(case, session_id)
    notes = clean_text(notes, field="notes", max_length=TEXT_MAX)
    came = {p.pk for p in _party_ids(case, present, field="present")}
    invited = list(session.invited.all())
    if not came <= {p.pk for p in invited}:
        raise DomainError(_("Only invited parties can be marked present."), field="present", code="not_invited")
    at = now_or(now)
    move(session, SessionStatus.HELD, transitions=CaseSession.TRANSITIONS, labels=SessionStatus)
    session.notes, session.held_at = notes, at
    session.save(update_fields=["status", "notes", "held_at"])
    SessionAttendance.objects.bulk_create(
        [
            SessionAttendance(community_id=case.community_id, session=session, party=p, present=p.pk in came)
            for p in invited
        ]
    )
    event_add(case, actor=actor, verb="session_hold", at=at)
    audit_record(
        actor=actor,
        verb="mediation.session_hold",
        obj=session,
        community_id=case.community_id,
        after={"case": case.pk, "present": sorted(came)},
    )
    return session


@transaction.atomic
def session_cancel(
    *, actor: Any, case: Case, session_id: Any, reason: str, now: datetime.datetime | None = None
) -> CaseSession:
    case = case_lock(case)
    _manager(actor, case)
    session = _session_lock(case, session_id)
    reason = clean_text(reason, field="reason", max_length=REASON_MAX)
    move(session, SessionStatus.CANCELLED, transitions=CaseSession.TRANSITIONS, labels=SessionStatus)
    session.cancel_reason = reason
    session.save(update_fields=["status", "cancel_reason"])
    at = now_or(now)
    event_add(case, actor=actor, verb="session_cancel", at=at, note=reason)
    audit_record(
        actor=actor,
        verb="mediation.session_cancel",
        obj=session,
        community_id=case.community_id,
        after={"reason": reason},
    )
    notify_later(
        recipients=[*party_users(session.invited.all()), *mediator_users(case)],
        verb="mediation.session_cancelled",
        title=_("A mediation session of case #%(id)s is cancelled") % {"id": case.pk},
        body=reason,
        link=case_link(case),
        key=f"mediation:session:{session.pk}:cancelled",
        community_id=case.community_id,
    )
    return session


# --- The agreement -------------------------------------------------------------------------------------------------


def _latest(case: Case) -> Agreement | None:
    return (
        Agreement.objects.select_for_update()
        .filter(community_id=case.community_id, case=case)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def agreement_record(
    *, actor: Any, case: Case, terms: str, reason: str = "", now: datetime.datetime | None = None
) -> Agreement:
    """Record the agreement's terms: the first version, or the current draft's terms again. Once a version is
    signed it is never edited: a change is a new version, with a reason."""
    case = case_lock(case)
    _manager(actor, case)
    _open_case(case)
    terms = clean_text(terms, field="terms", max_length=TERMS_MAX)
    at = now_or(now)
    latest = _latest(case)
    if latest is not None and latest.status == AgreementStatus.DRAFT:
        before = latest.terms
        latest.terms = terms
        latest.save(update_fields=["terms"])
        event_add(case, actor=actor, verb="agreement_edit", at=at, note=f"v{latest.version}")
        audit_record(
            actor=actor,
            verb="mediation.agreement_edit",
            obj=latest,
            community_id=case.community_id,
            before={"terms": before},
            after={"terms": terms},
        )
        return latest
    if latest is not None:
        reason = clean_text(reason, field="reason", max_length=REASON_MAX)
    agreement = Agreement.objects.create(
        community_id=case.community_id,
        case=case,
        version=(latest.version + 1) if latest else 1,
        terms=terms,
        reason=reason if latest else "",
        recorded_by=user_or_none(actor),
        created_at=at,
    )
    event_add(case, actor=actor, verb="agreement_record", at=at, note=f"v{agreement.version} {agreement.reason}")
    audit_record(
        actor=actor,
        verb="mediation.agreement_record",
        obj=agreement,
        community_id=case.community_id,
        after={"version": agreement.version, "reason": agreement.reason},
    )
    return agreement


@transaction.atomic
def agreement_edit(*, actor: Any, agreement: Agreement, terms: str, now: datetime.datetime | None = None) -> Agreement:
    """Change a draft's terms; a signed agreement is refused (a change is a new version with a reason)."""
    case = case_lock(agreement.case_id)
    _manager(actor, case)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != AgreementStatus.DRAFT:
        raise Conflict(
            _("A signed agreement is never edited: record a new version with the reason for the change."),
            code="signed",
        )
    return agreement_record(actor=actor, case=case, terms=terms, now=now)


@transaction.atomic
def agreement_sign(
    *, actor: Any, case: Case, signed_on: datetime.date | None = None, now: datetime.datetime | None = None
) -> Agreement:
    """Record that the parties and mediators signed the current draft; an earlier signed version is superseded."""
    case = case_lock(case)
    _manager(actor, case)
    _open_case(case)
    at = now_or(now)
    today = timezone.localdate(at)
    signed_on = signed_on or today
    if signed_on > today:
        raise DomainError(_("The signing date cannot be in the future."), field="signed_on", code="in_future")
    if signed_on < timezone.localdate(case.opened_at):
        raise DomainError(_("The signing date is before the case was opened."), field="signed_on", code="too_early")
    latest = _latest(case)
    if latest is None or latest.status != AgreementStatus.DRAFT:
        raise Conflict(_("There is no draft agreement to sign."), code="no_draft")
    previous = (
        Agreement.objects.select_for_update()
        .filter(community_id=case.community_id, case=case, status=AgreementStatus.SIGNED)
        .first()
    )
    if previous is not None:
        move(previous, AgreementStatus.SUPERSEDED, transitions=Agreement.TRANSITIONS, labels=AgreementStatus)
        previous.save(update_fields=["status"])
    move(latest, AgreementStatus.SIGNED, transitions=Agreement.TRANSITIONS, labels=AgreementStatus)
    latest.signed_on = signed_on
    latest.save(update_fields=["status", "signed_on"])
    event_add(case, actor=actor, verb="agreement_sign", at=at, note=f"v{latest.version}")
    audit_record(
        actor=actor,
        verb="mediation.agreement_sign",
        obj=latest,
        community_id=case.community_id,
        after={"version": latest.version, "signed_on": signed_on},
    )
    return latest


# --- The outcome ---------------------------------------------------------------------------------------------------


def _follow_ups_schedule(case: Case, agreement: Agreement) -> list[FollowUp]:
    assert agreement.signed_on is not None
    first, second = follow_up_days(case.community_id)
    base = agreement.signed_on
    rows = [
        FollowUp(
            community_id=case.community_id,
            case=case,
            agreement=agreement,
            number=n,
            due_on=base + datetime.timedelta(days=days),
        )
        for n, days in ((1, first), (2, second))
    ]
    return FollowUp.objects.bulk_create(rows)


@transaction.atomic
def case_close(
    *,
    actor: Any,
    case: Case,
    outcome: str,
    note: str = "",
    referred_to: str = "",
    referred_where: str = "",
    referred_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Close with an outcome: agreement (or partly) needs a signed agreement and schedules the follow-ups;
    failed and referred needs where to and when; withdrawn needs nothing more."""
    case = case_lock(case)
    _manager(actor, case)
    if not outcome:
        raise DomainError(_("A case is closed with an outcome."), field="outcome", code="required")
    outcome = choice(outcome, Outcome, field="outcome")
    note = clean_text(note, field="note", max_length=TEXT_MAX, required=False)
    at = now_or(now)
    agreement = None
    if outcome in AGREED_OUTCOMES:
        agreement = Agreement.objects.filter(
            community_id=case.community_id, case=case, status=AgreementStatus.SIGNED
        ).first()
        if agreement is None:
            raise DomainError(
                _("Record the agreement and its signing before closing with it."), field="outcome", code="no_agreement"
            )
    if outcome == Outcome.REFERRED:
        referred_to = choice(referred_to, ReferredTo, field="referred_to")
        referred_where = clean_text(referred_where, field="referred_where", max_length=PLACE_MAX)
        if referred_on is None:
            raise DomainError(_("This field is required."), field="referred_on", code="required")
        if referred_on > timezone.localdate(at):
            raise DomainError(_("The date cannot be in the future."), field="referred_on", code="in_future")
    else:
        referred_to, referred_where, referred_on = "", "", None
    move(case, CaseStatus.CLOSED, transitions=Case.TRANSITIONS, labels=CaseStatus)
    case.outcome, case.outcome_note, case.closed_at = outcome, note, at
    case.referred_to, case.referred_where, case.referred_on = referred_to, referred_where, referred_on
    case.save()
    CaseSession.objects.filter(case=case, status=SessionStatus.SCHEDULED).update(
        status=SessionStatus.CANCELLED, cancel_reason=str(_("The case is closed."))
    )
    follow_ups = _follow_ups_schedule(case, agreement) if agreement is not None else []
    event_add(case, actor=actor, verb="close", at=at, outcome=outcome, note=note)
    audit_record(
        actor=actor,
        verb="mediation.case_close",
        obj=case,
        community_id=case.community_id,
        after={"outcome": outcome, "referred_to": referred_to, "follow_ups": len(follow_ups)},
    )
    notify_later(
        recipients=party_users(CaseParty.objects.filter(community_id=case.community_id, case=case)),
        verb="mediation.closed",
        title=_("Mediation case #%(id)s is closed: %(outcome)s") % {"id": case.pk, "outcome": Outcome(outcome).label},
        link=case_link(case),
        key=f"mediation:{case.pk}:closed:{at.isoformat()}",
        community_id=case.community_id,
    )
    return case


@transaction.atomic
def follow_up_record(
    *,
    actor: Any,
    case: Case,
    kept: bool | None,
    visited_on: datetime.date | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> FollowUp:
    """Record the next due follow-up visit: is the agreement kept? Never before the agreement was signed."""
    case = case_lock(case)
    _manager(actor, case)
    at = now_or(now)
    today = timezone.localdate(at)
    visited_on = visited_on or today
    follow_up = (
        FollowUp.objects.select_for_update()
        .select_related("agreement")
        .filter(community_id=case.community_id, case=case, status=FollowUpStatus.DUE)
        .order_by("number")
        .first()
    )
    if follow_up is None or case.status != CaseStatus.CLOSED:
        raise DomainError(
            _("There is no signed agreement to follow up: a follow-up comes after the agreement."),
            field="kept",
            code="no_agreement",
        )
    if kept is None:
        raise DomainError(_("Say whether the agreement is kept."), field="kept", code="required")
    signed_on = follow_up.agreement.signed_on
    if signed_on is not None and visited_on < signed_on:
        raise DomainError(
            _("A follow-up visit cannot be before the agreement was signed (%(date)s).") % {"date": signed_on},
            field="visited_on",
            code="before_agreement",
        )
    if visited_on > today:
        raise DomainError(_("The date cannot be in the future."), field="visited_on", code="in_future")
    follow_up.status, follow_up.kept, follow_up.visited_on = FollowUpStatus.DONE, kept, visited_on
    follow_up.note = clean_text(note, field="note", max_length=TEXT_MAX, required=False)
    follow_up.recorded_by, follow_up.recorded_at = user_or_none(actor), at
    follow_up.save()
    event_add(case, actor=actor, verb="follow_up", at=at, kept=kept, note=follow_up.note)
    audit_record(
        actor=actor,
        verb="mediation.follow_up",
        obj=follow_up,
        community_id=case.community_id,
        after={"number": follow_up.number, "kept": kept, "visited_on": visited_on},
    )
    return follow_up


@transaction.atomic
def case_reopen(*, actor: Any, case: Case, reason: str, now: datetime.datetime | None = None) -> Case:
    """Reopen a closed case whose agreement the latest follow-up found broken; the other visits are cancelled."""
    case = case_lock(case)
    _manager(actor, case)
    reason = clean_text(reason, field="reason", max_length=REASON_MAX)
    latest = (
        FollowUp.objects.filter(community_id=case.community_id, case=case, status=FollowUpStatus.DONE)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    if case.status != CaseStatus.CLOSED or latest is None or latest.kept is not False:
        raise Conflict(_("Only a case whose agreement a follow-up found broken can be reopened."), code="not_broken")
    at = now_or(now)
    move(case, CaseStatus.REOPENED, transitions=Case.TRANSITIONS, labels=CaseStatus)
    case.closed_at = None
    case.save(update_fields=["status", "closed_at", "updated_at"])
    FollowUp.objects.filter(community_id=case.community_id, case=case, status=FollowUpStatus.DUE).update(
        status=FollowUpStatus.CANCELLED
    )
    event_add(case, actor=actor, verb="reopen", at=at, note=reason)
    audit_record(
        actor=actor, verb="mediation.case_reopen", obj=case, community_id=case.community_id, after={"reason": reason}
    )
    return case


# --- Policy --------------------------------------------------------------------------------------------------------


def _days(value: Any, *, field: str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number of days."), field=field, code="invalid") from None
    if not 1 <= days <= MAX_FOLLOW_UP_DAYS:
        raise DomainError(
            _("Between 1 and %(max)d days.") % {"max": MAX_FOLLOW_UP_DAYS}, field=field, code="out_of_range"
        )
    return days


@transaction.atomic
def policy_set(*, actor: Any, compound: Compound, first_days: Any, second_days: Any) -> MediationPolicy:
    """The community's follow-up schedule (the secretary's)."""
    if not may_set_policy(actor, compound):
        raise NotAllowed(_("You may not change the follow-up schedule."))
    first = _days(first_days, field="first_days")
    second = _days(second_days, field="second_days")
    if second <= first:
        raise DomainError(_("The second visit comes after the first."), field="second_days", code="order")
    community = Area.objects.get(pk=compound.community_id)
    policy, _created = MediationPolicy.objects.select_for_update().get_or_create(community=community)
    before = {"first_days": policy.first_days, "second_days": policy.second_days}
    policy.first_days, policy.second_days, policy.updated_by = first, second, user_or_none(actor)
    policy.save()
    audit_record(
        actor=actor,
        verb="mediation.policy_set",
        obj=policy,
        community_id=community.pk,
        before=before,
        after={"first_days": first, "second_days": second},
    )
    return policy
