"""Benchmark: collection figures for a sub-district with 300,000 bills and 600,000 payments, on PostgreSQL.

    .venv/bin/python -m bench.fees_figures --database-url postgres://gongzhi@127.0.0.1:PORT/any \\
        [--compounds 60] [--houses 2600] [--payments 600000] [--requests 50] [--keep] [--reuse]

Target (issue 5): record the server time of the collection figures of a sub-district, with a constant number
of queries (asserted by the tests of ``insights.kpis.fee_figures``: four queries whatever the data).

1. Makes the database ``bench_fees_figures`` on the given (throw-away) server, migrates and fills it
   (``bench.fees_data``): one sub-district of ``--compounds`` compounds of ``--houses`` houses, the bills of
   2024 and 2025 of every delivered house (about 300,000 with the defaults) and exactly ``--payments``
   payments, reductions and refunds paid out; then ``VACUUM ANALYZE``. ``--reuse`` measures an existing one.
2. In a fresh process (``config.settings.test``: DEBUG off), as the sub-district's supervisor, who reads every
   compound of the sub-district:
   - the page ``finance:figures`` for 2025 (``/fees/figures/?period=2025``: the first 20 compounds by compound
     and the total of all of them, each with the year before), through Django's test client — the whole
     request: session, scope, four queries per set of figures, template;
   - the function ``insights.kpis.fee_figures`` for every compound of the sub-district, by compound, for 2025;
   warm-up, then ``--requests`` timed calls each: p50 / p95 / max, and the SQL queries of one call.

Never run by the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from typing import Any

from bench.fees_data import database_drop, database_recreate, machine, percentile, with_database

DATABASE = "bench_fees_figures"
PERIOD = "2025"


def _django() -> None:
    import django

    django.setup()


def child_setup(compounds: int, houses: int, payments: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from bench.fees_data import build_accounts, build_estate, server_version, vacuum_analyze

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    estate = build_estate(compounds=compounds, houses=houses)
    counts = build_accounts(approver_id=estate.manager_id, payments=payments)
    vacuum_analyze()
    return {
        "houses": estate.houses,
        "supervisor": estate.supervisor_id,
        "seconds": time.perf_counter() - start,
        "version": server_version(),
        **counts,
    }


def _timed(call: Any, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        call()
    with CaptureQueriesContext(connection) as ctx:
        call()
    queries = len(ctx.captured_queries)
    sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return {
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "max": max(times),
        "queries": queries,
        "sql_ms": sql_ms,
    }


def child_measure(supervisor_id: int, requests: int) -> dict[str, Any]:
    _django()
    from django.test import Client
    from django.urls import reverse

    from gongzhi.accounts.models import User
    from gongzhi.finance.models import Bill, Payment
    from gongzhi.finance.periods import Period
    from gongzhi.finance.selectors import figure_compounds
    from gongzhi.insights.kpis import fee_figures

    supervisor = User.objects.get(pk=supervisor_id)
    compounds = list(figure_compounds(user=supervisor))
    client = Client()
    client.force_login(supervisor, backend="gongzhi.accounts.backends.PhoneBackend")
    url = f"{reverse('finance:figures')}?period={PERIOD}"
    first = client.get(url)
    if first.status_code != 200:
        return {"error": f"{url} answered {first.status_code}"}
    period = Period.parse(PERIOD)

    def page() -> None:
        assert client.get(url).status_code == 200

    def function() -> None:
        fee_figures(compounds, start=period.start, end=period.end, at=period.end, by="compound")

    scope = {"compound__in": compounds}
    return {
        "compounds": len(compounds),
        "bills": Bill.objects.filter(**scope).count(),
        "payments": Payment.objects.filter(**scope).count(),
        "page": _timed(page, requests),
        "function": _timed(function, requests),
        "kb": len(first.content) / 1024,
        "at": datetime.date.today().isoformat(),
    }


def _run(env: dict[str, str], *args: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.fees_figures", "--child", *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a throw-away PostgreSQL server (required)")
    parser.add_argument("--compounds", type=int, default=60)
    parser.add_argument("--houses", type=int, default=2600, help="houses per compound")
    parser.add_argument("--payments", type=int, default=600_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="measure the kept database again")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        numbers = [int(x) for x in rest]
        result = child_setup(*numbers) if kind == "setup" else child_measure(*numbers)
        print(json.dumps(result))
        return 0

    url = with_database(args.database_url, DATABASE) if args.reuse else database_recreate(args.database_url, DATABASE)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    print(f"machine: {machine()}")
    try:
        if args.reuse:
            supervisor = _supervisor(url)
        else:
            setup = _run(env, "setup", str(args.compounds), str(args.houses), str(args.payments))
            supervisor = setup["supervisor"]
            print(
                f"database: PostgreSQL {setup['version']}; {setup['houses']:,} houses in {args.compounds} compounds, "
                f"{setup['bills']:,} bills, {setup['payments']:,} payments, {setup['reductions']:,} reductions, "
                f"{setup['refunds']:,} refunds; built in {setup['seconds']:.0f} s"
            )
        result = _run(env, "measure", str(supervisor), str(args.requests))
        if "error" in result:
            raise SystemExit(result["error"])
    finally:
        if not (args.keep or args.reuse):
            database_drop(args.database_url, DATABASE)
    print(
        f"sub-district supervisor: {result['compounds']} compounds, {result['bills']:,} bills, "
        f"{result['payments']:,} payments; {args.requests} timed calls each after 3 warm-ups"
    )
    for name, label in (("page", f"page /fees/figures/?period={PERIOD}"), ("function", "fee_figures(by=compound)")):
        r = result[name]
        print(
            f"  {label:38} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  max {r['max']:7.1f} ms  "
            f"{r['queries']} queries ({r['sql_ms']:.0f} ms of SQL in one call)"
        )
    print(f"  page size {result['kb']:.0f} KiB")
    return 0


def _supervisor(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT id FROM accounts_user WHERE phone_hash IS NOT NULL AND name = '基准街道督导'"
        ).fetchone()
    if row is None:
        raise SystemExit("no benchmark supervisor in that database: run without --reuse first")
    return int(row[0])


if __name__ == "__main__":
    raise SystemExit(main())
