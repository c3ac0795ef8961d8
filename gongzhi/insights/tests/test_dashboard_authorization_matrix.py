"""Every role in the world × the insights index, the compound dashboard, its xlsx, a drill-down and its xlsx.

KPI readers (the estate viewers of compound A: community and property staff, the residents' representative, the
sub-district and district supervisors, superusers) open compound A's dashboard and drill-downs; residents,
applicants, outside organizations and strangers get the 403 page; the anonymous visitor is sent to log in.
Within a drill-down, houses are listed to the household viewers only, bills to the fee keepers only, and a voice
links to its page only for those who may open it (the voices' rules).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.testing.world import ALL_ROLES

from .dashboard_data import build

pytestmark = pytest.mark.django_db

READERS = {
    "secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "technician", "finance",
    "representative", "sub_district_supervisor", "district_supervisor", "superuser",
}  # fmt: skip
SEVERAL = {"sub_district_supervisor", "district_supervisor", "superuser"}  # compounds A and B in scope
HOUSE_READERS = READERS - {"representative", "sub_district_supervisor", "district_supervisor"}
FEE_KEEPERS = {"property_manager", "finance", "superuser"}
VOICE_OPENERS = READERS - {"finance", "representative"}


def outcome(r: Any) -> str:
    if r.status_code == 302:
        return "login" if "/accounts/login/" in r["Location"] else "redirect"
    return str(r.status_code)


@pytest.fixture
def data(world: Any) -> dict[str, Any]:
    return build(world)


def drill(key: str, **params: str) -> str:
    url = reverse("insights:drill", args=["aaa", key]) + "?period=2025"
    return url + "".join(f"&{k}={v}" for k, v in params.items())


@pytest.mark.parametrize("role", ALL_ROLES)
def test_authorization_matrix(world: Any, data: Any, client_for: Any, role: str) -> None:
    # given: a user of each role
    client = client_for(world.users[role])
    dashboard = reverse("insights:compound", args=["aaa"]) + "?period=2025"
    denied = "login" if role == "anonymous" else "403"
    # when / then
    index = outcome(client.get(reverse("insights:index")))
    if role in SEVERAL:
        assert index == "200"
    elif role in READERS:
        assert index == "redirect"
    else:
        assert index == denied
    assert outcome(client.get(dashboard)) == ("200" if role in READERS else denied)
    assert outcome(client.get(dashboard + "&format=xlsx")) == ("200" if role in READERS else denied)
    assert outcome(client.get(drill("voices_complaint"))) == ("200" if role in READERS else denied)
    assert outcome(client.get(drill("voices_complaint", format="xlsx"))) == ("200" if role in READERS else denied)
    # compound B: only the supervisors and the superuser measure it
    b = outcome(client.get(reverse("insights:compound", args=["bbb"])))
    assert b == ("200" if role in SEVERAL else denied)
    assert outcome(client.get(reverse("insights:drill", args=["bbb", "voices_complaint"]))) == b


@pytest.mark.parametrize("role", sorted(READERS))
def test_drill_rows_and_links_follow_each_records_rules(world: Any, data: Any, client_for: Any, role: str) -> None:
    client = client_for(world.users[role])
    # houses: the household viewers see them; others read the figure and a note
    houses = client.get(drill("estates_occupancy_rate"))
    assert houses.status_code == 200
    assert houses.context["may_see_rows"] == (role in HOUSE_READERS)
    assert (b'id="rows-closed"' in houses.content) == (role not in HOUSE_READERS)
    x = client.get(drill("estates_occupancy_rate", format="xlsx"))
    assert (x["Content-Type"].startswith("application/vnd.openxmlformats")) == (role in HOUSE_READERS)
    # bills: the fee keepers only
    bills = client.get(drill("fees_collection_rate"))
    assert bills.context["may_see_rows"] == (role in FEE_KEEPERS)
    # voices: every reader sees the rows; the link to a voice only those who may open it
    voices = client.get(drill("voices_complaint"))
    assert voices.context["may_see_rows"]
    links = [link for _cells, link in voices.context["rows"]]
    assert len(links) == 2
    v1 = data["voices"][1]
    assert all(
        link == reverse("voices:detail", args=[v.pk]) for link, v in zip(links, data["voices"][1:3], strict=True)
    ) == (role in VOICE_OPENERS)
    assert all(link is None for link in links) == (role not in VOICE_OPENERS)
    assert (reverse("voices:detail", args=[v1.pk]).encode() in voices.content) == (role in VOICE_OPENERS)
