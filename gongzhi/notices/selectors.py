"""Scoped reads of notices (DESIGN rule 2). Every page reads through these.

Lists run in a fixed number of queries whatever their length: read counts, picture counts, the cover picture
and "read by me" are subqueries, never a query per row.
"""

from __future__ import annotations

import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, Building, Compound, HouseBinding
from gongzhi.estates.scope import compound_filter

from .models import LobbyScreen, Notice, NoticeBuilding, NoticeImage, NoticeStatus, ReadReceipt
from .rules import (
    AUTHORS,
    STAFF_ONLY_READERS,
    VIEWERS,
    may_manage_screens,
    may_view_notice_staff,
    may_view_staff_list,
    may_write_notice,
)

SEARCH_MAX = 100


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _compounds(user: Any, roles: frozenset[str]) -> QuerySet[Compound]:
    if not _authenticated(user):
        return Compound.objects.none()
    if user.is_superuser:
        return Compound.objects.all()
    q = compound_filter(user, roles)
    return Compound.objects.filter(q) if q is not None else Compound.objects.none()


def author_compounds(*, user: Any) -> QuerySet[Compound]:
    """The compounds whose notices the user writes (and whose lobby screens they manage)."""
    return _compounds(user, AUTHORS).order_by("name", "pk")


def staff_compounds(*, user: Any) -> QuerySet[Compound]:
    """The compounds whose notices the user sees as staff."""
    return _compounds(user, VIEWERS).order_by("name", "pk")


def _count(model: Any, **filters: Any) -> Coalesce:
    rows = (
        model.objects.filter(community_id=OuterRef("community_id"), notice=OuterRef("pk"), **filters)
        .order_by()
        .values("notice")
    )
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0))


def _cover() -> Subquery:
    images = NoticeImage.objects.filter(community_id=OuterRef("community_id"), notice=OuterRef("pk"))
    return Subquery(images.order_by("position", "pk").values("pk")[:1])


def current_q(now: datetime.datetime) -> Q:
    """Published, and inside its publication window at ``now``."""
    return Q(status=NoticeStatus.PUBLISHED, published_from__lte=now) & (
        Q(published_until__isnull=True) | Q(published_until__gt=now)
    )


# --- Staff ---------------------------------------------------------------------------------------------------------


def notices_visible_staff(*, user: Any) -> QuerySet[Notice]:
    """Every notice the user may open as staff (the rules' ``may_view_notice_staff`` as a filter)."""
    qs = Notice.objects.all()
    if not _authenticated(user):
        return qs.none()
    if user.is_superuser:
        return qs
    parts: list[Q] = []
    authors = compound_filter(user, AUTHORS)
    if authors is not None:
        parts.append(Q(compound__in=Compound.objects.filter(authors)))
    viewers = compound_filter(user, VIEWERS)
    if viewers is not None:
        parts.append(
            ~Q(status=NoticeStatus.DRAFT) & Q(staff_only=False) & Q(compound__in=Compound.objects.filter(viewers))
        )
    readers = compound_filter(user, STAFF_ONLY_READERS)
    if readers is not None:
        parts.append(
            ~Q(status=NoticeStatus.DRAFT) & Q(staff_only=True) & Q(compound__in=Compound.objects.filter(readers))
        )
    return qs.filter(reduce(or_, parts)) if parts else qs.none()


def notices_staff_list(
    *,
    user: Any,
    compound: Compound | None = None,
    kind: str = "",
    status: str = "",
    state: str = "",
    search: str = "",
    now: datetime.datetime | None = None,
) -> QuerySet[Notice]:
    """The staff list: filtered, searched (title and text), pinned and newest first, each notice with its read
    count and number of pictures. Constant queries for any page."""
    now = now or timezone.now()
    if compound is not None and not may_view_staff_list(user, compound):
        raise NotAllowed(_("You do not have access to this compound."))
    qs = notices_visible_staff(user=user)
    if compound is not None:
        qs = qs.filter(community_id=compound.community_id, compound=compound)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if state == "current":
        qs = qs.filter(current_q(now))
    elif state == "upcoming":
        qs = qs.filter(status=NoticeStatus.PUBLISHED, published_from__gt=now)
    elif state == "ended":
        qs = qs.filter(status=NoticeStatus.PUBLISHED, published_until__lte=now)
    search = search.strip()[:SEARCH_MAX]
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search))
    return (
        qs.select_related("compound", "organization", "author")
        .annotate(read_count=_count(ReadReceipt), image_count=_count(NoticeImage))
        .order_by("-is_pinned", "-published_from", "-pk")
    )


def notice_get_staff(*, user: Any, pk: int) -> Notice:
    notice = (
        Notice.objects.select_related("compound", "compound__community", "organization", "author")
        .annotate(read_count=_count(ReadReceipt))
        .filter(pk=pk)
        .first()
    )
    if notice is None or not may_view_notice_staff(user, notice):
        raise NotFound(_("No such notice."))
    return notice


def notice_buildings(notice: Notice) -> list[Building]:
    """The buildings a notice is addressed to (empty: the whole compound); call once the notice is visible."""
    ids = NoticeBuilding.objects.filter(community_id=notice.community_id, notice=notice).values("building_id")
    return list(Building.objects.filter(pk__in=ids).order_by("sort_key", "name"))


def notice_images(notice: Notice) -> list[NoticeImage]:
    """A notice's pictures in order; call once the notice is visible."""
    return list(NoticeImage.objects.filter(community_id=notice.community_id, notice=notice).order_by("position", "pk"))


def buildings_for(*, user: Any, compound: Compound) -> QuerySet[Building]:
    """The buildings an author may address a notice of ``compound`` to."""
    if not may_write_notice(user, compound):
        raise NotAllowed(_("You may not write notices of this compound."))
    return Building.objects.filter(community_id=compound.community_id, compound=compound).order_by("sort_key", "name")


# --- Residents -----------------------------------------------------------------------------------------------------


def _resident_bindings(user: Any) -> QuerySet[HouseBinding]:
    return HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED)


def notices_for_resident(*, user: Any, now: datetime.datetime | None = None) -> QuerySet[Notice]:
    """The current notices of the compounds the user lives in, addressed to them (the whole compound, or a
    building they live in), never staff-only: pinned first, then newest, each with ``is_read``, its picture
    count and its cover picture. One query for any number of notices."""
    if not _authenticated(user):
        return Notice.objects.none()
    now = now or timezone.now()
    bindings = _resident_bindings(user)
    addressed = NoticeBuilding.objects.filter(community_id=OuterRef("community_id"), notice=OuterRef("pk"))
    mine = addressed.filter(building_id__in=bindings.values("house__building_id"))
    return (
        Notice.objects.filter(
            current_q(now),
            staff_only=False,
            community_id__in=bindings.values("community_id"),
            compound_id__in=bindings.values("compound_id"),
        )
        .filter(~Exists(addressed) | Exists(mine))
        .select_related("compound", "organization")
        .annotate(
            is_read=Exists(
                ReadReceipt.objects.filter(community_id=OuterRef("community_id"), notice=OuterRef("pk"), user=user)
            ),
            image_count=_count(NoticeImage),
            cover_id=_cover(),
        )
        .order_by("-is_pinned", "-published_from", "-pk")
    )


def notice_get_resident(*, user: Any, pk: int, now: datetime.datetime | None = None) -> Notice:
    """A current notice addressed to the user; NotFound otherwise (the same answer whether or not it exists)."""
    notice = notices_for_resident(user=user, now=now).filter(pk=pk).first()
    if notice is None:
        raise NotFound(_("No such notice."))
    return notice


def unread_count(*, user: Any, now: datetime.datetime | None = None) -> int:
    if not _authenticated(user):
        return 0
    read = ReadReceipt.objects.filter(community_id=OuterRef("community_id"), notice=OuterRef("pk"), user=user)
    return notices_for_resident(user=user, now=now).filter(~Exists(read)).count()


def notice_image_get(*, user: Any, pk: int, image_id: int, now: datetime.datetime | None = None) -> NoticeImage:
    """A picture of a notice the user may open (as staff, or as a resident it is addressed to)."""
    notice = Notice.objects.select_related("compound").filter(pk=pk).first()
    if notice is None:
        raise NotFound(_("No such picture."))
    if not may_view_notice_staff(user, notice):
        notice_get_resident(user=user, pk=pk, now=now)  # NotFound unless addressed to them and current
    image = NoticeImage.objects.filter(community_id=notice.community_id, notice=notice, pk=image_id).first()
    if image is None:
        raise NotFound(_("No such picture."))
    return image


# --- Lobby screens (staff) -----------------------------------------------------------------------------------------


def screens_of(*, user: Any, compound: Compound) -> QuerySet[LobbyScreen]:
    if not may_manage_screens(user, compound):
        raise NotAllowed(_("You may not manage this compound's lobby screens."))
    return (
        LobbyScreen.objects.filter(community_id=compound.community_id, compound=compound)
        .select_related("building")
        .order_by("revoked_at", "-created_at", "-pk")
    )


def screen_get(*, user: Any, pk: int) -> LobbyScreen:
    screen = LobbyScreen.objects.select_related("compound", "building").filter(pk=pk).first()
    if screen is None or not may_manage_screens(user, screen.compound):
        raise NotFound(_("No such screen."))
    return screen
