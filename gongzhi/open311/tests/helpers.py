"""Helpers for the Open311 tests: calling the endpoints, reading JSON and XML, a database fingerprint."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, fromstring

from django.db import models

from gongzhi.api.tests.helpers import db_state
from gongzhi.open311.models import Open311Key, Open311Submission
from gongzhi.voices.models import Voice, VoiceAssignment, VoiceEvent

BASE = "/open311/v2/"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MORE: list[type[models.Model]] = [Voice, VoiceEvent, VoiceAssignment, Open311Key, Open311Submission]


def state() -> dict[str, Any]:
    """Every row that a POST or a key change could write (and the audit trail of changes)."""
    snapshot = db_state()
    for model in MORE:
        snapshot[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    return snapshot


def xml_of(response: Any) -> Element:
    """The XML document, after checking the content type and the declaration the spec asks for."""
    assert response["Content-Type"] == CONTENT_TYPES["xml"], response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), response.content[:60]
    return fromstring(response.content)  # noqa: S314 - our own output


def json_of(response: Any) -> Any:
    assert response["Content-Type"] == CONTENT_TYPES["json"], response["Content-Type"]
    return json.loads(response.content)


def errors_of(response: Any, fmt: str) -> list[tuple[str, str]]:
    """(code, description) of each error, after checking the spec's error document and its code."""
    if fmt == "json":
        body = json_of(response)
        assert isinstance(body, list) and body, body
        errors = [(str(e["code"]), e["description"]) for e in body]
        assert all(set(e) == {"code", "description"} for e in body), body
    else:
        root = xml_of(response)
        assert root.tag == "errors", root.tag
        errors = [(e.findtext("code") or "", e.findtext("description") or "") for e in root.findall("error")]
        assert errors and [e.tag for e in root] == ["error"] * len(errors)
    assert all(code == str(response.status_code) and text for code, text in errors), errors
    return errors


def children(element: Element) -> dict[str, str]:
    """An element's child elements as {tag: text} ('' for empty)."""
    return {child.tag: child.text or "" for child in element}
