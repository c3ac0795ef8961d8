"""Demo fees for ``seed_demo``: a standard, commitments, last year's and this year's bills, payments and a
published statement, made through the services so the pages show a compound in its second year of fees."""

from __future__ import annotations

import datetime

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.estates.models import Compound, House

from . import services
from .models import Bill, FeeStandard


def seed_fees(*, compound: Compound, keeper: User, manager: User, house: House | None) -> int:
    """Bill the demo compound for last year and this year; returns the number of bills (0 when seeded)."""
    if FeeStandard.objects.filter(compound=compound).exists():
        return 0
    year = timezone.localdate().year
    services.fee_standard_set(
        actor=keeper,
        compound=compound,
        rate="2.50",
        vacant_percent=70,
        effective_from=datetime.date(year - 1, 1, 1),
        note="业主大会通过的收费标准",
    )
    for title, detail in [
        ("电梯故障 2 小时内到场", "全年无休，夜间值班电话 24 小时畅通"),
        ("垃圾日产日清", "每天早晚各清运一次"),
        ("公共区域每周保洁两次", "楼道、大堂、电梯轿厢"),
    ]:
        services.commitment_add(actor=keeper, compound=compound, title=title, detail=detail)
    for period in (str(year - 1), str(year)):
        services.bills_generate(actor=keeper, compound=compound, period=period)
    if house is not None:
        last, this = (Bill.objects.get(house=house, period=p) for p in (str(year - 1), str(year)))
        services.payment_record(
            actor=keeper, bill=last, amount=last.amount_due, channel="wechat", paid_on=datetime.date(year - 1, 3, 8)
        )
        services.payment_record(
            actor=keeper, bill=this, amount="1000.00", channel="alipay", paid_on=datetime.date(year, 1, 15)
        )
    statement = services.statement_create(actor=keeper, compound=compound, period=f"{year - 1}Q4")
    for category, item, amount in [
        ("fees", "物业服务费收入", "486000.00"),
        ("parking", "临时停车费", "52300.00"),
        ("staff", "保安、保洁、维修人员工资", "312000.00"),
        ("cleaning", "垃圾清运", "38600.00"),
        ("maintenance", "电梯年检与维保", "45200.00"),
        ("utilities", "公共照明与水泵电费", "27400.00"),
    ]:
        services.statement_line_add(actor=keeper, statement=statement, category=category, item=item, amount=amount)
    services.statement_publish(actor=manager, statement=statement)
    return Bill.objects.filter(compound=compound).count()
