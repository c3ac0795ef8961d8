"""In a real browser: a secretary invites a new grid worker, who registers through the link and is in."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.accounts.models import Invitation, Membership, User
from gongzhi.accounts.roles import OrgKind, Role
from gongzhi.testing.browser import browser_login
from gongzhi.testing.factories import CommunityFactory, OrganizationFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_invites_a_newcomer_who_registers_and_lands_as_a_member(
    page: Any, chromium: Any, live_server: Any
) -> None:
    # given a community with its secretary (an administrator of it)
    area = CommunityFactory.create(name="月湖社区")
    community = OrganizationFactory.create(kind=OrgKind.COMMUNITY, name="月湖社区居委会", area=area)
    secretary = UserFactory.create(name="书记")
    member(secretary, community, Role.SECRETARY, is_admin=True)

    # when the secretary creates an invitation link on the organization page
    browser_login(page, live_server.url, secretary.phone)
    page.goto(f"{live_server.url}/accounts/organizations/{community.pk}/")
    page.select_option("select[name=role]", Role.GRID_WORKER.value)
    page.fill("input[name=note]", "小王")
    page.click("form[action$='/invite/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    link = page.locator("input[readonly]").input_value()
    assert link.startswith(f"{live_server.url}/accounts/invite/")

    # and a new person opens it in their own browser and registers
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    errors: list[str] = []
    newcomer = context.new_page()
    newcomer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    newcomer.on("pageerror", lambda e: errors.append(str(e)))
    try:
        newcomer.goto(link)
        assert "月湖社区居委会" in newcomer.content()
        newcomer.fill("input[name=name]", "王网格")
        newcomer.fill("input[name=phone]", "137 0000 1234")
        newcomer.fill("input[name=password]", "Lanterns-2026")
        newcomer.fill("input[name=password2]", "Lanterns-2026")
        newcomer.click("form[method=post]:has(input[name=password2]) button[type=submit]")
        newcomer.wait_for_load_state("networkidle")

        # then they land logged in, as a grid worker of the community (no compound yet: on their organization)
        assert newcomer.url.endswith("/accounts/organizations/")
        user = User.objects.get(name="王网格")
        assert Membership.objects.filter(user=user, organization=community, role=Role.GRID_WORKER).exists()
        newcomer.goto(f"{live_server.url}/accounts/organizations/")
        assert "月湖社区居委会" in newcomer.content()
        assert newcomer.locator("text=王网格").count() >= 1  # their name in the header: logged in

        # and the link is spent: opening it again says so
        newcomer.goto(link)
        assert newcomer.locator(".msg.error").count() == 1
    finally:
        context.close()
    assert Invitation.objects.get().state == "used"
    assert not [e for e in errors if "409" not in e], errors
