"""Staff edit a section's paragraph per period: saved and audited, marked as edited on the page and in the PDF,
empty goes back to the generated text; bad, oversized, malicious or unauthorized input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.api.tests.helpers import db_state
from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.insights.models import ReportNarrative
from gongzhi.insights.report.services import report_narrative_reset, report_narrative_set
from gongzhi.insights.tests.test_report_pages import pdf_text
from gongzhi.testing.insights_report_factories import report_dataset

pytestmark = pytest.mark.django_db
EDITED = "入住率由25%提升至50%，居民满意度持续提升。"


def state() -> dict[str, Any]:
    """The domain tables, the audit trail of changes and every edited paragraph."""
    s = db_state()
    s["narratives"] = list(ReportNarrative.objects.order_by("pk").values("compound_id", "period", "section", "text"))
    return s


def post(client: Any, code: str, section: str, data: dict[str, str], *, reset: bool = False) -> Any:
    url = f"/insights/compounds/{code}/report/{section}/text/" + ("reset/" if reset else "")
    return client.post(url, data)


def test_the_secretary_edits_a_paragraph_and_the_page_and_pdf_show_it_marked(world, client_for):
    # given
    compound = report_dataset(world, roll_up=False)
    client = client_for(world.users["secretary"])
    # when the secretary saves the outcomes paragraph of 2025
    response = post(client, compound.code, "outcomes", {"period": "2025", "text": EDITED})
    # then back to the report at that section, the text kept, audited
    assert response.status_code == 302
    assert response["Location"] == f"/insights/compounds/{compound.code}/report/?period=2025#section-outcomes"
    row = ReportNarrative.objects.get()
    assert (row.period, row.section, row.text, row.updated_by) == ("2025", "outcomes", EDITED, world.users["secretary"])
    event = AuditEvent.objects.get(verb="insights.report_narrative_set")
    assert event.after is not None and event.after["text"] == EDITED and event.actor == world.users["secretary"]
    # and the page shows it, marked as edited; the other sections keep the generated text
    body = client.get(f"/insights/compounds/{compound.code}/report/?period=2025").content.decode()
    assert EDITED in body and 'id="narrative-edited-outcomes"' in body
    assert 'id="narrative-edited-background"' not in body
    # and the PDF too
    text = pdf_text(client.get(f"/insights/compounds/{compound.code}/report/pdf/?period=2025").content)
    assert "".join(EDITED.split()) in text and "Paragrapheditedbysecretary" in text
    # but the report of another period is not changed
    other = client.get(f"/insights/compounds/{compound.code}/report/?period=2024").content.decode()
    assert EDITED not in other


def test_saving_again_replaces_the_text_and_audits_the_old_one(world):
    # given
    compound = report_dataset(world, roll_up=False)
    secretary = world.users["secretary"]
    report_narrative_set(actor=secretary, compound=compound, period="2025", section="cycle", text="第一稿")
    # when the property manager rewrites it
    report_narrative_set(
        actor=world.users["property_manager"], compound=compound, period="2025", section="cycle", text="第二稿"
    )
    # then one row with the new text; the audit keeps the old one
    assert list(ReportNarrative.objects.values_list("text", flat=True)) == ["第二稿"]
    last = AuditEvent.objects.filter(verb="insights.report_narrative_set").order_by("-pk").first()
    assert last is not None and last.before == {"text": "第一稿"}


@pytest.mark.parametrize("how", ["empty text", "reset button"])
def test_an_empty_paragraph_or_reset_goes_back_to_the_generated_text(world, client_for, how):
    # given an edited paragraph
    compound = report_dataset(world, roll_up=False)
    report_narrative_set(
        actor=world.users["secretary"], compound=compound, period="2025", section="background", text=EDITED
    )
    client = client_for(world.users["community_staff"])
    # when
    if how == "empty text":
        response = post(client, compound.code, "background", {"period": "2025", "text": "   "})
    else:
        response = post(client, compound.code, "background", {"period": "2025"}, reset=True)
    # then the generated text again, audited
    assert response.status_code == 302
    assert not ReportNarrative.objects.exists()
    assert AuditEvent.objects.filter(verb="insights.report_narrative_reset").count() == 1
    body = client.get(f"/insights/compounds/{compound.code}/report/?period=2025").content.decode()
    assert EDITED not in body and 'id="narrative-edited-background"' not in body


def test_resetting_a_generated_paragraph_changes_nothing(world):
    # given
    compound = report_dataset(world, roll_up=False)
    before = state()
    # when
    report_narrative_reset(actor=world.users["secretary"], compound=compound, period="2025", section="measures")
    # then
    assert state() == before


def test_an_oversized_paragraph_is_refused_with_the_reason_and_nothing_changes(world, client_for):
    # given
    compound = report_dataset(world, roll_up=False)
    before = state()
    # when
    response = post(
        client_for(world.users["secretary"]), compound.code, "measures", {"period": "2025", "text": "字" * 4001}
    )
    # then the page again, the reason beside the paragraph, the text kept in the form
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="narrative-error-measures"' in body and "At most 4000 characters (this has 4001)." in body
    assert "字" * 4001 in body
    assert state() == before


def test_exactly_4000_characters_are_accepted(world):
    # given
    compound = report_dataset(world, roll_up=False)
    # when
    report_narrative_set(
        actor=world.users["secretary"], compound=compound, period="2025", section="measures", text="字" * 4000
    )
    # then
    assert len(ReportNarrative.objects.get().text) == 4000


def test_html_and_script_in_a_paragraph_are_shown_as_text(world, client_for):
    # given a paragraph with markup
    compound = report_dataset(world, roll_up=False)
    client = client_for(world.users["secretary"])
    malicious = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    # when
    post(client, compound.code, "background", {"period": "2025", "text": malicious})
    # then kept as written, escaped on the page
    assert ReportNarrative.objects.get().text == malicious
    body = client.get(f"/insights/compounds/{compound.code}/report/?period=2025").content.decode()
    assert malicious not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


@pytest.mark.parametrize(
    ("role", "compound_attr", "status"),
    [
        ("grid_worker", "compound_a", 403),  # reads the report, may not edit it
        ("representative", "compound_a", 403),
        ("sub_district_supervisor", "compound_a", 403),
        ("secretary", "compound_b", 403),  # not their compound
        ("resident", "compound_a", 403),
        ("stranger", "compound_a", 403),
    ],
)
def test_an_unauthorized_edit_is_refused_and_changes_nothing(world, client_for, role, compound_attr, status):
    # given
    report_dataset(world, roll_up=False)
    compound = getattr(world, compound_attr)
    before = state()
    # when
    response = post(client_for(world.users[role]), compound.code, "outcomes", {"period": "2025", "text": EDITED})
    # then
    assert response.status_code == status
    assert state() == before


def test_the_service_refuses_non_editors(world):
    # given
    compound = report_dataset(world, roll_up=False)
    # when / then
    with pytest.raises(NotAllowed):
        report_narrative_set(
            actor=world.users["grid_worker"], compound=compound, period="2025", section="outcomes", text=EDITED
        )
    assert not ReportNarrative.objects.exists()


@pytest.mark.parametrize(
    ("section", "period", "status"),
    [
        ("nonsense", "2025", 404),  # no such section
        ("outcomes", "2025-13", 400),  # a period that does not parse
        ("outcomes", "2099", 400),  # in the future
        ("outcomes", "", 200),  # missing: the last full year (redirected)
    ],
)
def test_bad_sections_and_periods_are_refused(world, client_for, section, period, status):
    # given
    compound = report_dataset(world, roll_up=False)
    before = state()
    # when
    response = post(client_for(world.users["secretary"]), compound.code, section, {"period": period, "text": EDITED})
    # then
    if status == 200:
        assert response.status_code == 302 and ReportNarrative.objects.get().period.isdigit()
        return
    assert response.status_code == status
    assert state() == before


def test_the_service_refuses_an_unknown_section(world):
    # given
    compound = report_dataset(world, roll_up=False)
    # when / then
    with pytest.raises(DomainError) as refused:
        report_narrative_set(
            actor=world.users["secretary"], compound=compound, period="2025", section="intro", text=EDITED
        )
    assert refused.value.field == "section"


def test_a_get_on_the_edit_url_is_not_allowed(world, client_for):
    # given
    compound = report_dataset(world, roll_up=False)
    # when
    response = client_for(world.users["secretary"]).get(f"/insights/compounds/{compound.code}/report/outcomes/text/")
    # then
    assert response.status_code == 405
