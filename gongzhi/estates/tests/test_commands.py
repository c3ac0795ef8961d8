"""The command line: add_compound, import_ledger (all or nothing, exit status) and export_ledger."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gongzhi.accounts.models import Organization
from gongzhi.estates.models import Area, Compound, House, ImportLock

from .ledger_files import house, houses, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(*args: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def add_compound(code: str = "jxjc") -> tuple[str, str]:
    return run(
        "add_compound",
        "--code",
        code,
        "--name",
        "锦绣江城",
        "--community",
        "江城社区",
        "--sub-district",
        "四新街道",
        "--district",
        "汉阳区",
    )


def write(tmp_path: Path, rows: list[dict[str, Any]], name: str = "houses.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows))
    return path


def test_add_compound_creates_the_compound_and_missing_areas():
    out, _err = add_compound()
    compound = Compound.objects.get(code="jxjc")
    assert compound.name == "锦绣江城"
    sub_district = compound.community.parent
    assert compound.community.name == "江城社区"
    assert sub_district is not None and sub_district.name == "四新街道"
    assert Area.objects.get(name="汉阳区").parent is None
    assert Organization.objects.filter(name="江城社区").exists()
    assert "Created compound jxjc" in out


def test_add_compound_with_an_existing_code_is_an_error():
    add_compound()
    with pytest.raises(CommandError, match="already exists"):
        add_compound()
    assert Compound.objects.count() == 1


def test_add_compound_reuses_existing_areas():
    add_compound("one")
    add_compound("two")
    assert Area.objects.filter(name="江城社区").count() == 1


def test_import_ledger_applies_a_good_file_and_exits_zero(tmp_path):
    add_compound()
    out, _err = run("import_ledger", "houses", str(write(tmp_path, houses(4))), "--compound", "jxjc")
    assert "Imported: 4 created, 0 updated, 0 unchanged." in out
    assert House.objects.filter(compound__code="jxjc").count() == 4
    assert not ImportLock.objects.exists()


def test_import_ledger_with_bad_rows_prints_every_one_changes_nothing_and_fails(tmp_path):
    add_compound()
    rows = [house(area=0), house(room="1701"), house(room="1601", phone="abc"), house(room="1701")]
    err = StringIO()
    with pytest.raises(CommandError, match=r"3 errors; nothing was imported\."), translation.override("en"):
        call_command("import_ledger", "houses", str(write(tmp_path, rows)), "--compound", "jxjc", stderr=err)
    lines = err.getvalue().splitlines()
    assert lines == [
        "row 2, 建筑面积: The area must be greater than 0.",
        "row 4, 联系电话: Enter an 11-digit mobile number such as 13800000000.",
        "row 5: This house (楼栋, 单元, 房号) is already in row 3.",
    ]
    assert House.objects.count() == 0


def test_import_ledger_dry_run_changes_nothing(tmp_path):
    add_compound()
    out, _err = run("import_ledger", "houses", str(write(tmp_path, houses(2))), "--compound", "jxjc", "--dry-run")
    assert "Dry run, nothing changed: 2 would be created" in out
    assert House.objects.count() == 0


def test_import_ledger_exits_non_zero_for_an_unusable_file(tmp_path):
    add_compound()
    path = tmp_path / "houses.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(CommandError, match=r"not a valid \.xlsx"), translation.override("en"):
        call_command("import_ledger", "houses", str(path), "--compound", "jxjc")


def test_import_ledger_needs_a_known_compound(tmp_path):
    with pytest.raises(CommandError, match="No compound with code nope"), translation.override("en"):
        call_command("import_ledger", "houses", str(write(tmp_path, houses(1))), "--compound", "nope")


def test_import_ledger_refuses_while_another_import_of_the_compound_runs(tmp_path):
    add_compound()
    compound = Compound.objects.get(code="jxjc")
    ImportLock.objects.create(compound=compound, community_id=compound.community_id, holder="other")
    with pytest.raises(CommandError, match="Another import of this compound is running"), translation.override("en"):
        call_command("import_ledger", "houses", str(write(tmp_path, houses(1))), "--compound", "jxjc")
    assert House.objects.count() == 0


def test_export_ledger_writes_a_file_that_imports_back_unchanged(tmp_path):
    # given a compound imported from a ledger
    add_compound()
    run("import_ledger", "houses", str(write(tmp_path, houses(6))), "--compound", "jxjc")
    # when exported and imported again
    target = tmp_path / "export.xlsx"
    out, _err = run("export_ledger", "houses", "--compound", "jxjc", str(target))
    assert "Exported 6 rows" in out
    out, _err = run("import_ledger", "houses", str(target), "--compound", "jxjc")
    # then nothing changed
    assert "Imported: 0 created, 0 updated, 6 unchanged." in out


def test_add_compound_in_a_second_community_of_the_same_name_gets_its_own_organization():
    # given a 幸福社区 in one district
    call_command(
        "add_compound",
        "--code",
        "xf-a",
        "--name",
        "甲",
        "--community",
        "幸福社区",
        "--sub-district",
        "甲街道",
        "--district",
        "江汉区",
        stdout=StringIO(),
    )
    # when another 幸福社区 appears under another sub-district
    call_command(
        "add_compound",
        "--code",
        "xf-b",
        "--name",
        "乙",
        "--community",
        "幸福社区",
        "--sub-district",
        "乙街道",
        "--district",
        "江汉区",
        stdout=StringIO(),
    )
    # then each community has its own organization, the second named after its sub-district
    names = sorted(Organization.objects.filter(kind="community").values_list("name", flat=True))
    assert names == ["乙街道幸福社区", "幸福社区"]
