"""QR check-in codes: signed (``django.core.signing.TimestampSigner``), expiring, bound to one activity.

A code carries the activity's id, its current check-in nonce and an expiry time, signed with the project's
secret under this app's salt. It is refused when forged or damaged, expired (``CODE_VALID`` after the staff's
screen issued it; the screen shows a fresh one), presented for another activity, or replaced (staff rotated the
nonce). Check-in itself is open only in the activity's window: from ``EARLY`` before the start to the end.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

SALT = "gongzhi.activities.check-in"
CODE_VALID = datetime.timedelta(hours=3)
EARLY = datetime.timedelta(minutes=30)
FIELD = "token"


@dataclass(frozen=True)
class CheckinCode:
    activity_id: int
    nonce: str
    expires_at: datetime.datetime


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def checkin_token(*, activity_id: int, nonce: str, now: datetime.datetime) -> str:
    """A code for the activity, valid for ``CODE_VALID`` from ``now``."""
    expires = int((now + CODE_VALID).timestamp())
    return _signer().sign_object({"a": activity_id, "n": nonce, "e": expires})


def checkin_token_read(token: str, *, now: datetime.datetime) -> CheckinCode:
    """What a code says, once its signature and expiry are checked; a clear DomainError otherwise."""
    try:
        payload = _signer().unsign_object(str(token or "").strip())
        activity_id, nonce, expires = int(payload["a"]), str(payload["n"]), int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DomainError(
            _("This check-in code is not valid: scan the code shown at the activity."),
            field=FIELD,
            code="checkin_invalid",
        ) from None
    expires_at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    if now >= expires_at:
        raise DomainError(
            _("This check-in code has expired: scan the code shown at the activity again."),
            field=FIELD,
            code="checkin_expired",
        )
    return CheckinCode(activity_id=activity_id, nonce=nonce, expires_at=expires_at)


def qr_svg(text: str, *, scale: int = 6) -> str:
    import segno

    return str(segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=2))
