"""QR check-in codes of an activity (gongzhi/core/codes.py): signed, expiring, bound to the activity and its nonce.

Refused when forged or damaged, expired (``CODE_VALID`` after the staff's screen issued it; the screen shows a
fresh one), presented for another activity, or replaced (staff rotated the nonce). Check-in itself is open only
in the activity's window: from ``EARLY`` before the start to the end.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.core.codes import FIELD, qr_svg, scan_code_issue, scan_code_read
from gongzhi.core.errors import DomainError

__all__ = ["CODE_VALID", "EARLY", "FIELD", "CheckinCode", "checkin_token", "checkin_token_read", "qr_svg"]

SALT = "gongzhi.activities.check-in"
CODE_VALID = datetime.timedelta(hours=3)
EARLY = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class CheckinCode:
    activity_id: int
    nonce: str
    expires_at: datetime.datetime


def checkin_token(*, activity_id: int, nonce: str, now: datetime.datetime) -> str:
    """A code for the activity, valid for ``CODE_VALID`` from ``now``."""
    return scan_code_issue(salt=SALT, key="a", object_id=activity_id, nonce=nonce, expires_at=now + CODE_VALID)


def checkin_token_read(token: str, *, now: datetime.datetime) -> CheckinCode:
    """What a code says, once its signature and expiry are checked; a clear DomainError otherwise."""
    code = scan_code_read(
        token,
        salt=SALT,
        key="a",
        now=now,
        invalid=DomainError(
            _("This check-in code is not valid: scan the code shown at the activity."),
            field=FIELD,
            code="checkin_invalid",
        ),
        expired=DomainError(
            _("This check-in code has expired: scan the code shown at the activity again."),
            field=FIELD,
            code="checkin_expired",
        ),
    )
    return CheckinCode(activity_id=code.object_id, nonce=code.nonce, expires_at=code.expires_at)
