"""The case list pages through many cases and searches their titles."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongzhi.mediation.selectors import CASES_PER_PAGE
from gongzhi.testing.mediation_factories import open_case


def test_the_case_list_shows_one_page_at_a_time(world: Any, client_for: Any) -> None:
    # given one case more than a page holds
    for n in range(CASES_PER_PAGE + 1):
        open_case(world, title=f"纠纷{n:02d}")
    client = client_for(world.users["grid_worker"])
    # when the grid worker opens the first and the second page
    first = client.get(reverse("mediation:list")).content.decode()
    second = client.get(reverse("mediation:list"), {"page": 2}).content.decode()
    # then the newest page holds a page of cases and a link on, the second the oldest one
    assert first.count('class="card case-row"') == CASES_PER_PAGE
    assert "page=2" in first
    assert second.count('class="card case-row"') == 1
    assert "纠纷00" in second and "纠纷00" not in first


def test_the_case_list_searches_titles(world: Any, client_for: Any) -> None:
    # given cases about a leak and one about noise
    open_case(world, title="楼上漏水")
    open_case(world, title="广场舞噪音")
    # when the grid worker searches for noise
    text = client_for(world.users["grid_worker"]).get(reverse("mediation:list"), {"q": "噪音"}).content.decode()
    # then only that case is listed
    assert "广场舞噪音" in text and "楼上漏水" not in text


def test_a_page_number_that_is_not_one_shows_a_page_not_an_error(world: Any, client_for: Any) -> None:
    open_case(world)
    client = client_for(world.users["grid_worker"])
    for page in ("abc", "-1", "99999", "<script>"):
        response = client.get(reverse("mediation:list"), {"page": page})
        assert response.status_code == 200
        assert response.content.decode().count('class="card case-row"') == 1
