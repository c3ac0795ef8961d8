"""The ``kpi`` command and ``GET /api/insights/kpis/``: output, bad input, and who may read (every role)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.finance.tests.test_kpis import dataset  # noqa: F401
from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db
URL = "/api/insights/kpis/"
READERS = {
    "secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "technician", "finance",
    "representative", "sub_district_supervisor", "district_supervisor", "superuser",
}  # fmt: skip


def test_the_kpi_command_prints_every_kpi_as_json(dataset: Any) -> None:  # noqa: F811
    out = io.StringIO()
    call_command("kpi", "--compound", dataset["compound"].code, "--period", "2025", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    k = {row["key"]: row for row in data["kpis"]}
    assert data["period"] == "2025" and data["as_of"] == "2025-12-31" and data["year_before"]["period"] == "2024"
    c = k["fees_collection_rate"]  # 1550 / 3150 against 1600 / 3200 (finance/tests/test_kpis.py)
    assert (c["numerator"], c["denominator"], c["year_before"]["denominator"]) == (1550, 3150, 3200)
    assert c["display"] == "49.2%" and c["change_pp"] == pytest.approx(-0.7937, abs=1e-4)
    assert k["voices_complaint"]["no_data"] is True and k["voices_complaint"]["display"] == "no data"


def test_the_kpi_command_prints_a_table(dataset: Any) -> None:  # noqa: F811
    out = io.StringIO()
    call_command("kpi", "--compound", dataset["compound"].code, "--period", "2025Q1", stdout=out)
    assert "Arrears" in out.getvalue() and "no data" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--compound", "nope", "--period", "2025"], "No compound"),
        (["--compound", "aaa", "--period", "2025Q9"], "not a period"),
        (["--compound", "aaa", "--period", "2025", "--as-of", "2025-02-30"], "not a date"),
        (["--compound", "aaa", "--period", "2025", "--as-of", "2001-01-01"], "did not exist yet"),
    ],
)
def test_the_kpi_command_refuses_bad_input(world: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("kpi", *args)


def test_the_api_gives_the_kpis_of_a_compound(world: Any, client_for: Any, dataset: Any) -> None:  # noqa: F811
    r = client_for(world.users["representative"]).get(URL, {"compound": "aaa", "period": "2025", "as_of": "2025-06-30"})
    assert r.status_code == 200
    k = {row["key"]: row for row in r.json()["kpis"]}
    assert (k["fees_collection_rate"]["numerator"], k["fees_collection_rate"]["denominator"]) == (1150, 3150)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"compound": "aaa", "period": "2025-13"}, 400, "period"),
        ({"compound": "aaa", "period": "2025", "as_of": "yesterday"}, 400, "as_of"),
        ({"compound": "aaa", "period": "2025", "as_of": "1999-01-01"}, 400, "as_of"),
        ({"compound": "aaa"}, 400, "period"),
        ({"compound": "<script>", "period": "2025"}, 400, "compound"),
        ({"compound": "aaa", "period": "2025" * 10}, 400, "period"),
        ({"compound": "zzz", "period": "2025"}, 404, None),
        ({"compound": "bbb", "period": "2025"}, 403, None),
    ],
)
def test_the_api_refuses_bad_input(world: Any, client_for: Any, query: dict[str, str], status: int, field: str) -> None:
    r = client_for(world.users["secretary"]).get(URL, query)
    assert r.status_code == status
    assert "<script>" not in r.content.decode()
    if field:
        assert r.json()["field"] == field


@pytest.mark.parametrize("role", ALL_ROLES)
def test_authorization_matrix(world: Any, client_for: Any, role: str) -> None:
    # compound A: staff of its side, its representatives, the supervisors and superusers; nobody else
    r = client_for(world.users[role]).get(URL, {"compound": "aaa", "period": "2025"})
    expected = 200 if role in READERS else (401 if role == "anonymous" else 403)
    assert r.status_code == expected, role
    # compound B lies outside everyone's scope but the supervisors' and superusers'
    r = client_for(world.users[role]).get(URL, {"compound": "bbb", "period": "2025"})
    wide = {"sub_district_supervisor", "district_supervisor", "superuser"}
    assert r.status_code == (200 if role in wide else 401 if role == "anonymous" else 403), role
