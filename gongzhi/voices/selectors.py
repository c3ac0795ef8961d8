"""Scoped reads of voices (DESIGN rule 2): staff queues, a resident's own voices, the public wall."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.selectors import memberships_of
from gongzhi.core.errors import NotFound
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding
from gongzhi.estates.scope import compound_filter

from .models import OPEN_STATUSES, Category, Voice, VoiceEvent, VoiceReply
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
        q |= Q(assignments__organization_id__in=org_ids, assignments__is_active=True)
    return _base().filter(q).distinct()


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
    """A staff queue: open voices in scope (optionally of one organization, kind or words), earliest deadline first."""
    from django.utils import timezone

    qs = voices_visible(user=user).filter(status__in=statuses or OPEN_STATUSES)
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
    return qs.order_by("resolution_due_at", "response_due_at", "id")


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
