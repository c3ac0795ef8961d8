"""Authorization matrix of the voice pages: for every role, which page answers what (DESIGN rule 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.models import Status, Voice

pytestmark = pytest.mark.django_db

COMPOUND_STAFF = {
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
QUEUE = COMPOUND_STAFF | {"liaison", "officer"}  # the department and the police station receive voices
TRIAGERS = {"secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "superuser"}


def _expected(role: str, allowed: set[str], *, otherwise: int = 403) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in allowed else otherwise


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reaches_exactly_its_voice_pages(world, client_for, submit, role):
    private = submit(is_public=False)
    client = client_for(world.users[role])
    cases = {
        "mine": (reverse("voices:mine"), _expected(role, set(ALL_ROLES))),
        "new": (reverse("voices:new"), _expected(role, set(ALL_ROLES))),
        "queue": (reverse("voices:queue"), _expected(role, QUEUE)),
        "wall A": (reverse("voices:wall", args=["aaa"]), _expected(role, COMPOUND_STAFF | {"resident"})),
        "wall B": (
            reverse("voices:wall", args=["bbb"]),
            _expected(role, {"sub_district_supervisor", "district_supervisor", "superuser"}),
        ),
        # Someone else's voice does not exist for those who may not see it: 404, not 403.
        "private voice": (
            reverse("voices:detail", args=[private.pk]),
            _expected(role, COMPOUND_STAFF | {"resident"}, otherwise=404),
        ),
    }
    got = {name: client.get(url).status_code for name, (url, _code) in cases.items()}
    assert got == {name: code for name, (_url, code) in cases.items()}


def test_anonymous_is_sent_to_log_in(world, client_for):
    response = client_for(None).get(reverse("voices:queue"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def _accept_code(role: str) -> int:
    if role == "anonymous" or role in TRIAGERS:
        return 302  # log-in, or the redirect after success
    if role in COMPOUND_STAFF | {"resident"}:
        return 403  # sees the voice, may not accept it
    return 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_triagers_accept(world, client_for, submit, role):
    voice = submit()
    response = client_for(world.users[role]).post(reverse("voices:accept", args=[voice.pk]), {"note": ""})
    assert response.status_code == _accept_code(role)
    voice.refresh_from_db()
    assert voice.status == (Status.ACCEPTED if role in TRIAGERS else Status.SUBMITTED)


@pytest.mark.parametrize("role", ["secretary", "technician", "stranger", "applicant"])
def test_only_the_author_withdraws(world, client_for, submit, role):
    voice = submit()
    response = client_for(world.users[role]).post(reverse("voices:withdraw", args=[voice.pk]), {"reason": ""})
    assert response.status_code in (403, 404)
    assert Voice.objects.get(pk=voice.pk).status == Status.SUBMITTED


def test_get_on_an_action_is_refused(world, client_for, submit):
    voice = submit()
    assert client_for(world.users["secretary"]).get(reverse("voices:accept", args=[voice.pk])).status_code == 405


def test_nav_links_follow_the_role(world, client_for):
    def links(role: str) -> tuple[bool, bool]:
        html = client_for(world.users[role]).get(reverse("voices:mine")).content.decode()
        return (f'<a href="{reverse("voices:queue")}">' in html, f'<a href="{reverse("voices:mine")}">' in html)

    assert links("secretary") == (True, False)
    assert links("resident") == (False, True)
    assert links("finance") == (False, False)


def test_staff_opening_a_voice_is_audited_but_the_author_is_not(world, client_for):
    from django.urls import reverse

    from gongzhi.core.models import AuditEvent
    from gongzhi.testing.voices_factories import VoiceFactory

    voice = VoiceFactory.create(author=world.users["resident"], compound=world.compound_a, house=world.house_a)
    url = reverse("voices:detail", args=[voice.pk])
    assert client_for(world.users["resident"]).get(url).status_code == 200
    assert not AuditEvent.objects.filter(verb="voice.view").exists()
    assert client_for(world.users["secretary"]).get(url).status_code == 200
    assert AuditEvent.objects.filter(
        verb="voice.view", object_id=str(voice.pk), actor=world.users["secretary"]
    ).exists()
