"""Money: ``Decimal`` yuan with two places (fen), end to end; never floats.

The one rounding rule: a bill's amount is computed exactly (area × rate × months × vacancy share, every
factor a ``Decimal``) and rounded once, at the bill, to the fen, half up (``ROUND_HALF_UP``: ¥0.005 → ¥0.01).
Every other amount (reductions, payments, refunds, statement lines) is entered in yuan with at most two
decimals and is refused, not rounded, when it has more; sums of two-place amounts are exact.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ROUNDING = ROUND_HALF_UP
# Bills, payments and statement lines are stored with max_digits=12: up to ¥9,999,999,999.99.
MAX_AMOUNT = Decimal("9999999999.99")
RATE_PLACES = Decimal("0.0001")  # a fee rate (¥ per m² per month) has at most four decimals
MAX_RATE = Decimal("9999.9999")


def money_round(value: Decimal) -> Decimal:
    """The one rounding rule: to the fen, half up. Used where a bill's amount is computed, nowhere else."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money is Decimal, not {type(value).__name__}")
    return value.quantize(CENT, rounding=ROUNDING)


def _decimal(value: object, *, field: str, message: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a Decimal or the text the user typed")
    if isinstance(value, bool):
        raise DomainError(message, field=field, code="invalid_amount")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").removeprefix("¥").removeprefix("￥").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise DomainError(message, field=field, code="invalid_amount") from None
    else:
        raise DomainError(message, field=field, code="invalid_amount")
    if not number.is_finite():
        raise DomainError(message, field=field, code="invalid_amount")
    return number


def money_parse(value: object, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An amount in yuan from a Decimal, an int or what the user typed ("1,234.50", "¥1234.5").

    Refused with a clear error (DomainError on ``field``): text that is not a number, a negative amount,
    zero (unless ``allow_zero``), more than two decimals, more than ¥9,999,999,999.99. A float is a
    programming error (TypeError).
    """
    number = _decimal(value, field=field, message=_("Enter an amount in yuan, such as 1234.50."))
    if number < 0:
        raise DomainError(_("An amount cannot be negative."), field=field, code="negative_amount")
    if number == 0 and not allow_zero:
        raise DomainError(_("Enter an amount greater than zero."), field=field, code="zero_amount")
    if number != number.quantize(CENT, rounding=ROUNDING):
        raise DomainError(_("An amount has at most two decimals (fen)."), field=field, code="invalid_amount")
    if number > MAX_AMOUNT:
        raise DomainError(_("This amount is too large."), field=field, code="invalid_amount")
    return number.quantize(CENT)


def rate_parse(value: object, *, field: str = "rate") -> Decimal:
    """A fee rate in ¥ per m² per month: a number greater than zero with at most four decimals."""
    number = _decimal(value, field=field, message=_("Enter the rate in yuan per m² per month, such as 2.50."))
    if number <= 0:
        raise DomainError(_("A fee rate must be greater than zero."), field=field, code="invalid_rate")
    if number != number.quantize(RATE_PLACES, rounding=ROUNDING) or number > MAX_RATE:
        raise DomainError(_("Enter the rate in yuan per m² per month, such as 2.50."), field=field, code="invalid_rate")
    return number.quantize(RATE_PLACES)


def yuan_text(value: Decimal) -> str:
    """¥1,234.50 (the template filter ``yuan`` in core does the same for pages)."""
    return f"¥{value:,.2f}"
