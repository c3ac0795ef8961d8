"""Routing rules and deadline policies of a community: who reads, who edits, bad input changes nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.api.tests.helpers import db_state
from gongzhi.core.models import AuditEvent
from gongzhi.testing.factories import CommunityFactory, CompoundFactory, OrganizationFactory
from gongzhi.testing.voices_factories import category
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.models import DeadlinePolicy, Kind, RoutingRule
from gongzhi.voices.policy_selectors import policy_rows, routing_targets
from gongzhi.voices.services.policy import deadline_hours

pytestmark = pytest.mark.django_db

VIEWERS = {
    "secretary",
    "grid_worker",
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "sub_district_supervisor",
    "district_supervisor",
    "superuser",
}
EDITORS = {"secretary", "community_staff", "superuser"}


def _state() -> dict[str, Any]:
    """The domain tables and the audit trail of changes, plus every routing rule and deadline policy."""
    state = db_state()
    state["routing"] = sorted(RoutingRule.objects.values_list("community_id", "category_id", "organization_id"))
    state["policies"] = sorted(
        json.dumps(row, sort_keys=True)
        for row in DeadlinePolicy.objects.values(
            "community_id", "kind", "category_id", "response_hours", "resolution_hours"
        )
    )
    return state


def _expected(role: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 403


def _urls(world: Any) -> dict[str, str]:
    community = world.compound_a.community_id
    return {
        "page": reverse("voices:settings", args=[community]),
        "routing": reverse("voices:settings_routing", args=[community]),
        "deadlines": reverse("voices:settings_deadlines", args=[community]),
        "reset": reverse("voices:settings_deadline_reset", args=[community]),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reads_and_edits_exactly_what_it_may(world: Any, client_for: Any, role: str) -> None:
    # given a community with its own repair deadline and every role of the world
    urls = _urls(world)
    schooling = category("教育配套")
    DeadlinePolicy.objects.create(
        community=world.compound_a.community, kind=Kind.REPAIR, category=None, response_hours=6, resolution_hours=30
    )
    client = client_for(world.users[role])
    # when the role opens the page and tries each edit
    page = client.get(urls["page"])
    routed = client.post(urls["routing"], {"category": schooling.pk, "organization": world.orgs["department"].pk})
    deadline = client.post(
        urls["deadlines"], {"kind": Kind.ENQUIRY, "category": "", "response_hours": 4, "resolution_hours": 20}
    )
    reset = client.post(urls["reset"], {"kind": Kind.REPAIR, "category": ""})
    # then viewers read it, only editors see the forms and change anything
    assert page.status_code == _expected(role, VIEWERS)
    if page.status_code == 200:
        html = page.content.decode()
        assert ("Save deadlines" in html) == (role in EDITORS)
        assert ("You can read these settings" in html) == (role not in EDITORS)
    edited = 302 if role in EDITORS else _expected(role, set())
    assert (routed.status_code, deadline.status_code, reset.status_code) == (edited, edited, edited)
    changed = role in EDITORS
    assert RoutingRule.objects.filter(category=schooling).exists() == changed
    assert DeadlinePolicy.objects.filter(community__isnull=False, kind=Kind.ENQUIRY).exists() == changed
    assert DeadlinePolicy.objects.filter(community__isnull=False, kind=Kind.REPAIR).exists() != changed


def test_other_community_is_read_only_for_supervisors_and_closed_to_its_neighbours(world: Any, client_for: Any) -> None:
    # given compound B's community, which no staff role of the world belongs to
    b = world.compound_b.community_id
    before = _state()
    # when A's secretary and the sub-district supervisor open and post to it
    secretary, supervisor = world.users["secretary"], world.users["sub_district_supervisor"]
    assert client_for(secretary).get(reverse("voices:settings", args=[b])).status_code == 403
    assert (
        client_for(secretary)
        .post(reverse("voices:settings_deadlines", args=[b]), {"kind": Kind.REPAIR, "response_hours": 1})
        .status_code
        == 403
    )
    page = client_for(supervisor).get(reverse("voices:settings", args=[b]))
    posted = client_for(supervisor).post(
        reverse("voices:settings_routing", args=[b]), {"category": category().pk, "organization": ""}
    )
    # then the supervisor reads it without forms, and nothing changed for anyone
    assert page.status_code == 200 and b"Save deadlines" not in page.content
    assert posted.status_code == 403
    assert _state() == before
    assert AuditEvent.objects.filter(verb="access.denied").count() == 3


def test_unknown_community_is_404(world: Any, client_for: Any) -> None:
    client = client_for(world.users["superuser"])
    assert client.get(reverse("voices:settings", args=[999999])).status_code == 404
    area_without_compounds = CommunityFactory.create()
    assert client.get(reverse("voices:settings", args=[area_without_compounds.pk])).status_code == 404


def test_index_goes_straight_to_the_only_community_and_lists_several(world: Any, client_for: Any) -> None:
    # given the community secretary (one community) and the sub-district supervisor (two)
    one = client_for(world.users["secretary"]).get(reverse("voices:settings_index"))
    assert one.status_code == 302
    assert one["Location"] == reverse("voices:settings", args=[world.compound_a.community_id])
    several = client_for(world.users["sub_district_supervisor"]).get(reverse("voices:settings_index"))
    assert several.status_code == 200
    assert len(re.findall(r'href="/voices/settings/\d+/"', several.content.decode())) == 2
    assert client_for(world.users["resident"]).get(reverse("voices:settings_index")).status_code == 403


def test_routing_choices_are_the_organizations_serving_the_community(world: Any) -> None:
    # given an organization of the other community and a property company managing nothing here
    community = world.compound_a.community
    elsewhere = OrganizationFactory.create(kind="community", name="B社区居委会", area=world.compound_b.community)
    stray = OrganizationFactory.create(kind="property", name="别家物业")
    # then the choices are A's property company, A's community, the police station, the sub-district and the
    # education bureau; never another community's bodies, a law firm or a property company of no compound here
    names = set(routing_targets(community=community).values_list("name", flat=True))
    assert names == {"A物业", "A社区", "派出所", "四新街道", "教育局"}
    assert elsewhere.name not in names and stray.name not in names


def test_routing_rule_saved_audited_and_used_then_removed(world: Any, client_for: Any) -> None:
    # given the community secretary on the settings page
    urls = _urls(world)
    client = client_for(world.users["secretary"])
    schooling = category("教育配套")
    # when they send schooling voices to the education bureau
    response = client.post(urls["routing"], {"category": schooling.pk, "organization": world.orgs["department"].pk})
    # then the rule exists, is audited, and the page shows it selected
    assert response.status_code == 302
    rule = RoutingRule.objects.get(category=schooling)
    assert rule.organization == world.orgs["department"]
    audit = AuditEvent.objects.get(verb="voice.routing_rule")
    assert audit.before is None and audit.after == {"organization": world.orgs["department"].pk}
    page = client.get(urls["page"]).content.decode()
    assert f'<option value="{world.orgs["department"].pk}" selected>' in page
    # when they choose the default again, the rule is removed (and that is audited too)
    client.post(urls["routing"], {"category": schooling.pk, "organization": ""})
    assert not RoutingRule.objects.filter(category=schooling).exists()
    assert AuditEvent.objects.filter(verb="voice.routing_rule").count() == 2


@pytest.mark.parametrize(
    ("case", "data", "message"),
    [
        ("another community's organization", "elsewhere", "Choose an organization that serves this community."),
        ("a law firm", "law_firm", "Choose an organization that serves this community."),
        ("no such organization", "999999", "Choose an organization that serves this community."),
        ("not a number", "abc", "Choose an organization that serves this community."),
    ],
)
def test_routing_to_an_unknown_organization_is_refused(
    world: Any, client_for: Any, case: str, data: str, message: str
) -> None:
    # given an organization of another community
    elsewhere = OrganizationFactory.create(kind="community", name="B社区居委会", area=world.compound_b.community)
    value = {"elsewhere": str(elsewhere.pk), "law_firm": str(world.orgs["law_firm"].pk)}.get(data, data)
    before = _state()
    # when the secretary routes a category there
    response = client_for(world.users["secretary"]).post(
        _urls(world)["routing"], {"category": category().pk, "organization": value}
    )
    # then the page says why and nothing changed
    assert response.status_code == 400, case
    assert message in response.content.decode()
    assert "Nothing was changed." in response.content.decode()
    assert _state() == before


def test_routing_an_unknown_category_is_refused(world: Any, client_for: Any) -> None:
    before = _state()
    response = client_for(world.users["secretary"]).post(
        _urls(world)["routing"], {"category": "999999", "organization": world.orgs["police"].pk}
    )
    assert response.status_code == 400
    assert "Choose one of the categories in the list." in response.content.decode()
    assert _state() == before


def test_deadline_override_saved_shown_as_this_community_and_reset(world: Any, client_for: Any) -> None:
    # given the community staff and the default repair deadlines (24 h / 72 h)
    urls = _urls(world)
    client = client_for(world.users["community_staff"])
    lift = category("设施维修")
    community = world.compound_a.community
    # when they give repairs about facilities 8 h / 48 h
    response = client.post(
        urls["deadlines"], {"kind": Kind.REPAIR, "category": lift.pk, "response_hours": 8, "resolution_hours": 48}
    )
    # then new voices get them, the row is this community's, and the audit has before and after
    assert response.status_code == 302
    assert deadline_hours(community_id=community.pk, kind=Kind.REPAIR, category=lift) == (8, 48)
    row = next(r for r in policy_rows(community=community) if r.kind == Kind.REPAIR and r.category == lift)
    assert row.is_override and row.applies == (8, 48) and row.fallback == (24, 72)
    audit = AuditEvent.objects.get(verb="voice.deadline_policy")
    assert audit.before is None
    assert audit.after == {"kind": "repair", "category": lift.pk, "response": 8, "resolution": 48}
    page = client.get(urls["page"]).content.decode()
    assert "This community" in page and "Reset to default" in page
    # when they change it again, the audit keeps what it was
    client.post(
        urls["deadlines"], {"kind": Kind.REPAIR, "category": lift.pk, "response_hours": 10, "resolution_hours": 48}
    )
    assert AuditEvent.objects.filter(verb="voice.deadline_policy").last().before == {  # type: ignore[union-attr]
        "response": 8,
        "resolution": 48,
    }
    # when they reset it, the defaults apply again
    reset = client.post(urls["reset"], {"kind": Kind.REPAIR, "category": lift.pk})
    assert reset.status_code == 302
    assert deadline_hours(community_id=community.pk, kind=Kind.REPAIR, category=lift) == (24, 72)
    assert AuditEvent.objects.get(verb="voice.deadline_policy_reset").before == {
        "kind": "repair",
        "category": lift.pk,
        "response": 10,
        "resolution": 48,
    }


def test_resetting_a_default_row_says_so_and_changes_nothing(world: Any, client_for: Any) -> None:
    before = _state()
    client = client_for(world.users["secretary"])
    response = client.post(_urls(world)["reset"], {"kind": Kind.REPAIR, "category": ""}, follow=True)
    assert "the defaults already apply" in response.content.decode()
    assert _state() == before


def test_edit_link_prefills_the_form_with_what_applies(world: Any, client_for: Any) -> None:
    client = client_for(world.users["secretary"])
    page = client.get(_urls(world)["page"] + "?kind=suggestion&category=").content.decode()
    assert 'name="response_hours" value="48"' in page
    assert 'name="resolution_hours" value="240"' in page
    assert '<option value="suggestion" selected>' in page


def test_policy_table_marks_defaults_and_overrides_with_their_fallback(world: Any) -> None:
    # given this community's complaint deadline, and another community's, and a default for a category
    community = world.compound_a.community
    noise = category("噪音扰民")
    DeadlinePolicy.objects.create(community=community, kind=Kind.COMPLAINT, response_hours=12, resolution_hours=36)
    DeadlinePolicy.objects.create(
        community=world.compound_b.community, kind=Kind.COMPLAINT, response_hours=1, resolution_hours=2
    )
    DeadlinePolicy.objects.create(kind=Kind.COMPLAINT, category=noise, response_hours=2, resolution_hours=24)
    rows = {(r.kind, r.category.name if r.category else ""): r for r in policy_rows(community=community)}
    # then the kind's row is this community's (fallback: the default); the category's default is more specific
    # than nothing but less specific than this community's kind row, as deadline_hours decides
    complaint = rows[("complaint", "")]
    assert complaint.is_override and complaint.applies == (12, 36) and complaint.fallback == (24, 72)
    noisy = rows[("complaint", "噪音扰民")]
    assert not noisy.is_override
    assert noisy.applies == deadline_hours(community_id=community.pk, kind=Kind.COMPLAINT, category=noise)
    assert noisy.applies == (12, 36)
    assert rows[("praise", "")].applies == (72, None)
    assert len([r for r in rows.values() if r.category is None]) == len(Kind)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"response_hours": 0, "resolution_hours": 10}, "At least 1 hour."),
        ({"response_hours": -5, "resolution_hours": 10}, "At least 1 hour."),
        ({"response_hours": 4, "resolution_hours": 0}, "At least 1 hour."),
        ({"response_hours": 100000, "resolution_hours": 200000}, "At most 8760 hours (a year)."),
        ({"response_hours": 10**30, "resolution_hours": ""}, "At most 8760 hours (a year)."),
        (
            {"response_hours": 48, "resolution_hours": 24},
            "The resolution time cannot be shorter than the response time.",
        ),
        ({"response_hours": "", "resolution_hours": 24}, "Enter the number of hours."),
        ({"response_hours": "2.5", "resolution_hours": 24}, "Enter a whole number of hours, such as 24."),
        ({"response_hours": "二十四", "resolution_hours": 24}, "Enter a whole number of hours, such as 24."),
        ({"kind": "gossip", "response_hours": 4, "resolution_hours": 24}, "Choose one of the kinds in the list."),
        (
            {"category": "999999", "response_hours": 4, "resolution_hours": 24},
            "Choose one of the categories in the list.",
        ),
    ],
)
def test_bad_deadlines_are_refused_with_the_reason_and_change_nothing(
    world: Any, client_for: Any, data: dict[str, Any], field_error: str
) -> None:
    # given the secretary and the current policies
    before = _state()
    payload = {"kind": Kind.REPAIR, "category": "", **data}
    # when they submit bad hours, an unknown kind or category
    response = client_for(world.users["secretary"]).post(_urls(world)["deadlines"], payload)
    # then the page explains and nothing changed
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error in html and "Nothing was changed." in html
    assert _state() == before


def test_services_refuse_what_the_forms_refuse(world: Any) -> None:
    # the services check again: a caller that skips the form (the API, a script) gets the same reasons
    from gongzhi.core.errors import DomainError
    from gongzhi.voices.services.policy import deadline_policy_set, routing_rule_set

    elsewhere = CompoundFactory.create().property_company
    before = _state()
    secretary, compound = world.users["secretary"], world.compound_a
    cases: list[tuple[dict[str, Any], str]] = [
        (dict(response_hours=0, resolution_hours=5), "response_hours"),
        (dict(response_hours=9000, resolution_hours=None), "response_hours"),
        (dict(response_hours=5, resolution_hours=9000), "resolution_hours"),
        (dict(response_hours=5, resolution_hours=4), "resolution_hours"),
    ]
    for hours, field in cases:
        with pytest.raises(DomainError) as caught:
            deadline_policy_set(actor=secretary, compound=compound, kind=Kind.REPAIR, category=None, **hours)
        assert caught.value.field == field
    with pytest.raises(DomainError) as caught:
        routing_rule_set(actor=secretary, compound=compound, category=category(), organization=elsewhere)
    assert caught.value.code == "unknown_organization"
    assert _state() == before


def test_several_property_companies_are_pointed_out(world: Any, client_for: Any) -> None:
    # given a second compound in community A managed by another company
    CompoundFactory.create(community=world.compound_a.community)
    page = client_for(world.users["secretary"]).get(_urls(world)["page"]).content.decode()
    assert "different property companies" in page


@pytest.mark.parametrize("data", [{"kind": "gossip", "category": ""}, {"kind": Kind.REPAIR, "category": "x"}, {}])
def test_bad_reset_requests_change_nothing(world: Any, client_for: Any, data: dict[str, Any]) -> None:
    # given this community's own repair deadlines
    DeadlinePolicy.objects.create(
        community=world.compound_a.community, kind=Kind.REPAIR, category=None, response_hours=6, resolution_hours=30
    )
    before = _state()
    # when the secretary posts a reset that names no row of the table
    response = client_for(world.users["secretary"]).post(_urls(world)["reset"], data, follow=True)
    # then they are told, and nothing changed
    assert "Nothing was changed: choose a row of the table to reset." in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("secretary", {"topics", "settings"}),
        ("technician", {"topics", "settings"}),
        ("representative", {"topics"}),
        ("liaison", set()),
        ("resident", set()),
        ("superuser", {"topics", "settings"}),
    ],
)
def test_navigation_shows_the_pages_the_role_may_open(world: Any, client_for: Any, role: str, links: set[str]) -> None:
    html = client_for(world.users[role]).get(reverse("notifications:list")).content.decode()
    shown = {
        name
        for name, url in (("topics", reverse("voices:topics_index")), ("settings", reverse("voices:settings_index")))
        if f'href="{url}"' in html
    }
    assert shown == links
