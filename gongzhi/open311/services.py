"""Writes for Open311 (DESIGN rule 1): keys (create, revoke) and service requests becoming voices.

Each service is keyword-only, atomic and audited in the same transaction. ``actor=None`` is the command line
(an operator on the server); pages always pass the logged-in user.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import crypto
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.estates.models import Building, Compound
from gongzhi.voices.models import TEXT_MAX, Channel, Kind, LocationKind, Voice
from gongzhi.voices.services import voice_create

from .models import KEY_PREFIX, PREFIX_LENGTH, Open311Key, Open311Submission
from .rules import may_manage_keys
from .selectors import key_for_jurisdiction, service_get

NAME_MAX = 100
ADDRESS_MAX = 255
CONTACT_NAME_MAX = 100
PHONE_MAX = 30
DEFAULT_KIND = Kind.REQUEST
# The service definition's attributes (attribute[code]=value in a POST).
ATTRIBUTE_KIND = "kind"
ATTRIBUTE_PUBLIC = "is_public"
TRUE_VALUES = frozenset({"true", "1", "yes"})
FALSE_VALUES = frozenset({"false", "0", "no"})
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]*$")
COORDINATE = Decimal("0.000001")


class Invalid(DomainError):
    """Several problems with one request at once: GeoReport returns them all (each a 400)."""

    def __init__(self, problems: Sequence[DomainError]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self.problems = list(problems)


# --- Keys --------------------------------------------------------------------------------------------------------


def _require_manager(actor: Any, compound: Compound) -> None:
    if actor is not None and not may_manage_keys(actor, compound):
        raise NotAllowed(_("You may not manage this compound's Open311 keys."))


@transaction.atomic
def open311_key_create(*, actor: Any, compound: Compound, name: str) -> tuple[Open311Key, str]:
    """A new key for the compound; returns it with the raw key, which is shown once and never stored."""
    _require_manager(actor, compound)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the key a name: who or which system uses it."), field="name", code="required")
    if len(name) > NAME_MAX:
        raise DomainError(_("At most %(max)d characters.") % {"max": NAME_MAX}, field="name", code="too_long")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311Key.objects.create(
        community_id=compound.community_id,
        compound=compound,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        key_hash=Open311Key.hash_key(raw),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        verb="open311.key_create",
        obj=key,
        community_id=key.community_id,
        after={"compound": compound.pk, "name": name, "prefix": key.prefix},
    )
    return key, raw


@transaction.atomic
def open311_key_revoke(*, actor: Any, key: Open311Key, now: datetime.datetime | None = None) -> Open311Key:
    """Revoke a key: from now on it is refused (HTTP 403). Revoking twice is a conflict."""
    key = Open311Key.objects.select_for_update().select_related("compound").get(pk=key.pk)
    _require_manager(actor, key.compound)
    if key.revoked_at is not None:
        raise Conflict(_("This key has already been revoked."), code="illegal_transition")
    key.revoked_at = now or timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        verb="open311.key_revoke",
        obj=key,
        community_id=key.community_id,
        after={"name": key.name, "prefix": key.prefix},
    )
    return key


# --- Service requests --------------------------------------------------------------------------------------------


@dataclass
class _Checked:
    """A POST's values once checked; ``problems`` collects every 400 so the client hears of all of them."""

    problems: list[DomainError] = field(default_factory=list)

    def fail(self, message: str, *, on: str) -> None:
        self.problems.append(DomainError(message, field=on))

    def text(self, value: str, *, on: str, limit: int) -> str:
        value = (value or "").strip()
        if "\x00" in value:
            self.fail(_("%(field)s may not contain null characters.") % {"field": on}, on=on)
            return ""
        if len(value) > limit:
            self.fail(
                _("%(field)s has %(n)d characters; at most %(max)d are allowed.")
                % {"field": on, "n": len(value), "max": limit},
                on=on,
            )
            return ""
        return value

    def coordinate(self, value: str, *, on: str, bound: int) -> Decimal | None:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not -bound <= number <= bound:
            self.fail(_("%(field)s must be a number from -%(max)d to %(max)d.") % {"field": on, "max": bound}, on=on)
            return None
        return number.quantize(COORDINATE)


def _attribute(attributes: Mapping[str, Sequence[str]], code: str) -> str:
    values = [v for v in attributes.get(code, ()) if v is not None]
    return values[-1].strip() if values else ""


def _contact_name(first: str, last: str) -> str:
    """Chinese names are family name first (张 + 三 = 张三); others "first last"."""
    if not (first and last):
        return first or last
    if (first + last).isascii():
        return f"{first} {last}"
    return f"{last}{first}"


@transaction.atomic
def open311_request_create(
    *,
    key: Open311Key,
    compound: Compound,
    service_code: str,
    description: str,
    lat: str = "",
    long: str = "",
    address_string: str = "",
    address_id: str = "",
    attributes: Mapping[str, Sequence[str]] | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    now: datetime.datetime | None = None,
) -> Voice:
    """A GeoReport v2 POST becomes a voice of the compound (channel Open311, no author).

    Checked first, nothing written on any error: the key belongs to the compound (403); the service code is an
    active category (400 missing, 404 unknown); then every field (400, all problems at once): a description of
    1-``TEXT_MAX`` characters, a location (lat and long in range, or an address_string, or an address_id that is
    a building of the compound), attribute values from the service definition, a valid e-mail and phone.
    ``media_url``, ``device_id`` and ``account_id`` are not taken (see the README).
    """
    key_for_jurisdiction(key, compound)
    category = service_get(service_code)
    attributes = attributes or {}
    check = _Checked()

    text = check.text(description, on="description", limit=TEXT_MAX)
    if not text and not any(p.field == "description" for p in check.problems):
        check.fail(_("description is empty: say what the problem is."), on="description")

    latitude = longitude = None
    if lat.strip() or long.strip():
        if not (lat.strip() and long.strip()):
            check.fail(_("lat and long must be sent together."), on="lat")
        else:
            latitude = check.coordinate(lat, on="lat", bound=90)
            longitude = check.coordinate(long, on="long", bound=180)
    address = check.text(address_string, on="address_string", limit=ADDRESS_MAX)
    building = None
    raw_address_id = check.text(address_id, on="address_id", limit=20)
    if raw_address_id:
        building = (
            Building.objects.filter(community_id=compound.community_id, compound=compound, pk=int(raw_address_id))
            .only("pk", "name")
            .first()
            if raw_address_id.isdigit()
            else None
        )
        if building is None:
            check.fail(
                _("address_id %(id)s is not a building of this compound.") % {"id": raw_address_id}, on="address_id"
            )
    if not (lat.strip() or long.strip() or address_string.strip() or address_id.strip()):
        check.fail(_("A location is required: lat and long, address_string or address_id."), on="lat")

    kind = _attribute(attributes, ATTRIBUTE_KIND) or DEFAULT_KIND
    if kind not in Kind.values:
        check.fail(
            _("attribute[%(code)s] must be one of: %(values)s.")
            % {"code": ATTRIBUTE_KIND, "values": ", ".join(Kind.values)},
            on=f"attribute[{ATTRIBUTE_KIND}]",
        )
    public_raw = _attribute(attributes, ATTRIBUTE_PUBLIC).lower()
    if public_raw and public_raw not in TRUE_VALUES | FALSE_VALUES:
        check.fail(
            _("attribute[%(code)s] must be true or false.") % {"code": ATTRIBUTE_PUBLIC},
            on=f"attribute[{ATTRIBUTE_PUBLIC}]",
        )
    is_public = public_raw in TRUE_VALUES

    contact_email = check.text(email, on="email", limit=254)
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            check.fail(_("email is not a valid e-mail address."), on="email")
    first = check.text(first_name, on="first_name", limit=CONTACT_NAME_MAX)
    last = check.text(last_name, on="last_name", limit=CONTACT_NAME_MAX)
    contact_name = _contact_name(first, last)
    if len(contact_name) > CONTACT_NAME_MAX:
        check.fail(_("first_name and last_name together are too long."), on="last_name")
    contact_phone = check.text(phone, on="phone", limit=PHONE_MAX)
    if contact_phone and not PHONE_RE.match(contact_phone):
        check.fail(_("phone may contain only digits, spaces, dashes, brackets and a leading +."), on="phone")

    if check.problems:
        raise Invalid(check.problems)

    at = now or timezone.now()
    if not Open311Key.objects.filter(pk=key.pk, revoked_at__isnull=True).update(last_used_at=at):
        raise NotAllowed(_("Invalid api_key received: it is unknown or has been revoked."), field="api_key")
    voice = voice_create(
        compound=compound,
        author=None,
        channel=Channel.OPEN311,
        kind=kind,
        text=text,
        category=category,
        location_kind=LocationKind.BUILDING if building is not None else LocationKind.PUBLIC_AREA,
        building=building,
        is_public=is_public,
        now=at,
        latitude=latitude,
        longitude=longitude,
        address_text=address,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=crypto.normalize_phone(contact_phone) if contact_phone else "",
    )
    Open311Submission.objects.create(community_id=voice.community_id, voice=voice, key=key, created_at=at)
    audit_record(
        actor=None,
        verb="open311.request_create",
        obj=voice,
        community_id=voice.community_id,
        after={"key": key.pk, "key_name": key.name, "key_prefix": key.prefix, "service_code": str(category.pk)},
    )
    return voice
