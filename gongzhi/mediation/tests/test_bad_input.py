"""Every bad input of the issue: a clear error, and nothing changed."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError
from gongzhi.mediation import services
from gongzhi.mediation.models import Agreement, Outcome, PartyKind
from gongzhi.testing.mediation_factories import later, open_case, signed

from .helpers import db_state

pytestmark = pytest.mark.django_db


def refused(call: Any, *, field: str | None = None, error: type[Exception] = DomainError) -> str:
    before = db_state()
    with pytest.raises(error) as exc:
        call()
    assert db_state() == before
    if field is not None:
        assert exc.value.field == field  # type: ignore[attr-defined]
    return exc.value.message  # type: ignore[attr-defined]


def test_a_household_of_another_compound_is_refused(world: Any) -> None:
    b = world.house_b
    message = refused(
        lambda: open_case(
            world, parties=[services.PartyInput(kind=PartyKind.HOUSEHOLD, house=f"{b.building.name}{b.unit.name}101x")]
        ),
        field="house",
    )
    assert "is not a house of this compound" in message


def test_a_person_who_is_not_in_the_compound_is_refused(world: Any) -> None:
    message = refused(
        lambda: open_case(
            world, parties=[services.PartyInput(kind=PartyKind.PERSON, name="路人甲", phone="13912345678")]
        ),
        field="phone",
    )
    assert message == "路人甲 is not a resident of this compound."


def test_a_case_without_parties_or_title_is_refused(world: Any) -> None:
    refused(lambda: open_case(world, parties=[]), field="parties")
    refused(lambda: open_case(world, title="  "), field="title")
    refused(lambda: open_case(world, title="长" * 101), field="title")
    refused(lambda: open_case(world, description="长" * 2001), field="description")
    refused(lambda: open_case(world, case_type="fight"), field="case_type")


def test_editing_a_signed_agreement_is_refused(world: Any) -> None:
    case = signed(world, open_case(world))
    agreement = Agreement.objects.get(case=case)
    message = refused(
        lambda: services.agreement_edit(actor=world.users["secretary"], agreement=agreement, terms="改了"),
        error=Conflict,
    )
    assert "never edited" in message
    # and even a direct save of a signed version's terms is refused by the model
    agreement.terms = "偷偷改"
    with pytest.raises(TypeError):
        agreement.save()


def test_a_change_to_a_signed_agreement_is_a_new_version_with_a_reason(world: Any) -> None:
    case = signed(world, open_case(world))
    refused(
        lambda: services.agreement_record(actor=world.users["secretary"], case=case, terms="新条款"), field="reason"
    )
    new = services.agreement_record(actor=world.users["secretary"], case=case, terms="新条款", reason="赔偿金额调整")
    services.agreement_sign(actor=world.users["secretary"], case=case)
    versions = {a.version: a.status for a in Agreement.objects.filter(case=case)}
    assert new.version == 2 and versions == {1: "superseded", 2: "signed"}
    assert Agreement.objects.get(case=case, version=1).terms.startswith("102 修复防水")


def test_closing_a_case_without_an_outcome_is_refused(world: Any) -> None:
    case = open_case(world)
    message = refused(
        lambda: services.case_close(actor=world.users["secretary"], case=case, outcome=""), field="outcome"
    )
    assert message == "A case is closed with an outcome."
    refused(lambda: services.case_close(actor=world.users["secretary"], case=case, outcome="maybe"), field="outcome")
    # an agreement outcome needs a signed agreement; a referral needs where and when
    refused(lambda: services.case_close(actor=world.users["secretary"], case=case, outcome=Outcome.AGREEMENT))
    refused(
        lambda: services.case_close(
            actor=world.users["secretary"], case=case, outcome=Outcome.REFERRED, referred_to="court"
        ),
        field="referred_where",
    )


def test_a_follow_up_before_the_agreement_is_refused(world: Any) -> None:
    # given a case with no agreement (withdrawn)
    case = open_case(world)
    message = refused(lambda: services.follow_up_record(actor=world.users["secretary"], case=case, kept=True))
    assert "comes after the agreement" in message
    # given an agreement signed today, a visit dated yesterday is refused
    signed(world, case)
    services.case_close(actor=world.users["secretary"], case=case, outcome=Outcome.AGREEMENT)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    refused(
        lambda: services.follow_up_record(actor=world.users["secretary"], case=case, kept=True, visited_on=yesterday),
        field="visited_on",
    )
    refused(lambda: services.follow_up_record(actor=world.users["secretary"], case=case, kept=None), field="kept")


def test_a_session_in_the_past_is_refused(world: Any) -> None:
    case = open_case(world)
    message = refused(
        lambda: services.session_schedule(
            actor=world.users["secretary"],
            case=case,
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            place="调解室",
        ),
        field="starts_at",
    )
    assert message == "A session cannot be scheduled in the past."
    refused(
        lambda: services.session_schedule(actor=world.users["secretary"], case=case, starts_at=later(1), place=""),
        field="place",
    )
    refused(
        lambda: services.session_schedule(
            actor=world.users["secretary"], case=case, starts_at=later(1), place="x", invited=["abc"]
        ),
        field="invited",
    )


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("notes.txt", b"just text", "invalid_type"),
        ("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00", "invalid_type"),
        ("page.html", b"<script>alert(1)</script>", "invalid_type"),
        ("fake.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "photo_unreadable"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj\n", "invalid_file"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_evidence_that_is_not_an_allowed_file_is_refused(world: Any, name: str, content: bytes, code: str) -> None:
    case = open_case(world)
    upload = SimpleUploadedFile(name, content)
    before = db_state()
    with pytest.raises(DomainError) as exc:
        services.evidence_add(actor=world.users["resident"], case=case, upload=upload)
    assert exc.value.field == "file" and exc.value.code == code
    assert db_state() == before


def test_evidence_that_is_too_large_is_refused(world: Any, settings: Any) -> None:
    settings.MEDIATION_EVIDENCE_MAX_BYTES = 1024 * 1024
    settings.VOICE_PHOTO_MAX_BYTES = 1024
    case = open_case(world)
    big_pdf = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n")
    before = db_state()
    with pytest.raises(DomainError) as exc:
        services.evidence_add(actor=world.users["resident"], case=case, upload=big_pdf)
    assert exc.value.code == "too_large"
    with pytest.raises(DomainError) as exc:
        services.evidence_add(
            actor=world.users["resident"], case=case, upload=SimpleUploadedFile("a.png", _png() + b"0" * 2048)
        )
    assert exc.value.code == "photo_too_large"
    assert db_state() == before


def test_good_evidence_is_stored_and_served_only_on_the_case(world: Any, client_for: Any) -> None:
    case = open_case(world)
    with_pdf = SimpleUploadedFile("报价单.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    photo = services.evidence_add(actor=world.users["resident"], case=case, upload=SimpleUploadedFile("a.png", _png()))
    doc = services.evidence_add(actor=world.users["grid_worker"], case=case, upload=with_pdf)
    assert (photo.kind, doc.kind) == ("photo", "document")


def test_html_in_a_case_is_shown_as_text(world: Any, client_for: Any) -> None:
    case = open_case(world, title="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    text = client_for(world.users["secretary"]).get(reverse("mediation:detail", args=[case.pk])).content.decode()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    assert "<img src=x" not in text


def test_a_bad_form_on_the_page_says_why_and_changes_nothing(world: Any, client_for: Any) -> None:
    case = open_case(world)
    client = client_for(world.users["secretary"])
    before = db_state()
    response = client.post(reverse("mediation:close", args=[case.pk]), {"outcome": ""}, follow=True)
    assert "A case is closed with an outcome." in response.content.decode()
    response = client.post(
        reverse("mediation:session_schedule", args=[case.pk]),
        {"starts_at": "2020-01-01T10:00", "place": "x"},
        follow=True,
    )
    assert "A session cannot be scheduled in the past." in response.content.decode()
    response = client.post(
        reverse("mediation:session_schedule", args=[case.pk]), {"starts_at": "tomorrow"}, follow=True
    )
    assert "Enter a valid date and time." in response.content.decode()
    assert db_state() == before


def test_opening_a_case_with_a_stranger_as_party_shows_the_reason_on_the_form(world: Any, client_for: Any) -> None:
    client = client_for(world.users["grid_worker"])
    before = db_state()
    response = client.post(
        reverse("mediation:new"),
        {
            "compound": world.compound_a.pk,
            "case_type": "noise",
            "title": "噪音",
            "description": "夜里吵",
            "party1_kind": "person",
            "party1_name": "路人甲",
            "party1_phone": "13912345678",
        },
    )
    assert response.status_code == 200
    assert "路人甲 is not a resident of this compound." in response.content.decode()
    assert db_state() == before
