"""Phone numbers: encrypted at rest, a keyed hash for exact search, masked for display (DESIGN rule 7)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def _key_material(purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + settings.PHONE_KEY.encode()).digest()


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key_material(b"encrypt:")))


def normalize_phone(raw: object) -> str:
    """Digits only; Excel numbers (13800000000.0), spaces, dashes and a +86 prefix are tolerated."""
    text = str(raw).strip()
    if re.fullmatch(r"\d{11}\.0+", text):
        text = text.split(".")[0]
    digits = re.sub(r"[\s\-()]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def is_mobile(phone: str) -> bool:
    return bool(MOBILE_RE.match(phone))


def phone_hash(phone: str) -> str:
    """Keyed hash of a normalized phone, stable for exact look-ups."""
    if not phone:
        return ""
    return hmac.new(_key_material(b"hash:"), phone.encode(), hashlib.sha256).hexdigest()


def phone_encrypt(phone: str) -> str:
    if not phone:
        return ""
    return _fernet(settings.PHONE_KEY).encrypt(phone.encode()).decode()


def phone_decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.PHONE_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def mask_phone(phone: str) -> str:
    """138****0000."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_name(name: str) -> str:
    """张* / 张*三 / A***."""
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
