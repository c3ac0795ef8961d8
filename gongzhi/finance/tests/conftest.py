from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.finance.models import Bill
from gongzhi.finance.services import bill_create, fee_standard_set


@pytest.fixture
def keeper(world: Any) -> Any:
    """The world's finance staff of compound A's property company."""
    return world.users["finance"]


@pytest.fixture
def manager(world: Any) -> Any:
    return world.users["property_manager"]


@pytest.fixture
def standard(world: Any, keeper: Any) -> Any:
    """Compound A: ¥2.50 per m² per month from 2024-01-01, 70% while vacant."""
    return fee_standard_set(
        actor=keeper,
        compound=world.compound_a,
        rate="2.50",
        vacant_percent=70,
        effective_from=datetime.date(2024, 1, 1),
    )


@pytest.fixture
def a_bill(world: Any, keeper: Any) -> Any:
    """``a_bill(amount="1000.00", house=house_a, period="2025")``: a bill entered by the finance staff (by the
    superuser for compound B)."""

    def make(amount: str = "1000.00", house: Any = None, period: str = "2025") -> Bill:
        house = house or world.house_a
        actor = keeper if house.compound_id == world.compound_a.pk else world.users["superuser"]
        return bill_create(actor=actor, house=house, period=period, amount_due=Decimal(amount))

    return make
