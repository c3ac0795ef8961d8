"""The fee standards page: history, a new standard from a month's first day, the 承诺提质 list; bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.finance.models import FeeStandard, ServiceCommitment
from gongzhi.finance.services import commitment_add, fee_standard_set
from gongzhi.testing.factories import PhaseFactory

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date


def _url(world, name="finance:standards", *args):
    return reverse(name, args=[world.compound_a.code, *args])


def test_finance_staff_set_a_standard_from_a_month_and_the_history_shows_both(world, client_for, keeper, standard):
    # given ¥2.50 from 2024-01 (70% vacant) and the finance staff on the page
    client = client_for(keeper)
    # when they set ¥2.80 from 2030-07 with 80% while vacant
    response = client.post(
        _url(world, "finance:standard_new"),
        {
            "house_type": "residential",
            "rate": "2.80",
            "vacant_percent": "80",
            "effective_from": "2030-07",
            "note": "业主大会通过",
        },
    )
    # then it takes effect on 2030-07-01, the old one is replaced then, and the history lists both
    assert response.status_code == 302
    new = FeeStandard.objects.get(effective_from=D(2030, 7, 1))
    assert (new.rate, new.vacant_percent, new.phase, new.note) == (Decimal("2.8000"), 80, None, "业主大会通过")
    standard.refresh_from_db()
    assert standard.effective_to == D(2030, 7, 1)
    page = client.get(response["Location"]).content.decode()
    assert "The new fee standard takes effect on 2030-07-01." in page
    history = page.split('id="standard-history"')[1]
    assert "2.80" in history and "2.50" in history and "2030-07-01" in history and "业主大会通过" in history
    assert history.index("2030-07-01") < history.index("2024-01-01")  # newest first


def test_a_phase_gets_its_own_standard_from_the_page(world, client_for, keeper, standard):
    # given a second phase
    phase = PhaseFactory.create(compound=world.compound_a, name="二期")
    # when the property manager sets its standard
    response = client_for(world.users["property_manager"]).post(
        _url(world, "finance:standard_new"),
        {
            "phase": str(phase.pk),
            "house_type": "residential",
            "rate": "3",
            "vacant_percent": "100",
            "effective_from": "2024-03",
        },
    )
    # then the phase has it, and the compound's standard is untouched
    assert response.status_code == 302
    assert FeeStandard.objects.get(phase=phase).effective_from == D(2024, 3, 1)
    standard.refresh_from_db()
    assert standard.effective_to is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rate": "-2.5"}, "A fee rate must be greater than zero."),
        ({"rate": "两块五"}, "Enter the rate in yuan per m² per month, such as 2.50."),
        ({"rate": ""}, None),  # Django's own "required" message, in Chinese
        ({"vacant_percent": "120"}, "Enter a whole percentage from 0 to 100."),
        ({"vacant_percent": "-5"}, "Enter a whole percentage from 0 to 100."),
        ({"effective_from": "2030-13"}, "Choose the month the standard takes effect from, such as 2025-07."),
        ({"effective_from": "next year"}, "Choose the month the standard takes effect from, such as 2025-07."),
        ({"effective_from": "2024-01"}, "A standard already takes effect on 2024-01-01; a new one must start later."),
        ({"effective_from": "2023-06"}, "A standard already takes effect on 2024-01-01; a new one must start later."),
    ],
)
def test_a_bad_standard_is_refused_with_the_reason_and_nothing_changes(
    world, client_for, keeper, standard, data, message
):
    # given the page's form filled in with one bad value
    client = client_for(keeper)
    before = finance_state()
    form = {"house_type": "residential", "rate": "2.80", "vacant_percent": "70", "effective_from": "2030-01", **data}
    # when it is sent
    response = client.post(_url(world, "finance:standard_new"), form)
    # then the page shows the reason beside the form and nothing changed
    assert response.status_code == 200
    form = response.context["standard_form"]
    assert form.errors and set(form.errors) <= {"rate", "vacant_percent", "effective_from"}
    if message is not None:
        assert message in response.content.decode()
    assert finance_state() == before


def test_a_phase_of_another_compound_is_refused(world, client_for, keeper, standard):
    # given a phase of compound B
    other = PhaseFactory.create(compound=world.compound_b, name="外期")
    before = finance_state()
    # when its id is sent for compound A
    response = client_for(keeper).post(
        _url(world, "finance:standard_new"),
        {
            "phase": str(other.pk),
            "house_type": "residential",
            "rate": "3",
            "vacant_percent": "100",
            "effective_from": "2030-01",
        },
    )
    # then the choice is refused and nothing changed
    assert response.status_code == 200
    assert list(response.context["standard_form"].errors) == ["phase"]
    assert finance_state() == before


def test_commitments_are_added_retired_and_shown_beside_the_price(world, client_for, keeper, standard):
    client = client_for(keeper)
    # when the finance staff add two commitments and take the first off the list
    client.post(_url(world, "finance:commitment_new"), {"title": "电梯每月维保", "detail": "每月一次"})
    client.post(_url(world, "finance:commitment_new"), {"title": "绿化每周修剪"})
    first = ServiceCommitment.objects.get(title="电梯每月维保")
    response = client.post(_url(world, "finance:commitment_retire", first.pk))
    # then the keepers see both (one marked as taken off), a resident only the active one beside the price
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.is_active is False
    staff_page = client.get(_url(world)).content.decode()
    assert "电梯每月维保" in staff_page and "taken off the list" in staff_page and "绿化每周修剪" in staff_page
    resident_page = client_for(world.users["resident"]).get(_url(world)).content.decode()
    assert "绿化每周修剪" in resident_page and "电梯每月维保" not in resident_page
    assert "2.50" in resident_page.split('id="standards-in-force"')[1].split("</div>")[0]
    assert 'id="standard-form"' not in resident_page and 'id="commitment-form"' not in resident_page


def test_retiring_a_commitment_twice_says_so_and_changes_nothing(world, client_for, keeper):
    # given a commitment already taken off the list
    commitment = commitment_add(actor=keeper, compound=world.compound_a, title="电梯每月维保")
    client = client_for(keeper)
    client.post(_url(world, "finance:commitment_retire", commitment.pk))
    before = finance_state()
    # when it is taken off again
    response = client.post(_url(world, "finance:commitment_retire", commitment.pk), follow=True)
    # then the page says so, nothing changed
    assert "This commitment has already been taken off the list." in response.content.decode()
    assert finance_state() == before


@pytest.mark.parametrize("title", ["", "   ", "长" * 101])
def test_a_bad_commitment_is_refused_and_nothing_changes(world, client_for, keeper, title):
    # given an empty, blank or too long title
    before = finance_state()
    # when it is sent
    response = client_for(keeper).post(_url(world, "finance:commitment_new"), {"title": title})
    # then the form shows the reason on the title and nothing changed
    assert response.status_code == 200
    assert list(response.context["commitment_form"].errors) == ["title"]
    assert finance_state() == before


def test_irreversible_steps_ask_for_confirmation(world, client_for, keeper):
    # given a commitment
    commitment_add(actor=keeper, compound=world.compound_a, title="电梯每月维保")
    page = client_for(keeper).get(_url(world)).content.decode()
    # then setting a standard and retiring a commitment ask first
    assert 'id="standard-form"' in page and "Set this fee standard?" in page
    assert "Take this commitment off the list?" in page


def test_a_standard_of_a_phase_shows_in_the_history_with_its_phase(world, client_for, keeper, standard):
    phase = PhaseFactory.create(compound=world.compound_a, name="二期")
    fee_standard_set(actor=keeper, compound=world.compound_a, phase=phase, rate="3.10", effective_from=D(2024, 2, 1))
    history = client_for(keeper).get(_url(world)).content.decode().split('id="standard-history"')[1]
    assert "二期" in history and "3.1" in history
