"""Benchmark: the staff queue, the public wall and the voice lists with 1,000,000 voices against 10,000.

    .venv/bin/python -m bench.voice_pages --database-url postgres://…/any [--small 10000] [--large 1000000]
        [--compounds 200] [--requests 250] [--rounds 2] [--reuse] [--keep] [--explain] [--strict]

Target (issue 3): with 1,000,000 voices over 200 compounds, the p95 server time of the staff queue, the
public wall and Open311's GET requests.json is at most 1.5× that of the same pages with 10,000 voices, with
the same number of SQL queries (``gongzhi/voices/tests/test_query_counts.py`` asserts the count does not grow).

1. On the PostgreSQL server of ``--database-url`` (throw-away: e.g. ``scripts/pg.sh start``), makes a
   migrated template database, then one database per size (``bench_voices_10000``, ``bench_voices_1000000``)
   filled by ``bench.voice_data`` (same estate, same seed; only the number of voices differs). ``--reuse``
   keeps databases a previous ``--keep`` run left; without ``--keep`` they are dropped at the end.
2. Measures, in a fresh process per dataset and round (the datasets alternate, so that load from elsewhere
   hits both alike), each page in ``PAGES`` through Django's test client with ``config.settings.bench``
   (DEBUG off): the whole request (session, authentication, scope, queries, template), ``--warmup``
   requests first, then ``--requests`` timed ones, and the SQL queries of one request.
3. Prints p50 / p95 / max per page and dataset, the ratio of the p95s, the queries and the rows shown.
   ``--explain`` adds ``EXPLAIN (ANALYZE, BUFFERS)`` of each page's slowest queries on the large dataset.

Server time here is Django's time for the request in-process, without HTTP and gunicorn (the same for both
datasets). Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from .common import (
    admin_execute,
    child_env,
    database_exists,
    machine,
    percentile,
    require_postgresql,
    run_child,
    with_database,
)

TARGET_RATIO = 1.5
TEMPLATE_DB = "bench_voices_template"


@dataclass(frozen=True)
class Page:
    label: str
    user: str | None  # a key of the dataset's ``users`` (None: anonymous)
    url: str  # ``{compound}`` is the first compound's code
    target: bool  # one of the pages (the others are shown for information)


PAGES = [
    Page("queue · community staff (5 compounds)", "community_staff", "/voices/queue/", True),
    Page("queue · property manager (10 compounds)", "property_manager", "/voices/queue/", True),
    Page("queue · sub-district supervisor (50 compounds)", "sub_district_supervisor", "/voices/queue/", True),
    Page("public wall · resident", "resident", "/voices/wall/{compound}/", True),
    Page("Open311 GET requests.json", None, "/open311/v2/requests.json?jurisdiction_id={compound}", True),
    Page("API GET /api/voices/ · community staff", "community_staff", "/api/voices/", False),
]
_DETAIL_LINK = re.compile(rb'href="/voices/\d+/"')


def _rows_shown(response: Any) -> int:
    if response["Content-Type"].startswith("application/json"):
        data = json.loads(response.content)
        return len(data["items"] if isinstance(data, dict) and "items" in data else data)
    if "xml" in response["Content-Type"]:
        return response.content.count(b"<request>")
    return len(_DETAIL_LINK.findall(response.content))


def child_measure(requests: int, warmup: int, explain: bool) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    from gongzhi.accounts.models import User

    from .voice_data import described

    dataset = described(os.environ["DATABASE_URL"])
    assert dataset is not None, "no bench_dataset in this database"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    results: dict[str, Any] = {"voices": dataset["voices"], "postgresql": version, "pages": {}}
    for page in PAGES:
        url = page.url.format(compound=dataset["compound"])
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            results["pages"][page.label] = {"missing": url}
            continue
        client = Client(raise_request_exception=False)
        if page.user is not None:
            client.force_login(
                User.objects.get(pk=dataset["users"][page.user]), backend="gongzhi.accounts.backends.PhoneBackend"
            )
        response = client.get(url)
        if response.status_code != 200:  # reported, not measured
            results["pages"][page.label] = {"failed": f"{url} answers {response.status_code}"}
            continue
        for _ in range(warmup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:500])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        captured = list(ctx.captured_queries)  # now: the next request empties the connection's query log
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        result: dict[str, Any] = {
            "url": url,
            "times": times,
            "queries": len(captured),
            "db_ms": sum(float(q["time"]) for q in captured) * 1000,
            "rows": _rows_shown(response),
        }
        if explain:
            result["explain"] = _explain(connection, captured)
        results["pages"][page.label] = result
    return results


def _explain(connection: Any, captured: list[dict[str, Any]], top: int = 3) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest SELECTs of one request."""
    slowest = sorted(
        (q for q in captured if q["sql"].lstrip().upper().startswith("SELECT")),
        key=lambda q: -float(q["time"]),
    )[:top]
    plans = []
    with connection.cursor() as cursor:
        for q in slowest:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            sql = q["sql"] if len(q["sql"]) < 600 else q["sql"][:300] + " … " + q["sql"][-300:]
            plans.append(f"-- {q['time']} s: {sql}\n" + "\n".join(r[0] for r in cursor.fetchall()))
    return plans


def _prepare(server: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """The database of ``size`` voices: reused when asked and present, else generated now."""
    from .voice_data import described

    name = f"bench_voices_{size}"
    url = with_database(server, name)
    if args.reuse and database_exists(server, name):
        found = described(url)
        if found and found["voices"] == size and found["compounds"] == args.compounds:
            print(f"reusing {name}: {found['counts']}, {found.get('database_size')}", flush=True)
            return {"url": url, "name": name, **found}
    if not database_exists(server, TEMPLATE_DB):
        admin_execute(server, f'CREATE DATABASE "{TEMPLATE_DB}"')
        run_child(
            "django",
            ["migrate", "--skip-checks", "-v0"],
            child_env(with_database(server, TEMPLATE_DB)),
            json_line=False,
        )
    admin_execute(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    t0 = time.perf_counter()
    generated = run_child(
        "bench.voice_data",
        ["--voices", str(size), "--compounds", str(args.compounds), "--residents", str(args.residents)],
        child_env(url),
    )
    seconds = time.perf_counter() - t0
    print(
        f"generated {name} in {seconds:.0f} s (estate {generated['seconds']['estate']:.0f} s, voices "
        f"{generated['seconds']['voices']:.0f} s, VACUUM ANALYZE {generated['seconds']['vacuum_analyze']:.0f} s): "
        f"{generated['counts']}, {generated['database_size']}",
        flush=True,
    )
    return {"url": url, "name": name, **generated}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", ""), help="a throw-away PostgreSQL server"
    )
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--compounds", type=int, default=200)
    parser.add_argument("--residents", type=int, default=60, help="residents per compound")
    parser.add_argument("--requests", type=int, default=250, help="timed requests per page, dataset and round")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="reuse the databases a --keep run left")
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries (large)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
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
                result = run_child("bench.voice_pages", flags, child_env(datasets[size]["url"]))
                version = result["postgresql"]
                for label, page in result["pages"].items():
                    into = merged[size].setdefault(label, {**page, "times": []})
                    into["times"] = into["times"] + page.get("times", [])
                    explain += [f"== {label}\n{p}" for p in page.get("explain", [])]
                print(f"round {r + 1}: {size:,} voices measured", flush=True)
    finally:
        if not args.keep:
            admin_execute(
                args.database_url,
                *(f'DROP DATABASE IF EXISTS "{d["name"]}"' for d in datasets.values()),
                f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"',
            )
    if explain:
        print("\n\n".join(explain))
    return report(merged, sizes, version, strict=args.strict)


def report(merged: dict[int, dict[str, Any]], sizes: list[int], version: str, *, strict: bool) -> int:
    small, large = sizes
    print(f"\nPostgreSQL {version}; server time per request (ms), Django test client, DEBUG off")
    print(
        f"{'page':47} {'voices':>9} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7} {'queries':>7} {'SQL ms':>6} {'rows':>5}"
    )
    ok = True
    verdicts = []
    for page in PAGES:
        rows = [merged[size].get(page.label, {}) for size in sizes]
        if any("missing" in row or "failed" in row or not row for row in rows):
            why = next(
                (f"{r['missing']} does not resolve" if "missing" in r else r["failed"])
                for r in rows
                if "missing" in r or "failed" in r
            )
            print(f"{page.label:47} (not measured: {why})")
            verdicts.append(f"{page.label}: NOT MEASURED ({why})")
            ok = ok and not page.target
            continue
        p95 = []
        for size, row in zip(sizes, rows, strict=True):
            times = row["times"]
            p95.append(percentile(times, 95))
            print(
                f"{page.label:47} {size:>9,} {len(times):>4} {statistics.median(times):7.1f} {p95[-1]:7.1f} "
                f"{max(times):7.1f} {row['queries']:>7} {row['db_ms']:6.1f} {row['rows']:>5}"
            )
        ratio = p95[1] / p95[0]
        same_queries = rows[0]["queries"] == rows[1]["queries"]
        passed = ratio <= TARGET_RATIO and same_queries
        if page.target:
            ok = ok and passed
        verdicts.append(
            f"{page.label}: p95 {large:,} / {small:,} = {ratio:.2f}× (target ≤ {TARGET_RATIO}×), queries "
            f"{rows[0]['queries']} → {rows[1]['queries']} "
            + ("PASS" if passed else "FAIL")
            + ("" if page.target else " (information only)")
        )
    print("\n" + "\n".join(verdicts))
    return 1 if strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
