"""The fee ledger's columns and how one row is read and checked (LEDGERS.md, 物业费台账).

A row is a bill (楼栋, 单元, 房号, 账期 and 应收金额, optionally 减免金额), a payment against a bill (实收金额
with 缴费日期, optionally 缴费方式 and 票据号), or both. Amounts are yuan with at most two decimals, never
rounded (money.py): "5400", "5,400.00", "¥5400.5" and Excel numbers are read; anything else is a row error.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_noop

from gongzhi.core.errors import DomainError
from gongzhi.estates.ledger.errors import ErrorList
from gongzhi.estates.ledger.spec import Column, RowContext
from gongzhi.estates.ledger.values import BadValue, as_date, as_text, is_empty

from ..models import Channel
from ..money import CENT, MAX_AMOUNT
from ..periods import MONTH, YEAR, Period

CHANNEL_WORDS: dict[str, str] = {
    "微信": Channel.WECHAT,
    "支付宝": Channel.ALIPAY,
    "银行转账": Channel.BANK,
    "现金": Channel.CASH,
    "其他": Channel.OTHER,
}
CHANNEL_ALIASES: dict[str, str] = {
    **CHANNEL_WORDS,
    "微信支付": Channel.WECHAT,
    "支付宝支付": Channel.ALIPAY,
    "转账": Channel.BANK,
    "银行": Channel.BANK,
    "其它": Channel.OTHER,
    **{value: value for value in Channel.values},
}
CHANNEL_LABELS: dict[str, str] = {value: word for word, value in CHANNEL_WORDS.items()}

MAX_LENGTHS = {"building": 40, "unit": 40, "room": 20, "receipt_no": 40}
PAYMENT_KEYS = ("paid_on", "channel", "receipt_no")
_MONEY_NOISE = re.compile(r"[,，\s]")

AMOUNT_MSGID = gettext_noop("Enter an amount in yuan, such as 1234.50.")
NEGATIVE_MSGID = gettext_noop("An amount cannot be negative.")
ZERO_MSGID = gettext_noop("Enter an amount greater than zero.")
DECIMALS_MSGID = gettext_noop("An amount has at most two decimals (fen).")
TOO_LARGE_MSGID = gettext_noop("This amount is too large.")
PERIOD_MSGID = gettext_noop("A billing period is a year (2025) or a month (2025-03).")

COLUMNS: tuple[Column, ...] = (
    Column(
        "building",
        "楼栋",
        required=True,
        help=gettext_noop("The house: its building, as in the house ledger; required."),
        example="3栋",
    ),
    Column("unit", "单元", required=True, help=gettext_noop("The house's unit; required."), example="1单元"),
    Column("room", "房号", required=True, help=gettext_noop("The house's room number; required."), example="1702"),
    Column(
        "period",
        "账期",
        required=True,
        help=gettext_noop("Billing period: a year (2025) or a month (2025-03). A house has one bill per period."),
        example="2025",
    ),
    Column(
        "amount_due",
        "应收金额",
        help=gettext_noop(
            "Amount due in yuan, at most two decimals; creates the bill or updates it. Leave it empty on a row "
            "that only records a payment of a bill that exists."
        ),
        example=Decimal("5400.00"),
    ),
    Column(
        "reduction",
        "减免金额",
        help=gettext_noop(
            "The bill's approved reductions in total, yuan; optional. A reduction that is new to the platform "
            "needs the approval of a property manager, who confirms the import."
        ),
        example=Decimal("0.00"),
    ),
    Column(
        "amount_paid",
        "实收金额",
        help=gettext_noop("A payment against the bill, yuan; optional. At most what remains due on the bill."),
        example=Decimal("2700.00"),
    ),
    Column(
        "paid_on",
        "缴费日期",
        help=gettext_noop("Date of the payment; required with 实收金额, written 2025-01-08."),
        example=datetime.date(2025, 1, 8),
    ),
    Column(
        "channel",
        "缴费方式",
        help=gettext_noop("One of 微信, 支付宝, 银行转账, 现金, 其他; 其他 when empty."),
        example="微信",
    ),
    Column(
        "receipt_no",
        "票据号",
        help=gettext_noop(
            "Receipt number; it names the payment, so importing the row again changes nothing. A payment "
            "without one is matched by its bill, amount, date and channel, and gets the compound's next "
            "receipt number."
        ),
        example="SJ2025-000123",
    ),
)
HEADER = {col.key: col.header for col in COLUMNS}


@dataclass(slots=True)
class FeeRow:
    row: int
    building: str
    unit: str
    room: str
    period: str  # the period's label: "2025" or "2025-03"
    amount_due: Decimal | None
    reduction: Decimal | None
    amount_paid: Decimal | None
    paid_on: datetime.date | None
    channel: str  # a Channel value; "" without a payment
    receipt_no: str

    @property
    def house_key(self) -> tuple[str, str, str]:
        return (self.building, self.unit, self.room)

    @property
    def house_text(self) -> str:
        return f"{self.building}{self.unit}{self.room}"

    @property
    def has_payment(self) -> bool:
        return self.amount_paid is not None


def as_money(value: Any, *, allow_zero: bool = True) -> Decimal:
    """Yuan with at most two decimals from a cell: refused (``BadValue``), never rounded."""
    if isinstance(value, bool):
        raise BadValue(AMOUNT_MSGID)
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        else:
            text = _MONEY_NOISE.sub("", str(value)).removeprefix("¥").removeprefix("￥").removesuffix("元")
            number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise BadValue(AMOUNT_MSGID) from None
    if not number.is_finite():
        raise BadValue(AMOUNT_MSGID)
    if number < 0:
        raise BadValue(NEGATIVE_MSGID)
    if number == 0 and not allow_zero:
        raise BadValue(ZERO_MSGID)
    if number != number.quantize(CENT):
        raise BadValue(DECIMALS_MSGID)
    if number > MAX_AMOUNT:
        raise BadValue(TOO_LARGE_MSGID)
    return number.quantize(CENT)


def as_period(value: Any) -> str:
    """A billing period's label from "2025", 2025, "2025-03", "2025年3月" or an Excel date (the 1st of a month,
    which is what Excel makes of 2025-03 typed in a cell)."""
    if isinstance(value, datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day.day != 1:
            raise BadValue(PERIOD_MSGID)
        text = f"{day.year}-{day.month:02d}"
    else:
        text = as_text(value)
    try:
        return Period.parse(text, kinds=(YEAR, MONTH)).label
    except DomainError:
        raise BadValue(PERIOD_MSGID) from None


def period_text(value: Any) -> str:
    """The period as written, for finding repeated rows before the row is checked."""
    try:
        return as_period(value)
    except BadValue:
        return as_text(value)


def natural_key(values: dict[str, Any]) -> tuple[str, ...] | None:
    """票据号 when given; else a payment by its bill, amount, date and channel; else the bill (house, 账期)."""
    receipt = as_text(values.get("receipt_no"))
    if receipt:
        return ("receipt", receipt)
    house = (as_text(values.get("building")), as_text(values.get("unit")), as_text(values.get("room")))
    period = period_text(values.get("period"))
    if not (all(house) and period):
        return None
    if is_empty(values.get("amount_paid")):
        return ("bill", *house, period)
    paid_on = values.get("paid_on")
    when = as_text(paid_on.date() if isinstance(paid_on, datetime.datetime) else paid_on)
    amount = as_text(values.get("amount_paid"))
    with contextlib.suppress(BadValue):
        amount = str(as_money(values.get("amount_paid")))
    channel = as_text(values.get("channel"))
    return ("payment", *house, period, amount, when, CHANNEL_ALIASES.get(channel, channel) or Channel.OTHER)


class _RowReader:
    """Reads one row's cells, collecting every problem rather than stopping at the first."""

    def __init__(self, number: int, values: dict[str, Any], errors: ErrorList) -> None:
        self.number = number
        self.values = values
        self.errors = errors
        self.ok = True

    def error(self, key: str, msgid: str, /, **params: Any) -> None:
        self.errors.add(self.number, HEADER[key], msgid, **params)
        self.ok = False

    def text(self, key: str, *, required: bool = False) -> str:
        text = as_text(self.values.get(key))
        if required and not text:
            self.error(key, gettext_noop("Fill in %(column)s."), column=HEADER[key])
        elif len(text) > MAX_LENGTHS[key]:
            self.error(key, gettext_noop("At most %(limit)s characters."), limit=MAX_LENGTHS[key])
        return text

    def parsed(self, key: str, reader: Any, **kwargs: Any) -> Any:
        value = self.values.get(key)
        if is_empty(value):
            return None
        try:
            return reader(value, **kwargs)
        except BadValue as bad:
            self.error(key, bad.msgid, **bad.params)
            return None


def parse_fee_row(number: int, values: dict[str, Any], errors: ErrorList, ctx: RowContext) -> FeeRow | None:
    r = _RowReader(number, values, errors)
    building = r.text("building", required=True)
    unit = r.text("unit", required=True)
    room = r.text("room", required=True)
    period = r.parsed("period", as_period)
    if period is None and "period" not in values:
        r.error("period", gettext_noop("Fill in %(column)s."), column=HEADER["period"])
    amount_due = r.parsed("amount_due", as_money)
    reduction = r.parsed("reduction", as_money)
    amount_paid = r.parsed("amount_paid", as_money, allow_zero=False)
    paid_on = r.parsed("paid_on", as_date)
    channel = _channel(r)
    receipt_no = r.text("receipt_no")
    if not any(key in values for key in ("amount_due", "reduction", "amount_paid")):
        r.error("amount_due", gettext_noop("Fill in 应收金额 (a bill), 实收金额 (a payment) or both."))
    if "amount_paid" in values:
        if "paid_on" not in values:
            r.error("paid_on", gettext_noop("Fill in 缴费日期 for the payment in 实收金额."))
        elif paid_on is not None and paid_on > ctx.today:
            r.error("paid_on", gettext_noop("The payment date is in the future."))
    else:
        for key in PAYMENT_KEYS:
            if key in values:
                r.error(key, gettext_noop("%(column)s belongs to a payment: fill in 实收金额 too."), column=HEADER[key])
    if amount_due is not None and reduction is not None and reduction > amount_due:
        r.error("reduction", gettext_noop("减免金额 is larger than 应收金额."))
    if not r.ok or period is None:
        return None
    return FeeRow(
        row=number,
        building=building,
        unit=unit,
        room=room,
        period=period,
        amount_due=amount_due,
        reduction=reduction,
        amount_paid=amount_paid,
        paid_on=paid_on,
        channel=(channel or Channel.OTHER) if amount_paid is not None else "",
        receipt_no=receipt_no,
    )


def _channel(r: _RowReader) -> str:
    text = as_text(r.values.get("channel"))
    if not text:
        return ""
    found = CHANNEL_ALIASES.get(text) or CHANNEL_ALIASES.get(text.casefold())
    if found is None:
        r.error("channel", gettext_noop("Write one of 微信, 支付宝, 银行转账, 现金, 其他."))
        return ""
    return found
