"""Ledger pages: who may use them, upload → preview → confirm, downloads, and what the preview shows."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import House, ImportStatus, LedgerImport
from gongzhi.testing.factories import HouseFactory
from gongzhi.testing.world import ALL_ROLES

from .ledger_files import HEADERS, house, houses, media_tmp, read_xlsx, upload, xlsx_bytes  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_tmp")]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # upload counts live in the cache, which outlives each test's database


EDITORS = {"secretary", "community_staff", "property_manager", "customer_service", "superuser"}
EXPORTERS = EDITORS - {"community_staff"}  # the export holds full phones: editors who also call households
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def make_import(world: Any, status: str = ImportStatus.READY, compound: Any = None) -> LedgerImport:
    compound = compound or world.compound_a
    return LedgerImport.objects.create(
        community_id=compound.community_id, compound=compound, original_name="a.xlsx", file="x.xlsx", status=status
    )


def urls(world: Any, compound: Any, ledger_import: LedgerImport) -> list[tuple[str, str]]:
    code, pk = compound.code, ledger_import.pk
    return [
        ("get", reverse("estates:import_list", args=[code])),
        ("post", reverse("estates:import_new", args=[code])),
        ("get", reverse("estates:import_detail", args=[code, pk])),
        ("get", reverse("estates:import_progress", args=[code, pk])),
        ("post", reverse("estates:import_confirm", args=[code, pk])),
        ("post", reverse("estates:import_cancel", args=[code, pk])),
        ("get", reverse("estates:export_houses", args=[code])),
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_ledger_editors_of_the_compound_reach_any_import_or_export_url(world, client_for, role):
    # given an import of compound A
    ledger_import = make_import(world, status=ImportStatus.CANCELLED)
    client = client_for(world.users[role])
    # when the user opens every import and export URL of compound A
    for method, url in urls(world, world.compound_a, ledger_import):
        response = getattr(client, method)(url)
        # then editors get through; others are refused (anonymous users are sent to log in)
        may = EXPORTERS if "export" in url else EDITORS
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        elif role in may:
            assert response.status_code in (200, 302), (url, response.status_code)
        else:
            assert response.status_code == 403, (url, response.status_code)


@pytest.mark.parametrize("role", sorted(EDITORS - {"superuser"}))
def test_editors_of_one_compound_are_refused_on_another(world, client_for, role):
    ledger_import = make_import(world, compound=world.compound_b)
    client = client_for(world.users[role])
    for method, url in urls(world, world.compound_b, ledger_import):
        assert getattr(client, method)(url).status_code == 403, url
    assert LedgerImport.objects.get(pk=ledger_import.pk).status == ImportStatus.READY


@pytest.mark.parametrize("role", ALL_ROLES)
def test_template_is_for_ledger_editors_only(world, client_for, role):
    response = client_for(world.users[role]).get(reverse("estates:template_houses"))
    expected = 200 if role in EDITORS else (302 if role == "anonymous" else 403)
    assert response.status_code == expected


def test_an_import_of_another_compound_is_not_found_under_this_one(world, client_for):
    other = make_import(world, compound=world.compound_b)
    client = client_for(world.users["superuser"])
    assert client.get(reverse("estates:import_detail", args=["aaa", other.pk])).status_code == 404


def test_upload_shows_a_preview_with_counts_unknown_columns_and_escaped_names(
    world, client_for, django_capture_on_commit_callbacks
):
    # given a ledger with a script in an owner's name and a column the ledger does not know
    rows = [{**house(owner_name="<script>alert(1)</script>"), "note": "x"}, house(room="1701")]
    data = xlsx_bytes(rows, keys=[*[k for k in house()], "note"], headers=[*HEADERS, "备注"])
    client = client_for(world.users["secretary"])
    # when uploaded
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("estates:import_new", args=["aaa"]), {"ledger": "houses", "file": upload(data)})
    # then the preview lists counts and the unknown column, and shows the name as text
    assert response.status_code == 302
    page = client.get(response["Location"], **EN).content.decode()
    assert 'id="count-created">2<' in page
    assert "备注" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert House.objects.filter(compound=world.compound_a).count() == 2  # only the world's houses


def test_bad_rows_are_listed_with_row_column_and_reason(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.users["property_manager"])
    data = xlsx_bytes([house(area=-1), house(room="1701", moved_in_on=None)])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("estates:import_new", args=["aaa"]), {"ledger": "houses", "file": upload(data)})
    page = client.get(response["Location"], **EN).content.decode()
    assert "The file has 2 errors; nothing was imported." in page
    assert "<td>建筑面积</td><td>The area must be greater than 0.</td>" in page
    assert "<td>入住日期</td><td>Fill in the move-in date for a house that is 已入住 or 出租.</td>" in page


def test_confirm_applies_and_the_page_reports_it(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.users["customer_service"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("estates:import_new", args=["aaa"]), {"ledger": "houses", "file": upload(xlsx_bytes(houses(3)))}
        )
    ledger_import = LedgerImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("estates:import_confirm", args=["aaa", ledger_import.pk]))
    page = client.get(response["Location"], **EN).content.decode()
    assert "Imported: 3 houses created, 0 updated, 0 unchanged." in page
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.APPLIED


def test_an_upload_over_the_limit_is_refused_and_nothing_is_kept(world, client_for, settings):
    settings.LEDGER_MAX_UPLOAD_BYTES = 2000
    client = client_for(world.users["secretary"])
    response = client.post(
        reverse("estates:import_new", args=["aaa"]), {"ledger": "houses", "file": upload(xlsx_bytes(houses(30)))}, **EN
    )
    assert response.status_code == 200
    assert "The file is larger than 0.0 MB" in response.content.decode()
    assert not LedgerImport.objects.exists()


def test_a_request_far_over_the_limit_is_refused_unread(world, client_for, settings, monkeypatch):
    from gongzhi.estates.views import imports

    monkeypatch.setattr(imports, "UPLOAD_OVERHEAD", 0)
    settings.LEDGER_MAX_UPLOAD_BYTES = 100
    client = client_for(world.users["secretary"])
    response = client.post(
        reverse("estates:import_new", args=["aaa"]), {"ledger": "houses", "file": upload(xlsx_bytes(houses(3)))}, **EN
    )
    assert 'id="upload-error">The file is larger than 0.0 MB' in response.content.decode()
    assert not LedgerImport.objects.exists()


def test_a_file_of_the_wrong_type_is_refused_on_the_form(world, client_for):
    client = client_for(world.users["secretary"])
    response = client.post(
        reverse("estates:import_new", args=["aaa"]), {"ledger": "houses", "file": upload(b"hi", "a.txt")}, **EN
    )
    assert "Upload the ledger as an .xlsx or .csv file." in response.content.decode()
    assert not LedgerImport.objects.exists()


def test_progress_is_a_polled_progress_bar_while_running(world, client_for):
    ledger_import = make_import(world, status=ImportStatus.APPLYING)
    LedgerImport.objects.filter(pk=ledger_import.pk).update(rows_done=250, rows_total=1000)
    client = client_for(world.users["secretary"])
    page = client.get(reverse("estates:import_progress", args=["aaa", ledger_import.pk])).content.decode()
    assert '<progress max="100" value="25"' in page
    assert 'hx-trigger="every 1s"' in page


def test_progress_sends_htmx_to_the_import_page_when_done(world, client_for):
    ledger_import = make_import(world, status=ImportStatus.APPLIED)
    client = client_for(world.users["secretary"])
    url = reverse("estates:import_progress", args=["aaa", ledger_import.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("estates:import_detail", args=["aaa", ledger_import.pk])


def test_export_is_an_xlsx_attachment_that_never_holds_a_formula(world, client_for):
    # given a house whose owner name looks like a formula
    HouseFactory.create(unit=world.house_a.unit, room="301", floor=3, owner_name='=HYPERLINK("http://x","y")')
    client = client_for(world.users["secretary"])
    # when exported
    response = client.get(reverse("estates:export_houses", args=["aaa"]))
    # then a real download, with the name stored as text, and the export audited
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    names = {c.value: c.data_type for c in sheet["J"][1:]}
    assert names['=HYPERLINK("http://x","y")'] == "s"
    assert AuditEvent.objects.filter(verb="ledger.export", object_id=str(world.compound_a.pk)).exists()


def test_template_has_an_example_row_and_a_guide_to_every_column(world, client_for):
    response = client_for(world.users["secretary"]).get(reverse("estates:template_houses"), **EN)
    assert response["Content-Disposition"].startswith("attachment;")
    data = b"".join(response.streaming_content)
    rows = read_xlsx(data)
    assert list(rows[0]) == HEADERS
    assert len(rows) == 2
    guide = read_xlsx(data, sheet=1)
    assert [r[0] for r in guide[1:]] == HEADERS
    assert guide[1][1] == "[phase]"


def test_uploads_are_rate_limited(world, client_for):
    client = client_for(world.users["secretary"])
    url = reverse("estates:import_new", args=["aaa"])
    for _ in range(10):
        client.post(url, {"ledger": "houses"}, **EN)
    response = client.post(url, {"ledger": "houses", "file": upload(xlsx_bytes(houses(1)))}, **EN)
    assert "Too many uploads; wait a minute and try again." in response.content.decode()
    assert not LedgerImport.objects.exists()
