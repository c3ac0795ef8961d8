"""Every role in the world × every action of the governance report (compound A, and compound B outside staff's
scope; an unknown compound).

The report and its PDF: whoever may read the compound's KPIs (estate viewers in scope, supervisors, superusers);
everyone else logged in gets 403 (the issue's rule for a compound the user may not see), the anonymous visitor
the log-in page. The paragraphs: the compound's secretary, community staff and property manager (and
superusers) only. A refused request changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.insights.models import ReportNarrative
from gongzhi.insights.report.services import report_narrative_set
from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db

READERS = {
    "secretary",
    "grid_worker",
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "finance",
    "representative",
    "sub_district_supervisor",
    "district_supervisor",
    "superuser",
}
EDITORS = {"secretary", "community_staff", "property_manager", "superuser"}
# compound B (another community of the same sub-district): only the supervisors and superusers
READERS_B = {"sub_district_supervisor", "district_supervisor", "superuser"}

ACTIONS = {
    "page": ("get", "/insights/compounds/{code}/report/?period=2025", READERS, 200),
    "pdf": ("get", "/insights/compounds/{code}/report/pdf/?period=2025", READERS, 200),
    "narrative_set": ("post", "/insights/compounds/{code}/report/outcomes/text/", EDITORS, 302),
    "narrative_reset": ("post", "/insights/compounds/{code}/report/outcomes/text/reset/", EDITORS, 302),
}


def _call(client: Any, method: str, url: str) -> Any:
    if method == "get":
        return client.get(url)
    return client.post(url, {"period": "2025", "text": "编辑后的段落"})


def _expected(role: str, allowed: set[str], success: int) -> int:
    if role == "anonymous":
        return 302
    return success if role in allowed else 403


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_report_authorization_matrix_compound_a(world, client_for, role, action):
    # given an edited paragraph to reset (so that a reset changes something when allowed)
    method, url, allowed, success = ACTIONS[action]
    compound = world.compound_a
    if action == "narrative_reset":
        report_narrative_set(
            actor=world.users["secretary"], compound=compound, period="2025", section="outcomes", text="原文"
        )
    before = list(ReportNarrative.objects.values_list("section", "text"))
    # when
    response = _call(client_for(world.users[role]), method, url.format(code=compound.code))
    # then
    expected = _expected(role, allowed, success)
    assert response.status_code == expected, (role, action)
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    if expected != success or role == "anonymous":
        assert list(ReportNarrative.objects.values_list("section", "text")) == before
    elif action == "narrative_set":
        assert ReportNarrative.objects.get().text == "编辑后的段落"
    elif action == "narrative_reset":
        assert not ReportNarrative.objects.exists()
    elif action == "pdf":
        assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", ["page", "narrative_set"])
def test_report_authorization_matrix_compound_b(world, client_for, role, action):
    # given compound B, outside every staff role's scope but the supervisors'
    method, url, _allowed, success = ACTIONS[action]
    allowed = READERS_B if action == "page" else {"superuser"}
    # when
    response = _call(client_for(world.users[role]), method, url.format(code=world.compound_b.code))
    # then
    assert response.status_code == _expected(role, allowed, success), role
    if action == "narrative_set" and role != "superuser":
        assert not ReportNarrative.objects.exists()


@pytest.mark.parametrize("action", list(ACTIONS))
def test_an_unknown_compound_is_404(world, client_for, action):
    # given
    method, url, _allowed, _success = ACTIONS[action]
    # when
    response = _call(client_for(world.users["superuser"]), method, url.format(code="nope"))
    # then
    assert response.status_code == 404
