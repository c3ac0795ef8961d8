"""Reading one cell's value: the many ways staff write dates, numbers and phones in Excel and CSV.

Each reader takes the raw cell value (str, int, float, datetime from openpyxl; str from CSV) and returns
the clean value or raises ``BadValue`` with a msgid for the row error.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_noop
from openpyxl.utils.datetime import from_excel

from gongzhi.core import crypto


class Formula(str):
    """A formula cell's text. Formulas are never evaluated; a formula in a ledger column is an error."""

    __slots__ = ()


class ExcelError(str):
    """An Excel error value such as #N/A or #REF!."""

    __slots__ = ()


class BadValue(ValueError):
    def __init__(self, msgid: str, /, **params: Any) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


DATE_RES = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
)
# A midnight time after the date, as Excel writes dates into CSV ("2023/6/30 0:00").
MIDNIGHT_RE = re.compile(r"\s+0{1,2}:00(:00)?$")
# Excel serial day numbers from 1950 to 2100: a bare number outside this range is not a date.
EXCEL_SERIAL_RANGE = (18264, 73051)
AREA_UNITS_RE = re.compile(r"(㎡|m²|m2|平方米|平米)$", re.IGNORECASE)
TWO_PLACES = Decimal("0.01")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """Text as written; whole numbers that Excel stored as numbers (房号 1702, 1702.0) lose the ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def as_date(value: Any) -> datetime.date:
    """2023-06-30, 2023/6/30, 2023年6月30日, 2023.6.30 or an Excel date (a date cell or a serial number)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
            converted = from_excel(value)
            if isinstance(converted, datetime.datetime):
                return converted.date()
        raise BadValue(gettext_noop("Write the date as 2023-06-30, 2023/6/30 or 2023年6月30日."))
    text = MIDNIGHT_RE.sub("", str(value).strip())
    for pattern in DATE_RES:
        m = pattern.match(text)
        if m:
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise BadValue(gettext_noop("There is no such date.")) from None
    raise BadValue(gettext_noop("Write the date as 2023-06-30, 2023/6/30 or 2023年6月30日."))


def as_decimal(value: Any) -> Decimal:
    """A number such as 128.56 (also "128.56㎡" or "1,128.5"), rounded to two decimals."""
    if isinstance(value, bool):
        raise BadValue(gettext_noop("Enter a number such as 128.56."))
    try:
        if isinstance(value, int | float):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            text = AREA_UNITS_RE.sub("", str(value).strip()).replace(",", "").strip()
            number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise BadValue(gettext_noop("Enter a number such as 128.56.")) from None
    if not number.is_finite():
        raise BadValue(gettext_noop("Enter a number such as 128.56."))
    return number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def as_int(value: Any) -> int:
    """A whole number: 3, 3.0 (Excel) or "3"; "3人" is accepted too."""
    if isinstance(value, bool):
        raise BadValue(gettext_noop("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise BadValue(gettext_noop("Enter a whole number."))
    text = str(value).strip().removesuffix("人").strip()
    if re.fullmatch(r"-?\d+(\.0+)?", text):
        return int(text.split(".")[0])
    raise BadValue(gettext_noop("Enter a whole number."))


def as_phone(value: Any) -> str:
    """An 11-digit mainland mobile; Excel numbers (13800000000, 13800000000.0) and spaces are fine."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    phone = crypto.normalize_phone(value)
    if not crypto.is_mobile(phone):
        raise BadValue(gettext_noop("Enter an 11-digit mobile number such as 13800000000."))
    return phone
