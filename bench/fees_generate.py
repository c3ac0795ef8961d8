"""Benchmark: generating a year's bills for 300,000 houses against a raw bulk insert of the same rows.

    .venv/bin/python -m bench.fees_generate --database-url postgres://gongzhi@127.0.0.1:PORT/any \\
        [--houses 300000] [--repeat 3] [--keep] [--strict]

Target (issue 5): ``bills_generate`` of a year for 300,000 houses takes at most 3× the time of a raw bulk
insert of the same rows, measured in the same run, on PostgreSQL.

1. Makes the database ``bench_fees_generate`` on the given (throw-away) server, migrates it and fills it
   (``bench.fees_data.build_estate``): one compound of ``--houses`` houses with their status histories (some
   change status inside every year) and two fee standards (a phase's rate changes on 2024-07-01).
2. ``--repeat`` pairs (default 5), for the years 2025, 2024, 2023 in turn (a year measured again has its
   bills deleted first, untimed, then ``VACUUM ANALYZE``), alternating which goes first, in fresh processes:
   - generate: ``bills_generate(actor=finance staff, compound, period=year)`` — what the worker runs: load the
     houses, their status histories and the standards (5 queries), compute every bill, write the bills with
     COPY and one audit event per bill with COPY, in one transaction, committed;
   - baseline: the same bills (computed beforehand with ``bill_plan``, untimed, and converted to the driver's
     values) written with one ``COPY finance_bill … FROM STDIN`` in one transaction, committed, under another
     period label ("R2025"), so that both write into the same table with the same indexes and constraints.
3. Reports each pair and the median ratio generate ÷ baseline: wall clock (the target), and beside it the CPU
   time of the Python process plus that of its PostgreSQL backend (read from /proc: the server must run on this
   machine), which load from elsewhere cannot skew. The baseline writes no audit events; the generation writes
   one per bill.

Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.fees_data import database_drop, database_recreate, machine

TARGET_RATIO = 3.0
FOREIGN = {"community", "compound", "house", "standard", "created_by"}
DATABASE = "bench_fees_generate"
YEARS = (2025, 2024, 2023)


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (a server on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _django() -> None:
    import django

    django.setup()


def child_setup(houses: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from bench.fees_data import build_estate, server_version, vacuum_analyze

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    estate = build_estate(compounds=1, houses=houses)
    vacuum_analyze()
    return {
        "compound": estate.compound_ids[0],
        "actor": estate.finance_user_id,
        "houses": estate.houses,
        "seconds": time.perf_counter() - start,
        "version": server_version(),
    }


def child_generate(compound_id: int, actor_id: int, year: int) -> dict[str, Any]:
    _django()
    from gongzhi.accounts.models import User
    from gongzhi.estates.models import Compound
    from gongzhi.finance.models import Bill
    from gongzhi.finance.services import bills_generate

    compound = Compound.objects.get(pk=compound_id)
    actor = User.objects.get(pk=actor_id)
    server = _backend_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    plan = bills_generate(actor=actor, compound=compound, period=str(year))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    server = _backend_cpu() - server
    written = Bill.objects.filter(compound=compound, period=str(year)).count()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "server_cpu": server,
        "rows": plan.count,
        "written": written,
        "total": str(plan.total),
    }


def child_baseline(compound_id: int, actor_id: int, year: int) -> dict[str, Any]:
    """The same rows as the generation writes, prepared untimed, then one COPY in one transaction."""
    _django()
    from django.db import connection, transaction
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    from gongzhi.estates.models import Compound
    from gongzhi.finance.models import Bill, BillSource, BillStatus
    from gongzhi.finance.services import bill_plan
    from gongzhi.finance.services.billing import BILL_COLUMNS

    compound = Compound.objects.get(pk=compound_id)
    now, label = timezone.now(), f"R{year}"
    stored = Bill.objects.filter(compound=compound, period=str(year))
    rows: list[tuple[Any, ...]]
    if stored.exists():  # generated already (this pair ran the generation first): the very rows it wrote
        values = stored.order_by("id").values_list(*(f"{n}_id" if n in FOREIGN else n for n in BILL_COLUMNS))
        rows = [(*v[:3], label, *v[4:9], Jsonb(v[9]), *v[10:17], actor_id, now, now) for v in values]
    else:
        plan = bill_plan(compound=compound, period=str(year))
        p = plan.period
        rows = [
            (compound.community_id, compound.pk, b.house_id, label, p.start, p.end, b.area, b.months, b.vacant_months,
             Jsonb(b.basis), b.standard_id, b.amount, 0, 0, BillStatus.UNPAID if b.amount > 0 else BillStatus.PAID,
             BillSource.GENERATED, "", actor_id, now, now)
            for b in plan.new
        ]  # fmt: skip
    columns = ", ".join(f'"{Bill._meta.get_field(name).column}"' for name in BILL_COLUMNS)  # type: ignore[union-attr]
    sql = f'COPY "{Bill._meta.db_table}" ({columns}) FROM STDIN'
    server = _backend_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    server = _backend_cpu() - server
    written = Bill.objects.filter(compound=compound, period=label).count()
    return {"seconds": seconds, "cpu": cpu, "server_cpu": server, "rows": len(rows), "written": written}


def child_clean(compound_id: int, year: int) -> dict[str, Any]:
    """Remove a pair's bills (untimed), so that the year can be measured again; then VACUUM ANALYZE."""
    _django()
    from bench.fees_data import vacuum_analyze
    from gongzhi.finance.models import Bill

    deleted, _ = Bill.objects.filter(compound_id=compound_id, period__in=[str(year), f"R{year}"]).delete()
    vacuum_analyze()
    return {"deleted": deleted}


def _total_cpu(r: dict[str, Any]) -> float:
    return float(r["cpu"] + r["server_cpu"])


def _run(env: dict[str, str], *args: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.fees_generate", "--child", *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a throw-away PostgreSQL server (required)")
    parser.add_argument("--houses", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5, help="pairs measured (the years 2025, 2024, 2023 in turn)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        numbers = [int(x) for x in rest]
        if kind == "setup":
            result = child_setup(*numbers)
        elif kind == "clean":
            result = child_clean(*numbers)
        else:
            result = (child_generate if kind == "generate" else child_baseline)(*numbers)
        print(json.dumps(result))
        return 0

    url = database_recreate(args.database_url, DATABASE)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    print(f"machine: {machine()}")
    try:
        setup = _run(env, "setup", str(args.houses))
        print(
            f"database: PostgreSQL {setup['version']}; {setup['houses']:,} houses in one compound, "
            f"built in {setup['seconds']:.0f} s"
        )
        pairs = []
        for i in range(args.repeat):
            year = YEARS[i % len(YEARS)]
            if i >= len(YEARS):
                _run(env, "clean", str(setup["compound"]), str(year))
            ids = (str(setup["compound"]), str(setup["actor"]), str(year))
            if i % 2 == 0:
                base, gen = _run(env, "baseline", *ids), _run(env, "generate", *ids)
            else:
                gen, base = _run(env, "generate", *ids), _run(env, "baseline", *ids)
            if not (gen["rows"] == gen["written"] == base["rows"] == base["written"]):
                raise SystemExit(f"rows differ: {gen} {base}")
            pairs.append((year, gen, base))
            print(
                f"  {year}: {gen['rows']:,} bills; generate {gen['seconds']:.1f} s (CPU {gen['cpu']:.1f} s + "
                f"server {gen['server_cpu']:.1f} s), raw COPY {base['seconds']:.1f} s (CPU {base['cpu']:.1f} s + "
                f"server {base['server_cpu']:.1f} s), ratio {gen['seconds'] / base['seconds']:.2f}× wall, "
                f"{_total_cpu(gen) / _total_cpu(base):.2f}× CPU"
            )
    finally:
        if not args.keep:
            database_drop(args.database_url, DATABASE)
    ratio = statistics.median(g["seconds"] / b["seconds"] for _y, g, b in pairs)
    cpu_ratio = statistics.median(_total_cpu(g) / _total_cpu(b) for _y, g, b in pairs)
    ok = ratio <= TARGET_RATIO
    verdict = "PASS" if ok else "FAIL"
    print(
        f"median ratio generate / raw COPY: {ratio:.2f}× wall (target ≤ {TARGET_RATIO:.0f}×) {verdict}; "
        f"{cpu_ratio:.2f}× CPU (Python + PostgreSQL backend)"
    )
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
