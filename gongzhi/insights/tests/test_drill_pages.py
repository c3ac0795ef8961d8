"""The drill-down page: the figure, its rows 50 a page, every row as xlsx, and bad input."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.insights.models import KpiRollup
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.voices.models import Kind

from .dashboard_data import build, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world: Any) -> dict[str, Any]:
    return build(world, rollups=False)


def drill(key: str, code: str = "aaa") -> str:
    return reverse("insights:drill", args=[code, key])


def test_the_drill_shows_the_figure_and_the_voices_counted(world: Any, data: Any, client_for: Any) -> None:
    # given
    client = client_for(world.users["property_manager"])
    # when: the complaints of 2025
    r = client.get(drill("voices_complaint"), {"period": "2025"})
    # then: the figure (2, a year before 1) and the two complaints, the rejected one left out
    assert r.status_code == 200
    card = r.context["card"]
    assert card.display == "2" and card.year_before == "1"
    html = r.content.decode()
    v0, v1, v2, _v3, _v4, v5 = data["voices"]
    assert f"#{v1.pk}" in html and f"#{v2.pk}" in html
    assert f"#{v5.pk}<" not in html and f"#{v0.pk}<" not in html
    assert r.context["headers"][:3] == ["Voice", "Kind", "Status"]
    # dates in Shanghai time
    assert "2025-03-03 10:00" in html
    # a link back to the dashboard of the same period
    assert reverse("insights:compound", args=["aaa"]) + "?period=2025" in html


def test_a_rate_drill_shows_numerator_and_denominator(world: Any, data: Any, client_for: Any) -> None:
    r = client_for(world.users["secretary"]).get(drill("voices_on_time_resolution_rate"), {"period": "2025-03"})
    assert r.status_code == 200
    assert r.context["card"].parts  # "n / d"
    assert len(r.context["rows"]) == int(r.context["card"].value.now.numerator)


def test_the_rows_come_fifty_a_page_and_all_of_them_as_xlsx(world: Any, client_for: Any) -> None:
    # given: 120 complaints in June 2025
    for i in range(120):
        VoiceFactory.create(compound=world.compound_a, kind=Kind.COMPLAINT,
                            submitted_at=t(2025, 6, 1) + datetime.timedelta(minutes=i))  # fmt: skip
    client = client_for(world.users["secretary"])
    # when / then: 50, 50, 20
    pages = [client.get(drill("voices_complaint"), {"period": "2025-06", "page": n}) for n in (1, 2, 3)]
    assert [len(p.context["rows"]) for p in pages] == [50, 50, 20]
    assert "period=2025-06&amp;page=2" in pages[0].content.decode()
    # the xlsx holds every row: title, headers, 120 rows, numbers and dates typed
    x = client.get(drill("voices_complaint"), {"period": "2025-06", "format": "xlsx"})
    assert x.status_code == 200 and "voices_complaint-2025-06.xlsx" in x["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 + 120
    assert rows[1][:2] == ("Voice", "Kind")
    assert rows[2][1] == "Complaint" and isinstance(rows[2][3], datetime.datetime)
    assert rows[2][3] == datetime.datetime(2025, 6, 1, 10, 0)  # Shanghai wall time


def test_the_fee_drill_xlsx_adds_up_to_the_figure(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.users["finance"])
    r = client.get(drill("fees_collection_rate"), {"period": "2025"})
    x = client.get(drill("fees_collection_rate"), {"period": "2025", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("House", "Billing period", "Amount due", "Receivable", "Paid")
    assert sum(row[4] for row in rows[2:]) == 600 and sum(row[3] for row in rows[2:]) == 1900
    assert r.context["card"].parts == "600 / 1,900"


def test_an_unknown_key_is_404(world: Any, client_for: Any) -> None:
    client = client_for(world.users["secretary"])
    assert client.get(drill("nope")).status_code == 404
    assert client.get(drill("voices_complaint", code="nope")).status_code == 404


def test_a_compound_out_of_scope_is_refused(world: Any, client_for: Any) -> None:
    assert client_for(world.users["secretary"]).get(drill("voices_complaint", code="bbb")).status_code == 403


def test_a_kpi_without_a_drill_says_so(world: Any, client_for: Any) -> None:
    from gongzhi.insights.registry import _REGISTRY, COUNT, KpiDefinition, Measure

    d = KpiDefinition(key="zz_test_plain", label="Plain", unit=COUNT, section="zz_test", order=991,
                      compute=lambda ctx: {c: Measure.count(7) for c in ctx.compound_ids})  # fmt: skip
    _REGISTRY[d.key] = d
    try:
        r = client_for(world.users["secretary"]).get(drill("zz_test_plain"), {"period": "2025"})
    finally:
        del _REGISTRY[d.key]
    assert r.status_code == 200
    assert b'id="no-drill"' in r.content and r.context["card"].display == "7"


@pytest.mark.parametrize("period", ["2025-00", "x", "<script>alert(1)</script>"])
def test_a_bad_period_on_the_drill_is_a_clear_error(world: Any, client_for: Any, period: str) -> None:
    before = KpiRollup.objects.count()
    r = client_for(world.users["secretary"]).get(drill("voices_complaint"), {"period": period})
    assert r.status_code == 400
    html = r.content.decode()
    assert "is not a period" in html and "<script>alert(1)</script>" not in html
    assert KpiRollup.objects.count() == before


def test_scripts_in_other_parameters_are_ignored_or_escaped(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.users["secretary"])
    r = client.get(drill("voices_complaint"), {"period": "2025", "page": "<script>alert(1)</script>"})
    assert r.status_code == 200 and b"<script>alert(1)</script>" not in r.content
    r = client.get(drill("voices_complaint"), {"period": "2025", "format": "<script>"})
    assert r.status_code == 200 and b"<script>\n" not in r.content
    assert client.get("/insights/compounds/aaa/kpis/%3Cscript%3E/").status_code == 404


def test_the_drill_only_answers_get(world: Any, client_for: Any) -> None:
    r = client_for(world.users["secretary"]).post(drill("voices_complaint"))
    assert r.status_code == 405
