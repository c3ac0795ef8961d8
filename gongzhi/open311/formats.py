"""GeoReport v2 documents: plain data with the spec's field names, rendered as JSON or XML.

JSON follows the spec's "Spark convention" mapping of the XML: a list of services, requests or errors is a
JSON array; a service definition or the discovery document is an object. Every id is a string; booleans are
``true``/``false``; a missing value is ``null`` in JSON and an empty element in XML. Date-times are ISO 8601
with the Shanghai offset (``2026-05-01T09:30:00+08:00``).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.estates.models import Compound
from gongzhi.voices.models import OPEN_STATUSES, Category, Kind, LocationKind, Status, Voice

from .services import ATTRIBUTE_KIND, ATTRIBUTE_PUBLIC, DEFAULT_KIND

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+08:00"  # when the services or their definitions last changed shape
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# In XML, the element each item of a nested list is wrapped in.
ITEM_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
# Characters XML 1.0 cannot carry at all (control characters other than tab, newline and carriage return).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3_datetime(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).replace(microsecond=0).isoformat()


# --- Documents ---------------------------------------------------------------------------------------------------


def discovery_doc(*, endpoint_url: str, production: bool) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": _("Questions about this service: ask the community office (社区居委会) of your compound."),
        "key_service": _(
            "API keys for posting service requests are issued by the staff of the compound's community, on the "
            "platform's Open311 keys page."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production" if production else "test",
                "formats": [CONTENT_TYPES["xml"].split(";")[0], CONTENT_TYPES["json"].split(";")[0]],
            }
        ],
    }


def service_doc(category: Category) -> dict[str, Any]:
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": category.name,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(category.keywords.split()),
        "group": "",
    }


def definition_doc(category: Category) -> dict[str, Any]:
    """The attributes a POST may carry: the voice's kind and whether neighbours may see it (both optional)."""
    return {
        "service_code": str(category.pk),
        "attributes": [
            {
                "variable": True,
                "code": ATTRIBUTE_KIND,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("One of the listed keys; without it: %(default)s.")
                % {"default": Kind(DEFAULT_KIND).label},
                "order": 1,
                "description": _("What kind of voice is this?"),
                "values": [{"key": value, "name": str(label)} for value, label in Kind.choices],
            },
            {
                "variable": True,
                "code": ATTRIBUTE_PUBLIC,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("true or false; without it: false."),
                "order": 2,
                "description": _(
                    "May neighbours see it? Public requests are listed by this API (never with a name); "
                    "others only to the key that sent them."
                ),
                "values": [
                    {"key": "true", "name": _("Yes, neighbours may see it (without a name)")},
                    {"key": "false", "name": _("No, only the staff handling it")},
                ],
            },
        ],
    }


def _notice(voice: Voice) -> str | None:
    if voice.status not in OPEN_STATUSES:
        return None
    if voice.resolution_due_at is not None:
        due = timezone.localtime(voice.resolution_due_at, timezone.get_default_timezone())
        return _("To be resolved by %(due)s.") % {"due": f"{due:%Y-%m-%d %H:%M}"}
    if voice.response_due_at is not None:
        due = timezone.localtime(voice.response_due_at, timezone.get_default_timezone())
        return _("To be answered by %(due)s.") % {"due": f"{due:%Y-%m-%d %H:%M}"}
    return None


def created_doc(voice: Voice, *, account_id: str | None) -> dict[str, Any]:
    return {"service_request_id": str(voice.pk), "service_notice": _notice(voice), "account_id": account_id or None}


def _address(voice: Voice, compound: Compound) -> str:
    """Most specific first. A resident's own house is never given: it would tell neighbours who wrote it."""
    specific = voice.address_text
    if not specific and voice.location_kind == LocationKind.BUILDING and voice.building is not None:
        specific = voice.building.name
    return ", ".join(part for part in (specific, compound.name, compound.address) if part)


def _updated(voice: Voice) -> datetime.datetime:
    if voice.status == Status.CLOSED and voice.closed_at:
        return voice.closed_at
    if voice.status == Status.RESOLVED and voice.resolved_at:
        return voice.resolved_at
    return voice.updated_at


def request_doc(voice: Voice, compound: Compound) -> dict[str, Any]:
    """One service request as the spec names its fields. No author, contact, house or internal note."""
    is_open = voice.status in OPEN_STATUSES
    building = voice.building if voice.location_kind == LocationKind.BUILDING else None
    return {
        "service_request_id": str(voice.pk),
        "status": "open" if is_open else "closed",
        "status_notes": voice.reply or str(Status(voice.status).label),
        "service_name": voice.category.name,
        "service_code": str(voice.category_id),
        "description": voice.text,
        "agency_responsible": voice.lead_organization.name if voice.lead_organization else None,
        "service_notice": _notice(voice),
        "requested_datetime": w3_datetime(voice.submitted_at),
        "updated_datetime": w3_datetime(_updated(voice)),
        "expected_datetime": w3_datetime(voice.resolution_due_at or voice.response_due_at) if is_open else None,
        "address": _address(voice, compound),
        "address_id": str(building.pk) if building is not None else None,
        "zipcode": None,
        "lat": float(voice.latitude) if voice.latitude is not None else None,
        "long": float(voice.longitude) if voice.longitude is not None else None,
        "media_url": None,
    }


def token_doc(voice: Voice, token: str) -> dict[str, Any]:
    return {"service_request_id": str(voice.pk), "token": token}


# --- Rendering ---------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_INVALID.sub("", str(value))


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for name, child in value.items():
            _fill(SubElement(element, name), child)
    elif isinstance(value, list | tuple):
        item = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(data: Any, *, root: str, item: str | None = None) -> bytes:
    """``data`` under a ``root`` element; a list's entries each in an ``item`` element."""
    element = Element(root)
    if isinstance(data, list):
        for entry in data:
            _fill(SubElement(element, item or "item"), entry)
    else:
        _fill(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="utf-8", xml_declaration=False)


def render(data: Any, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False).encode() if fmt == "json" else to_xml(data, root=root, item=item)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, messages: Sequence[str]) -> HttpResponse:
    """The spec's error document: errors/error with a code (the HTTP status) and a description each."""
    errors = [{"code": status, "description": message} for message in messages]
    return render(errors, fmt, root="errors", item="error", status=status)
