"""Writes of notices, read receipts and lobby screens. Keyword-only, atomic, each change audited.

A notice is checked whole before anything is written: the text (plain, no control characters, within limits),
the window (until after from), the buildings (of the notice's compound), the pictures (by content, through the
voices' photo checks: size, decompression bombs, re-encoded without EXIF). Any bad input refuses the whole
request and changes nothing. Status moves follow ``Notice.TRANSITIONS``.

Read receipts are the one write without an audit event: a receipt is itself the record of who opened what and
when, written once (``INSERT … ON CONFLICT DO NOTHING``), and never changed.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization
from gongzhi.accounts.roles import OrgKind
from gongzhi.accounts.selectors import memberships_of
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Building, Compound
from gongzhi.voices.photos import PreparedPhoto, photo_prepare, thumb_name

from . import text as notice_text
from .models import (
    BODY_MAX,
    IMAGES_MAX,
    REASON_MAX,
    TITLE_MAX,
    LobbyScreen,
    Notice,
    NoticeBuilding,
    NoticeImage,
    NoticeKind,
    NoticeStatus,
    ReadReceipt,
    notice_image_path,
)
from .rules import (
    AUTHORS,
    may_edit_notice,
    may_manage_screens,
    may_publish_notice,
    may_withdraw_notice,
    may_write_notice,
)

logger = logging.getLogger(__name__)

LOCATION_MAX = 100
NOTICE_FIELDS = ["kind", "title", "body", "staff_only", "is_pinned", "published_from", "published_until"]


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _move(notice: Notice, to: str) -> str:
    before = notice.status
    if to not in Notice.TRANSITIONS.get(before, frozenset()):
        raise Conflict(
            _("This notice is %(status)s; it cannot become %(to)s.")
            % {"status": NoticeStatus(before).label, "to": NoticeStatus(to).label},
            code="illegal_transition",
        )
    notice.status = to
    return before


# --- Checking input ------------------------------------------------------------------------------------------------


def _missing(field: str) -> str:
    if field == "title":
        return _("Give the notice a title.")
    if field == "body":
        return _("Write the notice's text.")
    if field == "location":
        return _("Say where the screen is.")
    return _("This field is required.")


def _plain(value: Any, *, field: str, max_length: int, required: bool = True, multiline: bool = False) -> str:
    raw = str(value or "")
    if notice_text.has_control_characters(raw):
        raise DomainError(_("This text contains characters that cannot be shown."), field=field, code="control")
    cleaned = notice_text.normalize(raw) if multiline else " ".join(raw.split())
    if required and not cleaned:
        raise DomainError(_missing(field), field=field, code="required")
    if len(cleaned) > max_length:
        raise DomainError(
            _("At most %(max)d characters (this has %(n)d).") % {"max": max_length, "n": len(cleaned)},
            field=field,
            code="too_long",
        )
    return cleaned


def _kind(value: Any) -> str:
    if value not in NoticeKind.values:
        raise DomainError(_("Choose a kind of notice."), field="kind", code="invalid_kind")
    return str(value)


def _window(start: Any, end: Any) -> tuple[datetime.datetime, datetime.datetime | None]:
    if not isinstance(start, datetime.datetime):
        raise DomainError(_("Give the time the notice is shown from."), field="published_from", code="required")
    if end is not None and not isinstance(end, datetime.datetime):
        raise DomainError(_("Give a date and time."), field="published_until", code="invalid")
    tz = timezone.get_default_timezone()
    start = start if timezone.is_aware(start) else timezone.make_aware(start, tz)
    if end is not None:
        end = end if timezone.is_aware(end) else timezone.make_aware(end, tz)
        if end <= start:
            raise DomainError(
                _("The notice must be shown until a time after it is shown from."),
                field="published_until",
                code="window",
            )
    return start, end


def _buildings(compound: Compound, buildings: Iterable[Any]) -> list[Building]:
    try:
        ids = sorted({b.pk if isinstance(b, Building) else int(b) for b in buildings})
    except (TypeError, ValueError):
        raise DomainError(_("Choose buildings of this compound."), field="buildings", code="invalid_building") from None
    found = list(Building.objects.filter(community_id=compound.community_id, compound=compound, pk__in=ids))
    if len(found) != len(ids):
        raise DomainError(_("Choose buildings of this compound."), field="buildings", code="invalid_building")
    return found


def _images(files: Sequence[Any], *, already: int) -> list[PreparedPhoto]:
    if already + len(files) > IMAGES_MAX:
        raise DomainError(
            _("A notice has at most %(max)d pictures (it has %(n)d, and you added %(k)d).")
            % {"max": IMAGES_MAX, "n": already, "k": len(files)},
            field="images",
            code="photo_too_many",
        )
    prepared = []
    for i, f in enumerate(files, 1):
        if isinstance(f, PreparedPhoto):
            prepared.append(f)
            continue
        try:
            prepared.append(photo_prepare(f, position=i))
        except DomainError as exc:
            raise DomainError(exc.message, field="images", code=exc.code) from exc
    return prepared


def publishing_organization(actor: Any, compound: Compound) -> Organization:
    """The organization a notice of ``compound`` is published in the name of: the actor's community (its
    secretary or staff) or property company (its manager or customer service); for a superuser without one,
    the compound's community office, else its property company."""
    for kind in (OrgKind.COMMUNITY, OrgKind.PROPERTY):
        for m in memberships_of(actor):
            org = m.organization
            if m.role not in AUTHORS or org.kind != kind:
                continue
            if (kind == OrgKind.COMMUNITY and org.area_id == compound.community_id) or (
                kind == OrgKind.PROPERTY and org.pk == compound.property_company_id
            ):
                return org
    if getattr(actor, "is_superuser", False):
        found = (
            Organization.objects.filter(kind=OrgKind.COMMUNITY, area_id=compound.community_id).order_by("pk").first()
        )
        if found is None and compound.property_company_id is not None:
            found = Organization.objects.filter(pk=compound.property_company_id).first()
        if found is not None:
            return found
    raise DomainError(
        _("No community office or property company of this compound to publish in the name of."),
        code="no_organization",
    )


# --- Notices -------------------------------------------------------------------------------------------------------


def notice_create(
    *,
    actor: Any,
    compound: Compound,
    kind: str,
    title: str,
    body: str,
    published_from: datetime.datetime,
    published_until: datetime.datetime | None = None,
    buildings: Iterable[Any] = (),
    staff_only: bool = False,
    is_pinned: bool = False,
    images: Sequence[Any] = (),
    now: datetime.datetime | None = None,
) -> Notice:
    """A draft notice of ``compound`` in the name of the author's organization. Pictures are checked and
    re-encoded before the transaction (slow, no lock held)."""
    _require(may_write_notice(actor, compound), _("You may not write notices of this compound."))
    prepared = _images(images, already=0)
    return _notice_create(
        actor=actor,
        compound=compound,
        fields={
            "kind": kind,
            "title": title,
            "body": body,
            "published_from": published_from,
            "published_until": published_until,
            "staff_only": staff_only,
            "is_pinned": is_pinned,
        },
        buildings=list(buildings),
        images=prepared,
        at=_now(now),
    )


def _checked(compound: Compound, fields: dict[str, Any], buildings: list[Any]) -> tuple[dict[str, Any], list[Building]]:
    start, end = _window(fields["published_from"], fields["published_until"])
    staff_only = bool(fields["staff_only"])
    chosen = _buildings(compound, buildings)
    if staff_only and chosen:
        raise DomainError(
            _("A staff-only notice goes to the compound's staff, not to buildings."), field="buildings", code="staff"
        )
    return {
        "kind": _kind(fields["kind"]),
        "title": _plain(fields["title"], field="title", max_length=TITLE_MAX),
        "body": _plain(fields["body"], field="body", max_length=BODY_MAX, multiline=True),
        "published_from": start,
        "published_until": end,
        "staff_only": staff_only,
        "is_pinned": bool(fields["is_pinned"]),
    }, chosen


@transaction.atomic
def _notice_create(
    *,
    actor: Any,
    compound: Compound,
    fields: dict[str, Any],
    buildings: list[Any],
    images: list[PreparedPhoto],
    at: datetime.datetime,
) -> Notice:
    values, chosen = _checked(compound, fields, buildings)
    notice = Notice.objects.create(
        community_id=compound.community_id,
        compound=compound,
        organization=publishing_organization(actor, compound),
        author=_user_or_none(actor),
        **values,
    )
    NoticeBuilding.objects.bulk_create(
        [NoticeBuilding(community_id=compound.community_id, notice=notice, building=b) for b in chosen]
    )
    _images_store(notice=notice, images=images, at=at)
    audit_record(
        actor=actor,
        verb="notice.create",
        obj=notice,
        community_id=notice.community_id,
        after={
            **snapshot(notice, NOTICE_FIELDS),
            "organization": notice.organization_id,
            "buildings": [b.pk for b in chosen],
            "images": len(images),
        },
    )
    return notice


def _lock(notice: Notice | int) -> Notice:
    pk = notice if isinstance(notice, int) else notice.pk
    found = Notice.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such notice."))
    found = Notice.objects.select_related("compound", "compound__community", "organization").get(pk=found.pk)
    return found


def notice_update(
    *,
    actor: Any,
    notice: Notice | int,
    kind: str,
    title: str,
    body: str,
    published_from: datetime.datetime,
    published_until: datetime.datetime | None = None,
    buildings: Iterable[Any] = (),
    staff_only: bool = False,
    is_pinned: bool = False,
    images: Sequence[Any] = (),
    now: datetime.datetime | None = None,
) -> Notice:
    """Change a draft or published notice (text, window, audience, pinning) and add pictures; a withdrawn
    notice no longer changes."""
    pk = notice if isinstance(notice, int) else notice.pk
    current = Notice.objects.select_related("compound").filter(pk=pk).first()
    if current is None:
        raise NotFound(_("No such notice."))
    _require(may_edit_notice(actor, current), _("You may not change this notice."))
    already = NoticeImage.objects.filter(community_id=current.community_id, notice=current).count()
    prepared = _images(images, already=already)
    return _notice_update(
        actor=actor,
        pk=pk,
        fields={
            "kind": kind,
            "title": title,
            "body": body,
            "published_from": published_from,
            "published_until": published_until,
            "staff_only": staff_only,
            "is_pinned": is_pinned,
        },
        buildings=list(buildings),
        images=prepared,
        at=_now(now),
    )


@transaction.atomic
def _notice_update(
    *,
    actor: Any,
    pk: int,
    fields: dict[str, Any],
    buildings: list[Any],
    images: list[PreparedPhoto],
    at: datetime.datetime,
) -> Notice:
    notice = _lock(pk)
    _require(may_edit_notice(actor, notice), _("You may not change this notice."))
    if notice.status == NoticeStatus.WITHDRAWN:
        raise Conflict(_("A withdrawn notice cannot be changed."), code="illegal_transition")
    values, chosen = _checked(notice.compound, fields, buildings)
    before = snapshot(notice, NOTICE_FIELDS)
    old_buildings = sorted(
        NoticeBuilding.objects.filter(community_id=notice.community_id, notice=notice).values_list(
            "building_id", flat=True
        )
    )
    for name, value in values.items():
        setattr(notice, name, value)
    already = NoticeImage.objects.filter(community_id=notice.community_id, notice=notice).count()
    if already + len(images) > IMAGES_MAX:
        raise DomainError(
            _("A notice has at most %(max)d pictures (it has %(n)d, and you added %(k)d).")
            % {"max": IMAGES_MAX, "n": already, "k": len(images)},
            field="images",
            code="photo_too_many",
        )
    notice.save()
    new_buildings = sorted(b.pk for b in chosen)
    if new_buildings != old_buildings:
        NoticeBuilding.objects.filter(community_id=notice.community_id, notice=notice).delete()
        NoticeBuilding.objects.bulk_create(
            [NoticeBuilding(community_id=notice.community_id, notice=notice, building=b) for b in chosen]
        )
    _images_store(notice=notice, images=images, at=at, start=already)
    audit_record(
        actor=actor,
        verb="notice.update",
        obj=notice,
        community_id=notice.community_id,
        before={**before, "buildings": old_buildings},
        after={**snapshot(notice, NOTICE_FIELDS), "buildings": new_buildings, "images_added": len(images)},
    )
    return notice


@transaction.atomic
def notice_publish(*, actor: Any, notice: Notice | int, now: datetime.datetime | None = None) -> Notice:
    """draft → published: shown to its audience from ``published_from`` (at once if that has passed)."""
    at = _now(now)
    locked = _lock(notice)
    _require(may_publish_notice(actor, locked), _("You may not publish this notice."))
    if locked.published_until is not None and locked.published_until <= at:
        raise DomainError(
            _("This notice's window has already ended: change the dates before publishing it."),
            field="published_until",
            code="window_over",
        )
    before = _move(locked, NoticeStatus.PUBLISHED)
    locked.published_at = at
    locked.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="notice.publish",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before},
        after={"status": locked.status},
    )
    return locked


@transaction.atomic
def notice_withdraw(
    *, actor: Any, notice: Notice | int, reason: str = "", now: datetime.datetime | None = None
) -> Notice:
    """published → withdrawn: no resident or screen shows it any more; the reason is kept for the record."""
    locked = _lock(notice)
    _require(may_withdraw_notice(actor, locked), _("You may not withdraw this notice."))
    reason = _plain(reason, field="reason", max_length=REASON_MAX, required=False)
    before = _move(locked, NoticeStatus.WITHDRAWN)
    locked.withdrawn_at = _now(now)
    locked.withdraw_reason = reason
    locked.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="notice.withdraw",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before},
        after={"status": locked.status, "reason": reason},
    )
    return locked


def _storage() -> Any:
    return NoticeImage._meta.get_field("image").storage


def _images_store(*, notice: Notice, images: list[PreparedPhoto], at: datetime.datetime, start: int = 0) -> None:
    """Rows for checked pictures, files written once the transaction commits (rows removed if that fails)."""
    if not images:
        return
    items: list[tuple[int, str, PreparedPhoto]] = []
    for position, prepared in enumerate(images, start):
        row = NoticeImage(
            community_id=notice.community_id,
            notice=notice,
            width=prepared.width,
            height=prepared.height,
            size=len(prepared.data),
            position=position,
            created_at=at,
        )
        row.image.name = notice_image_path(row, "picture.jpg")
        row.save()
        items.append((row.pk, row.image.name, prepared))
    storage = _storage()

    def write() -> None:
        written: list[str] = []
        try:
            for pk, name, prepared in items:
                saved = storage.save(name, ContentFile(prepared.data))
                written.append(saved)
                if saved != name:
                    NoticeImage.objects.filter(pk=pk).update(image=saved)
                written.append(storage.save(thumb_name(saved), ContentFile(prepared.thumb)))
        except Exception:
            logger.exception("Notice pictures could not be written; their rows are removed.")
            for name in written:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("Could not remove %s", name)
            NoticeImage.objects.filter(pk__in=[pk for pk, _n, _p in items]).delete()

    transaction.on_commit(write)


@transaction.atomic
def notice_image_remove(*, actor: Any, notice: Notice | int, image_id: int) -> None:
    """Take a picture off a draft or published notice (its files go once the transaction commits)."""
    locked = _lock(notice)
    _require(may_edit_notice(actor, locked), _("You may not change this notice."))
    if locked.status == NoticeStatus.WITHDRAWN:
        raise Conflict(_("A withdrawn notice cannot be changed."), code="illegal_transition")
    image = NoticeImage.objects.filter(community_id=locked.community_id, notice=locked, pk=image_id).first()
    if image is None:
        raise NotFound(_("No such picture."))
    name = image.image.name or ""
    image.delete()
    storage = _storage()

    def remove() -> None:
        for stored in (name, thumb_name(name)):
            try:
                storage.delete(stored)
            except OSError:
                logger.exception("Could not remove %s", stored)

    transaction.on_commit(remove)
    audit_record(
        actor=actor,
        verb="notice.image_remove",
        obj=locked,
        community_id=locked.community_id,
        before={"image": image_id},
    )


def notice_read(*, user: Any, notice: Notice, now: datetime.datetime | None = None) -> bool:
    """Record that a resident opened a notice addressed to them (the caller read it through
    ``notice_get_resident``, whose ``is_read`` says whether they had already). Already read: nothing is written,
    False. Otherwise one ``INSERT … ON CONFLICT DO NOTHING`` (two tabs at once still leave one receipt), True."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(notice, "is_read", False):
        return False  # known from the list query: no write at all
    ReadReceipt.objects.bulk_create(
        [ReadReceipt(community_id=notice.community_id, notice=notice, user=user, read_at=_now(now))],
        ignore_conflicts=True,  # two tabs at once: the unique constraint keeps one receipt
    )
    return True


# --- Lobby screens -------------------------------------------------------------------------------------------------


@transaction.atomic
def lobby_screen_create(
    *,
    actor: Any,
    compound: Compound,
    location: str,
    building: Building | int | None = None,
    expires_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> LobbyScreen:
    """A new screen of the compound with its own link (``lobby.screen_path``)."""
    from .lobby import screen_token

    _require(may_manage_screens(actor, compound), _("You may not manage this compound's lobby screens."))
    at = _now(now)
    location = _plain(location, field="location", max_length=LOCATION_MAX)
    chosen: Building | None = None
    if building is not None:
        chosen = _buildings(compound, [building])[0]
    if expires_at is not None and expires_at <= at:
        raise DomainError(_("The link must expire in the future."), field="expires_at", code="expired")
    screen = LobbyScreen(
        community_id=compound.community_id,
        compound=compound,
        building=chosen,
        location=location,
        nonce=secrets.token_urlsafe(24),
        created_by=_user_or_none(actor),
        created_at=at,
        expires_at=expires_at,
    )
    screen.token_hash = LobbyScreen.hash_token(screen_token(screen))
    screen.save()
    audit_record(
        actor=actor,
        verb="lobby_screen.create",
        obj=screen,
        community_id=screen.community_id,
        after={"location": location, "building": chosen.pk if chosen else None, "expires_at": expires_at},
    )
    return screen


@transaction.atomic
def lobby_screen_revoke(*, actor: Any, screen: LobbyScreen | int, now: datetime.datetime | None = None) -> LobbyScreen:
    """Revoke a screen's link: from its next refresh the screen shows nothing. Revoking twice is a conflict."""
    pk = screen if isinstance(screen, int) else screen.pk
    locked = LobbyScreen.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("No such screen."))
    compound = Compound.objects.get(pk=locked.compound_id)
    _require(may_manage_screens(actor, compound), _("You may not manage this compound's lobby screens."))
    if locked.revoked_at is not None:
        raise Conflict(_("This screen's link has already been revoked."), code="illegal_transition")
    locked.revoked_at = _now(now)
    locked.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        verb="lobby_screen.revoke",
        obj=locked,
        community_id=locked.community_id,
        after={"location": locked.location},
    )
    return locked


def lobby_screen_seen(*, screen: LobbyScreen, now: datetime.datetime | None = None) -> None:
    """When the screen last fetched its content (shown to staff: is the TV still on?). Not audited: the screen
    itself writes it on every refresh."""
    LobbyScreen.objects.filter(pk=screen.pk).update(last_seen_at=_now(now))
