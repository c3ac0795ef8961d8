"""The fee ledger on the ledger pages (upload → preview → confirm → result) and on the command line, and who
may use it: the compound's fee keepers (finance staff, the property manager) and superusers, nobody else."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from gongzhi.estates.models import ImportStatus, LedgerImport
from gongzhi.finance import services as s
from gongzhi.finance.models import Bill, Payment, Reduction
from gongzhi.testing.world import ALL_ROLES

from .fee_ledger_files import HEADERS, bill_only, fee, read_rows, xlsx_bytes
from .helpers import finance_state

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
KEEPERS = {"finance", "property_manager", "superuser"}


@pytest.fixture(autouse=True)
def media_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(data: bytes, name: str = "fees.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def posted(client: Any, data: bytes, capture: Any, code: str = "aaa") -> Any:
    """Upload as the page does; the worker (the immediate task back-end) checks it when the upload commits."""
    with capture(execute=True):
        return client.post(reverse("estates:import_new", args=[code]), {"ledger": "fees", "file": upload(data)})


def fees_page(code: str = "aaa") -> str:
    return reverse("estates:import_list", args=[code]) + "?ledger=fees"


def test_finance_staff_upload_preview_confirm_and_see_the_result(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.users["finance"])
    # given the fee ledger's page, reached by finance staff (who keep no other ledger)
    page = client.get(fees_page(), **EN).content.decode()
    assert "<h2>Fee ledger</h2>" in page and 'name="ledger" value="fees"' in page
    assert reverse("estates:template_ledger", args=["fees"]) in page
    assert reverse("estates:export_ledger", args=["aaa", "fees"]) in page
    # when they upload a file whose rows create a bill and pay it (and have a column the ledger does not know)
    rows = [{**fee(world.house_a), "note": "x"}, bill_only(world.house_a2, period="2025-03", amount_due="88")]
    data = xlsx_bytes(rows, keys=[*fee(world.house_a).keys(), "note"], headers=[*HEADERS, "备注"])
    response = posted(client, data, django_capture_on_commit_callbacks)
    # then the preview counts the rows, lists the unknown column and the changes, and nothing is saved yet
    assert response.status_code == 302
    page = client.get(response["Location"], **EN).content.decode()
    assert 'id="import-ledger">Fee ledger<' in page
    assert "Rows adding bills or payments" in page and 'id="count-created">2<' in page
    assert "备注" in page and "¥600.00 · 2025-01-08 · 微信 · SJ2025-900001" in page
    assert reverse("estates:import_list", args=["aaa"]) + "?ledger=fees" in page
    assert not Bill.objects.exists()
    # when they confirm (the worker applies it)
    ledger_import = LedgerImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("estates:import_confirm", args=["aaa", ledger_import.pk]))
    page = client.get(response["Location"], **EN).content.decode()
    # then the result is reported and the bills and the payment exist
    assert "Imported: 2 rows added bills or payments, 0 changed a bill, 0 were already recorded." in page
    assert Bill.objects.count() == 2 and Payment.objects.get().receipt_no == "SJ2025-900001"
    # and the same file again previews as already recorded
    response = posted(client, data, django_capture_on_commit_callbacks)
    page = client.get(response["Location"], **EN).content.decode()
    assert 'id="count-created">0<' in page and 'id="count-unchanged">2<' in page


def test_bad_rows_are_listed_and_nothing_is_imported(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.users["property_manager"])
    before = finance_state()
    rows = [fee(world.house_a, amount_paid="1200.01"), fee(world.house_a2, amount_due="-1", receipt_no="R2")]
    response = posted(client, xlsx_bytes(rows), django_capture_on_commit_callbacks)
    page = client.get(response["Location"], **EN).content.decode()
    assert "The file has 1 error; nothing was imported." in page
    assert '<td class="num">3</td><td>应收金额</td><td>An amount cannot be negative.</td>' in page
    assert LedgerImport.objects.get().status == ImportStatus.INVALID
    after = finance_state()
    assert [v for v, _id in after.pop("audit")[len(before["audit"]) :]] == ["ledger.upload"]
    before.pop("audit")
    assert after == before


def test_a_new_reduction_is_approved_by_the_property_manager_who_confirms(
    world, client_for, django_capture_on_commit_callbacks
):
    # given finance staff upload a ledger with a reduction
    data = xlsx_bytes([bill_only(world.house_a, reduction="200.00")])
    response = posted(client_for(world.users["finance"]), data, django_capture_on_commit_callbacks)
    ledger_import = LedgerImport.objects.get()
    assert response.status_code == 302 and ledger_import.status == ImportStatus.READY
    # when they confirm it themselves, it is refused: nothing imported
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.users["finance"]).post(reverse("estates:import_confirm", args=["aaa", ledger_import.pk]))
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.INVALID and not Bill.objects.exists()
    # when they upload it again and the property manager confirms it, the reduction is theirs to approve
    posted(client_for(world.users["finance"]), data, django_capture_on_commit_callbacks)
    again = LedgerImport.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.users["property_manager"]).post(reverse("estates:import_confirm", args=["aaa", again.pk]))
    again.refresh_from_db()
    assert again.status == ImportStatus.APPLIED
    assert Reduction.objects.get().approver == world.users["property_manager"]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_fee_keepers_import_export_and_download_the_fee_ledger(
    world, client_for, role, django_capture_on_commit_callbacks
):
    client = client_for(world.users[role])
    requests = [
        client.get(fees_page()),
        posted(client, xlsx_bytes([fee(world.house_a)]), django_capture_on_commit_callbacks),
        client.get(reverse("estates:export_ledger", args=["aaa", "fees"])),
        client.get(reverse("estates:template_ledger", args=["fees"])),
    ]
    for response in requests:
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif role in KEEPERS:
            assert response.status_code in (200, 302), response.status_code
        else:
            assert response.status_code == 403, response.status_code
    assert LedgerImport.objects.filter(ledger="fees").exists() == (role in KEEPERS)


@pytest.mark.parametrize("role", sorted(KEEPERS - {"superuser"}))
def test_fee_keepers_of_one_compound_are_refused_on_another(
    world, client_for, role, django_capture_on_commit_callbacks
):
    client = client_for(world.users[role])
    assert client.get(fees_page("bbb")).status_code == 403
    assert (
        posted(client, xlsx_bytes([fee(world.house_b)]), django_capture_on_commit_callbacks, "bbb").status_code == 403
    )
    assert client.get(reverse("estates:export_ledger", args=["bbb", "fees"])).status_code == 403
    assert not LedgerImport.objects.exists()


def test_a_fee_import_is_not_opened_by_estate_editors_who_keep_no_fees(
    world, client_for, django_capture_on_commit_callbacks
):
    posted(client_for(world.users["finance"]), xlsx_bytes([fee(world.house_a)]), django_capture_on_commit_callbacks)
    ledger_import = LedgerImport.objects.get()
    client = client_for(world.users["secretary"])
    assert client.get(reverse("estates:import_detail", args=["aaa", ledger_import.pk])).status_code == 403
    assert client.post(reverse("estates:import_confirm", args=["aaa", ledger_import.pk])).status_code == 403
    # and the secretary's ledgers page neither offers the fee ledger nor lists its imports
    page = client.get(reverse("estates:import_list", args=["aaa"]), **EN).content.decode()
    assert 'value="fees"' not in page and "fees.xlsx" not in page
    # while the property manager's page offers all three ledgers
    page = client_for(world.users["property_manager"]).get(reverse("estates:import_list", args=["aaa"]), **EN)
    assert '<option value="fees">Fee ledger</option>' in page.content.decode()


# --- The command line ---------------------------------------------------------------------------------------------


def run(*args: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_ledger_fees_dry_run_then_import_then_export_round_trip(world, tmp_path):
    path = tmp_path / "fees.xlsx"
    path.write_bytes(xlsx_bytes([fee(world.house_a), bill_only(world.house_a2)]))
    # a dry run changes nothing
    out, _err = run("import_ledger", "fees", str(path), "--compound", "aaa", "--dry-run")
    assert "Dry run, nothing changed: 2 would be created, 0 updated, 0 unchanged." in out
    assert not Bill.objects.exists()
    # the import applies every row
    out, _err = run("import_ledger", "fees", str(path), "--compound", "aaa")
    assert "Imported: 2 created, 0 updated, 0 unchanged." in out
    # the export imports back unchanged
    target = tmp_path / "out.xlsx"
    out, _err = run("export_ledger", "fees", "--compound", "aaa", str(target))
    assert "Exported 2 rows" in out and read_rows(target.read_bytes())[0] == HEADERS
    out, _err = run("import_ledger", "fees", str(target), "--compound", "aaa")
    assert "Imported: 0 created, 0 updated, 2 unchanged." in out


def test_import_ledger_fees_with_a_bad_row_exits_with_every_error_and_imports_nothing(world, tmp_path):
    s.bill_create(actor=world.users["finance"], house=world.house_a2, period="2025", amount_due="10.00")
    before = finance_state()
    path = tmp_path / "fees.xlsx"
    path.write_bytes(xlsx_bytes([fee(world.house_a), fee(world.house_a2, amount_due="", receipt_no="R2")]))
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError) as info:
        call_command("import_ledger", "fees", str(path), "--compound", "aaa", stdout=StringIO(), stderr=err)
    assert "1 error; nothing was imported." in str(info.value)
    assert "row 3, 实收金额: The payment is larger than what remains due (¥10.00)." in err.getvalue()
    assert finance_state() == before
