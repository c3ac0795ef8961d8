"""Bulk progress updates through a spreadsheet: export the filtered list, edit, upload, preview, confirm — all or
nothing. A file with one bad row, a renamed or oversized file, a formula: clear errors, nothing changed."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.accounts.roles import OrgKind
from gongzhi.meetings import services as s
from gongzhi.meetings.models import ActionItem, ActionStatus, ActionUpdate, UpdateSource
from gongzhi.meetings.views.actions_bulk import SESSION_KEY

from .helpers import meetings_state

pytestmark = pytest.mark.django_db

HEADER = ["No.", "Title", "Status", "Progress (%)", "Due date", "Reason", "Note"]


def _export(client: Any, **params: Any) -> list[list[Any]]:
    response = client.get(reverse("meetings:actions_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="actions-')
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _xlsx(rows: list[list[Any]], name: str = "整改清单.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改清单"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


@pytest.fixture
def items(world: Any, action: Callable[..., ActionItem]) -> list[ActionItem]:
    """Three items of compound A for its property company, and one of the department."""
    made = [action(title=f"事项{n}") for n in range(3)]
    made.append(action(title="部门事项", responsible_organization=world.orgs[OrgKind.DEPARTMENT]))
    return made


def test_the_export_holds_the_items_of_the_current_filter(world: Any, client_for: Any, items: list[Any]) -> None:
    # given one item in progress with a reason-less update, and a formula-like title
    manager = world.users["property_manager"]
    s.action_progress_update(actor=manager, item=items[0], progress=30)
    ActionItem.objects.filter(pk=items[1].pk).update(title="=HYPERLINK(1)")
    client = client_for(world.users["secretary"])
    rows = _export(client)
    assert rows[0] == HEADER
    assert {r[0] for r in rows[1:]} == {i.pk for i in items}
    first = next(r for r in rows if r[0] == items[0].pk)
    assert first[1:4] == ["事项0", "In progress", 30]
    assert first[4].date() == items[0].due_on and first[6] is None
    # a title that looks like a formula is written as text
    workbook = load_workbook(io.BytesIO(client.get(reverse("meetings:actions_export")).content))
    cells = [c for row in workbook.active.iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and cells[0].data_type == "s"
    # the filter narrows the export
    rows = _export(client, organization=world.orgs[OrgKind.DEPARTMENT].pk)
    assert [r[1] for r in rows[1:]] == ["部门事项"]
    # and residents get no export
    assert client_for(world.users["resident"]).get(reverse("meetings:actions_export")).status_code == 403


def test_an_edited_export_is_previewed_then_applied_all_at_once(world: Any, client_for: Any, items: list[Any]) -> None:
    manager = client_for(world.users["property_manager"])
    rows = _export(manager)
    # the property company sees its own three items and the department's public one
    assert len(rows) == 5
    by_id = {r[0]: r for r in rows[1:]}
    a, b, c = items[0].pk, items[1].pk, items[2].pk
    by_id[a][3] = 60
    by_id[a][6] = "灯具已到货"
    by_id[b][2] = "Delayed"
    by_id[b][5] = "材料未到"
    by_id[c][2] = "Done"
    edited = [HEADER, by_id[a], by_id[b], by_id[c]]
    before = meetings_state()
    # when the file is uploaded, the preview shows the three changes and changes nothing
    preview = manager.post(reverse("meetings:actions_import"), {"file": _xlsx(edited)})
    assert preview.status_code == 200
    changes = {c["id"]: c for c in preview.context["changes"]}
    assert set(changes) == {a, b, c}
    assert (changes[a]["progress_before"], changes[a]["progress_after"]) == (0, 60)
    assert changes[c]["progress_after"] == 100
    assert meetings_state() == before
    token = preview.context["confirm_form"].initial["token"]
    # when confirmed, every change is applied, as bulk updates
    response = manager.post(reverse("meetings:actions_import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("meetings:actions")
    got = {i.pk: (i.status, i.progress, i.status_reason) for i in ActionItem.objects.filter(pk__in=[a, b, c])}
    assert got == {
        a: (ActionStatus.IN_PROGRESS, 60, ""),
        b: (ActionStatus.DELAYED, 0, "材料未到"),
        c: (ActionStatus.DONE, 100, ""),
    }
    assert ActionUpdate.objects.filter(source=UpdateSource.BULK).count() == 3
    assert ActionUpdate.objects.get(action_item_id=a, source=UpdateSource.BULK).note == "灯具已到货"
    # and the same token cannot be used twice
    again = manager.post(reverse("meetings:actions_import_confirm"), {"token": token}, follow=True)
    assert "This preview has expired or was already applied" in again.content.decode()


def test_a_file_with_one_bad_row_changes_nothing_and_lists_every_error(
    world: Any, client_for: Any, items: list[Any]
) -> None:
    manager = client_for(world.users["property_manager"])
    a, b, c, dept = (i.pk for i in items)
    edited = [
        HEADER,
        [a, "事项0", "", 50, None, "", ""],
        [b, "事项1", "", 150, None, "", ""],  # progress over 100
        [c, "事项2", "Delayed", None, None, "", ""],  # delayed without a reason
        [dept, "部门事项", "", 20, None, "", ""],  # not the property company's to update
        [999999, "没有", "", 20, None, "", ""],  # no such item
        ["abc", "", "", 20, None, "", ""],  # not a number
        [a + 0, "事项0", "", "=1+1", None, "", ""],  # a formula (and the item again)
    ]
    before = meetings_state()
    response = manager.post(reverse("meetings:actions_import"), {"file": _xlsx(edited)})
    assert response.status_code == 400
    errors = {(e["row"], e["column"]) for e in response.context["errors"]}
    assert errors == {
        (3, "Progress (%)"),
        (4, "Reason"),
        (5, ""),
        (6, "No."),
        (7, "No."),
        (8, "Progress (%)"),
    }
    page = response.content.decode()
    assert "Nothing was updated: 6 rows have errors." in page
    assert "Progress is a whole number from 0 to 100." in page and "Give the reason for the delay." in page
    assert "formula" in page
    assert "bulk-confirm" not in page
    assert meetings_state() == before
    assert SESSION_KEY not in manager.session


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("list.xlsx", b"just text, renamed to .xlsx"), "This file is not a valid .xlsx workbook."),
        (SimpleUploadedFile("list.pdf", b"%PDF-1.4\n%%EOF"), "Upload the ledger as an .xlsx or .csv file."),
        (SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 1)), "larger than 5 MB"),
        (SimpleUploadedFile("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100), "password-protected"),
    ],
)
def test_a_renamed_oversized_or_locked_file_is_refused(
    world: Any, client_for: Any, items: list[Any], upload: Any, message: str
) -> None:
    before = meetings_state()
    response = client_for(world.users["secretary"]).post(reverse("meetings:actions_import"), {"file": upload})
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors["file"]), response.context["form"].errors
    assert meetings_state() == before


def test_a_file_without_the_number_column_or_without_changes(world: Any, client_for: Any, items: list[Any]) -> None:
    client = client_for(world.users["secretary"])
    before = meetings_state()
    missing = client.post(reverse("meetings:actions_import"), {"file": _xlsx([["标题", "进度"], ["x", 10]])})
    assert missing.status_code == 400 and "The column No. is missing." in missing.content.decode()
    # an export uploaded as it is changes nothing, and says so
    unchanged = client.post(reverse("meetings:actions_import"), {"file": _xlsx(_export(client))})
    assert unchanged.status_code == 200 and unchanged.context["nothing"]
    assert meetings_state() == before


def test_chinese_headers_are_read(world: Any, client_for: Any, items: list[Any]) -> None:
    client = client_for(world.users["secretary"])
    rows = [
        ["编号", "事项", "状态", "进度(%)", "截止日期", "原因", "备注"],
        [items[0].pk, "事项0", "", "40%", None, "", ""],
    ]
    preview = client.post(reverse("meetings:actions_import"), {"file": _xlsx(rows)})
    assert preview.status_code == 200 and [c["progress_after"] for c in preview.context["changes"]] == [40]


def test_a_change_between_preview_and_confirmation_is_caught(world: Any, client_for: Any, items: list[Any]) -> None:
    # given a preview moving item 0 to done
    client = client_for(world.users["secretary"])
    preview = client.post(
        reverse("meetings:actions_import"), {"file": _xlsx([HEADER, [items[0].pk, "", "Done", None, None, "", ""]])}
    )
    token = preview.context["confirm_form"].initial["token"]
    # when someone cancels the item before the confirmation
    s.action_progress_update(
        actor=world.users["secretary"], item=items[0], status=ActionStatus.CANCELLED, reason="取消"
    )
    before = meetings_state()
    response = client.post(reverse("meetings:actions_import_confirm"), {"token": token})
    # then nothing is applied and the error is listed
    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert meetings_state() == before


def test_only_staff_reach_the_bulk_pages(world: Any, client_for: Any) -> None:
    for role in ("resident", "stranger", "applicant"):
        client = client_for(world.users[role])
        assert client.get(reverse("meetings:actions_import")).status_code == 403
        assert client.post(reverse("meetings:actions_import_confirm"), {"token": "x"}).status_code == 403
    assert client_for(world.users["technician"]).get(reverse("meetings:actions_import")).status_code == 200


def test_a_forged_token_applies_nothing(world: Any, client_for: Any, items: list[Any]) -> None:
    client = client_for(world.users["secretary"])
    client.post(reverse("meetings:actions_import"), {"file": _xlsx([HEADER, [items[0].pk, "", "", 50, None, "", ""]])})
    before = meetings_state()
    response = client.post(reverse("meetings:actions_import_confirm"), {"token": "forged"})
    assert response.status_code == 302 and response["Location"] == reverse("meetings:actions_import")
    assert meetings_state() == before
