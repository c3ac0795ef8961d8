"""QR sign-in codes: signed (``django.core.signing.TimestampSigner``), expiring, bound to one meeting.

A code carries the meeting's id, the meeting's current sign-in nonce and its expiry time, signed with the
project's secret under its own salt. It is refused when the signature does not match (forged or damaged),
when it has expired (``SIGN_IN_VALID`` after it was issued: the page at the meeting shows a fresh one), when it
is presented for another meeting, or when the meeting's nonce has changed since (staff replaced the code, e.g.
after a photo of it went round a chat group). The expiry is checked against the caller's clock (``now``), so
tests and the page agree on time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

SALT = "gongzhi.meetings.sign-in"
SIGN_IN_VALID = datetime.timedelta(hours=3)
FIELD = "token"


@dataclass(frozen=True)
class SignInCode:
    meeting_id: int
    nonce: str
    expires_at: datetime.datetime


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def sign_in_token(*, meeting_id: int, nonce: str, now: datetime.datetime) -> str:
    """A code for the meeting, valid for ``SIGN_IN_VALID`` from ``now``."""
    expires = int((now + SIGN_IN_VALID).timestamp())
    return _signer().sign_object({"m": meeting_id, "n": nonce, "e": expires})


def sign_in_token_read(token: str, *, now: datetime.datetime) -> SignInCode:
    """What a code says, once its signature and expiry are checked; a clear DomainError otherwise."""
    try:
        payload = _signer().unsign_object(str(token or "").strip())
        meeting_id, nonce, expires = int(payload["m"]), str(payload["n"]), int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DomainError(
            _("This sign-in code is not valid: scan the code shown at the meeting."),
            field=FIELD,
            code="sign_in_invalid",
        ) from None
    expires_at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    if now >= expires_at:
        raise DomainError(
            _("This sign-in code has expired: scan the code shown at the meeting again."),
            field=FIELD,
            code="sign_in_expired",
        )
    return SignInCode(meeting_id=meeting_id, nonce=nonce, expires_at=expires_at)


def qr_svg(text: str, *, scale: int = 6) -> str:
    """An SVG picture of the QR code for ``text`` (a sign-in link), to show on the meeting's screen."""
    import segno

    return str(segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=2))
