"""The demo world tells the case: occupancy 25% → 50%, about 1,900 residents, slower peers, every role."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from gongzhi.accounts.models import Membership, User
from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import user_by_phone
from gongzhi.estates.models import Compound, House, HouseBinding, Resident
from gongzhi.insights.kpis import occupancy_rate, permanent_residents

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def seeded() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _rate(code: str, at: datetime.date) -> float:
    value = occupancy_rate(House.objects.filter(compound__code=code), at).value
    assert value is not None
    return value


def test_case_compound_doubles_occupancy_from_delivery_to_2025(seeded):
    case = Compound.objects.get(code="jshy")
    assert 1300 <= House.objects.filter(compound=case).count() <= 1500
    assert case.phases.count() == 2
    assert 0.22 <= _rate("jshy", D(2023, 12, 31)) <= 0.30
    assert 0.48 <= _rate("jshy", D(2025, 12, 31)) <= 0.52
    people = permanent_residents(Resident.objects.filter(compound=case), D(2025, 12, 31))
    assert 1750 <= people <= 2050


def test_peer_compounds_grow_more_slowly(seeded):
    case_growth = _rate("jshy", D(2025, 12, 31)) - _rate("jshy", D(2023, 12, 31))
    for code in ("jcym", "hjw"):
        assert _rate(code, D(2025, 12, 31)) - _rate(code, D(2023, 12, 31)) < case_growth / 2


def test_every_role_has_a_demo_login_and_it_is_printed(seeded):
    for role in Role.values:
        assert Membership.objects.filter(role=role).exists(), role
    assert User.objects.filter(is_superuser=True).count() == 1
    # the demo owner is an approved resident (of a home and of a vacant house under care), the applicant waits;
    # the other approved bindings are the activities' demo neighbours, who cannot log in with a known password
    owner, applicant = user_by_phone("13800000101"), user_by_phone("13800000102")
    assert owner is not None and applicant is not None
    assert HouseBinding.objects.filter(status="approved", user=owner).count() == 2
    assert list(HouseBinding.objects.filter(status="pending").values_list("user", flat=True)) == [applicant.pk]
    others = User.objects.filter(bindings__status="approved").exclude(pk=owner.pk).distinct()
    assert others.exists() and not any(u.check_password("gongzhi-demo-2026") for u in others)
    assert "13800000001" in seeded and "gongzhi-demo-2026" in seeded


def test_seed_demo_is_idempotent(seeded):
    counts = (House.objects.count(), Resident.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (House.objects.count(), Resident.objects.count(), User.objects.count(), Membership.objects.count()) == counts


def test_demo_has_voices_at_every_stage_once(seeded):
    from gongzhi.voices.models import Voice

    statuses = set(Voice.objects.filter(compound__code="jshy").values_list("status", flat=True))
    assert {"closed", "dispatched", "reopened", "submitted"} <= statuses
    count = Voice.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Voice.objects.count() == count
