"""The pages beyond the privacy rules: opening from a voice, evidence served on the case, the agreement PDF's
text, versions, reopening, the security-linkage timeline for both sides."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from gongzhi.core.errors import DomainError
from gongzhi.mediation import services
from gongzhi.mediation.models import Case, CaseAccess, Outcome, SecurityIncident
from gongzhi.testing.mediation_factories import closed_with_agreement, later, open_case, signed, with_officer_and_lawyer
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.voices.models import VoiceEvent

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in reader.pages)


def test_a_voice_becomes_a_case_with_its_submitter_as_party_and_an_internal_voice_event(
    world: Any, client_for: Any
) -> None:
    voice = VoiceFactory.create(compound=world.compound_a, author=world.users["resident"], text="楼上装修太吵")
    client = client_for(world.users["grid_worker"])
    assert "mediation-open" in client.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    response = client.post(
        reverse("mediation:from_voice", args=[voice.pk]),
        {"case_type": "renovation", "title": "装修噪音", "description": "楼上装修太吵"},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mediation:detail", args=[case.pk])
    party = case.parties.get()
    assert (party.user, party.kind) == (world.users["resident"], "person")
    event = VoiceEvent.objects.get(voice=voice, verb="mediation")
    assert event.public is False
    # a second conversion is refused
    again = client.post(reverse("mediation:from_voice", args=[voice.pk]), {"case_type": "noise", "title": "x"})
    assert "This voice is already a mediation case." in again.content.decode()
    assert Case.objects.count() == 1


def test_the_technician_may_not_open_a_case_from_a_voice(world: Any, client_for: Any) -> None:
    voice = VoiceFactory.create(compound=world.compound_a, author=world.users["resident"])
    response = client_for(world.users["technician"]).get(reverse("mediation:from_voice", args=[voice.pk]))
    assert response.status_code == 403
    assert (
        "mediation-open"
        not in client_for(world.users["technician"]).get(reverse("voices:detail", args=[voice.pk])).content.decode()
    )


def test_evidence_is_served_only_on_the_case_and_each_download_logged(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(world)
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 90, 200)).save(out, "JPEG")
    client = client_for(world.users["resident"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mediation:evidence_add", args=[case.pk]), {"file": SimpleUploadedFile("墙.jpg", out.getvalue())}
        )
    assert response.status_code == 302
    evidence = case.evidence.get()
    url = reverse("mediation:evidence", args=[case.pk, evidence.pk])
    got = client.get(url)
    assert (
        got.status_code == 200 and got["Content-Type"] == "image/jpeg" and got["Cache-Control"] == "private, no-store"
    )
    assert CaseAccess.objects.filter(user=world.users["resident"], what="evidence").count() == 1
    assert client_for(world.users["technician"]).get(url).status_code == 404


def test_the_agreement_pdf_names_every_party_and_mediator_with_a_signature_block(world: Any, client_for: Any) -> None:
    case = with_officer_and_lawyer(world, open_case(world))
    signed(world, case)
    response = client_for(world.users["officer"]).get(reverse("mediation:agreement_pdf", args=[case.pk, 1]))
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    for name in ("张三", "李四", "grid_worker", "officer", "lawyer", "102修复防水"):
        assert name in text
    assert text.count("Signature:") == 5  # two parties, three mediators
    assert "13800000001" not in text  # no phones in the document


def test_a_broken_agreement_reopens_the_case(world: Any, client_for: Any) -> None:
    case = closed_with_agreement(world)
    client = client_for(world.users["secretary"])
    client.post(reverse("mediation:follow_up", args=[case.pk]), {"kept": "no", "note": "未修复"})
    page = client.get(reverse("mediation:detail", args=[case.pk])).content.decode()
    assert "reopen-form" in page
    client.post(reverse("mediation:reopen", args=[case.pk]), {"reason": "楼上未履行协议"})
    case.refresh_from_db()
    assert case.status == "reopened"
    assert list(case.follow_ups.values_list("status", flat=True)) == ["done", "cancelled"]
    # and it can be mediated and closed again
    services.session_schedule(actor=world.users["secretary"], case=case, starts_at=later(1), place="调解室")
    services.case_close(actor=world.users["secretary"], case=case, outcome=Outcome.WITHDRAWN)


def test_a_kept_agreement_does_not_reopen(world: Any, client_for: Any) -> None:
    case = closed_with_agreement(world)
    services.follow_up_record(actor=world.users["secretary"], case=case, kept=True)
    response = client_for(world.users["secretary"]).post(
        reverse("mediation:reopen", args=[case.pk]), {"reason": "想重开"}, follow=True
    )
    assert "Only a case whose agreement a follow-up found broken can be reopened." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "closed"


def test_an_incident_is_seen_by_the_company_and_the_station_and_handled_by_the_station(
    world: Any, client_for: Any
) -> None:
    u = world.users
    client = client_for(u["technician"])
    response = client.post(
        reverse("mediation:incident_new"),
        {
            "compound": world.compound_a.pk,
            "station": world.orgs["police"].pk,
            "kind": "suspicious",
            "occurred_at": "2026-01-05T22:30",
            "place": "北门",
            "description": "<b>陌生人</b>尾随业主进门",
        },
    )
    incident = SecurityIncident.objects.get()
    assert response.status_code == 302
    url = reverse("mediation:incident", args=[incident.pk])
    officer = client_for(u["officer"])
    assert "&lt;b&gt;陌生人" in officer.get(url).content.decode()
    officer.post(reverse("mediation:incident_acknowledge", args=[incident.pk]), {"note": "已出警"})
    officer.post(reverse("mediation:incident_close", args=[incident.pk]), {"outcome": "已查明为访客"})
    incident.refresh_from_db()
    assert incident.status == "closed"
    timeline = client_for(u["property_manager"]).get(url).content.decode()
    assert "已出警" in timeline and "已查明为访客" in timeline
    for role in ("secretary", "grid_worker", "resident", "lawyer", "stranger"):
        assert client_for(u[role]).get(url).status_code == 404
    # the company cannot record the station's outcome
    assert (
        client_for(u["technician"])
        .post(reverse("mediation:incident_close", args=[incident.pk]), {"outcome": "x"})
        .status_code
        == 403
    )


def test_an_incident_with_a_station_not_serving_the_compound_is_refused(world: Any, client_for: Any) -> None:
    from gongzhi.accounts.roles import OrgKind
    from gongzhi.testing.factories import OrganizationFactory

    far = OrganizationFactory.create(kind=OrgKind.POLICE, name="远处派出所")
    with pytest.raises(DomainError):
        services.incident_report(
            actor=world.users["customer_service"],
            compound=world.compound_a,
            station_id=far.pk,
            kind="theft",
            description="被盗",
            place="车库",
            occurred_at=later(0, 0),
        )
    assert not SecurityIncident.objects.exists()


def test_who_may_mediate_in_each_capacity_comes_from_memberships(world: Any) -> None:
    from gongzhi.mediation.models import Capacity
    from gongzhi.mediation.selectors import eligible_mediators

    names = {c: {u.name for u in eligible_mediators(world.compound_a, c)} for c in Capacity.values}
    assert names == {
        "officer": {"officer"},
        "lawyer": {"lawyer"},
        "grid_worker": {"grid_worker"},
        "community_staff": {"community_staff", "secretary"},
        "peoples_mediator": {"community_staff", "secretary", "representative"},
    }
    # and nobody mediates in compound B's community from compound A's community
    assert not eligible_mediators(world.compound_b, Capacity.GRID_WORKER).exists()


def test_assigning_someone_outside_the_capacity_is_refused(world: Any) -> None:
    from gongzhi.mediation.models import Capacity

    from .helpers import db_state

    case = open_case(world)
    before = db_state()
    with pytest.raises(DomainError) as exc:
        services.mediator_assign(
            actor=world.users["secretary"], case=case, user_id=world.users["technician"].pk, capacity=Capacity.OFFICER
        )
    assert exc.value.field == "user"
    assert db_state() == before


def test_a_voice_the_grid_worker_cannot_see_is_not_found(world: Any) -> None:
    from gongzhi.core.errors import NotFound

    voice = VoiceFactory.create(compound=world.compound_b)
    with pytest.raises(NotFound):
        services.case_from_voice(actor=world.users["grid_worker"], voice_id=voice.pk, case_type="noise", title="x")
    assert not Case.objects.exists()
