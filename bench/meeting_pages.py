"""Benchmark: the meeting list and a compound's public 整改清单 with 50,000 action items against 500.

    .venv/bin/python -m bench.meeting_pages --database-url postgres://…/any [--small 500] [--large 50000]
        [--compounds 200] [--requests 200] [--rounds 2] [--reuse] [--keep] [--explain] [--strict]

Target (issue 4): the public 整改清单 and the meeting list with 50,000 action items over 200 compounds: p95 server
time ≤ 1.5 × the same pages with 500 items, in a constant number of SQL queries (asserted by
``gongzhi/meetings/tests/test_query_counts.py``).

Makes ``bench_meetings_500`` and ``bench_meetings_50000`` on the given (throw-away) PostgreSQL server from a
migrated template (``bench.meeting_data``: same estate, seed and probe, only the background differs), then,
alternating the datasets in fresh processes, requests every page of ``PAGES`` for each scope (probe, natural)
through Django's test client with ``config.settings.bench`` (DEBUG off): warm-up, then ``--requests`` timed
requests per round. Prints per page and dataset p50 / p95 / max (ms), the Django process's CPU time per request
(median), the PostgreSQL backend's CPU time per request (mean, from /proc), the time in database calls (median),
the queries of one request and the rows the page shows (meetings or items, by their titles: "same" says the
page shows the same ones in both datasets); then the p95 ratio per page. The verdict is the probe's (its pages
show the same rows in both datasets, see ``bench/meeting_data.py``); the natural scope is information.
``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each page's three slowest queries on the large dataset.
``--keep`` keeps the databases and ``--reuse`` measures them again (with the migrations added since and a fresh
``ANALYZE``). Never run by the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
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
from .voice_pages import _cpu_ticks, _explain

TARGET_RATIO = 1.5
TEMPLATE_DB = "bench_meetings_template"


@dataclass(frozen=True)
class Page:
    label: str
    user: str  # a key of the scope's users in the dataset
    url: str  # ``{compound}``: the scope's compound code; ``{meeting}``: its newest closed meeting
    target: bool  # one of the pages (the others are shown for information)


PAGES = [
    Page("meeting list · community staff (5 compounds)", "community_staff", "/meetings/", True),
    Page("meeting list · property manager (10 compounds)", "property_manager", "/meetings/", True),
    Page("meeting list · sub-district supervisor (50)", "sub_district_supervisor", "/meetings/", True),
    Page("public 整改清单 · resident", "resident", "/meetings/actions/public/{compound}/", True),
    Page("public 整改清单 · community staff", "community_staff", "/meetings/actions/public/{compound}/", True),
    Page("meeting page · community staff", "community_staff", "/meetings/{meeting}/", False),
    Page("staff action list · community staff", "community_staff", "/meetings/actions/", False),
]
SCOPES = ("probe", "natural")
# What a page shows: the titles of the meetings and action items it links to, in order.
_ROW = re.compile(rb'<a href="/meetings/(?:actions/)?\d+/"[^>]*>([^<]*)</a>')


def _shown(content: bytes) -> tuple[int, str]:
    titles = _ROW.findall(content)
    return len(titles), hashlib.sha256(b"\x00".join(titles)).hexdigest()[:8]


def _described(url: str) -> dict[str, Any] | None:
    from .voice_data import described

    return described(url)


def child_measure(requests: int, warmup: int, explain: bool) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    from gongzhi.accounts.models import User

    dataset = _described(os.environ["DATABASE_URL"])
    assert dataset is not None, "no bench_dataset in this database"
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

    results: dict[str, Any] = {"items": dataset["items"], "postgresql": version, "probe": dataset["probe"], "pages": {}}
    for scope in SCOPES:
        users = dataset["users"].get(scope)
        if not users:
            continue
        for page in PAGES:
            key = f"{scope}: {page.label}"
            url = page.url.format(compound=users["compound"], meeting=users.get("meeting", 0))
            try:
                resolve(url.split("?")[0])
            except Resolver404:
                results["pages"][key] = {"missing": url}
                continue
            client = Client(raise_request_exception=False)
            client.force_login(User.objects.get(pk=users[page.user]), backend="gongzhi.accounts.backends.PhoneBackend")
            response = client.get(url)
            if response.status_code != 200:  # reported, not measured
                results["pages"][key] = {"failed": f"{url} answers {response.status_code}"}
                continue
            for _ in range(warmup):
                response = client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            captured = list(ctx.captured_queries)
            times, cpu, sql = [], [], []
            db_before = _cpu_ticks(backend)
            with connection.execute_wrapper(timed):
                for _ in range(requests):
                    sql_seconds[0] = 0.0
                    t0, c0 = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    cpu.append((time.process_time() - c0) * 1000)
                    times.append((time.perf_counter() - t0) * 1000)
                    sql.append(sql_seconds[0] * 1000)
                    assert response.status_code == 200, (url, response.status_code)
            rows, digest = _shown(response.content)
            result: dict[str, Any] = {
                "url": url,
                "times": times,
                "cpu": cpu,
                "sql": sql,
                "db_cpu": [(_cpu_ticks(backend) - db_before) / tick / requests * 1000],
                "queries": len(captured),
                "rows": rows,
                "digest": digest,
            }
            if explain:
                result["explain"] = _explain(connection, captured)
            results["pages"][key] = result
    return results


def _prepare(server: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """The database of ``size`` action items: reused when asked and present, else generated now."""
    name = f"bench_meetings_{size}"
    url = with_database(server, name)
    if args.reuse and database_exists(server, name):
        found = _described(url)
        if found and found["items"] == size and found["compounds"] == args.compounds:
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
    generated = run_child(
        "bench.meeting_data",
        ["--items", str(size), "--compounds", str(args.compounds), "--residents", str(args.residents)],
        child_env(url),
    )
    print(generated_line(name, time.perf_counter() - t0, generated), flush=True)
    return {"url": url, "name": name, **generated}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_args(parser, small=500, large=50_000, requests=200, warmup=20)
    parser.add_argument("--compounds", type=int, default=200)
    parser.add_argument("--residents", type=int, default=30, help="residents per compound")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_measure(args.requests, args.warmup, args.explain)))
        return 0

    require_postgresql(args.database_url)
    print(f"machine: {machine()}", flush=True)
    sizes = [args.small, args.large]
    datasets = {size: _prepare(args.database_url, size, args) for size in sizes}
    merged: dict[int, dict[str, Any]] = {size: {} for size in sizes}
    explain: list[str] = []
    version = ""
    try:
        for r in range(args.rounds):
            for size in sizes:
                flags = ["--child", "--requests", str(args.requests), "--warmup", str(args.warmup)]
                if args.explain and size == args.large and r == 0:
                    flags.append("--explain")
                result = run_child("bench.meeting_pages", flags, child_env(datasets[size]["url"]))
                version = result["postgresql"]
                for label, page in result["pages"].items():
                    into = merged[size].setdefault(label, {**page, "times": [], "cpu": [], "sql": [], "db_cpu": []})
                    for series in ("times", "cpu", "sql", "db_cpu"):
                        into[series] = into[series] + page.get(series, [])
                    explain += [f"== {label}\n{p}" for p in page.get("explain", [])]
                print(f"round {r + 1}: {size:,} action items measured", flush=True)
    finally:
        if not args.keep:
            admin_execute(
                args.database_url,
                *(f'DROP DATABASE IF EXISTS "{d["name"]}"' for d in datasets.values()),
                f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"',
            )
    if explain:
        print("\n\n".join(explain))
    probes = {size: datasets[size]["probe"] for size in sizes}
    return report(merged, sizes, version, probes, datasets, strict=args.strict)


def report(
    merged: dict[int, dict[str, Any]],
    sizes: list[int],
    version: str,
    probes: dict[int, dict[str, Any]],
    datasets: dict[int, dict[str, Any]],
    *,
    strict: bool,
) -> int:
    small, large = sizes
    same_probe = probes[small].get("fingerprint") == probes[large].get("fingerprint")
    print(f"\nPostgreSQL {version}; server time per request (ms), Django test client, DEBUG off")
    for size in sizes:
        counts = datasets[size]["counts"]
        print(
            f"{size:,} action items: {counts.get('meetings', 0):,} meetings, {counts.get('sub_items', 0):,} of the "
            f"items sub-items, {counts.get('updates', 0):,} updates, {counts.get('photos', 0):,} photo rows, "
            f"{counts.get('voice_links', 0):,} voice links, {counts.get('ratings', 0):,} ratings, "
            f"{counts.get('voices', 0):,} voices; {datasets[size].get('database_size')}"
        )
    print(
        "probe: "
        + "; ".join(
            f"{size:,}: {p['meetings']} meetings, {p['action_items']} action items, {p['open_public_top_level']} open "
            f"public top-level, fingerprint {p['fingerprint']}"
            for size, p in probes.items()
        )
        + (" (the same in both datasets)" if same_probe else " (DIFFERENT: not the same probe)")
    )
    print(
        "CPU: the Django process's CPU time per request (median); PG CPU: the PostgreSQL backend's CPU time per "
        "request (mean);\nSQL: time in the database calls per request (median); rows: meetings or items shown; "
        "same: the page shows the same titles in both datasets"
    )
    print(
        f"{'page':58} {'items':>7} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7} {'CPU':>6} {'PG CPU':>6} "
        f"{'SQL':>6} {'queries':>7} {'rows':>5} {'same':>4}"
    )
    ok = same_probe
    verdicts = []
    for scope in SCOPES:
        for page in PAGES:
            key = f"{scope}: {page.label}"
            target = page.target and scope == "probe"
            rows = [merged[size].get(key, {}) for size in sizes]
            if not any(rows):
                continue
            if any("missing" in row or "failed" in row or not row for row in rows):
                why = next(
                    (f"{r['missing']} does not resolve" if "missing" in r else r["failed"])
                    for r in rows
                    if "missing" in r or "failed" in r
                )
                print(f"{key:58} (not measured: {why})")
                verdicts.append(f"{key}: NOT MEASURED ({why})")
                ok = ok and not target
                continue
            p95, cpu = [], []
            same = rows[0]["digest"] == rows[1]["digest"]
            for size, row in zip(sizes, rows, strict=True):
                times = row["times"]
                p95.append(percentile(times, 95))
                cpu.append(statistics.median(row["cpu"]) + statistics.fmean(row["db_cpu"]))
                print(
                    f"{key:58} {size:>7,} {len(times):>4} {statistics.median(times):7.1f} {p95[-1]:7.1f} "
                    f"{max(times):7.1f} {statistics.median(row['cpu']):6.1f} {statistics.fmean(row['db_cpu']):6.1f} "
                    f"{statistics.median(row['sql']):6.1f} {row['queries']:>7} {row['rows']:>5} "
                    f"{'yes' if same else 'no':>4}"
                )
            ratio = p95[1] / p95[0]
            same_queries = rows[0]["queries"] == rows[1]["queries"]
            passed = ratio <= TARGET_RATIO and same_queries
            if target:
                ok = ok and passed and same
            verdicts.append(
                f"{key}: p95 {large:,} / {small:,} = {ratio:.2f}× (target ≤ {TARGET_RATIO}×; "
                f"CPU {cpu[1] / cpu[0]:.2f}×), queries {rows[0]['queries']} → {rows[1]['queries']}, "
                f"rows {rows[0]['rows']} → {rows[1]['rows']}{'' if same else ' (not the same rows)'} "
                + ("PASS" if passed else "FAIL")
                + ("" if target else " (information only)")
            )
    print("\n" + "\n".join(verdicts))
    return 1 if strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
