"""The privacy rules of mediation, one test each: only parties, mediators and the secretary see a case (404 for
anyone else, the attempt logged); every view is logged and the secretary reads the log; lists mask names and
phones; a voice links to its case only for those who may see the case; nothing of a case on public pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.mediation import services
from gongzhi.mediation.models import Capacity, CaseAccess
from gongzhi.testing.mediation_factories import open_case, signed
from gongzhi.testing.voices_factories import VoiceFactory

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "finance",
    "representative",
    "liaison",
    "officer",
    "lawyer",
    "sub_district_supervisor",
    "district_supervisor",
    "applicant",
    "stranger",
    "superuser",
]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_anyone_not_on_the_case_gets_404_and_the_attempt_is_logged(world: Any, client_for: Any, role: str) -> None:
    # given a case between households, mediated by the grid worker
    case = open_case(world)
    # when someone not on it opens its page, its agreement and its evidence list
    client = client_for(world.users[role])
    response = client.get(reverse("mediation:detail", args=[case.pk]))
    # then they get "not found", never "forbidden", and nothing of the case
    assert response.status_code == 404
    assert case.title not in response.content.decode()
    # and the attempt is logged against the case's community, for the secretary
    attempt = CaseAccess.objects.get(user=world.users[role])
    assert (attempt.allowed, attempt.case_id, attempt.community_id) == (False, case.pk, case.community_id)
    assert AuditEvent.objects.filter(verb="mediation.case_refused", actor=world.users[role]).count() == 1


def test_a_case_that_does_not_exist_is_the_same_404(world: Any, client_for: Any) -> None:
    # given a case; when a stranger asks for it and for a number that is no case
    case = open_case(world)
    client = client_for(world.users["stranger"])
    there = client.get(reverse("mediation:detail", args=[case.pk]))
    missing = client.get(reverse("mediation:detail", args=[case.pk + 1000]))
    # then both answers are alike: nothing tells that one exists
    assert there.status_code == missing.status_code == 404


def test_posting_to_a_case_one_is_not_on_is_404_and_changes_nothing(world: Any, client_for: Any) -> None:
    case = open_case(world)
    client = client_for(world.users["technician"])
    response = client.post(reverse("mediation:close", args=[case.pk]), {"outcome": "withdrawn"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == "open"


@pytest.mark.parametrize("role", ["secretary", "grid_worker", "resident"])
def test_parties_mediators_and_the_secretary_see_the_case_and_each_view_is_logged(
    world: Any, client_for: Any, role: str
) -> None:
    case = open_case(world)
    response = client_for(world.users[role]).get(reverse("mediation:detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.title in response.content.decode()
    view = CaseAccess.objects.get(user=world.users[role])
    assert (view.allowed, view.case_id, view.what) == (True, case.pk, "case")


def test_a_mediator_taken_off_the_case_no_longer_sees_it(world: Any, client_for: Any) -> None:
    case = open_case(world)
    mediator = services.mediator_assign(
        actor=world.users["secretary"], case=case, user_id=world.users["officer"].pk, capacity=Capacity.OFFICER
    )
    client = client_for(world.users["officer"])
    assert client.get(reverse("mediation:detail", args=[case.pk])).status_code == 200
    services.mediator_remove(actor=world.users["secretary"], case=case, mediator_id=mediator.pk)
    assert client.get(reverse("mediation:detail", args=[case.pk])).status_code == 404


def test_the_secretary_reads_the_log_of_views_and_refused_attempts(world: Any, client_for: Any) -> None:
    # given a view by the resident and an attempt by the technician
    case = open_case(world)
    client_for(world.users["resident"]).get(reverse("mediation:detail", args=[case.pk]))
    client_for(world.users["technician"]).get(reverse("mediation:detail", args=[case.pk]))
    # when the secretary opens the access log
    page = client_for(world.users["secretary"]).get(reverse("mediation:log"), {"case": case.pk})
    # then both are there, the attempt marked as refused
    text = page.content.decode()
    assert page.status_code == 200
    assert "resident" in text and "technician" in text
    assert "Refused (not on the case)" in text


@pytest.mark.parametrize("role", ["grid_worker", "community_staff", "resident", "officer"])
def test_nobody_but_the_secretary_reads_the_access_log(world: Any, client_for: Any, role: str) -> None:
    assert client_for(world.users[role]).get(reverse("mediation:log")).status_code == 403


def test_lists_mask_names_and_phones(world: Any, client_for: Any) -> None:
    # given a case between 张三 (13800000001) and 李四 (13800000002)
    open_case(world)
    # when the grid worker lists cases
    text = client_for(world.users["grid_worker"]).get(reverse("mediation:list")).content.decode()
    # then names and phones are masked
    assert "张*" in text and "138****0001" in text
    assert "张三" not in text and "13800000001" not in text and "13800000002" not in text


def test_a_party_sees_the_other_parties_phones_masked(world: Any, client_for: Any) -> None:
    case = open_case(world)
    text = client_for(world.users["resident"]).get(reverse("mediation:detail", args=[case.pk])).content.decode()
    assert "13800000002" not in text and "138****0002" in text


def test_the_pdf_and_evidence_are_logged_views_too(world: Any, client_for: Any) -> None:
    case = signed(world, open_case(world))
    response = client_for(world.users["resident"]).get(reverse("mediation:agreement_pdf", args=[case.pk, 1]))
    assert response.status_code == 200
    assert CaseAccess.objects.filter(user=world.users["resident"], what="agreement", allowed=True).count() == 1
    refused = client_for(world.users["technician"]).get(reverse("mediation:agreement_pdf", args=[case.pk, 1]))
    assert refused.status_code == 404
    assert CaseAccess.objects.filter(user=world.users["technician"], what="agreement", allowed=False).count() == 1


def test_a_voice_links_to_its_case_only_for_those_who_may_see_the_case(world: Any, client_for: Any) -> None:
    # given a public voice of the resident turned into a case by the grid worker
    voice = VoiceFactory.create(compound=world.compound_a, author=world.users["resident"], is_public=True)
    case = services.case_from_voice(
        actor=world.users["grid_worker"], voice_id=voice.pk, case_type="noise", title="噪音"
    )
    link = reverse("mediation:detail", args=[case.pk])
    url = reverse("voices:detail", args=[voice.pk])
    # then the submitter (a party) and the grid worker (its mediator) see the link
    assert link in client_for(world.users["resident"]).get(url).content.decode()
    assert link in client_for(world.users["grid_worker"]).get(url).content.decode()
    # and the technician and the property manager, who see the voice, do not
    for role in ("technician", "property_manager"):
        response = client_for(world.users[role]).get(url)
        assert response.status_code == 200
        assert link not in response.content.decode()
        assert "Mediation case" not in response.content.decode()


def test_nothing_of_a_case_appears_on_the_public_wall(world: Any, client_for: Any) -> None:
    # given a public voice turned into a case
    voice = VoiceFactory.create(compound=world.compound_a, author=world.users["resident"], is_public=True)
    case = services.case_from_voice(
        actor=world.users["grid_worker"], voice_id=voice.pk, case_type="noise", title="调解机密标题"
    )
    # when a neighbour reads the wall and the voice's public page
    neighbour = world.users["applicant"]
    from gongzhi.estates.models import BindingStatus, HouseBinding

    HouseBinding.objects.filter(user=neighbour).update(status=BindingStatus.APPROVED)
    client = client_for(neighbour)
    wall = client.get(reverse("voices:wall", args=[world.compound_a.code])).content.decode()
    page = client.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    # then neither shows the case, its title or the mediation event
    for text in (wall, page):
        assert case.title not in text
        assert reverse("mediation:detail", args=[case.pk]) not in text
        assert "mediation case" not in text.lower()
