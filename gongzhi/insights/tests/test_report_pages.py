"""The report page and its PDF: the same figures on both, a compound without data, bad periods, the download."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from gongzhi.insights.report.content import SECTIONS
from gongzhi.testing.factories import CompoundFactory
from gongzhi.testing.insights_report_factories import report_dataset

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace (fpdf2 writes CJK glyphs as two-byte codes: NUL + character)."""
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in reader.pages)


def squeeze(text: str) -> str:
    return "".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def page_rows(body: str) -> dict[str, tuple[str, str, str]]:
    """KPI key → (year before, period, change) as the page's tables show them (figure and its basis)."""
    cells = dict(re.findall(r'id="kpi-([a-z_]+-(?:before|after|change))">(.*?)</td>', body, re.S))
    keys = {k.rsplit("-", 1)[0] for k in cells}
    return {k: (cells[f"{k}-before"], cells[f"{k}-after"], cells[f"{k}-change"]) for k in keys}


def as_pdf_cell(cell: str) -> str:
    """A page cell ("25.0% <small>1 / 4</small>") as the PDF writes it ("25.0%（1 / 4）"), without spaces."""
    m = re.match(r"\s*(?:<strong>)?(.*?)(?:</strong>)?\s*(?:<small[^>]*>(.*?)</small>)?\s*$", cell, re.S)
    assert m is not None
    figure, basis = html.unescape(m.group(1)), html.unescape(m.group(2) or "")
    return "".join((f"{figure}（{basis}）" if basis else figure).split())


def get(client: Any, code: str, suffix: str = "", period: str = "2025") -> Any:
    return client.get(f"/insights/compounds/{code}/report/{suffix}?period={period}")


def test_the_page_shows_the_four_sections_with_figures_paragraphs_and_charts(world, client_for):
    # given
    compound = report_dataset(world)
    # when the secretary opens the report for 2025
    response = get(client_for(world.users["secretary"]), compound.code)
    body = response.content.decode()
    # then
    assert response.status_code == 200
    for section in SECTIONS:
        assert f'id="section-{section}"' in body and f'id="narrative-text-{section}"' in body
    rows = page_rows(body)
    assert as_pdf_cell(rows["estates_occupancy_rate"][0]) == "25.0%（1/4）"
    assert as_pdf_cell(rows["estates_occupancy_rate"][1]) == "50.0%（2/4）"
    assert squeeze(rows["voices_complaint"][2]) == "-83.3%"
    for chart in ("report-rates", "report-voices", "report-cycle"):
        assert f'<script id="{chart}" type="application/json">' in body and f'data-spec="{chart}"' in body
    assert "汉阳区物业服务红榜小区" in body
    # the after-photo through the meetings app's protected URL (thumbnail)
    assert re.search(r'src="/meetings/actions/\d+/photos/\d+/\?size=thumb"', body)


def test_the_pdfs_figures_equal_the_pages(world, client_for):
    # given
    compound = report_dataset(world)
    client = client_for(world.users["secretary"])
    # when the page and the PDF of the same report are fetched
    body = get(client, compound.code).content.decode()
    response = get(client, compound.code, "pdf/")
    # then the PDF is a PDF with every KPI row of the page: label, before, after and change alike
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    rows = page_rows(body)
    assert len(rows) >= 20
    labels = dict(
        re.findall(r'<th scope="row">(?:<a[^>]*>)?([^<]+)(?:</a>)?</th>\s*<td id="kpi-([a-z_]+)-before"', body)
    )
    assert sorted(labels.values()) == sorted(rows)
    for label, key in labels.items():
        before, after, change = rows[key]
        expected = squeeze(label) + as_pdf_cell(before) + as_pdf_cell(after) + squeeze(change)
        assert expected in text, key
    # and the sections with their paragraphs, the lists and the honour
    secretary_page = squeeze(body)
    for section in SECTIONS:
        paragraph = re.search(rf'id="narrative-text-{section}">(.*?)</p>', body, re.S)
        assert paragraph is not None
        assert squeeze(paragraph.group(1)) in text and squeeze(paragraph.group(1)) in secretary_page
    for word in ("Background", "Measures", "Outcomes", "Thevirtuouscycle", "一期大堂电动门改造", "教育局"):
        assert word in text
    assert "汉阳区物业服务红榜小区" in text


def test_the_pdf_embeds_the_after_photo_and_draws_its_charts(world, client_for):
    # given
    compound = report_dataset(world)
    # when
    data = get(client_for(world.users["secretary"]), compound.code, "pdf/").content
    # then one image (the thumbnail) and the chart legends
    reader = PdfReader(io.BytesIO(data))
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 1
    text = pdf_text(data)
    assert "Rates:theyearbeforeandtheperiod" in text and "Page1of" in text


def test_the_pdf_downloads_under_a_name_of_the_compound_and_period(world, client_for):
    # given
    compound = report_dataset(world, roll_up=False)
    # when
    response = get(client_for(world.users["secretary"]), compound.code, "pdf/")
    # then (Chinese in production; msgids under the test settings), encoded per RFC 6266
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "A%E5%B0%8F%E5%8C%BA%20governance%20report%202025.pdf" in disposition
    assert response["Cache-Control"] == "private, no-store"


def test_a_compound_with_no_data_renders_page_and_pdf_with_no_data(world, client_for):
    # given a compound with nothing recorded
    empty = CompoundFactory.create(code="empty", name="空小区", community=world.compound_a.community)
    client = client_for(world.users["superuser"])
    # when
    page = get(client, empty.code)
    pdf = get(client, empty.code, "pdf/")
    # then both render; every KPI reads no data, never 0
    assert page.status_code == 200 and pdf.status_code == 200
    body = page.content.decode()
    assert 'id="report-no-data"' in body
    assert {squeeze(after) for _before, after, _change in page_rows(body).values()} == {"nodata"}
    text = pdf_text(pdf.content)
    assert "everyKPIreadsnodata" in text and "Occupancyratenodatanodata" in text


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025-13", "is not a period"),
        ("<script>alert(1)</script>", "is not a period"),
        ("2025-03-14", "not a single day"),
        ("2099", "has not begun yet"),
        ("2019", "did not exist yet in 2019"),
    ],
)
@pytest.mark.parametrize("suffix", ["", "pdf/"])
def test_a_bad_period_gets_the_page_with_the_reason(world, client_for, period, message, suffix):
    # given
    compound = report_dataset(world, roll_up=False)
    # when
    response = get(client_for(world.users["secretary"]), compound.code, suffix, period)
    # then 400, the form with the reason, the input escaped
    body = response.content.decode()
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert 'id="report-error"' in body and message in html.unescape(body)
    assert "<script>alert(1)</script>" not in body


def test_without_a_period_the_report_is_of_the_last_full_year(world, client_for):
    # given
    compound = report_dataset(world, roll_up=False)
    # when
    response = client_for(world.users["secretary"]).get(f"/insights/compounds/{compound.code}/report/")
    # then
    assert response.status_code == 200
    assert response.context["content"].period.code == str(response.context["content"].as_of.year)


def test_the_page_works_on_a_phone_width_without_inline_style_or_script(world, client_for):
    # given
    compound = report_dataset(world)
    # when
    body = get(client_for(world.users["secretary"]), compound.code).content.decode()
    # then (CSP): no style attribute, no inline script but the JSON specs
    assert " style=" not in body
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body)
    assert scripts and all('type="application/json"' in s for s in scripts)
    assert 'name="viewport"' in body
