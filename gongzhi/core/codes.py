"""Scan codes: signed (``django.core.signing.TimestampSigner``), expiring, bound to one object and its nonce.

What a meeting's QR sign-in and an activity's QR check-in share: the code carries the object's id, the object's
current nonce (staff replace it when a photo of the code went round a chat group) and an expiry time, signed with
the project's secret under the caller's salt. Reading it refuses a forged or damaged code and an expired one
(against the caller's clock, so tests and pages agree on time); the caller checks the object and the nonce.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing

from .errors import DomainError

FIELD = "token"


@dataclass(frozen=True)
class ScanCode:
    object_id: int
    nonce: str
    expires_at: datetime.datetime


def scan_code_issue(*, salt: str, key: str, object_id: int, nonce: str, expires_at: datetime.datetime) -> str:
    """A code for the object (``key`` names its id in the payload), valid until ``expires_at``."""
    payload = {key: object_id, "n": nonce, "e": int(expires_at.timestamp())}
    return signing.TimestampSigner(salt=salt).sign_object(payload)


def scan_code_read(
    token: str, *, salt: str, key: str, now: datetime.datetime, invalid: DomainError, expired: DomainError
) -> ScanCode:
    """What a code says once its signature and expiry are checked; raises ``invalid`` or ``expired`` otherwise."""
    try:
        payload = signing.TimestampSigner(salt=salt).unsign_object(str(token or "").strip())
        object_id, nonce, expires = int(payload[key]), str(payload["n"]), int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise invalid from None
    expires_at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    if now >= expires_at:
        raise expired
    return ScanCode(object_id=object_id, nonce=nonce, expires_at=expires_at)


def qr_svg(text: str, *, scale: int = 6) -> str:
    """An SVG picture of the QR code for ``text`` (a sign-in or check-in link), to show on a screen."""
    import segno

    return str(segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=2))
