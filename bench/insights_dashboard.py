"""Benchmark: the sub-district dashboard with 1,000,000 voices and 300,000 bills against 10,000 voices.

    .venv/bin/python -m bench.insights_dashboard --database-url postgres://…/any [--small 10000] [--large 1000000]
        [--bills-years 2022-2026] [--payments 600000] [--requests 100] [--rounds 2] [--rollups-since 2024-01-01]
        [--keep] [--reuse] [--reuse-rollups] [--explain] [--queries DIR] [--strict]

Target (issue 7): the sub-district dashboard with 200 compounds, 1,000,000 voices and 300,000 bills on
PostgreSQL: p95 server time ≤ 1.5× the same page with 10,000 voices (rollups, not scans), a constant number of
queries; the report PDF's generation time recorded.

1. On the PostgreSQL server of ``--database-url`` (throw-away: ``scripts/pg.sh start``), makes a migrated
   template and one database per size, ``bench_insights_10000`` and ``bench_insights_1000000``, filled by
   ``bench.insights_data``: the same estate (one sub-district, 40 communities, 200 compounds, 62,400 houses,
   12,000 residents, staff) from the same seed; the small one with ``--small`` voices and no bills, the large
   one with ``--large`` voices and the bills of ``--bills-years`` (312,000 for 2022-2026) with ``--payments``
   payments. ``--reuse`` takes the databases a ``--keep`` run left (migrated again and analysed).
2. Builds the rollups the dashboards read, month and year grains, from ``--rollups-since`` to today, for every
   compound (``gongzhi.insights.rollups.rollups_recompute``; the default, 2024-01-01, is as far back as the
   measured pages read: a year with its year before, 12-month trends with the same months a year before), in a
   fresh process per dataset, and records its wall and CPU time and the rows written (``--reuse-rollups`` keeps
   those of a previous run and their times).
3. Measures, in a fresh process per dataset and round (the datasets alternate, so load from elsewhere hits both
   alike), each page of ``PAGES`` as the sub-district's supervisor, through Django's test client with
   ``config.settings.bench`` (DEBUG off): ``--warmup`` requests, then ``--requests`` timed ones (``--pdf-requests``
   for the PDF); per request the wall time, the process's CPU time and the time in database calls; the
   PostgreSQL backend's CPU time (from /proc); the SQL queries of each of two requests (must be equal: a
   constant number), and the response's size.
4. Prints p50 / p95 / max, CPU, PostgreSQL CPU, SQL time, queries and size per page and dataset, and the ratio
   of the p95s (and of the CPU). The verdict is the default sub-district dashboard's (this year to date). A page
   whose URL does not resolve or that does not answer 200 is reported as not measured. ``--explain`` adds
   ``EXPLAIN (ANALYZE, BUFFERS)`` of each page's slowest queries on the large dataset; ``--queries DIR`` writes
   the SQL of one request per page and dataset (to see which query grows).

Server time is Django's time for the request in-process, without HTTP and gunicorn (the same for both
datasets). Never run by the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import (
    add_page_args,
    admin_execute,
    child_env,
    database_exists,
    generated_line,
    machine,
    percentile,
    require_postgresql,
    run_child,
    with_database,
)

TARGET_RATIO = 1.5
TEMPLATE_DB = "bench_insights_template"
GRAINS = ("month", "year")


@dataclass(frozen=True)
class Page:
    label: str
    name: str  # URL name in the insights namespace
    on: str  # "area": the sub-district (pk); "compound": the first compound
    query: str  # the query string, ``{…}`` filled from PERIODS
    target: bool  # the page (the others are information)
    pdf: bool = False


def _periods(today: datetime.date) -> dict[str, str]:
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    return {"year": str(today.year), "last_year": str(today.year - 1), "last_month": f"{last_month:%Y-%m}"}


PAGES = [
    Page("sub-district dashboard (this year to date)", "area", "area", "", True),
    Page("sub-district dashboard ?period=last year", "area", "area", "period={last_year}", False),
    Page("sub-district dashboard ?period=last month", "area", "area", "period={last_month}", False),
    Page("compound dashboard (this year to date)", "compound", "compound", "", False),
    Page("compound dashboard ?period=last year", "compound", "compound", "period={last_year}", False),
    Page("report PDF ?period=last year", "report_pdf", "compound", "period={last_year}", False, pdf=True),
]


def _url(page: Page, dataset: dict[str, Any], compound: Any, periods: dict[str, str]) -> str | None:
    """The page's URL, trying the keyword arguments its view may take; None when the name does not resolve."""
    from django.urls import NoReverseMatch, reverse

    if page.on == "area":
        candidates: list[dict[str, Any]] = [{"pk": dataset["sub_district"]}, {"area": dataset["sub_district"]}]
    else:
        candidates = [{"code": compound.code}, {"pk": compound.pk}, {"compound": compound.code}, {}]
    for kwargs in candidates:
        try:
            url = reverse(f"insights:{page.name}", kwargs=kwargs)
        except NoReverseMatch:
            continue
        query = page.query.format(**periods)
        if not kwargs and page.on == "compound":  # a view taking the compound as a parameter
            query = "&".join(q for q in (f"compound={compound.code}", query) if q)
        return url + ("?" + query if query else "")
    return None


# --- In a fresh process: rollups -------------------------------------------------------------------------------


def child_rollups(since: datetime.date) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from gongzhi.estates.models import Compound
    from gongzhi.insights.models import KpiRollup
    from gongzhi.insights.periods import periods_between
    from gongzhi.insights.registry import definitions
    from gongzhi.insights.rollups import rollups_recompute

    from .insights_data import describe_update
    from .voice_pages import _cpu_ticks

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    compounds = list(Compound.objects.order_by("pk"))
    today = timezone.localdate()
    KpiRollup.objects.all().delete()
    db0, t0, c0 = _cpu_ticks(backend), time.perf_counter(), time.process_time()
    rows = rollups_recompute(compounds, since, today, grains=GRAINS)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    db_cpu = (_cpu_ticks(backend) - db0) / os.sysconf("SC_CLK_TCK")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE insights_kpirollup")
    built = {
        "periods": sum(len(periods_between(g, since, today)) for g in GRAINS),
        "since": since.isoformat(),
        "today": today.isoformat(),
        "grains": list(GRAINS),
        "kpis": len(definitions()),
        "compounds": len(compounds),
        "rows": rows,
        "seconds": wall,
        "cpu": cpu,
        "db_cpu": db_cpu,
        "load": os.getloadavg()[0],
        "path": "gongzhi.insights.rollups.rollups_recompute",
    }
    describe_update(rollups=built)
    return built


# --- In a fresh process: the pages ------------------------------------------------------------------------------


def child_measure(requests: int, pdf_requests: int, warmup: int, explain: bool) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.estates.models import Compound

    from .voice_data import described
    from .voice_pages import _cpu_ticks, _explain

    dataset = described(os.environ["DATABASE_URL"])
    assert dataset is not None and dataset.get("generator") == "bench.insights_data", "not an insights dataset"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    tick = os.sysconf("SC_CLK_TCK")
    sql_seconds = [0.0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds[0] += time.perf_counter() - t0

    users = dataset["users"]["probe"]
    supervisor = User.objects.get(pk=users["sub_district_supervisor"])
    compound = Compound.objects.get(code=users["compound"])
    periods = _periods(timezone.localdate())
    results: dict[str, Any] = {
        "voices": dataset["voices"],
        "counts": dataset["counts"],
        "rollups": dataset.get("rollups"),
        "postgresql": version,
        "periods": periods,
        "pages": {},
    }
    for page in PAGES:
        url = _url(page, dataset, compound, periods)
        if url is None:
            results["pages"][page.label] = {"missing": f"insights:{page.name}"}
            continue
        client = Client(raise_request_exception=False)
        client.force_login(supervisor, backend="gongzhi.accounts.backends.PhoneBackend")
        response = client.get(url)
        if response.status_code != 200:
            results["pages"][page.label] = {"failed": f"{url} answers {response.status_code}"}
            continue
        n = pdf_requests if page.pdf else requests
        for _ in range(min(warmup, 2) if page.pdf else warmup):
            client.get(url)
        counts, queries = [], []
        for _ in range(2):  # two requests' queries: a constant number
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            counts.append(len(ctx.captured_queries))
            queries = list(ctx.captured_queries)
        times, cpu, sql = [], [], []
        db_before = _cpu_ticks(backend)
        with connection.execute_wrapper(timed):
            for _ in range(n):
                sql_seconds[0] = 0.0
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url)
                cpu.append((time.process_time() - c0) * 1000)
                times.append((time.perf_counter() - t0) * 1000)
                sql.append(sql_seconds[0] * 1000)
                assert response.status_code == 200, (url, response.status_code)
        result: dict[str, Any] = {
            "url": url,
            "times": times,
            "cpu": cpu,
            "sql": sql,
            "db_cpu": [(_cpu_ticks(backend) - db_before) / tick / n * 1000],
            "queries": counts,
            "bytes": len(response.content),
            "log": [{"time": q["time"], "sql": q["sql"]} for q in queries],
        }
        if explain:
            result["explain"] = _explain(connection, queries)
        results["pages"][page.label] = result
    return results


# --- The driver ---------------------------------------------------------------------------------------------------


def _prepare(server: str, size: int, bills: str, args: argparse.Namespace) -> dict[str, Any]:
    """The database of ``size`` voices (and ``bills`` years of bills): reused when asked and present, else
    generated now."""
    from .insights_data import _years
    from .voice_data import described

    name = f"bench_insights_{size}"
    url = with_database(server, name)
    if args.reuse and database_exists(server, name):
        found = described(url)
        if (
            found
            and found.get("generator") == "bench.insights_data"
            and found["voices"] == size
            and found["bill_years"] == _years(bills)
        ):
            run_child("django", ["migrate", "--skip-checks", "-v0"], child_env(url), json_line=False)
            admin_execute(url, "ANALYZE")
            print(f"reusing {name}: {found['counts']}, {found.get('database_size')}", flush=True)
            return {"url": url, "name": name, **found}
    if not database_exists(server, TEMPLATE_DB):
        admin_execute(server, f'CREATE DATABASE "{TEMPLATE_DB}"')
    run_child(
        "django", ["migrate", "--skip-checks", "-v0"], child_env(with_database(server, TEMPLATE_DB)), json_line=False
    )
    admin_execute(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    t0 = time.perf_counter()
    flags = ["--voices", str(size), "--residents", str(args.residents)]
    if bills:
        flags += ["--bills-years", bills, "--payments", str(args.payments)]
    generated = run_child("bench.insights_data", flags, child_env(url))
    print(generated_line(name, time.perf_counter() - t0, generated), flush=True)
    return {"url": url, "name": name, **generated}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_args(parser, small=10_000, large=1_000_000, requests=100, warmup=10)
    parser.add_argument("--bills-years", default="2022-2026", help="the large dataset's years of bills")
    parser.add_argument("--payments", type=int, default=600_000, help="the large dataset's payments")
    parser.add_argument("--residents", type=int, default=60, help="residents per compound")
    parser.add_argument("--rollups-since", default="2024-01-01", help="the first day the rollups cover")
    parser.add_argument("--pdf-requests", type=int, default=5, help="timed requests of the report PDF")
    parser.add_argument("--reuse-rollups", action="store_true", help="and their rollups (not rebuilt)")
    parser.add_argument("--prepare-only", action="store_true", help="generate (and keep) the datasets, no timing")
    parser.add_argument(
        "--queries", type=Path, help="write the SQL of one request per page and dataset, and each run's figures, here"
    )
    parser.add_argument("--child", choices=["measure", "rollups"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "measure":
        print(json.dumps(child_measure(args.requests, args.pdf_requests, args.warmup, args.explain)))
        return 0
    if args.child == "rollups":
        print(json.dumps(child_rollups(datetime.date.fromisoformat(args.rollups_since))))
        return 0

    require_postgresql(args.database_url)
    print(f"machine: {machine()}", flush=True)
    sizes = [args.small, args.large]
    bills = {args.small: "", args.large: args.bills_years}
    datasets = {size: _prepare(args.database_url, size, bills[size], args) for size in sizes}
    if args.prepare_only:
        return 0
    merged: dict[int, dict[str, Any]] = {size: {} for size in sizes}
    explain: list[str] = []
    version = ""
    try:
        for size in sizes:
            if args.reuse_rollups and datasets[size].get("rollups"):
                continue
            built = run_child(
                "bench.insights_dashboard",
                ["--child", "rollups", "--rollups-since", args.rollups_since],
                child_env(datasets[size]["url"]),
            )
            datasets[size]["rollups"] = built
            print(
                f"rollups of {size:,} voices: {built['rows']:,} rows ({built['kpis']} KPIs × {built['compounds']} "
                f"compounds × {built['periods']} months and years since {built['since']}) "
                f"in {built['seconds']:.0f} s wall "
                f"({built['seconds'] / built['periods']:.1f} s a period), "
                f"{built['cpu']:.0f} s Django CPU, {built['db_cpu']:.0f} s PostgreSQL CPU (load {built['load']:.2f})",
                flush=True,
            )
        for r in range(args.rounds):
            for size in sizes:
                flags = ["--child", "measure", "--requests", str(args.requests), "--warmup", str(args.warmup)]
                flags += ["--pdf-requests", str(args.pdf_requests)]
                if args.explain and size == args.large and r == 0:
                    flags.append("--explain")
                result = run_child("bench.insights_dashboard", flags, child_env(datasets[size]["url"]))
                if args.queries:  # every child's figures too, so that an interrupted run leaves what it measured
                    args.queries.mkdir(parents=True, exist_ok=True)
                    (args.queries / f"round{r + 1}-{size}.json").write_text(json.dumps(result))
                version = result["postgresql"]
                for label, page in result["pages"].items():
                    into = merged[size].setdefault(label, {**page, "times": [], "cpu": [], "sql": [], "db_cpu": []})
                    for series in ("times", "cpu", "sql", "db_cpu"):
                        into[series] = into[series] + page.get(series, [])
                    into["queries"] = sorted(set(into.get("queries", [])) | set(page.get("queries", [])))
                    explain += [f"== {label}\n{p}" for p in page.get("explain", [])]
                    if args.queries and r == 0 and "log" in page:
                        args.queries.mkdir(parents=True, exist_ok=True)
                        slug = "".join(ch if ch.isalnum() else "-" for ch in label).strip("-")
                        (args.queries / f"{size}-{slug}.sql").write_text(
                            "\n\n".join(f"-- {q['time']} s\n{q['sql']};" for q in page["log"])
                        )
                print(f"round {r + 1}: {size:,} voices measured (load {os.getloadavg()[0]:.2f})", flush=True)
    finally:
        if not args.keep:
            admin_execute(
                args.database_url,
                *(f'DROP DATABASE IF EXISTS "{d["name"]}"' for d in datasets.values()),
                f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"',
            )
    if explain:
        print("\n\n".join(explain))
    return report(merged, datasets, sizes, version, strict=args.strict)


def report(
    merged: dict[int, dict[str, Any]],
    datasets: dict[int, dict[str, Any]],
    sizes: list[int],
    version: str,
    *,
    strict: bool,
) -> int:
    small, large = sizes
    print(f"\nmachine at the end: {machine()}")
    print(f"PostgreSQL {version}; server time per request (ms), Django test client, DEBUG off, as the supervisor")
    for size in sizes:
        d = datasets[size]
        print(f"{size:,} voices: {d['counts']}, {d.get('database_size')}")
    print(
        "CPU: the Django process's CPU time per request (median); PG CPU: the PostgreSQL backend's CPU time per "
        "request (mean);\nSQL: time in the database calls per request (median); queries: of each of two requests; "
        "KiB: the response's size"
    )
    print(
        f"{'page':46} {'voices':>9} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7} {'CPU':>6} {'PG CPU':>6} "
        f"{'SQL':>6} {'queries':>7} {'KiB':>6}"
    )
    ok = True
    verdicts = []
    for page in PAGES:
        rows = [merged[size].get(page.label, {}) for size in sizes]
        if not any(rows):
            continue
        if any("missing" in row or "failed" in row or not row for row in rows):
            why = next(
                (f"{r['missing']} does not resolve" if "missing" in r else r["failed"])
                for r in rows
                if "missing" in r or "failed" in r
            )
            print(f"{page.label:46} (not measured: {why})")
            verdicts.append(f"{page.label}: NOT MEASURED ({why})")
            ok = ok and not page.target
            continue
        p95, cpu = [], []
        for size, row in zip(sizes, rows, strict=True):
            times = row["times"]
            p95.append(percentile(times, 95))
            cpu.append(statistics.median(row["cpu"]) + statistics.fmean(row["db_cpu"]))
            print(
                f"{page.label:46} {size:>9,} {len(times):>4} {statistics.median(times):7.1f} {p95[-1]:7.1f} "
                f"{max(times):7.1f} {statistics.median(row['cpu']):6.1f} {statistics.fmean(row['db_cpu']):6.1f} "
                f"{statistics.median(row['sql']):6.1f} {'/'.join(map(str, row['queries'])):>7} "
                f"{row['bytes'] / 1024:6.0f}"
            )
        ratio = p95[1] / p95[0]
        constant = len(rows[0]["queries"]) == 1 and rows[0]["queries"] == rows[1]["queries"]
        passed = ratio <= TARGET_RATIO and constant
        if page.target:
            ok = ok and passed
        verdicts.append(
            f"{page.label}: p95 {large:,} / {small:,} = {ratio:.2f}× (target ≤ {TARGET_RATIO}×; "
            f"CPU {cpu[1] / cpu[0]:.2f}×), queries {'/'.join(map(str, rows[0]['queries']))} → "
            f"{'/'.join(map(str, rows[1]['queries']))} "
            + ("PASS" if passed else "FAIL")
            + ("" if page.target else " (information only)")
        )
    print("\n" + "\n".join(verdicts))
    return 1 if strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
