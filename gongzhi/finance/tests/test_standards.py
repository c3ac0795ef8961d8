"""Fee standards with history, and the service commitments beside the price."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.core.errors import Conflict, DomainError
from gongzhi.core.models import AuditEvent
from gongzhi.finance import selectors
from gongzhi.finance.models import FeeStandard
from gongzhi.finance.services import commitment_add, commitment_retire, fee_standard_set
from gongzhi.testing.factories import PhaseFactory

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_new_standard_closes_the_open_one_and_keeps_the_history(world: Any, keeper: Any, standard: Any) -> None:
    # given ¥2.50 from 2024-01-01; when ¥2.80 is set from 2025-07-01
    new = fee_standard_set(actor=keeper, compound=world.compound_a, rate="2.80", effective_from=D(2025, 7, 1))
    # then the old one ends (exclusive) on 2025-07-01 and both are in the history
    standard.refresh_from_db()
    assert standard.effective_to == D(2025, 7, 1)
    assert new.effective_to is None and new.rate == Decimal("2.8000") and new.vacant_percent == 100
    history = selectors.fee_standard_history(user=world.users["resident"], compound=world.compound_a)
    assert list(history) == [new, standard]
    in_force = selectors.fee_standards_in_force(user=keeper, compound=world.compound_a, at=D(2025, 6, 30))
    assert in_force == [standard]
    assert AuditEvent.objects.filter(verb__in=["fee_standard.set", "fee_standard.close"]).count() == 3


def test_a_phase_has_its_own_standard_history(world: Any, keeper: Any, standard: Any) -> None:
    phase = PhaseFactory.create(compound=world.compound_a, name="二期")
    own = fee_standard_set(
        actor=keeper, compound=world.compound_a, phase=phase, rate="3.00", effective_from=D(2024, 1, 1)
    )
    standard.refresh_from_db()
    assert standard.effective_to is None  # the compound's standard is untouched
    in_force = selectors.fee_standards_in_force(user=keeper, compound=world.compound_a, at=D(2025, 1, 1))
    assert in_force == [standard, own]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rate": "-2"}, "rate"),
        ({"rate": "abc"}, "rate"),
        ({"rate": "0"}, "rate"),
        ({"vacant_percent": 120}, "vacant_percent"),
        ({"vacant_percent": "seventy"}, "vacant_percent"),
        ({"effective_from": D(2025, 7, 15)}, "effective_from"),  # not the first of a month
        ({"effective_from": D(2024, 1, 1)}, "effective_from"),  # not after the current one
        ({"effective_from": D(2023, 1, 1)}, "effective_from"),  # history is only extended
        ({"house_type": "castle"}, "house_type"),
    ],
)
def test_bad_standards_are_refused_and_change_nothing(
    world: Any, keeper: Any, standard: Any, changes: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"rate": "2.80", "effective_from": D(2025, 7, 1), **changes}
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        fee_standard_set(actor=keeper, compound=world.compound_a, **args)
    assert refused.value.field == field
    assert finance_state() == before


def test_a_standard_for_another_compounds_phase_is_refused(world: Any, keeper: Any) -> None:
    phase = PhaseFactory.create(compound=world.compound_b)
    with pytest.raises(DomainError) as refused:
        fee_standard_set(actor=keeper, compound=world.compound_a, phase=phase, rate="2", effective_from=D(2025, 1, 1))
    assert refused.value.field == "phase"
    assert not FeeStandard.objects.exists()


def test_commitments_are_listed_in_order_and_retired_not_deleted(world: Any, keeper: Any) -> None:
    first = commitment_add(actor=keeper, compound=world.compound_a, title="24小时门岗", detail="双人值守")
    second = commitment_add(actor=keeper, compound=world.compound_a, title="垃圾日产日清")
    assert list(selectors.commitments_of(user=world.users["resident"], compound=world.compound_a)) == [first, second]
    commitment_retire(actor=keeper, commitment=first)
    assert list(selectors.commitments_of(user=world.users["resident"], compound=world.compound_a)) == [second]
    everything = selectors.commitments_of(user=keeper, compound=world.compound_a, include_retired=True)
    assert list(everything) == [first, second]
    with pytest.raises(Conflict):
        commitment_retire(actor=keeper, commitment=first)


def test_a_commitment_needs_a_title(world: Any, keeper: Any) -> None:
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        commitment_add(actor=keeper, compound=world.compound_a, title="   ")
    assert refused.value.field == "title"
    assert finance_state() == before
