"""Benchmark: the staff queue, the public wall and the voice lists with 1,000,000 voices against 10,000.

    .venv/bin/python -m bench.voice_pages --database-url postgres://…/any [--small 10000] [--large 1000000]
        [--compounds 200] [--requests 250] [--rounds 2] [--reuse] [--keep] [--explain] [--strict]

Target (issue 3): with 1,000,000 voices over 200 compounds, the p95 server time of the staff queue, the
public wall and Open311's GET requests.json is at most 1.5× that of the same pages with 10,000 voices, with
the same number of SQL queries (``gongzhi/voices/tests/test_query_counts.py`` asserts the count does not grow).

1. On the PostgreSQL server of ``--database-url`` (throw-away: e.g. ``scripts/pg.sh start``), makes a
   migrated template database, then one database per size (``bench_voices_10000``, ``bench_voices_1000000``)
   filled by ``bench.voice_data``: same estate, same seed and the same probe (the first compound's recent
   voices, identical in both; see that module), only the background differs. ``--reuse`` keeps databases a
   previous ``--keep`` run left (migrating them and running ``ANALYZE``); without ``--keep`` they are dropped.
2. Measures, in a fresh process per dataset and round (the datasets alternate, so that load from elsewhere
   hits both alike), each page in ``PAGES`` for the probe's users and for the natural scope's, through Django's
   test client with ``config.settings.bench`` (DEBUG off): the whole request (session, authentication, scope,
   queries, template), ``--warmup`` requests first, then ``--requests`` timed ones; per request its wall time,
   the process's CPU time and the time in database calls; the PostgreSQL backend's CPU time (from /proc); the
   SQL queries of one request, and the voices the page shows.
3. Prints p50 / p95 / max, CPU, PostgreSQL CPU, SQL time, queries and rows per page and dataset, whether the
   page shows the same texts in both, and the ratio of the p95s (and of the CPU). The verdict is the probe's:
   its pages show the same voices in both datasets, so the ratio is what the table's size does to the page.
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
TEMPLATE_DB = "bench_voices_template"


@dataclass(frozen=True)
class Page:
    label: str
    user: str | None  # a key of the scope's users in the dataset (None: anonymous)
    url: str  # ``{compound}`` is the scope's compound code
    target: bool  # one of the pages (the others are shown for information)


PAGES = [
    Page("queue · community staff (5 compounds)", "community_staff", "/voices/queue/", True),
    Page("queue · property manager (10 compounds)", "property_manager", "/voices/queue/", True),
    Page("queue · sub-district supervisor (50 compounds)", "sub_district_supervisor", "/voices/queue/", True),
    Page("public wall · resident", "resident", "/voices/wall/{compound}/", True),
    Page("Open311 GET requests.json", None, "/open311/v2/requests.json?jurisdiction_id={compound}", True),
    Page("API GET /api/voices/ · community staff", "community_staff", "/api/voices/", False),
]
# The probe scope decides the verdict; the natural scope is reported beside it (see bench/voice_data.py).
SCOPES = ("probe", "natural")
_DETAIL_LINK = re.compile(rb'href="/voices/\d+/"')
_HTML_TEXT = re.compile(rb'class="voice-text">([^<]*)<')


def _shown(response: Any) -> tuple[int, str]:
    """The number of voices the page shows, and a digest of their texts in order (the same page in both
    datasets shows the same texts; ids and deadline countdowns differ)."""
    import hashlib

    if response["Content-Type"].startswith("application/json"):
        data = json.loads(response.content)
        items = data["items"] if isinstance(data, dict) and "items" in data else data
        texts = [str(i.get("text", i.get("description", ""))).encode() for i in items]
    else:
        texts = _HTML_TEXT.findall(response.content)
        if not texts:
            texts = [b""] * len(_DETAIL_LINK.findall(response.content))
    return len(texts), hashlib.sha256(b"\x00".join(texts)).hexdigest()[:8]


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process (clock ticks), from /proc: PostgreSQL's backend for this connection."""
    from pathlib import Path

    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


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

    results: dict[str, Any] = {
        "voices": dataset["voices"],
        "postgresql": version,
        "probe": dataset.get("probe", {}),
        "pages": {},
    }
    for scope in SCOPES:
        users = dataset["users"].get(scope)
        if not users:
            continue
        for page in PAGES:
            key = f"{scope}: {page.label}"
            url = page.url.format(compound=users["compound"])
            try:
                resolve(url.split("?")[0])
            except Resolver404:
                results["pages"][key] = {"missing": url}
                continue
            client = Client(raise_request_exception=False)
            if page.user is not None:
                client.force_login(
                    User.objects.get(pk=users[page.user]), backend="gongzhi.accounts.backends.PhoneBackend"
                )
            response = client.get(url)
            if response.status_code != 200:  # reported, not measured
                results["pages"][key] = {"failed": f"{url} answers {response.status_code}"}
                continue
            for _ in range(warmup):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code, response.content[:500])
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            captured = list(ctx.captured_queries)  # now: the next request empties the connection's query log
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
            db_cpu = (_cpu_ticks(backend) - db_before) / tick / requests * 1000
            rows, digest = _shown(response)
            result: dict[str, Any] = {
                "url": url,
                "times": times,
                "cpu": cpu,
                "sql": sql,
                "db_cpu": [db_cpu],
                "queries": len(captured),
                "rows": rows,
                "digest": digest,
            }
            if explain:
                result["explain"] = _explain(connection, captured)
            results["pages"][key] = result
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
        if found and found["voices"] == size and found["compounds"] == args.compounds and "probe" in found:
            # Migrations added since (indexes) are applied, and the statistics refreshed, as a deployment would.
            run_child("django", ["migrate", "--skip-checks", "-v0"], child_env(url), json_line=False)
            admin_execute(url, "ANALYZE")
            print(f"reusing {name}: {found['counts']}, {found.get('database_size')}", flush=True)
            return {"url": url, "name": name, **found}
    if not database_exists(server, TEMPLATE_DB):
        admin_execute(server, f'CREATE DATABASE "{TEMPLATE_DB}"')
    # A template a previous --keep run left gets the migrations added since.
    run_child(
        "django", ["migrate", "--skip-checks", "-v0"], child_env(with_database(server, TEMPLATE_DB)), json_line=False
    )
    admin_execute(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    t0 = time.perf_counter()
    generated = run_child(
        "bench.voice_data",
        [
            *("--voices", str(size), "--compounds", str(args.compounds)),
            *("--residents", str(args.residents), "--probe", str(args.probe)),
        ],
        child_env(url),
    )
    print(generated_line(name, time.perf_counter() - t0, generated), flush=True)
    return {"url": url, "name": name, **generated}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_args(parser, small=10_000, large=1_000_000, requests=250, warmup=20)
    parser.add_argument("--compounds", type=int, default=200)
    parser.add_argument("--residents", type=int, default=60, help="residents per compound")
    parser.add_argument("--probe", type=int, default=250, help="voices of the probe compound (bench/voice_data.py)")
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
    probes: dict[int, dict[str, Any]] = {}
    try:
        for r in range(args.rounds):
            for size in sizes:
                flags = ["--child", "--requests", str(args.requests), "--warmup", str(args.warmup)]
                if args.explain and size == args.large and r == 0:
                    flags.append("--explain")
                result = run_child("bench.voice_pages", flags, child_env(datasets[size]["url"]))
                version = result["postgresql"]
                probes[size] = result["probe"]
                for label, page in result["pages"].items():
                    into = merged[size].setdefault(label, {**page, "times": [], "cpu": [], "sql": [], "db_cpu": []})
                    for series in ("times", "cpu", "sql", "db_cpu"):
                        into[series] = into[series] + page.get(series, [])
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
    return report(merged, sizes, version, probes, strict=args.strict)


def report(
    merged: dict[int, dict[str, Any]],
    sizes: list[int],
    version: str,
    probes: dict[int, dict[str, Any]],
    *,
    strict: bool,
) -> int:
    small, large = sizes
    same_probe = probes.get(small, {}).get("fingerprint") == probes.get(large, {}).get("fingerprint") is not None
    print(f"\nPostgreSQL {version}; server time per request (ms), Django test client, DEBUG off")
    print(
        "probe: "
        + "; ".join(
            f"{size:,} voices: {p.get('voices')} voices of {p.get('days')} days, {p.get('open')} open, "
            f"{p.get('public_shown')} public, fingerprint {p.get('fingerprint')}"
            for size, p in probes.items()
        )
        + (" (the same in both datasets)" if same_probe else " (DIFFERENT: not the same probe)")
    )
    print(
        "CPU: the Django process's CPU time per request (median); PG CPU: the PostgreSQL backend's CPU time per "
        "request (mean);\nSQL: time in the database calls per request (median); rows: voices shown; same: the page "
        "shows the same texts in both datasets"
    )
    print(
        f"{'page':56} {'voices':>9} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7} {'CPU':>6} {'PG CPU':>6} "
        f"{'SQL':>6} {'queries':>7} {'rows':>5} {'same':>4}"
    )
    ok = True
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
                print(f"{key:56} (not measured: {why})")
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
                    f"{key:56} {size:>9,} {len(times):>4} {statistics.median(times):7.1f} {p95[-1]:7.1f} "
                    f"{max(times):7.1f} {statistics.median(row['cpu']):6.1f} {statistics.fmean(row['db_cpu']):6.1f} "
                    f"{statistics.median(row['sql']):6.1f} {row['queries']:>7} {row['rows']:>5} "
                    f"{'yes' if same else 'no':>4}"
                )
            ratio = p95[1] / p95[0]
            same_queries = rows[0]["queries"] == rows[1]["queries"]
            passed = ratio <= TARGET_RATIO and same_queries
            if target:
                ok = ok and passed
            verdicts.append(
                f"{key}: p95 {large:,} / {small:,} = {ratio:.2f}× (target ≤ {TARGET_RATIO}×; "
                f"CPU {cpu[1] / cpu[0]:.2f}×), "
                f"queries {rows[0]['queries']} → {rows[1]['queries']}, rows {rows[0]['rows']} → {rows[1]['rows']} "
                + ("PASS" if passed else "FAIL")
                + ("" if target else " (information only)")
            )
    print("\n" + "\n".join(verdicts))
    if not same_probe:
        ok = False
    return 1 if strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
