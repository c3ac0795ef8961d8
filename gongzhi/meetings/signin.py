"""QR sign-in codes of a meeting (gongzhi/core/codes.py): signed, expiring, bound to the meeting and its nonce.

Refused when forged or damaged, expired (``SIGN_IN_VALID`` after issue: the page at the meeting shows a fresh
one), presented for another meeting, or when the meeting's nonce changed since (staff replaced the code).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.core.codes import FIELD, qr_svg, scan_code_issue, scan_code_read
from gongzhi.core.errors import DomainError

__all__ = ["FIELD", "SIGN_IN_VALID", "SignInCode", "qr_svg", "sign_in_token", "sign_in_token_read"]

SALT = "gongzhi.meetings.sign-in"
SIGN_IN_VALID = datetime.timedelta(hours=3)


@dataclass(frozen=True)
class SignInCode:
    meeting_id: int
    nonce: str
    expires_at: datetime.datetime


def sign_in_token(*, meeting_id: int, nonce: str, now: datetime.datetime) -> str:
    """A code for the meeting, valid for ``SIGN_IN_VALID`` from ``now``."""
    return scan_code_issue(salt=SALT, key="m", object_id=meeting_id, nonce=nonce, expires_at=now + SIGN_IN_VALID)


def sign_in_token_read(token: str, *, now: datetime.datetime) -> SignInCode:
    """What a code says, once its signature and expiry are checked; a clear DomainError otherwise."""
    code = scan_code_read(
        token,
        salt=SALT,
        key="m",
        now=now,
        invalid=DomainError(
            _("This sign-in code is not valid: scan the code shown at the meeting."),
            field=FIELD,
            code="sign_in_invalid",
        ),
        expired=DomainError(
            _("This sign-in code has expired: scan the code shown at the meeting again."),
            field=FIELD,
            code="sign_in_expired",
        ),
    )
    return SignInCode(meeting_id=code.object_id, nonce=code.nonce, expires_at=code.expires_at)
