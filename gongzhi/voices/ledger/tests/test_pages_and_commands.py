"""The work-order ledger on the ledger pages (upload → preview → confirm → result), who may use it, and the commands."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import ImportStatus, LedgerImport
from gongzhi.estates.tests.ledger_files import read_xlsx, upload
from gongzhi.testing.factories import HouseFactory
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.models import Channel, Voice

from .files import HEADERS, KEYS, order, orders, run_import, state, xlsx_bytes

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# Who keeps the compound's ledgers (estates.edit_ledger); the work-order export holds no phones, so the same.
EDITORS = {"secretary", "community_staff", "property_manager", "customer_service", "superuser"}


def posted(client: Any, data: bytes, capture: Any, name: str = "workorders.xlsx", code: str = "aaa") -> Any:
    """Upload as the page does; the worker (the immediate task back-end) checks it when the upload commits."""
    with capture(execute=True):
        return client.post(
            reverse("estates:import_new", args=[code]), {"ledger": "workorders", "file": upload(data, name)}
        )


def test_the_upload_page_offers_the_work_order_ledger_with_its_template_and_export(world, client_for):
    page = client_for(world.users["community_staff"]).get(reverse("estates:import_list", args=["aaa"]), **EN)
    html = page.content.decode()
    assert '<option value="workorders">Work-order ledger</option>' in html
    assert reverse("estates:template_ledger", args=["workorders"]) in html
    assert reverse("estates:export_ledger", args=["aaa", "workorders"]) in html
    # (community staff keep the house ledger too, but its export holds phones they may not take away)
    assert reverse("estates:export_houses", args=["aaa"]) not in html


def test_staff_upload_preview_confirm_and_see_the_result(world, client_for, django_capture_on_commit_callbacks):
    # given a ledger with a script in a text and a column the ledger does not know
    rows = [{**order(text="<script>alert(1)</script>"), "note": "x"}, *orders(2)]
    data = xlsx_bytes(rows, keys=[*KEYS, "note"], headers=[*HEADERS, "备注"])
    client = client_for(world.users["secretary"])
    # when uploaded (the worker checks it)
    response = posted(client, data, django_capture_on_commit_callbacks)
    # then the preview counts the work orders, lists the unknown column and shows the text as text
    assert response.status_code == 302
    page = client.get(response["Location"], **EN).content.decode()
    assert 'id="import-ledger">Work-order ledger<' in page
    assert "Work orders to create" in page and 'id="count-created">3<' in page
    assert "备注" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert not Voice.objects.exists()
    # when confirmed (the worker applies it)
    ledger_import = LedgerImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("estates:import_confirm", args=["aaa", ledger_import.pk]))
    page = client.get(response["Location"], **EN).content.decode()
    # then the page reports the result, and the voices exist, imported by the secretary
    assert "Imported: 3 work orders created, 0 updated, 0 unchanged." in page
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.APPLIED
    assert Voice.objects.filter(compound=world.compound_a, channel=Channel.LEDGER).count() == 3
    assert AuditEvent.objects.filter(verb="voice.ledger_create", actor=world.users["secretary"]).count() == 3
    # and the same file again previews as unchanged
    response = posted(client, data, django_capture_on_commit_callbacks)
    page = client.get(response["Location"], **EN).content.decode()
    assert 'id="count-created">0<' in page and 'id="count-unchanged">3<' in page


def test_bad_rows_are_listed_with_row_column_and_reason(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.users["property_manager"])
    before = state()
    data = xlsx_bytes([order(resolved_at=""), order(ref="TS-2", kind="吐槽")])
    response = posted(client, data, django_capture_on_commit_callbacks)
    page = client.get(response["Location"], **EN).content.decode()
    assert "The file has 2 errors; nothing was imported." in page
    assert (
        '<td class="num">2</td><td>办结时间</td><td>Fill in 办结时间 for a work order that is 已办结 or 已关闭.</td>'
        in page
    )
    assert '<td class="num">3</td><td>类型</td><td>Write one of 投诉, 建议, 表扬, 求助, 报修, 咨询.</td>' in page
    after = state()
    assert after.pop("audit")[:-1] == before.pop("audit")  # only the upload is recorded
    assert after == before


def test_unknown_categories_are_listed_in_the_preview(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.users["property_manager"])
    response = posted(
        client, xlsx_bytes([order(), order(ref="TS-2", category="宠物管理")]), django_capture_on_commit_callbacks
    )
    page = client.get(response["Location"], **EN).content.decode()
    assert "The file has 1 error; nothing was imported." in page
    assert '<td class="num">3</td><td>类别</td><td>Unknown category 宠物管理. The categories are: 绿化环境、' in page
    assert not Voice.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_invalid_and_changes_nothing(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.users["secretary"])
    response = posted(client, b"not a workbook at all", django_capture_on_commit_callbacks)
    page = client.get(response["Location"], **EN).content.decode()
    assert "This file is not a valid .xlsx workbook." in page
    assert LedgerImport.objects.get().status == ImportStatus.INVALID
    assert not Voice.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_ledger_editors_import_export_and_download_the_work_order_ledger(
    world, client_for, role, django_capture_on_commit_callbacks
):
    # given someone of every role on compound A's ledger pages
    client = client_for(world.users[role])
    requests = [
        client.get(reverse("estates:import_list", args=["aaa"])),
        posted(client, xlsx_bytes([order()]), django_capture_on_commit_callbacks),
        client.get(reverse("estates:export_ledger", args=["aaa", "workorders"])),
        client.get(reverse("estates:template_ledger", args=["workorders"])),
    ]
    # then editors get through, anonymous users are sent to log in, everyone else is refused
    for response in requests:
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif role in EDITORS:
            assert response.status_code in (200, 302), response.status_code
        else:
            assert response.status_code == 403, response.status_code
    # and only an editor's upload became an import
    assert LedgerImport.objects.filter(ledger="workorders").exists() == (role in EDITORS)


@pytest.mark.parametrize("role", sorted(EDITORS - {"superuser"}))
def test_editors_of_one_compound_cannot_import_or_export_work_orders_of_another(
    world, client_for, role, django_capture_on_commit_callbacks
):
    client = client_for(world.users[role])
    assert posted(client, xlsx_bytes([order()]), django_capture_on_commit_callbacks, code="bbb").status_code == 403
    assert client.get(reverse("estates:export_ledger", args=["bbb", "workorders"])).status_code == 403
    assert not LedgerImport.objects.exists()


def test_an_unknown_ledger_is_not_found(world, client_for):
    client = client_for(world.users["secretary"])
    assert client.get(reverse("estates:export_ledger", args=["aaa", "nosuchledger"])).status_code == 404
    assert client.get(reverse("estates:template_ledger", args=["nosuchledger"])).status_code == 404


def test_the_export_download_is_the_work_order_ledger(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.users["community_staff"])
    posted(client, xlsx_bytes(orders(2)), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("estates:import_confirm", args=["aaa", LedgerImport.objects.get().pk]))
    response = client.get(reverse("estates:export_ledger", args=["aaa", "workorders"]))
    assert response["Content-Disposition"].startswith("attachment;")
    rows = read_xlsx(b"".join(response.streaming_content))
    assert list(rows[0]) == HEADERS
    assert [r[0] for r in rows[1:]] == ["TS-1", "TS-2"]
    assert AuditEvent.objects.filter(verb="ledger.export", after__ledger="workorders").exists()


def test_the_template_has_an_example_row_that_imports_and_a_guide_to_every_column(world, client_for, tmp_path):
    HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name="3栋", room="1702", floor=17)
    response = client_for(world.users["secretary"]).get(reverse("estates:template_ledger", args=["workorders"]), **EN)
    data = b"".join(response.streaming_content)
    assert list(read_xlsx(data)[0]) == HEADERS
    guide = read_xlsx(data, sheet=1)
    assert [r[0] for r in guide[1:]] == HEADERS
    assert guide[1][1] == "[ref]"
    # the example row is a valid work order
    path = tmp_path / "template.xlsx"
    path.write_bytes(data)
    out, _err = run("import_ledger", "workorders", str(path), "--compound", "aaa")
    assert "Imported: 1 created, 0 updated, 0 unchanged." in out


# --- the command line


def run(*args: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "workorders.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_import_ledger_workorders_applies_a_file_and_dry_run_changes_nothing(world, tmp_path):
    path = write(tmp_path, xlsx_bytes(orders(3)))
    out, _err = run("import_ledger", "workorders", str(path), "--compound", "aaa", "--dry-run")
    assert "Dry run, nothing changed: 3 would be created, 0 updated, 0 unchanged." in out
    assert not Voice.objects.exists()
    out, _err = run("import_ledger", "workorders", str(path), "--compound", "aaa")
    assert "Imported: 3 created, 0 updated, 0 unchanged." in out
    assert Voice.objects.filter(compound=world.compound_a).count() == 3


def test_import_ledger_workorders_prints_every_bad_row_and_changes_nothing(world, tmp_path):
    path = write(tmp_path, xlsx_bytes([order(kind="吐槽"), order(ref="TS-2", resolved_at="2099-01-01 08:00")]))
    before = state()
    err = StringIO()
    with pytest.raises(CommandError, match=r"2 errors; nothing was imported\."), translation.override("en"):
        call_command("import_ledger", "workorders", str(path), "--compound", "aaa", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 2, 类型: Write one of 投诉, 建议, 表扬, 求助, 报修, 咨询.",
        "row 3, 办结时间: The time 2099-01-01 08:00 is in the future.",
    ]
    assert state() == before


def test_export_ledger_workorders_writes_a_file_that_imports_back_unchanged(world, tmp_path):
    run("import_ledger", "workorders", str(write(tmp_path, xlsx_bytes(orders(5)))), "--compound", "aaa")
    target = tmp_path / "export.xlsx"
    out, _err = run("export_ledger", "workorders", "--compound", "aaa", str(target))
    assert "Exported 5 rows" in out
    out, _err = run("import_ledger", "workorders", str(target), "--compound", "aaa")
    assert "Imported: 0 created, 0 updated, 5 unchanged." in out


def test_an_xlsx_export_keeps_times_as_excel_times_to_the_minute(world, tmp_path):
    run("import_ledger", "workorders", str(write(tmp_path, xlsx_bytes([order()]))), "--compound", "aaa")
    target = tmp_path / "export.xlsx"
    run("export_ledger", "workorders", "--compound", "aaa", str(target))
    from openpyxl import load_workbook

    cell = load_workbook(io.BytesIO(target.read_bytes())).worksheets[0]["B2"]
    assert (cell.is_date, cell.number_format) == (True, "yyyy-mm-dd hh:mm")


def test_an_imported_voice_shows_its_history_on_the_voice_page(world, client_for):
    # given a closed work order imported with a script in its text
    run_import(world.compound_a, xlsx_bytes([order(text="<script>alert(1)</script>", status="已关闭")]))
    voice = Voice.objects.get()
    # when staff open it
    response = client_for(world.users["secretary"]).get(reverse("voices:detail", args=[voice.pk]), **EN)
    # then its text is shown as text and its steps at the ledger's times
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    timeline = html[html.index('<ol class="timeline">') :]
    for when, what in [
        ("May 2, 2024, 9:30 a.m.", "Raised"),
        ("May 2, 2024, 10:05 a.m.", "Accepted"),
        ("May 3, 2024, 4 p.m.", "Resolved"),
        ("May 3, 2024, 4 p.m.", "Closed"),
    ]:
        timeline = timeline[timeline.index(when) :]
        assert timeline.index(what) < 200, (when, what)
