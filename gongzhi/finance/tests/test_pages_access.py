"""Authorization matrix of the staff fee pages: every page and every form × every role of the world.

Fee keepers (finance staff, property manager of compound A's company, the superuser) use every page of
compound A; only the property manager (and the superuser) decides refunds; community staff, the residents'
representative and the supervisors read the figures and the standards; the resident reads the standards and
their own receipt; everyone else gets 403 (the anonymous visitor: the log-in page). A refused form changes
nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.finance.tests.helpers import finance_state
from gongzhi.testing.world import ALL_ROLES

from .pages import KEEPERS, READERS, build_fees, get_pages, post_actions

pytestmark = pytest.mark.django_db


def _expected(role: str, allowed: set[str], ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    return ok if role in allowed else 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reaches_exactly_its_fee_pages(world, client_for, django_capture_on_commit_callbacks, role):
    # given compound A's fees (bills, a payment, refunds, a finished generation) and one bill in compound B
    fees = build_fees(world, django_capture_on_commit_callbacks)
    client = client_for(world.users[role])
    pages = get_pages(world, fees)
    # when the role opens every page
    got = {name: client.get(url).status_code for name, (url, _allowed) in pages.items()}
    # then it gets exactly the pages its role allows (the finished run's progress poll redirects to the run)
    expected = {name: _expected(role, allowed) for name, (_url, allowed) in pages.items()}
    expected["billing progress A"] = _expected(role, KEEPERS, ok=302)
    assert got == expected


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(
    "action",
    [
        "standard_new",
        "commitment_new",
        "commitment_retire",
        "billing_confirm",
        "bill_pay",
        "bill_reduce",
        "refund_new",
        "refund_decide",
        "refund_pay",
        "arrears_remind",
    ],
)
def test_each_role_may_use_exactly_its_fee_forms(world, client_for, django_capture_on_commit_callbacks, role, action):
    # given compound A's fees
    fees = build_fees(world, django_capture_on_commit_callbacks)
    url, data, allowed = post_actions(world, fees)[action]
    client = client_for(world.users[role])
    before = finance_state()
    # when the role posts the form
    response = client.post(url, data)
    # then keepers (approvers, for a refund decision) succeed and are redirected; everyone else is refused
    # (403, or the log-in page) and nothing changed
    assert response.status_code == _expected(role, allowed, ok=302), response.content.decode()[:2000]
    if role in allowed:
        assert "/accounts/login/" not in response["Location"]
        assert finance_state() != before
    else:
        assert finance_state() == before


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "anonymous"])
def test_the_fees_link_shows_for_those_who_may_open_the_index(world, client_for, role):
    # given the role on a page with the navigation
    client = client_for(world.users[role])
    page = client.get(reverse("estates:compound_list"), follow=True).content.decode()
    # then the navigation links the fee pages exactly when the index answers
    shown = f'href="{reverse("finance:index")}"' in page
    assert shown == (role in READERS)
    assert client.get(reverse("finance:index")).status_code == (200 if shown else 403)
