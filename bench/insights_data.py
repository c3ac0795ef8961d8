"""Data for the insights benchmark (``bench/insights_dashboard.py``): one sub-district of 200 compounds, its
voices and, in the large dataset, its bills, written by the voice and fee benchmarks' generators.

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://…/migrated-empty-db \\
        .venv/bin/python -m bench.insights_data --voices 1000000 [--bills-years 2022-2026] [--payments 600000]

- The estate is ``bench.voice_data.build_estate``'s (areas, organizations, compounds, houses, residents with
  bindings, staff), with two of its layout constants set for this benchmark: **one** sub-district holding every
  compound (40 communities of 5 compounds for 200: the issue's "sub-district with 200 compounds") and 13 floors
  instead of 12 (312 houses a compound, 62,400 in all, so that five years of bills make 312,000).
- The voices are ``bench.voice_data.build_voices``'s, without a probe (``probe=0``): spread over the compounds
  (×0.5-1.5) and three years, denser towards now. A dashboard reads rollups, so both datasets show the same
  figures' *shape* (the same compounds, KPIs and periods; other values), and there is no need to hold the
  visible content equal as the voice pages' probe does.
- The bills (``--bills-years``, none by default) are ``bench.fees_data.build_accounts``'s: a bill per house and
  year, exactly ``--payments`` payments, reductions and refunds.

Ends with ``VACUUM ANALYZE`` and the one-row table ``bench_dataset`` (``bench.voice_data.described`` reads it):
what was generated, the supervisor the benchmark logs in as, the sub-district's pk, and the times.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from . import voice_data

# The layout of this benchmark's estate (see the module's docstring): everything in one sub-district.
COMPOUNDS = 200
COMMUNITIES = COMPOUNDS // voice_data.COMPOUNDS_PER_COMMUNITY
FLOORS = 13


def _years(text: str) -> list[int]:
    """``2022-2026`` → [2022, …, 2026]; ``2025,2026`` → [2025, 2026]; ``""`` → []."""
    if not text:
        return []
    if "-" in text:
        first, last = (int(x) for x in text.split("-", 1))
        return list(range(first, last + 1))
    return [int(x) for x in text.split(",")]


def build(
    *, voices: int, compounds: int, residents: int, bill_years: list[int], payments: int
) -> tuple[voice_data.Estate, dict[str, int], dict[str, float]]:
    """The estate, the voices and the bills (any database: ``RowInserter`` copies on PostgreSQL, inserts
    elsewhere); returns the estate, the row counts and the seconds each part took."""
    from django.db import transaction

    from bench.fees_data import build_accounts

    # One sub-district for every compound; 312 houses a compound (module docstring). Restored afterwards.
    layout = voice_data.COMMUNITIES_PER_SUB_DISTRICT, voice_data.FLOORS
    voice_data.COMMUNITIES_PER_SUB_DISTRICT = max(1, -(-compounds // voice_data.COMPOUNDS_PER_COMMUNITY))
    voice_data.FLOORS = FLOORS
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            estate = voice_data.build_estate(compounds=compounds, residents_per_compound=residents)
    finally:
        voice_data.COMMUNITIES_PER_SUB_DISTRICT, voice_data.FLOORS = layout
    t1 = time.perf_counter()
    counts: dict[str, int] = voice_data.build_voices(estate, voices, probe=0)
    t2 = time.perf_counter()
    if bill_years:
        approver = estate.users[voice_data.PROBE]["property_manager"]
        with transaction.atomic():
            counts |= build_accounts(approver_id=approver, payments=payments, years=bill_years)
    t3 = time.perf_counter()
    return estate, counts, {"estate": t1 - t0, "voices": t2 - t1, "bills": t3 - t2}


def generate(*, voices: int, compounds: int, residents: int, bill_years: list[int], payments: int) -> dict[str, Any]:
    """``build`` on PostgreSQL, then ``VACUUM ANALYZE`` and the ``bench_dataset`` row."""
    from django.db import connection

    from gongzhi.estates.models import Area

    estate, counts, seconds = build(
        voices=voices, compounds=compounds, residents=residents, bill_years=bill_years, payments=payments
    )
    t3 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        t4 = time.perf_counter()
        sub_districts = list(Area.objects.filter(level="sub_district").values_list("pk", flat=True))
        assert len(sub_districts) == 1, sub_districts
        described = {
            "generator": "bench.insights_data",
            "voices": voices,
            "compounds": compounds,
            "residents_per_compound": residents,
            "bill_years": bill_years,
            "payments": payments if bill_years else 0,
            "users": estate.users,
            "sub_district": sub_districts[0],
            "communities": Area.objects.filter(level="community").count(),
            "counts": counts,
            "seconds": {**seconds, "vacuum_analyze": t4 - t3},
        }
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        described["database_size"] = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS bench_dataset")
        cursor.execute("CREATE TABLE bench_dataset (description text NOT NULL)")
        cursor.execute("INSERT INTO bench_dataset (description) VALUES (%s)", [json.dumps(described)])
    return described


def describe_update(**changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into the ``bench_dataset`` row of the current database (e.g. the rollups' build)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM bench_dataset")
        described = dict(json.loads(cursor.fetchone()[0]))
        described.update(changes)
        cursor.execute("UPDATE bench_dataset SET description = %s", [json.dumps(described)])
    return described


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", type=int, default=1_000_000)
    parser.add_argument("--compounds", type=int, default=COMPOUNDS)
    parser.add_argument("--residents", type=int, default=60, help="residents per compound")
    parser.add_argument("--bills-years", default="", help="years of bills, e.g. 2022-2026 (none by default)")
    parser.add_argument("--payments", type=int, default=600_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("the generators write with COPY: give a PostgreSQL DATABASE_URL")
    described = generate(
        voices=args.voices,
        compounds=args.compounds,
        residents=args.residents,
        bill_years=_years(args.bills_years),
        payments=args.payments,
    )
    print(json.dumps(described))


if __name__ == "__main__":
    main()
