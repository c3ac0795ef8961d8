"""Scoped reads for Open311: jurisdictions, keys, services and the service requests an outside client may see.

What the GET endpoints show (no log-in; the spec asks no key for reads):

- the compound's **public** voices — those whose author let neighbours see them — except rejected, merged and
  withdrawn ones (the public wall's rule), with no author, contact or house;
- and, when a valid key of the compound is sent, also every voice **that key** brought in, whatever its
  status or visibility: the outside system wrote that text itself and follows its own requests.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Compound
from gongzhi.estates.selectors import compounds_for
from gongzhi.voices.models import OPEN_STATUSES, Category, Status, Voice

from .models import KEY_PREFIX, Open311Key
from .rules import KEY_MANAGERS

# Not on the public wall, so not in the public feed either.
HIDDEN_FROM_PUBLIC = frozenset({Status.REJECTED, Status.MERGED, Status.WITHDRAWN})
MAX_RESULTS = 1000


def jurisdiction_get(jurisdiction_id: str) -> Compound:
    """The compound a ``jurisdiction_id`` (its code) names: 400 when missing, 404 when unknown."""
    code = (jurisdiction_id or "").strip().lower()
    if not code:
        raise DomainError(_("jurisdiction_id was not provided."), field="jurisdiction_id", code="required")
    compound = Compound.objects.filter(code=code).first()
    if compound is None:
        raise NotFound(_("jurisdiction_id %(id)s was not found.") % {"id": code[:40]}, field="jurisdiction_id")
    return compound


def key_authenticate(raw: str) -> Open311Key:
    """The active key behind a raw ``api_key``; 403 when it is missing, unknown or revoked."""
    raw = (raw or "").strip()
    if not raw:
        raise NotAllowed(_("api_key is missing."), field="api_key")
    key = None
    if raw.startswith(KEY_PREFIX) and len(raw) < 200:
        key = Open311Key.objects.filter(key_hash=Open311Key.hash_key(raw)).first()
    if key is None or not key.is_active:
        raise NotAllowed(_("Invalid api_key received: it is unknown or has been revoked."), field="api_key")
    return key


def key_for_jurisdiction(key: Open311Key, compound: Compound) -> Open311Key:
    if key.compound_id != compound.pk:
        raise NotAllowed(
            _("This api_key is not valid for jurisdiction_id %(id)s.") % {"id": compound.code}, field="api_key"
        )
    return key


def services_list() -> list[Category]:
    """Every active voice category is a service."""
    return list(Category.objects.filter(is_active=True).order_by("position", "id"))


def service_get(service_code: str) -> Category:
    """The active category a ``service_code`` names: 400 when missing, 404 when unknown."""
    code = (service_code or "").strip()
    if not code:
        raise DomainError(_("service_code was not provided."), field="service_code", code="required")
    category = (
        Category.objects.filter(pk=int(code), is_active=True).first() if code.isdigit() and len(code) < 19 else None
    )
    if category is None:
        raise NotFound(_("service_code %(code)s was not found.") % {"code": code[:40]}, field="service_code")
    return category


@dataclass(frozen=True)
class RequestQuery:
    """The filters of GET requests, already checked (see ``query.parse_request_query``)."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    statuses: frozenset[str] = frozenset()


def _visible(*, compound: Compound, key: Open311Key | None) -> QuerySet[Voice]:
    visible = Q(is_public=True) & ~Q(status__in=HIDDEN_FROM_PUBLIC)
    if key is not None:
        visible |= Q(open311_submission__key=key)
    return (
        Voice.objects.filter(community_id=compound.community_id, compound=compound)
        .filter(visible)
        .select_related("category", "lead_organization", "building")
    )


def _status_filter(statuses: Iterable[str]) -> Q:
    wanted = set(statuses)
    if wanted == {"open"}:
        return Q(status__in=OPEN_STATUSES)
    if wanted == {"closed"}:
        return ~Q(status__in=OPEN_STATUSES)
    return Q()


def requests_list(*, compound: Compound, key: Open311Key | None, query: RequestQuery) -> list[Voice]:
    """Service requests of the compound the caller may see, newest first, at most 1000.

    Ids given override every other filter (the spec); otherwise the date range (at most 90 days, checked by
    the parser) always applies.
    """
    qs = _visible(compound=compound, key=key)
    if query.ids:
        qs = qs.filter(pk__in=query.ids)
    else:
        if query.service_codes:
            qs = qs.filter(category_id__in=[int(c) for c in query.service_codes if c.isdigit() and len(c) < 19])
        if query.start is not None:
            qs = qs.filter(submitted_at__gte=query.start)
        if query.end is not None:
            qs = qs.filter(submitted_at__lte=query.end)
        if query.statuses:
            qs = qs.filter(_status_filter(query.statuses))
    voices = list(qs.order_by("-submitted_at", "-id")[:MAX_RESULTS])
    for voice in voices:
        voice.compound = compound  # already loaded: no query per row for the address
    return voices


def request_get(*, compound: Compound, key: Open311Key | None, service_request_id: str) -> Voice:
    """One service request the caller may see; 404 otherwise (also for requests of other jurisdictions)."""
    raw = (service_request_id or "").strip()
    voice = (
        _visible(compound=compound, key=key).filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    )
    if voice is None:
        raise NotFound(_("service_request_id %(id)s was not found.") % {"id": raw[:40]}, field="service_request_id")
    voice.compound = compound
    return voice


# --- Key management ----------------------------------------------------------------------------------------------


def key_compounds(user: Any) -> QuerySet[Compound]:
    """Compounds whose Open311 keys the user manages (community staff of the compound's community)."""
    return compounds_for(user, KEY_MANAGERS)


def manages_keys(user: Any) -> bool:
    """Whether the user manages some compound's Open311 keys (for showing the link to the keys page)."""
    return getattr(user, "is_authenticated", False) and key_compounds(user).exists()


def keys_for(*, user: Any) -> QuerySet[Open311Key]:
    """The keys of the compounds the user manages, newest first."""
    return (
        Open311Key.objects.filter(compound__in=key_compounds(user))
        .select_related("compound", "created_by")
        .order_by("-created_at", "-id")
    )


def key_get(*, user: Any, pk: int) -> Open311Key:
    """One key the user manages: 404 when there is none, 403 when it belongs to another community."""
    key = keys_for(user=user).filter(pk=pk).first()
    if key is None:
        if Open311Key.objects.filter(pk=pk).exists():
            raise NotAllowed(_("You may not manage this compound's Open311 keys."))
        raise NotFound(_("No such key."))
    return key
