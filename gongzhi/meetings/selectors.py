"""Scoped reads of meetings and action items (DESIGN rule 2). Every page and endpoint reads through these.

Lists run in a fixed number of queries whatever their length (counts are subqueries, sub-items one prefetch):
the public 整改清单 and the meeting list are read the same way for 5 items or 50,000.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, NotAllowed, NotFound
from gongzhi.estates.models import Compound
from gongzhi.estates.scope import compound_filter
from gongzhi.voices.models import Score, Voice
from gongzhi.voices.selectors import HotTopic, agenda_overdue, topic_board

from .models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    ActionItemVoice,
    ActionPhoto,
    ActionRating,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    AgendaItemVoice,
    Attendance,
    Decision,
    Meeting,
    MeetingAttachment,
    MeetingInvitation,
    MeetingStatus,
    Minutes,
    MinutesEntry,
    MinutesStatus,
    Party,
    PhotoStage,
    Rsvp,
)
from .rules import (
    COMMUNITY_SIDE,
    COMPOUND_STAFF,
    SUPERVISORS,
    invitee_q,
    may_convene,
    may_view_action,
    may_view_meeting,
    may_view_public_list,
    may_view_public_minutes,
    organization_ids,
)
from .signin import sign_in_token

AGENDA_MAX_ACTIONS = 50
AGENDA_TOPICS = 5


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _in_compounds(user: Any, roles: frozenset[str]) -> Q | None:
    q = compound_filter(user, roles)
    return Q(compound__in=Compound.objects.filter(q)) if q is not None else None


def _count(model: Any, **filters: Any) -> Coalesce:
    """The number of ``model`` rows of each action item, as a subquery (no join, no GROUP BY of the list)."""
    rows = (
        model.objects.filter(action_item=OuterRef("pk"), **filters)
        .order_by()
        .values("action_item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# --- Meetings -----------------------------------------------------------------------------------------------------


def meetings_visible(*, user: Any) -> QuerySet[Meeting]:
    """Every meeting the user may open: all of their community's (community staff), published ones below them
    (supervisors), published public ones of their compounds (staff, representatives), and those they are
    invited to once published."""
    qs = Meeting.objects.select_related("compound", "convener")
    if not _authenticated(user):
        return qs.none()
    if user.is_superuser:
        return qs
    announced = ~Q(status=MeetingStatus.DRAFT)
    parts: list[Q] = []
    side = _in_compounds(user, COMMUNITY_SIDE)
    if side is not None:
        parts.append(side)
    supervised = _in_compounds(user, SUPERVISORS)
    if supervised is not None:
        parts.append(announced & supervised)
    staff = _in_compounds(user, COMPOUND_STAFF)
    if staff is not None:
        parts.append(announced & Q(is_private=False) & staff)
    parts.append(announced & Q(pk__in=MeetingInvitation.objects.filter(invitee_q(user)).values("meeting_id")))
    return qs.filter(reduce(or_, parts))


def meetings_list(
    *,
    user: Any,
    compound: Compound | None = None,
    statuses: frozenset[str] | None = None,
    starts_from: datetime.datetime | None = None,
) -> QuerySet[Meeting]:
    """The meetings the user sees, newest first, with their agenda, invitation and attendance counts (one
    query for any page of the list)."""
    qs = meetings_visible(user=user)
    if compound is not None:
        qs = qs.filter(community_id=compound.community_id, compound=compound)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if starts_from is not None:
        qs = qs.filter(starts_at__gte=starts_from)

    def count(model: Any, *conditions: Q) -> Coalesce:
        rows = (
            model.objects.filter(*conditions, meeting=OuterRef("pk"))
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
        )
        return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), Value(0))

    return qs.annotate(
        agenda_count=count(AgendaItem),
        # invitations proper: organizations and named people (not members' own answers)
        invitation_count=count(MeetingInvitation, Q(user__isnull=True) | Q(organization__isnull=True)),
        attendee_count=count(Attendance),
        action_count=count(ActionItem),
    ).order_by("-starts_at", "-pk")


def meeting_get(*, user: Any, pk: int) -> Meeting:
    """One meeting the user may see; NotFound otherwise (a private meeting is not shown to exist)."""
    meeting = Meeting.objects.select_related("compound", "compound__community", "convener").filter(pk=pk).first()
    if meeting is None or not may_view_meeting(user, meeting):
        raise NotFound(_("No such meeting."))
    return meeting


def _require_view(user: Any, meeting: Meeting) -> None:
    if not may_view_meeting(user, meeting):
        raise NotFound(_("No such meeting."))


def meeting_agenda(*, user: Any, meeting: Meeting) -> list[AgendaItem]:
    """The agenda in order, each item with its voice links and action item (three queries)."""
    _require_view(user, meeting)
    return list(
        AgendaItem.objects.filter(community_id=meeting.community_id, meeting=meeting)
        .select_related("action_item")
        .prefetch_related(
            Prefetch(
                "voice_links",
                queryset=AgendaItemVoice.objects.select_related("voice", "voice__category").order_by("voice_id"),
            )
        )
        .order_by("position")
    )


def meeting_invitations(*, user: Any, meeting: Meeting) -> QuerySet[MeetingInvitation]:
    """Who is invited and how they answered: organizations first, then people."""
    _require_view(user, meeting)
    return (
        MeetingInvitation.objects.filter(community_id=meeting.community_id, meeting=meeting)
        .select_related("organization", "user")
        .order_by(Case(When(user__isnull=True, then=Value(0)), default=Value(1)), "party", "pk")
    )


def my_invitation(*, user: Any, meeting: Meeting) -> MeetingInvitation | None:
    """The user's own answer row, else the invitation of their organization (unanswered), else None."""
    if not _authenticated(user):
        return None
    rows = MeetingInvitation.objects.filter(community_id=meeting.community_id, meeting=meeting)
    return (
        rows.filter(user=user).first()
        or rows.filter(user__isnull=True, organization_id__in=organization_ids(user)).order_by("pk").first()
    )


def rsvp_counts(*, user: Any, meeting: Meeting) -> dict[str, int]:
    """How many people answered each way (answers of people; organizations' rows are not answers)."""
    _require_view(user, meeting)
    counts = dict(
        MeetingInvitation.objects.filter(community_id=meeting.community_id, meeting=meeting, user__isnull=False)
        .order_by()
        .values_list("rsvp")
        .annotate(n=Count("pk"))
        .values_list("rsvp", "n")
    )
    return {choice.value: counts.get(choice.value, 0) for choice in Rsvp}


def invitations_of_user(*, user: Any, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Published meetings still ahead that invite the user (by name or through an organization), soonest first."""
    if not _authenticated(user):
        return Meeting.objects.none()
    at = now or timezone.now()
    return (
        Meeting.objects.filter(
            status=MeetingStatus.PUBLISHED,
            ends_at__gte=at,
            pk__in=MeetingInvitation.objects.filter(invitee_q(user)).values("meeting_id"),
        )
        .select_related("compound")
        .order_by("starts_at", "pk")
    )


def meeting_attachments(*, user: Any, meeting: Meeting) -> QuerySet[MeetingAttachment]:
    _require_view(user, meeting)
    return MeetingAttachment.objects.filter(community_id=meeting.community_id, meeting=meeting).order_by(
        "uploaded_at", "pk"
    )


def attachment_get(*, user: Any, pk: int) -> MeetingAttachment:
    """An attachment of a meeting the user may see (served as a download); NotFound otherwise."""
    attachment = MeetingAttachment.objects.select_related("meeting", "meeting__compound").filter(pk=pk).first()
    if attachment is None or not may_view_meeting(user, attachment.meeting):
        raise NotFound(_("No such attachment."))
    return attachment


def meeting_sign_in_code(*, user: Any, meeting: Meeting, now: datetime.datetime | None = None) -> str:
    """The QR sign-in code to show at the meeting (conveners, while it is published or held)."""
    if not may_convene(user, meeting):
        raise NotAllowed(_("You may not convene meetings of this compound."))
    if meeting.status not in (MeetingStatus.PUBLISHED, MeetingStatus.HELD):
        raise Conflict(_("Sign-in is closed for this meeting."), code="sign_in_closed")
    return sign_in_token(meeting_id=meeting.pk, nonce=meeting.sign_in_nonce, now=now or timezone.now())


# --- Attendance ---------------------------------------------------------------------------------------------------


def attendance_list(*, user: Any, meeting: Meeting) -> QuerySet[Attendance]:
    _require_view(user, meeting)
    return (
        Attendance.objects.filter(community_id=meeting.community_id, meeting=meeting)
        .select_related("organization")
        .order_by("party", "signed_in_at", "pk")
    )


@dataclass(frozen=True)
class AttendanceCounts:
    by_party: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_party.values())


def attendance_counts(*, user: Any, meeting: Meeting) -> AttendanceCounts:
    """Attendees by party (community, property company, residents, departments, …): one grouped query."""
    _require_view(user, meeting)
    counts = dict(
        Attendance.objects.filter(community_id=meeting.community_id, meeting=meeting)
        .order_by()
        .values_list("party")
        .annotate(n=Count("pk"))
        .values_list("party", "n")
    )
    return AttendanceCounts(by_party={p.value: counts.get(p.value, 0) for p in Party})


# --- Agenda candidates --------------------------------------------------------------------------------------------


@dataclass
class AgendaCandidates:
    """What the convener may put on the next meeting's agenda: the compound's hot topics, its overdue voices and
    its open action items (overdue first), each list bounded, with the totals."""

    compound: Compound
    today: datetime.date
    topics: list[HotTopic] = field(default_factory=list)
    overdue_voices: list[Voice] = field(default_factory=list)
    overdue_voices_total: int = 0
    actions: list[ActionItem] = field(default_factory=list)
    actions_total: int = 0


def open_actions(compound: Compound, today: datetime.date) -> QuerySet[ActionItem]:
    """The compound's open action items, overdue ones first (``is_overdue``), then by due date."""
    return (
        ActionItem.objects.filter(
            community_id=compound.community_id, compound=compound, status__in=OPEN_ACTION_STATUSES
        )
        .select_related("responsible_organization", "parent")
        .annotate(
            is_overdue=Case(When(due_on__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .order_by("-is_overdue", "due_on", "pk")
    )


def agenda_candidates(*, user: Any, compound: Compound, now: datetime.datetime | None = None) -> AgendaCandidates:
    """The agenda candidates of a compound for its conveners (community staff); NotAllowed for anyone else."""
    if not may_convene(user, compound):
        raise NotAllowed(_("You may not convene meetings of this compound."))
    at = now or timezone.now()
    today = timezone.localdate(at)
    board = topic_board(user=user, compound=compound, now=at, limit=AGENDA_TOPICS)
    voices, voices_total = agenda_overdue(user=user, compound=compound, now=at)
    actions = open_actions(compound, today)
    shown = list(actions[:AGENDA_MAX_ACTIONS])
    return AgendaCandidates(
        compound=compound,
        today=today,
        topics=board.topics,
        overdue_voices=voices,
        overdue_voices_total=voices_total,
        actions=shown,
        actions_total=len(shown) if len(shown) < AGENDA_MAX_ACTIONS else actions.count(),
    )


# --- Minutes and decisions ----------------------------------------------------------------------------------------


def minutes_versions(*, user: Any, meeting: Meeting) -> list[Minutes]:
    """Every version for the conveners; the published and corrected ones for others who see the meeting.
    Newest first."""
    _require_view(user, meeting)
    qs = Minutes.objects.filter(community_id=meeting.community_id, meeting=meeting)
    if not may_convene(user, meeting):
        qs = qs.filter(status__in=[MinutesStatus.PUBLISHED, MinutesStatus.CORRECTED])
    return list(qs.select_related("previous").order_by("-version"))


def minutes_entries(*, user: Any, minutes: Minutes) -> list[MinutesEntry]:
    """One version's text per agenda item, in agenda order."""
    meeting = minutes.meeting
    _require_view(user, meeting)
    if not minutes.is_public and not may_convene(user, meeting):
        raise NotFound(_("No such minutes."))
    return list(
        MinutesEntry.objects.filter(community_id=minutes.community_id, minutes=minutes)
        .select_related("agenda_item")
        .order_by("agenda_item__position")
    )


def minutes_entries_of_versions(
    *, user: Any, meeting: Meeting, versions: list[Minutes]
) -> dict[int, list[MinutesEntry]]:
    """The entries of several versions of one meeting, by version id, in agenda order: one query however many
    versions (the meeting's page shows every published one). Versions the user may not read are left out."""
    _require_view(user, meeting)
    convenes = may_convene(user, meeting)
    readable = [m.pk for m in versions if m.meeting_id == meeting.pk and (m.is_public or convenes)]
    by_version: dict[int, list[MinutesEntry]] = {pk: [] for pk in readable}
    for entry in (
        MinutesEntry.objects.filter(community_id=meeting.community_id, minutes_id__in=readable)
        .select_related("agenda_item")
        .order_by("agenda_item__position", "pk")
    ):
        by_version[entry.minutes_id].append(entry)
    return by_version


def meeting_decisions(*, user: Any, meeting: Meeting) -> list[Decision]:
    _require_view(user, meeting)
    return list(
        Decision.objects.filter(community_id=meeting.community_id, meeting=meeting)
        .select_related("agenda_item", "responsible_organization", "responsible_user", "action_item")
        .order_by("agenda_item__position", "created_at", "pk")
    )


@dataclass(frozen=True)
class PublicEntry:
    title: str
    text: str
    decisions: list[str]


@dataclass(frozen=True)
class PublicVersion:
    minutes: Minutes
    entries: list[PublicEntry]


@dataclass(frozen=True)
class PublicMinutes:
    """The residents' summary of a public meeting: the current version and the versions it corrected (each
    correction with its reason), private agenda items left out."""

    meeting: Meeting
    current: PublicVersion
    earlier: list[PublicVersion]


def public_minutes(*, user: Any, meeting: Meeting) -> PublicMinutes:
    """The public summary of a closed public meeting's published minutes (three queries). NotFound when there
    is none for this user: a private meeting, nothing published, or someone outside the compound."""
    if not may_view_public_minutes(user, meeting) or meeting.status != MeetingStatus.CLOSED:
        raise NotFound(_("No published minutes."))
    versions = list(
        Minutes.objects.filter(
            community_id=meeting.community_id,
            meeting=meeting,
            status__in=[MinutesStatus.PUBLISHED, MinutesStatus.CORRECTED],
        ).order_by("-version")
    )
    if not versions:
        raise NotFound(_("No published minutes."))
    entries = (
        MinutesEntry.objects.filter(
            community_id=meeting.community_id, minutes__in=versions, agenda_item__is_private=False
        )
        .select_related("agenda_item")
        .order_by("agenda_item__position")
    )
    decisions: dict[int, list[str]] = {}
    for item_id, text in (
        Decision.objects.filter(community_id=meeting.community_id, meeting=meeting, agenda_item__is_private=False)
        .order_by("created_at", "pk")
        .values_list("agenda_item_id", "text")
    ):
        decisions.setdefault(item_id, []).append(text)
    by_version: dict[int, list[PublicEntry]] = {}
    for entry in entries:
        by_version.setdefault(entry.minutes_id, []).append(
            PublicEntry(
                title=entry.agenda_item.title,
                text=entry.text,
                decisions=decisions.get(entry.agenda_item_id, []),
            )
        )
    built = [PublicVersion(minutes=m, entries=by_version.get(m.pk, [])) for m in versions]
    current = next((v for v in built if v.minutes.status == MinutesStatus.PUBLISHED), built[0])
    return PublicMinutes(meeting=meeting, current=current, earlier=[v for v in built if v is not current])


def public_minutes_list(*, user: Any, compound: Compound) -> QuerySet[Meeting]:
    """The compound's closed public meetings with published minutes, newest first (residents and staff)."""
    if not may_view_public_list(user, compound):
        raise NotAllowed(_("You do not have access to this compound."))
    published = Minutes.objects.filter(meeting=OuterRef("pk"), status=MinutesStatus.PUBLISHED)
    return (
        Meeting.objects.filter(
            community_id=compound.community_id,
            compound=compound,
            is_private=False,
            status=MeetingStatus.CLOSED,
            pk__in=Minutes.objects.filter(community_id=compound.community_id, status=MinutesStatus.PUBLISHED).values(
                "meeting_id"
            ),
        )
        .annotate(minutes_version=Subquery(published.values("version")[:1]))
        .order_by("-starts_at", "-pk")
    )


# --- Action items -------------------------------------------------------------------------------------------------


def actions_visible(*, user: Any) -> QuerySet[ActionItem]:
    """Every action item the user may open (the rules' ``may_view_action`` as a filter)."""
    qs = ActionItem.objects.select_related("compound", "responsible_organization", "responsible_user")
    if not _authenticated(user):
        return qs.none()
    if user.is_superuser:
        return qs
    from gongzhi.estates.models import BindingStatus, HouseBinding

    parts: list[Q] = [Q(responsible_user=user)]
    orgs = organization_ids(user)
    if orgs:
        parts.append(Q(responsible_organization_id__in=orgs))
    for roles in (COMMUNITY_SIDE, SUPERVISORS):
        q = _in_compounds(user, roles)
        if q is not None:
            parts.append(q)
    staff = _in_compounds(user, COMPOUND_STAFF)
    if staff is not None:
        parts.append(Q(is_public=True) & staff)
    homes = HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values("compound_id")
    parts.append(Q(is_public=True, compound_id__in=homes))
    return qs.filter(reduce(or_, parts))


def _annotated(qs: QuerySet[ActionItem], today: datetime.date) -> QuerySet[ActionItem]:
    return qs.annotate(
        voice_count=_count(ActionItemVoice),
        before_photo_count=_count(ActionPhoto, stage=PhotoStage.BEFORE),
        after_photo_count=_count(ActionPhoto, stage=PhotoStage.AFTER),
        rating_count=_count(ActionRating),
        satisfied_count=_count(ActionRating, score__in=[Score.SATISFIED, Score.BASIC]),
        sub_item_count=Coalesce(
            Subquery(
                ActionItem.objects.filter(parent=OuterRef("pk"))
                .order_by()
                .values("parent")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        cover_photo_id=Subquery(
            ActionPhoto.objects.filter(action_item=OuterRef("pk"))
            .order_by(Case(When(stage=PhotoStage.AFTER, then=Value(0)), default=Value(1)), "-created_at", "-pk")
            .values("pk")[:1]
        ),
        is_overdue=Case(
            When(status__in=OPEN_ACTION_STATUSES, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        open_rank=Case(When(status__in=OPEN_ACTION_STATUSES, then=Value(0)), default=Value(1)),
    )


def action_list_public(*, user: Any, compound: Compound, now: datetime.datetime | None = None) -> QuerySet[ActionItem]:
    """The compound's public 整改清单: its public top-level action items — open ones first by due date, then
    done and cancelled ones, newest first — each with its counts (voices, photos, ratings, sub-items), its
    cover photo, its latest note (``latest_note``, ``latest_note_at``), whether it is overdue, and its public
    sub-items (prefetched). Two queries for any page.

    Residents of the compound, its staff and supervisors; NotAllowed for anyone else. Responsible people are not
    named here (the page shows the responsible organization).
    """
    if not may_view_public_list(user, compound):
        raise NotAllowed(_("You do not have access to this compound."))
    today = timezone.localdate(now or timezone.now())
    public = ActionItem.objects.filter(community_id=compound.community_id, compound=compound, is_public=True)
    latest = ActionUpdate.objects.filter(action_item=OuterRef("pk")).exclude(note="").order_by("-at", "-pk")
    return (
        _annotated(public.filter(parent__isnull=True), today)
        .annotate(
            latest_note=Subquery(latest.values("note")[:1]),
            latest_note_at=Subquery(latest.values("at")[:1]),
        )
        .select_related("responsible_organization", "meeting")
        .prefetch_related(
            Prefetch("sub_items", queryset=public.filter(parent__isnull=False).order_by("pk"), to_attr="public_subs")
        )
        .order_by("open_rank", "due_on", "-done_at", "-pk")
    )


def actions_of_compound(
    *,
    user: Any,
    compound: Compound,
    status: str = "",
    overdue_only: bool = False,
    organization_id: int | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[ActionItem]:
    """The compound's action items the user sees (staff list: private ones too for those who may), filtered,
    open ones first by due date; constant queries."""
    return actions_list(
        user=user,
        compound=compound,
        status=status,
        overdue_only=overdue_only,
        organization_id=organization_id,
        now=now,
    )


SEARCH_MAX = 50


def actions_list(
    *,
    user: Any,
    compound: Compound | None = None,
    status: str = "",
    overdue_only: bool = False,
    organization_id: int | None = None,
    meeting_id: int | None = None,
    search: str = "",
    now: datetime.datetime | None = None,
) -> QuerySet[ActionItem]:
    """The action items the user sees (the staff list: every compound in their scope, or one), filtered by
    status, responsible organization, meeting, overdue and a search in the title and detail ("#12" or "12" also
    finds item 12); open ones first by due date, each annotated as ``action_list_public`` does. A fixed number of
    queries for any page."""
    today = timezone.localdate(now or timezone.now())
    qs = actions_visible(user=user)
    if compound is not None:
        qs = qs.filter(community_id=compound.community_id, compound=compound)
    if status:
        qs = qs.filter(status=status)
    if organization_id is not None:
        qs = qs.filter(responsible_organization_id=organization_id)
    if meeting_id is not None:
        qs = qs.filter(meeting_id=meeting_id)
    if overdue_only:
        qs = qs.filter(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)
    words = search.strip()[:SEARCH_MAX]
    if words:
        match = Q(title__icontains=words) | Q(detail__icontains=words)
        number = words.removeprefix("#")
        if number.isdigit() and len(number) < 12:
            match |= Q(pk=int(number))
        qs = qs.filter(match)
    return _annotated(qs.select_related("meeting", "parent"), today).order_by("open_rank", "due_on", "-done_at", "-pk")


def action_get(*, user: Any, pk: int) -> ActionItem:
    item = (
        ActionItem.objects.select_related(
            "compound", "compound__community", "responsible_organization", "responsible_user", "meeting", "parent"
        )
        .filter(pk=pk)
        .first()
    )
    if item is None or not may_view_action(user, item):
        raise NotFound(_("No such action item."))
    return item


def action_sub_items(*, user: Any, item: ActionItem) -> list[ActionItem]:
    """The item's sub-items the user may see (all for those who see private items; public ones otherwise)."""
    if not may_view_action(user, item):
        raise NotFound(_("No such action item."))
    subs = list(
        ActionItem.objects.filter(community_id=item.community_id, parent=item)
        .select_related("compound", "responsible_organization")
        .order_by("pk")
    )
    return [s for s in subs if s.is_public or may_view_action(user, s)]


def action_updates(*, user: Any, item: ActionItem) -> list[ActionUpdate]:
    """The item's history, oldest first, each update with its photos (two queries)."""
    if not may_view_action(user, item):
        raise NotFound(_("No such action item."))
    return list(
        ActionUpdate.objects.filter(community_id=item.community_id, action_item=item)
        .select_related("actor")
        .prefetch_related(Prefetch("photos", queryset=ActionPhoto.objects.order_by("created_at", "pk")))
        .order_by("at", "pk")
    )


def action_photos(*, user: Any, item: ActionItem) -> dict[str, list[ActionPhoto]]:
    """The item's photos by stage (before / after), oldest first."""
    if not may_view_action(user, item):
        raise NotFound(_("No such action item."))
    result: dict[str, list[ActionPhoto]] = {PhotoStage.BEFORE: [], PhotoStage.AFTER: []}
    for photo in ActionPhoto.objects.filter(community_id=item.community_id, action_item=item).order_by(
        "created_at", "pk"
    ):
        result.setdefault(photo.stage, []).append(photo)
    return result


def action_photo_get(*, user: Any, item_pk: int, photo_id: int) -> ActionPhoto:
    """One photo of an item the user may see (served by the application, never as a static file)."""
    item = action_get(user=user, pk=item_pk)
    photo = ActionPhoto.objects.filter(community_id=item.community_id, action_item=item, pk=photo_id).first()
    if photo is None:
        raise NotFound(_("No such photo."))
    return photo


def action_voices(*, user: Any, item: ActionItem) -> list[Voice]:
    """The voices the item answers that the user may open themselves (staff in scope, their own)."""
    from gongzhi.voices.selectors import voices_visible

    if not may_view_action(user, item):
        raise NotFound(_("No such action item."))
    linked = ActionItemVoice.objects.filter(community_id=item.community_id, action_item=item).values("voice_id")
    return list(voices_visible(user=user).filter(pk__in=linked).order_by("submitted_at", "pk"))


def action_rating_counts(*, user: Any, item: ActionItem) -> dict[str, int]:
    """The ratings of the item's latest completion, by score."""
    if not may_view_action(user, item):
        raise NotFound(_("No such action item."))
    counts = dict(
        ActionRating.objects.filter(community_id=item.community_id, action_item=item, round=item.done_round)
        .order_by()
        .values_list("score")
        .annotate(n=Count("pk"))
        .values_list("score", "n")
    )
    return {s.value: counts.get(s.value, 0) for s in Score}


def actions_to_rate(*, user: Any) -> QuerySet[ActionItem]:
    """Done items that answer the user's voices and that they have not rated since they were last done."""
    if not _authenticated(user):
        return ActionItem.objects.none()
    rated = ActionRating.objects.filter(action_item=OuterRef("pk"), rater=user, round=OuterRef("done_round"))
    mine = ActionItemVoice.objects.filter(voice__author=user).values("action_item_id")
    return (
        ActionItem.objects.filter(status=ActionStatus.DONE, pk__in=mine)
        .filter(~Exists(rated))
        .select_related("compound", "responsible_organization")
        .order_by("-done_at", "-pk")
    )
