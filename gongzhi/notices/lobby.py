"""Lobby screens (楼道屏): the signed link, and what a screen shows.

A screen's link carries a token: the screen's random ``nonce`` signed with the project's secret under its own
salt (``django.core.signing.Signer``). A token is accepted when its signature holds (a forged or damaged link is
refused before the database is asked) and when its SHA-256 matches the ``token_hash`` of a screen that is
neither revoked nor expired. The token itself is never stored: the staff page recomputes the link from the
nonce and the secret, so a copy of the database alone opens no screen.

``lobby_payload`` is everything a screen shows, as JSON-ready data, in a fixed number of queries: the
compound's current notices (compound-wide ones, and those addressed to the screen's building; never staff-only
ones), upcoming activities (from ``gongzhi.activities.selectors.upcoming_activities`` once that app provides
it), action items done lately (public ones, with their after-photo) and a few headline figures (occupancy,
permanent residents, voices resolved this year, action items done this year). Pictures are linked through the
token (``notices:screen_image``), never as public media.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed
from gongzhi.core.templatetags.gongzhi import percent

from .models import LobbyScreen, Notice, NoticeBuilding, NoticeImage, NoticeKind
from .selectors import current_q
from .text import paragraphs

SALT = "gongzhi.notices.lobby-screen"
NOTICES_MAX = 8
ACTIONS_MAX = 6
ACTIVITIES_MAX = 6
ACTIONS_DAYS = 60
SCREEN_TEXT_MAX = 360
IMAGE_PREFIX = {"notice": "n", "action": "a"}


def rotate_seconds() -> int:
    return max(3, int(getattr(settings, "NOTICES_LOBBY_ROTATE_SECONDS", 15)))


def refresh_seconds() -> int:
    return max(5, int(getattr(settings, "NOTICES_LOBBY_REFRESH_SECONDS", 180)))


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def token_for(nonce: str) -> str:
    """The token of a link: the nonce signed with the project's secret under this module's salt."""
    return _signer().sign(nonce)


def screen_token(screen: LobbyScreen) -> str:
    """The token of the screen's link (recomputed from its nonce and the project's secret)."""
    return token_for(screen.nonce)


def screen_path(screen: LobbyScreen) -> str:
    return reverse("notices:screen", args=[screen_token(screen)])


class ScreenRefused(NotAllowed):
    """The link is forged, revoked or expired: the screen shows nothing."""


def screen_from_token(token: str, *, now: datetime.datetime | None = None) -> LobbyScreen:
    """The active screen the token opens; ``ScreenRefused`` with the reason otherwise."""
    token = str(token or "").strip()
    try:
        _signer().unsign(token)
    except signing.BadSignature:
        raise ScreenRefused(
            _("This screen link is not valid. Ask the community or property office for the screen's link."),
            code="screen_invalid",
        ) from None
    screen = (
        LobbyScreen.objects.select_related("compound", "building")
        .filter(token_hash=LobbyScreen.hash_token(token))
        .first()
    )
    if screen is None or screen.revoked_at is not None:
        raise ScreenRefused(
            _("This screen link has been revoked. Ask the community or property office for a new link."),
            code="screen_revoked",
        )
    if screen.expires_at is not None and screen.expires_at <= (now or timezone.now()):
        raise ScreenRefused(
            _("This screen link has expired. Ask the community or property office for a new link."),
            code="screen_expired",
        )
    return screen


@dataclass(frozen=True)
class ScreenImage:
    kind: str  # "notice" or "action"
    pk: int


def image_name(kind: str, pk: int) -> str:
    return f"{IMAGE_PREFIX[kind]}{pk}"


def image_parse(name: str) -> ScreenImage | None:
    for kind, prefix in IMAGE_PREFIX.items():
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return ScreenImage(kind=kind, pk=int(name[len(prefix) :]))
    return None


def _image_url(token: str, kind: str, pk: int | None) -> str | None:
    if pk is None:
        return None
    return reverse("notices:screen_image", args=[token, image_name(kind, pk)])


def screen_notices(screen: LobbyScreen, now: datetime.datetime) -> Any:
    """The notices the screen shows: current, not staff-only, compound-wide or addressed to its building."""
    addressed = NoticeBuilding.objects.filter(community_id=screen.community_id, notice=OuterRef("pk"))
    audience: Any = ~Exists(addressed)
    if screen.building_id is not None:
        audience |= Exists(addressed.filter(building_id=screen.building_id))
    return (
        Notice.objects.filter(current_q(now), community_id=screen.community_id, compound_id=screen.compound_id)
        .filter(staff_only=False)
        .filter(audience)
        .annotate(
            cover_id=Subquery(
                NoticeImage.objects.filter(community_id=screen.community_id, notice=OuterRef("pk"))
                .order_by("position", "pk")
                .values("pk")[:1]
            )
        )
        .order_by("-is_pinned", "-published_from", "-pk")
    )


def _short(text: str) -> list[str]:
    out: list[str] = []
    left = SCREEN_TEXT_MAX
    for para in paragraphs(text):
        if left <= 0:
            break
        if len(para) > left:
            out.append(para[:left].rstrip() + "…")
            break
        out.append(para)
        left -= len(para)
    return out


def _day(value: datetime.datetime | datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "MONTH_DAY_FORMAT")


def _activities(screen: LobbyScreen, now: datetime.datetime) -> list[dict[str, Any]]:
    """Upcoming activities from the activities app, when it provides ``upcoming_activities``; none otherwise."""
    try:
        module = importlib.import_module("gongzhi.activities.selectors")
        upcoming = module.upcoming_activities
    except (ImportError, AttributeError):
        return []
    rows: list[dict[str, Any]] = []
    for a in list(upcoming(compound=screen.compound, now=now, limit=ACTIVITIES_MAX))[:ACTIVITIES_MAX]:

        def get(name: str, default: Any = "", a: Any = a) -> Any:
            return a.get(name, default) if isinstance(a, dict) else getattr(a, name, default)

        starts = get("starts_at", None)
        when = ""
        if isinstance(starts, datetime.datetime):
            local = timezone.localtime(starts)
            when = f"{_day(local)} {local:%H:%M}"
        rows.append({"title": str(get("title", "") or a), "when": when, "place": str(get("place", "") or "")})
    return rows


def _actions(screen: LobbyScreen, token: str, now: datetime.datetime) -> list[dict[str, Any]]:
    """Public action items of the compound done in the last ``ACTIONS_DAYS`` days, newest first, each with its
    latest after-photo (the compound's public 整改清单 shows the same items to residents)."""
    from gongzhi.meetings.models import ActionItem, ActionPhoto, ActionStatus, PhotoStage

    since = now - datetime.timedelta(days=ACTIONS_DAYS)
    items = (
        ActionItem.objects.filter(
            community_id=screen.community_id,
            compound_id=screen.compound_id,
            is_public=True,
            parent__isnull=True,
            status=ActionStatus.DONE,
            done_at__gte=since,
        )
        .annotate(
            after_id=Subquery(
                ActionPhoto.objects.filter(
                    community_id=screen.community_id, action_item=OuterRef("pk"), stage=PhotoStage.AFTER
                )
                .order_by("-created_at", "-pk")
                .values("pk")[:1]
            )
        )
        .order_by("-done_at", "-pk")[:ACTIONS_MAX]
    )
    return [
        {
            "title": item.title,
            "done_on": _day(item.done_at) if item.done_at else "",
            "image": _image_url(token, "action", item.after_id),
        }
        for item in items
    ]


def _figures(screen: LobbyScreen, now: datetime.datetime) -> list[dict[str, str]]:
    """Headline figures, each defined once in insights/kpis.py or counted plainly; aggregates only."""
    from gongzhi.estates.models import House, Resident
    from gongzhi.insights import kpis
    from gongzhi.meetings.models import ActionItem, ActionStatus
    from gongzhi.voices.models import Voice

    today = timezone.localdate(now)
    start = datetime.date(today.year, 1, 1)
    tomorrow = today + datetime.timedelta(days=1)
    compound_q = Q(community_id=screen.community_id, compound_id=screen.compound_id)
    occupancy = kpis.occupancy_rate(House.objects.filter(compound_q), today)
    residents = kpis.permanent_residents(Resident.objects.filter(compound_q), today)
    resolved = kpis.resolution_rate(Voice.objects.filter(compound_q), start, tomorrow)
    year_start = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    done = ActionItem.objects.filter(
        compound_q, is_public=True, parent__isnull=True, status=ActionStatus.DONE, done_at__gte=year_start
    ).count()
    figures = [{"label": str(_("Occupancy rate")), "value": percent(occupancy.value)}]
    if residents:
        figures.append({"label": str(_("Permanent residents")), "value": str(residents)})
    if resolved.denominator:
        figures.append({"label": str(_("Voices resolved this year")), "value": percent(resolved.value)})
    figures.append({"label": str(_("Action items done this year")), "value": str(done)})
    return figures


def lobby_payload(screen: LobbyScreen, *, token: str, now: datetime.datetime | None = None) -> dict[str, Any]:
    """What the screen shows, as JSON-ready data: ``slides`` in showing order (each notice one slide, then the
    activities, the done action items and the figures), labels already translated."""
    now = now or timezone.now()
    kinds = dict(NoticeKind.choices)
    slides: list[dict[str, Any]] = []
    for notice in screen_notices(screen, now)[:NOTICES_MAX]:
        slides.append(
            {
                "type": "notice",
                "label": str(kinds.get(notice.kind, "")),
                "title": notice.title,
                "paragraphs": _short(notice.body),
                "pinned": notice.is_pinned,
                "date": _day(notice.published_from),
                "image": _image_url(token, "notice", notice.cover_id),
            }
        )
    activities = _activities(screen, now)
    if activities:
        slides.append({"type": "activities", "title": str(_("Upcoming activities")), "items": activities})
    actions = _actions(screen, token, now)
    if actions:
        slides.append({"type": "actions", "title": str(_("Recently completed improvements")), "items": actions})
    slides.append({"type": "figures", "title": str(_("Our compound in figures")), "items": _figures(screen, now)})
    local = timezone.localtime(now)
    return {
        "compound": screen.compound.name,
        "location": screen.location,
        "generated_at": local.isoformat(),
        "generated_label": f"{_day(local)} {local:%H:%M}",
        "rotate_seconds": rotate_seconds(),
        "refresh_seconds": refresh_seconds(),
        "slides": slides,
    }


def screen_image_file(screen: LobbyScreen, name: str, *, now: datetime.datetime | None = None) -> Any:
    """The stored file of a picture the screen shows (a current notice's, or a done public action item's
    after-photo); None for anything else."""
    from gongzhi.meetings.models import ActionPhoto, ActionStatus, PhotoStage

    wanted = image_parse(name)
    if wanted is None:
        return None
    now = now or timezone.now()
    if wanted.kind == "notice":
        image = (
            NoticeImage.objects.filter(community_id=screen.community_id, pk=wanted.pk)
            .filter(notice__in=screen_notices(screen, now).values("pk"))
            .first()
        )
        return image.image if image is not None else None
    photo = ActionPhoto.objects.filter(
        community_id=screen.community_id,
        pk=wanted.pk,
        stage=PhotoStage.AFTER,
        action_item__compound_id=screen.compound_id,
        action_item__is_public=True,
        action_item__status=ActionStatus.DONE,
    ).first()
    return photo.image if photo is not None else None
