"""Scoped reads of voices (DESIGN rule 2): staff queues, a resident's own voices, the public wall."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import memberships_of
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding
from gongzhi.estates.scope import compound_filter

from .models import OPEN_STATUSES, Category, Voice, VoiceAssignment, VoiceEvent, VoiceReply
from .rules import VOICE_VIEWERS, may_see_author, may_view_on_wall
from .text import Topic, duplicate_candidates


def _base() -> QuerySet[Voice]:
    return Voice.objects.select_related("compound", "category", "lead_organization")


def voices_visible(*, user: Any) -> QuerySet[Voice]:
    """Every voice the user may open: staff of the compound, assigned organizations, their own."""
    if not getattr(user, "is_authenticated", False):
        return Voice.objects.none()
    if getattr(user, "is_superuser", False):
        return _base()
    q = Q(author=user)
    compounds = compound_filter(user, VOICE_VIEWERS)
    if compounds is not None:
        q |= Q(compound__in=Compound.objects.filter(compounds))
    org_ids = [m.organization_id for m in memberships_of(user)]
    if org_ids:
        # A subquery, not a join: no duplicate rows, so no DISTINCT, and the planner can use the voice indexes.
        assigned = VoiceAssignment.objects.filter(organization_id__in=org_ids, is_active=True).values("voice_id")
        q |= Q(pk__in=assigned)
    return _base().filter(q)


@dataclass(frozen=True)
class VoiceScope:
    """The parts of ``voices_visible`` for a user, resolved once, so that a list reads each part by its index.

    A voice is in scope when it is about one of ``compound_ids`` (roles in ``VOICE_VIEWERS``), when the user
    wrote it, or when one of ``organization_ids`` is (still) assigned to it. ``whole_communities`` are those
    whose compounds are all in ``compound_ids``: their voices are found by community alone, and assignments are
    only looked up in the other communities (``assigned_communities``; None: in all), so that an organization's
    years of handled voices in its own communities are never read to list a page.
    """

    everything: bool = False
    compound_ids: tuple[int, ...] = ()
    community_ids: tuple[int, ...] = ()  # the communities of ``compound_ids``
    whole_communities: frozenset[int] = frozenset()
    author_id: int | None = None
    organization_ids: tuple[int, ...] = ()
    assigned_communities: tuple[int, ...] | None = None


def voice_scope(*, user: Any) -> VoiceScope:
    """The user's scope in parts: one query for the compounds (with the others of their communities), and for
    members of organizations one for the communities to look up assignments in."""
    from django.db.models import BooleanField, Case, Value, When

    from gongzhi.estates.models import Area, AreaLevel

    if not getattr(user, "is_authenticated", False):
        return VoiceScope()
    if getattr(user, "is_superuser", False):
        return VoiceScope(everything=True)
    q = compound_filter(user, VOICE_VIEWERS)
    rows: list[tuple[int, int, bool]] = []
    if q is not None:
        reached = Compound.objects.filter(q).values("community_id")
        rows = list(
            Compound.objects.filter(community_id__in=reached)
            .annotate(reached=Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField()))
            .values_list("id", "community_id", "reached")
        )
    communities = {community for _pk, community, reached in rows if reached}
    partly = {community for _pk, community, reached in rows if not reached}
    whole = frozenset(communities - partly)
    org_ids = tuple(sorted({m.organization_id for m in memberships_of(user)}))
    assigned: tuple[int, ...] | None = None
    if org_ids and whole:
        assigned = tuple(
            Area.objects.filter(level=AreaLevel.COMMUNITY)
            .exclude(pk__in=whole)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return VoiceScope(
        compound_ids=tuple(sorted(pk for pk, _community, reached in rows if reached)),
        community_ids=tuple(sorted(communities)),
        whole_communities=whole,
        author_id=user.pk,
        organization_ids=org_ids,
        assigned_communities=assigned,
    )


def voices_in_scope(
    *, scope: VoiceScope, first: int | None = None, order: Sequence[str] = (), **voice_filters: Any
) -> QuerySet[Voice]:
    """The voices of ``scope`` that match ``voice_filters``, as ``id IN (part UNION part …)``.

    Without filters, the same set as ``voices_visible``. ``voice_filters`` (e.g. ``status__in``,
    ``submitted_at__gte``) narrow every part, so that each reads only what it must through its own index, and
    are not repeated outside: the database then goes from the few ids to the voices by primary key, and never
    scans every open voice of the table to find those of the scope.

    With ``first`` and ``order``, each part holds only its ``first`` voices in that order (on databases that
    order and limit the parts of a UNION: PostgreSQL): enough for the first ``first`` of the whole, in order.
    """
    if scope.everything:
        return _base().filter(**voice_filters)
    ids = _scope_ids(scope, first=first, order=order, **voice_filters)
    return _base().filter(pk__in=ids) if ids is not None else Voice.objects.none()


def _scope_ids(
    scope: VoiceScope, *, first: int | None = None, order: Sequence[str] = (), **voice_filters: Any
) -> QuerySet[Any] | None:
    """The ids of ``voices_in_scope``: one part's ids, or the UNION of the parts' (None: no part at all)."""
    limited = first is not None and bool(order) and connection.features.supports_slicing_ordering_in_compound
    parts: list[QuerySet[Any]] = []
    if scope.compound_ids:
        if set(voice_filters.get("status__in") or ["any"]) <= OPEN_STATUSES:
            # Open voices: the partial index of each compound's open voices.
            of_compounds = Voice.objects.filter(compound_id__in=scope.compound_ids)
        elif set(scope.community_ids) <= scope.whole_communities:
            # Whole communities: by community alone (its indexes lead with it), the compounds follow.
            of_compounds = Voice.objects.filter(community_id__in=scope.community_ids)
        else:
            of_compounds = Voice.objects.filter(
                community_id__in=scope.community_ids, compound_id__in=scope.compound_ids
            )
        parts.append(of_compounds.filter(**voice_filters).values("id"))
    if scope.author_id is not None:
        parts.append(Voice.objects.filter(author_id=scope.author_id, **voice_filters).values("id"))
    if scope.organization_ids and scope.assigned_communities != ():
        assigned = VoiceAssignment.objects.filter(organization_id__in=scope.organization_ids, is_active=True)
        if scope.assigned_communities is not None:
            assigned = assigned.filter(community_id__in=scope.assigned_communities)
        if voice_filters or limited:
            assigned = assigned.filter(**{f"voice__{name}": value for name, value in voice_filters.items()})
        parts.append(assigned.values("voice_id"))
    if not parts:
        return None
    if limited:
        assert first is not None
        on_voice = [f"-voice__{o[1:]}" if o.startswith("-") else f"voice__{o}" for o in order]
        parts = [part.order_by(*(on_voice if part.model is VoiceAssignment else order))[:first] for part in parts]
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


@dataclass(frozen=True)
class ScopedList:
    """Voices in scope as a paginator reads them: ``count()`` counts them all; a slice reads the first voices of
    each part of the scope only (``voices_in_scope(first=…)``), so a page never fetches every matching row to
    sort them."""

    scope: VoiceScope
    order: tuple[str, ...]
    filters: dict[str, Any]
    related: tuple[str, ...] = ()

    def _voices(self, first: int | None = None) -> QuerySet[Voice]:
        qs = voices_in_scope(scope=self.scope, first=first, order=self.order, **self.filters)
        if self.related:  # (without names, select_related would follow every non-null key instead)
            qs = qs.select_related(*self.related)
        return qs.order_by(*self.order)

    def count(self) -> int:
        if self.scope.everything:
            return Voice.objects.filter(**self.filters).count()
        # The distinct ids of the parts, counted as they are (each is a voice that exists).
        ids = _scope_ids(self.scope, **self.filters)
        return ids.count() if ids is not None else 0

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Voice: ...

    @overload
    def __getitem__(self, index: slice) -> list[Voice]: ...

    def __getitem__(self, index: int | slice) -> Voice | list[Voice]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        if index.stop is None or index.stop < 0 or (index.step or 1) != 1:
            raise TypeError("ScopedList takes a slice with an end")
        return list(self._voices(first=index.stop)[index])

    def __iter__(self) -> Iterator[Voice]:
        return iter(self._voices())


# The queue's order: the resolution deadline first (the one that runs once a voice is accepted), then the
# response deadline, then the oldest id.
QUEUE_ORDER = ("resolution_due_at", "response_due_at", "id")


def voice_queue(
    *,
    user: Any,
    organization_id: int | None = None,
    statuses: frozenset[str] | None = None,
    overdue_only: bool = False,
    kind: str = "",
    text: str = "",
    now: Any = None,
) -> QuerySet[Voice]:
    """A staff queue: open voices in scope (optionally of one organization, kind or words), earliest deadline first.

    Read by the parts of the scope (``voices_in_scope``): the open voices of the user's compounds through the
    partial index of open voices, never the closed history, so the page costs the same in a table of a million.
    """
    from django.utils import timezone

    qs = voices_in_scope(scope=voice_scope(user=user), status__in=sorted(statuses or OPEN_STATUSES))
    if organization_id is not None:
        qs = qs.filter(assignments__organization_id=organization_id, assignments__is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(text__icontains=text)
    if overdue_only:
        at = now or timezone.now()
        qs = qs.filter(
            Q(accepted_at__isnull=True, response_due_at__lt=at) | Q(resolved_at__isnull=True, resolution_due_at__lt=at)
        )
    return qs.order_by(*QUEUE_ORDER)


def voice_queue_list(
    *,
    user: Any,
    organization_id: int | None = None,
    statuses: frozenset[str] | None = None,
    overdue_only: bool = False,
    kind: str = "",
    text: str = "",
    now: Any = None,
) -> ScopedList | QuerySet[Voice]:
    """``voice_queue`` for the queue page's paginator: the same voices in the same order; without the filters
    that need a join or an OR (one organization, overdue only), read part by part (``ScopedList``)."""
    if organization_id is not None or overdue_only:
        return voice_queue(
            user=user,
            organization_id=organization_id,
            statuses=statuses,
            overdue_only=overdue_only,
            kind=kind,
            text=text,
            now=now,
        )
    filters: dict[str, Any] = {"status__in": sorted(statuses or OPEN_STATUSES)}
    if kind:
        filters["kind"] = kind
    if text:
        filters["text__icontains"] = text
    return ScopedList(scope=voice_scope(user=user), order=QUEUE_ORDER, filters=filters)


def voices_of_author(*, user: Any) -> QuerySet[Voice]:
    if not getattr(user, "is_authenticated", False):
        return Voice.objects.none()
    return _base().filter(author=user).order_by("-submitted_at")


def _resident_compound_ids(user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values_list("compound_id", flat=True)
    )


def voice_wall(*, user: Any, compound: Compound) -> QuerySet[Voice]:
    """The compound's public wall: public voices, not rejected or merged; names are hidden by the page.

    Residents of the compound and staff who reach it see the wall; anyone else sees nothing.
    """
    if not (
        getattr(user, "is_superuser", False)
        or compound.pk in _resident_compound_ids(user)
        or voices_visible(user=user).filter(compound=compound).exists()
    ):
        return Voice.objects.none()
    return (
        Voice.objects.filter(community_id=compound.community_id, compound=compound, is_public=True)
        .exclude(status__in=["rejected", "merged", "withdrawn"])
        .select_related("category")
        .order_by("-submitted_at")
    )


def voice_get(*, user: Any, pk: int) -> Voice:
    """One voice the user may see (their own, staff in scope, or a public voice of their compound); else 404."""
    voice = _base().select_related("author", "compound__community").filter(pk=pk).first()
    if voice is None or not may_view_on_wall(user, voice):
        raise NotFound(_("No such voice."))
    return voice


def author_label(*, user: Any, voice: Voice) -> str:
    """The author's name for those who may see it; neighbours see "a resident".

    A voice from outside (Open311, a ledger) has no author: staff see the contact name it came with.
    """
    if not may_see_author(user, voice):
        return _("A resident")
    if voice.author is None:
        return voice.contact_name or voice.get_channel_display()
    return voice.author.name


def voice_timeline(*, user: Any, voice: Voice) -> QuerySet[VoiceEvent]:
    """The voice's events: staff see internal ones; the author and neighbours only public ones."""
    qs = voice.events.order_by("at", "id")
    if not _is_staff_viewer(user, voice):
        qs = qs.filter(public=True)
    return qs


def voice_replies(*, user: Any, voice: Voice) -> QuerySet[VoiceReply]:
    qs = voice.replies.order_by("created_at", "id")
    if not _is_staff_viewer(user, voice):
        qs = qs.filter(is_internal=False)
    return qs


def _is_staff_viewer(user: Any, voice: Voice) -> bool:
    from .rules import is_assigned_staff, is_superuser

    if is_superuser.test(user, voice) or is_assigned_staff.test(user, voice):
        return True
    from gongzhi.estates.scope import roles_in_compound

    return bool(getattr(user, "is_authenticated", False) and roles_in_compound(user, voice.compound) & VOICE_VIEWERS)


def duplicates_for(*, user: Any, compound: Compound, text: str, limit: int = 5) -> list[Voice]:
    """Likely duplicates among the open public voices of the compound (offered as "me too" while typing)."""
    candidates = voice_wall(user=user, compound=compound).filter(status__in=OPEN_STATUSES)[:500]
    return [s.item for s in duplicate_candidates(text, ((v, v.text) for v in candidates), limit=limit)]


def category_for_text(text: str) -> Category | None:
    from .text import category_suggest

    return category_suggest(text, Category.objects.filter(is_active=True))


def hot_topics(*, user: Any, compound: Compound, since: Any, limit: int = 10) -> list[Topic]:
    """Similar open voices of the compound grouped (jieba words), largest first, for the joint meeting.

    Staff in scope only; each topic carries its voices, their count and its label words. A topic's weight
    counts "me too" as well (``weight``).
    """
    from .text import topics_group

    if not _staff_in(user, compound):
        return []
    qs = voices_visible(user=user).filter(compound=compound, status__in=OPEN_STATUSES, submitted_at__gte=since)
    topics = topics_group((v, v.text) for v in qs.order_by("submitted_at")[:2000])
    for topic in topics:
        topic.weight = sum(1 + v.me_too_count for v in topic.items)
    topics.sort(key=lambda t: -t.weight)
    return topics[:limit]


def _staff_in(user: Any, compound: Compound) -> bool:
    from gongzhi.estates.scope import roles_in_compound

    if getattr(user, "is_superuser", False):
        return True
    return bool(getattr(user, "is_authenticated", False) and roles_in_compound(user, compound) & VOICE_VIEWERS)


# --- Hot topics and the joint meeting's agenda ---------------------------------------------------------------------

# Residents' representatives see hot topics and the agenda of their compound as aggregates (words, counts,
# trend; kind and category of overdue voices), never a voice's text or author.
TOPIC_VIEWERS = VOICE_VIEWERS | {Role.REPRESENTATIVE}
# Bounds of the hot-topic computation (stated on the page): the open voices of one compound raised in the last
# 90 days, at most the newest 1,000 of them; trends over the last 28 days.
TOPIC_WINDOW_DAYS = 90
TOPIC_MAX_VOICES = 1000
TREND_DAYS = 28
AGENDA_MAX_OVERDUE = 50


def topics_access(*, user: Any, compound: Compound) -> str:
    """Which view of the compound's hot topics the user gets.

    "full" for staff who see the compound's voices, "aggregate" for its residents' representatives, else "".
    """
    from gongzhi.estates.scope import roles_in_compound

    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_superuser:
        return "full"
    roles = roles_in_compound(user, compound)
    if roles & VOICE_VIEWERS:
        return "full"
    return "aggregate" if Role.REPRESENTATIVE in roles else ""


def topic_compounds(*, user: Any) -> QuerySet[Compound]:
    """Compounds whose hot topics the user sees."""
    from gongzhi.estates.selectors import compounds_for

    return compounds_for(user, TOPIC_VIEWERS)


@dataclass(frozen=True)
class Trend:
    """Daily counts (new voices and "me too"s) over the last ``TREND_DAYS`` local days, oldest first."""

    days: list[datetime.date]
    counts: list[int]

    @property
    def this_week(self) -> int:
        """The last 7 days, today included."""
        return sum(self.counts[-7:])

    @property
    def last_week(self) -> int:
        """The 7 days before those."""
        return sum(self.counts[-14:-7])

    @property
    def change(self) -> int:
        return self.this_week - self.last_week

    @property
    def change_size(self) -> int:
        return abs(self.change)

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)


@dataclass
class HotTopic:
    words: list[str]
    voices: list[Voice]
    me_too: int
    trend: Trend

    @property
    def count(self) -> int:
        return len(self.voices)

    @property
    def weight(self) -> int:
        """How many residents raised it: voices plus "me too"s."""
        return self.count + self.me_too


@dataclass
class TopicBoard:
    compound: Compound
    topics: list[HotTopic]
    considered: int  # open voices grouped
    truncated: bool  # more open voices than TOPIC_MAX_VOICES in the window: the oldest were left out
    since: datetime.datetime
    today: datetime.date
    window_days: int = TOPIC_WINDOW_DAYS
    max_voices: int = TOPIC_MAX_VOICES
    trend_days: int = TREND_DAYS


def _local_day(at: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(at).date()


def topic_board(*, user: Any, compound: Compound, now: datetime.datetime | None = None, limit: int = 10) -> TopicBoard:
    """The compound's hot topics: its open voices of the last 90 days grouped by shared words (``topics_group``),
    largest first by voices plus "me too"s, each with its trend over the last 28 days.

    Three queries whatever the size: the voices (at most ``TOPIC_MAX_VOICES`` + 1, newest first), the "me too"s
    of the trend window. NotAllowed for anyone but staff in scope and the compound's representatives.
    """
    from django.utils import timezone

    from .models import MeToo
    from .text import topics_group

    if not topics_access(user=user, compound=compound):
        raise NotAllowed(_("You do not see the hot topics of this compound."))
    now = now or timezone.now()
    since = now - datetime.timedelta(days=TOPIC_WINDOW_DAYS)
    today = _local_day(now)
    days = [today - datetime.timedelta(days=TREND_DAYS - 1 - i) for i in range(TREND_DAYS)]
    window_start = days[0]
    voices = list(
        Voice.objects.filter(
            community_id=compound.community_id,
            compound=compound,
            status__in=OPEN_STATUSES,
            submitted_at__gte=since,
            submitted_at__lte=now,
        )
        .select_related("category")
        .only(
            "id",
            "text",
            "kind",
            "status",
            "submitted_at",
            "me_too_count",
            "is_public",
            "compound_id",
            "community_id",
            "category__name",
        )
        .order_by("-submitted_at", "-id")[: TOPIC_MAX_VOICES + 1]
    )
    truncated = len(voices) > TOPIC_MAX_VOICES
    voices = voices[:TOPIC_MAX_VOICES]
    groups = topics_group((v, v.text) for v in reversed(voices))  # oldest first: stable groups
    topic_of: dict[int, int] = {}
    counts: list[list[int]] = []
    for n, group in enumerate(groups):
        counts.append([0] * TREND_DAYS)
        for v in group.items:
            topic_of[v.pk] = n
            index = (_local_day(v.submitted_at) - window_start).days
            if 0 <= index < TREND_DAYS:
                counts[n][index] += 1
    me_toos = MeToo.objects.filter(
        community_id=compound.community_id,
        voice__compound=compound,
        voice__status__in=OPEN_STATUSES,
        voice__submitted_at__gte=since,
        at__lte=now,
        at__gte=now - datetime.timedelta(days=TREND_DAYS + 1),
    ).values_list("voice_id", "at")
    for voice_id, at in me_toos:
        n = topic_of.get(voice_id, -1)
        index = (_local_day(at) - window_start).days
        if n >= 0 and 0 <= index < TREND_DAYS:
            counts[n][index] += 1
    topics = [
        HotTopic(
            words=group.words,
            voices=sorted(group.items, key=lambda v: (v.submitted_at, v.pk), reverse=True),
            me_too=sum(v.me_too_count for v in group.items),
            trend=Trend(days=days, counts=counts[n]),
        )
        for n, group in enumerate(groups)
    ]
    topics.sort(key=lambda t: (-t.weight, -t.trend.this_week, -t.voices[0].submitted_at.timestamp()))
    return TopicBoard(
        compound=compound,
        topics=topics[:limit],
        considered=len(voices),
        truncated=truncated,
        since=since,
        today=today,
        max_voices=TOPIC_MAX_VOICES,
    )


def overdue_q(at: datetime.datetime) -> Q:
    """Open voices past a deadline that still runs (the same condition as ``voice_queue(overdue_only=True)``)."""
    return Q(accepted_at__isnull=True, response_due_at__lt=at) | Q(resolved_at__isnull=True, resolution_due_at__lt=at)


def agenda_overdue(*, user: Any, compound: Compound, now: datetime.datetime | None = None) -> tuple[list[Voice], int]:
    """Agenda candidates for the next joint meeting: the compound's overdue open voices, oldest first (at most
    ``AGENDA_MAX_OVERDUE``), and how many there are in all. Same access as the hot topics."""
    from django.utils import timezone

    if not topics_access(user=user, compound=compound):
        raise NotAllowed(_("You do not see the hot topics of this compound."))
    at = now or timezone.now()
    qs = (
        Voice.objects.filter(community_id=compound.community_id, compound=compound, status__in=OPEN_STATUSES)
        .filter(overdue_q(at))
        .select_related("category", "lead_organization")
        .order_by("submitted_at", "id")
    )
    shown = list(qs[:AGENDA_MAX_OVERDUE])
    total = len(shown) if len(shown) < AGENDA_MAX_OVERDUE else qs.count()
    return shown, total
