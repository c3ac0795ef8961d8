"""House bindings on the pages: the resident asks (cascading selects), withdraws; staff approve or refuse."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongzhi.core import crypto, ratelimit
from gongzhi.estates.models import BindingStatus, HouseBinding, Relation, Resident
from gongzhi.estates.views import pages
from gongzhi.testing.factories import HouseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def _frozen_rate_window(monkeypatch):
    """Rate limits count in fixed one-minute windows: keep a test's requests inside one window."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


def _ask(client, target, relation=Relation.OWNER, **overrides):
    data = {
        "compound": target.compound.code,
        "building": target.building_id,
        "unit": target.unit_id,
        "house": target.pk,
        "relation": relation,
        **overrides,
    }
    return client.post(reverse("estates:binding_new"), {k: v for k, v in data.items() if v is not None})


def _options(client, code="aaa", **params):
    return client.get(reverse("estates:house_options", args=[code]), params)


# --- the resident's home ---------------------------------------------------------------------------------------


def test_resident_home_shows_my_house_and_household_with_others_masked(world, client_for):
    # given a second member of the resident's household
    from gongzhi.testing.factories import ResidentFactory

    ResidentFactory.create(house=world.house_a, name="张小明")
    html = client_for(world.users["resident"]).get(reverse("estates:resident_home")).content.decode()
    assert "A小区" in html
    assert f"{world.house_a.building.name}{world.house_a.unit.name}101" in html
    assert "<strong>resident</strong>" in html
    assert "张*明" in html and "张小明" not in html
    assert reverse("estates:house_detail", args=[world.house_a.pk]) in html


def test_applicant_sees_the_pending_request_but_nothing_of_the_compound(world, client_for):
    html = client_for(world.users["applicant"]).get(reverse("estates:resident_home")).content.decode()
    assert "Waiting for staff" in html
    assert reverse("estates:house_detail", args=[world.house_a2.pk]) not in html
    assert "李四" not in html and "李*" not in html  # the owner of the house asked for
    assert reverse("estates:binding_new") in html


def test_refused_request_shows_the_reason(world, client_for):
    HouseBinding.objects.filter(user=world.users["applicant"]).update(
        status=BindingStatus.REFUSED, reason="<i>不是业主</i>"
    )
    html = client_for(world.users["applicant"]).get(reverse("estates:resident_home")).content.decode()
    assert "Refused" in html
    assert "&lt;i&gt;不是业主&lt;/i&gt;" in html


def test_stranger_home_invites_to_ask_for_a_binding(world, client_for):
    html = client_for(world.users["stranger"]).get(reverse("estates:resident_home")).content.decode()
    assert "You are not bound to a house yet." in html
    assert "A小区" not in html


def test_resident_home_needs_a_log_in(world, client_for):
    assert client_for(None).get(reverse("estates:resident_home")).status_code == 302


# --- asking: the cascading choice ------------------------------------------------------------------------------


def test_binding_form_steps_through_compound_building_unit_and_room_without_javascript(world, client_for):
    client = client_for(world.users["stranger"])
    url = reverse("estates:binding_new")
    house = world.house_a2
    step1 = client.get(url).content.decode()
    step2 = client.get(url, {"compound": "aaa"}).content.decode()
    step3 = client.get(url, {"compound": "aaa", "building": house.building_id}).content.decode()
    step4 = client.get(url, {"compound": "aaa", "building": house.building_id, "unit": house.unit_id}).content.decode()
    assert '<option value="aaa">A小区</option>' in step1 and '<option value="bbb">B小区</option>' in step1
    assert 'name="building"' in step2 and 'name="unit"' not in step2
    assert 'name="unit"' in step3 and 'name="house"' not in step3
    assert f'<option value="{house.pk}">102</option>' in step4
    assert 'name="relation"' in step4 and 'method="post"' in step4
    assert "<noscript>" in step2  # the plain "Next" button when JavaScript is off


def test_binding_form_finds_a_compound_by_name(world, client_for):
    html = client_for(world.users["stranger"]).get(reverse("estates:binding_new"), {"q": "B小"}).content.decode()
    assert '<option value="bbb">B小区</option>' in html
    assert '<option value="aaa">' not in html


def test_house_options_returns_the_unit_select_and_clears_the_room_step(world, client_for):
    html = _options(client_for(world.users["stranger"]), step="units", building=world.house_a.building_id)
    body = html.content.decode()
    assert body.startswith('<div id="unit-step">')
    assert f'<option value="{world.house_a.unit_id}">' in body
    assert '<div id="room-step" hx-swap-oob="true"></div>' in body


def test_house_options_returns_the_rooms_with_structure_only(world, client_for):
    # given owners with names and phones on the ledger
    world.house_a.owner_phone_hash = crypto.phone_hash(world.house_a.owner_phone)
    world.house_a.save()
    response = _options(
        client_for(world.users["stranger"]),
        step="rooms",
        building=world.house_a.building_id,
        unit=world.house_a.unit_id,
    )
    body = response.content.decode()
    # then rooms are offered, but no owner data, status or area leaks
    assert ">101</option>" in body and ">102</option>" in body
    for secret in (
        "张三",
        "李四",
        "张*",
        "13800000001",
        "138****0001",
        world.house_a.owner_phone_hash,
        "Vacant",
        "98.5",
    ):
        assert secret not in body


def test_house_options_ignores_a_building_of_another_compound(world, client_for):
    body = _options(client_for(world.users["stranger"]), step="units", building=world.house_b.building_id)
    assert 'name="unit"' not in body.content.decode()


def test_house_options_needs_a_log_in_and_a_known_compound(world, client_for):
    assert _options(client_for(None), step="units").status_code == 302
    assert _options(client_for(world.users["stranger"]), code="nope", step="units").status_code == 404


@pytest.mark.usefixtures("_frozen_rate_window")
def test_house_options_is_rate_limited(world, client_for, monkeypatch):
    monkeypatch.setattr(pages, "HOUSE_OPTIONS_PER_MINUTE", 3)
    client = client_for(world.users["stranger"])
    codes = [_options(client, step="units", building=world.house_a.building_id).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# --- asking: the request ---------------------------------------------------------------------------------------


def test_resident_asks_to_be_bound_and_lands_on_home_with_a_pending_request(world, client_for):
    user = world.users["stranger"]
    response = _ask(client_for(user), world.house_a2, relation=Relation.TENANT)
    assert response.status_code == 302
    assert response["Location"] == reverse("estates:resident_home")
    binding = HouseBinding.objects.get(user=user)
    assert (binding.house, binding.relation, binding.status) == (world.house_a2, Relation.TENANT, BindingStatus.PENDING)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"house": None}, "Choose your room."),
        ({"house": "abc"}, "Choose your room."),
        ({"relation": None}, "Choose owner, family member or tenant."),
        ({"relation": "landlord"}, "Choose owner, family member or tenant."),
        ({"unit": None}, ""),
    ],
    ids=["no-room", "bad-room", "no-relation", "bad-relation", "no-unit"],
)
def test_bad_binding_input_is_refused_and_nothing_is_created(world, client_for, overrides, error):
    user = world.users["stranger"]
    response = _ask(client_for(user), world.house_a2, **overrides)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not HouseBinding.objects.filter(user=user).exists()


def test_a_room_of_another_compound_slipped_into_the_form_is_refused(world, client_for):
    # given the form of compound A's unit, with compound B's house id put in by hand
    user = world.users["stranger"]
    response = _ask(client_for(user), world.house_a2, house=world.house_b.pk)
    assert "Choose your room from the list." in response.content.decode()
    assert not HouseBinding.objects.filter(user=user).exists()


def test_asking_twice_for_the_same_house_is_refused(world, client_for):
    response = _ask(client_for(world.users["applicant"]), world.house_a2)
    assert "You have already asked to be bound to this house." in response.content.decode()
    assert HouseBinding.objects.filter(user=world.users["applicant"]).count() == 1


@pytest.mark.usefixtures("_frozen_rate_window")
def test_asking_is_rate_limited(world, client_for, monkeypatch):
    monkeypatch.setattr(pages, "BINDING_REQUESTS_PER_MINUTE", 1)
    user = world.users["stranger"]
    client = client_for(user)
    _ask(client, world.house_a2)
    response = _ask(client, world.house_a)
    assert "Too many requests" in response.content.decode()
    assert HouseBinding.objects.filter(user=user).count() == 1


def test_asking_needs_a_log_in(world, client_for):
    response = _ask(client_for(None), world.house_a2)
    assert response.status_code == 302
    assert HouseBinding.objects.count() == 2  # the world's two


# --- withdrawing -----------------------------------------------------------------------------------------------


def _pending(world):
    return HouseBinding.objects.get(user=world.users["applicant"])


def test_withdrawing_asks_for_confirmation_then_withdraws(world, client_for):
    client = client_for(world.users["applicant"])
    url = reverse("estates:binding_withdraw", args=[_pending(world).pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Yes, withdraw it" in confirm.content.decode()
    assert _pending(world).status == BindingStatus.PENDING
    response = client.post(url)
    assert response.status_code == 302
    assert _pending(world).status == BindingStatus.WITHDRAWN


def test_somebody_elses_request_cannot_be_withdrawn(world, client_for):
    url = reverse("estates:binding_withdraw", args=[_pending(world).pk])
    assert client_for(world.users["stranger"]).post(url).status_code == 404
    assert client_for(world.users["secretary"]).post(url).status_code == 404
    assert _pending(world).status == BindingStatus.PENDING


def test_a_decided_request_cannot_be_withdrawn(world, client_for):
    binding = HouseBinding.objects.get(user=world.users["resident"])
    response = client_for(world.users["resident"]).post(reverse("estates:binding_withdraw", args=[binding.pk]))
    assert response.status_code == 302
    binding.refresh_from_db()
    assert binding.status == BindingStatus.APPROVED


# --- the staff queue -------------------------------------------------------------------------------------------


def _queue(client, **params):
    return client.get(reverse("estates:binding_queue"), params)


def test_queue_lists_pending_requests_with_masked_data_and_the_owner_phone_hint(world, client_for):
    # given the applicant's mobile is the ledger owner's mobile of house a2
    applicant = world.users["applicant"]
    world.house_a2.owner_phone = applicant.phone
    world.house_a2.owner_phone_hash = crypto.phone_hash(applicant.phone)
    world.house_a2.save()
    html = _queue(client_for(world.users["customer_service"])).content.decode()
    assert "applicant" in html
    assert crypto.mask_phone(applicant.phone) in html and applicant.phone not in html
    assert "李*" in html and "李四" not in html
    assert "mobile matches the owner" in html
    assert reverse("estates:binding_decide", args=[_pending(world).pk]) in html


def test_queue_says_when_the_mobile_differs_from_the_owners(world, client_for):
    html = _queue(client_for(world.users["secretary"])).content.decode()
    assert "mobile differs from the owner" in html


def test_queue_holds_only_requests_of_the_deciders_compounds(world, client_for):
    # given a pending request for a house of compound B
    other = UserFactory.create(name="B申请人")
    HouseBinding.objects.create(
        community_id=world.house_b.community_id,
        compound=world.compound_b,
        house=world.house_b,
        user=other,
        relation=Relation.OWNER,
    )
    html = _queue(client_for(world.users["secretary"])).content.decode()
    assert "applicant" in html and "B申请人" not in html


def test_queue_shows_an_empty_state(world, client_for):
    HouseBinding.objects.filter(status=BindingStatus.PENDING).update(status=BindingStatus.WITHDRAWN)
    html = _queue(client_for(world.users["secretary"])).content.decode()
    assert "No requests are waiting." in html


def test_queue_paginates(world, client_for):
    for i in range(35):
        house = HouseFactory.create(unit=world.house_a.unit, room=f"{i + 2}01", floor=i + 2)
        HouseBinding.objects.create(
            community_id=house.community_id,
            compound=world.compound_a,
            house=house,
            user=UserFactory.create(name=f"排队{i}"),
            relation=Relation.FAMILY,
        )
    client = client_for(world.users["secretary"])
    assert _queue(client).content.decode().count("排队") == 29  # 30 a page, the world's applicant first
    assert _queue(client, page=2).content.decode().count("排队") == 6


@pytest.mark.parametrize("role", ["technician", "finance", "representative", "resident", "stranger", "officer"])
def test_queue_is_refused_to_users_who_do_not_decide(world, client_for, role):
    assert _queue(client_for(world.users[role])).status_code == 403


def test_queue_shows_html_in_applicant_names_escaped(world, client_for):
    world.users["applicant"].name = "<script>steal()</script>"
    world.users["applicant"].save()
    html = _queue(client_for(world.users["secretary"])).content.decode()
    assert "<script>steal()</script>" not in html
    assert "&lt;script&gt;steal()&lt;/script&gt;" in html


# --- deciding --------------------------------------------------------------------------------------------------


def _decide(client, binding, **data):
    return client.post(reverse("estates:binding_decide", args=[binding.pk]), data)


def test_approving_binds_the_resident_and_returns_to_the_queue(world, client_for):
    binding = _pending(world)
    response = _decide(client_for(world.users["grid_worker"]), binding, decision="approve")
    assert response.status_code == 302
    assert response["Location"] == reverse("estates:binding_queue")
    binding.refresh_from_db()
    assert binding.status == BindingStatus.APPROVED
    assert Resident.objects.filter(house=world.house_a2, user=world.users["applicant"]).exists()
    # and the resident can now open the house
    response = client_for(world.users["applicant"]).get(reverse("estates:house_detail", args=[world.house_a2.pk]))
    assert response.status_code == 200


def test_decision_page_asks_for_a_reason_before_refusing(world, client_for):
    html = client_for(world.users["secretary"]).get(reverse("estates:binding_decide", args=[_pending(world).pk]))
    body = html.content.decode()
    assert 'name="reason"' in body
    assert "data-confirm" in body


def test_refusing_without_a_reason_is_refused_and_changes_nothing(world, client_for):
    binding = _pending(world)
    response = _decide(client_for(world.users["secretary"]), binding, decision="refuse", reason="   ")
    assert response.status_code == 200
    assert "Give the resident a reason for the refusal." in response.content.decode()
    binding.refresh_from_db()
    assert binding.status == BindingStatus.PENDING


def test_refusing_with_a_reason_tells_the_resident(world, client_for):
    binding = _pending(world)
    _decide(client_for(world.users["secretary"]), binding, decision="refuse", reason="请带房产证到物业")
    binding.refresh_from_db()
    assert (binding.status, binding.reason) == (BindingStatus.REFUSED, "请带房产证到物业")
    html = client_for(world.users["applicant"]).get(reverse("estates:resident_home")).content.decode()
    assert "请带房产证到物业" in html


@pytest.mark.parametrize("data", [{}, {"decision": "maybe"}], ids=["empty", "unknown-decision"])
def test_a_bad_decision_changes_nothing(world, client_for, data):
    binding = _pending(world)
    response = _decide(client_for(world.users["secretary"]), binding, **data)
    assert response.status_code == 200
    binding.refresh_from_db()
    assert binding.status == BindingStatus.PENDING


@pytest.mark.parametrize("role", ["technician", "representative", "applicant", "stranger"])
def test_users_who_do_not_decide_cannot_approve(world, client_for, role):
    binding = _pending(world)
    response = _decide(client_for(world.users[role]), binding, decision="approve")
    assert response.status_code == 403
    binding.refresh_from_db()
    assert binding.status == BindingStatus.PENDING


def test_a_request_of_another_compound_cannot_be_decided(world, client_for):
    other = HouseBinding.objects.create(
        community_id=world.house_b.community_id,
        compound=world.compound_b,
        house=world.house_b,
        user=world.users["stranger"],
        relation=Relation.OWNER,
    )
    response = _decide(client_for(world.users["secretary"]), other, decision="approve")
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.status == BindingStatus.PENDING


def test_deciding_twice_says_it_is_already_decided(world, client_for):
    binding = HouseBinding.objects.get(user=world.users["resident"])  # approved
    client = client_for(world.users["secretary"])
    response = _decide(client, binding, decision="refuse", reason="换人了")
    assert response.status_code == 302
    binding.refresh_from_db()
    assert binding.status == BindingStatus.APPROVED
    assert "already" in client.get(reverse("estates:binding_queue")).content.decode()


def test_unknown_request_is_not_found(world, client_for):
    client = client_for(world.users["secretary"])
    assert client.get(reverse("estates:binding_decide", args=[999999])).status_code == 404
