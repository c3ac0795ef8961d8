"""Benchmark: the duty pages with a school year of data for 200 compounds, against the same pages with 10
(issue 6: constant SQL queries per page, recorded server times).

    .venv/bin/python -m bench.duty_pages [--small 10] [--large 200] [--requests 50] [--database-url postgres://…]

For SQLite and (with ``--database-url`` of a throw-away server) PostgreSQL: two databases, ``--small`` and
``--large`` compounds from ``bench.duty_data`` with the whole current school year's roster (shifts made by
``rosters_generate``; officer, property staff and most volunteers on every shift; check-ins on past shifts:
about 76,000 shifts and 210,000 assignments for 200 compounds). The probe — compound 1, its post, its
community's secretary and its officer — is identical in both, so each page shows the same content; only the
tables (and the other compounds) grow. In a fresh process per dataset, through Django's test client with
``config.settings.bench`` (DEBUG off), each page is requested ``--requests`` times after a warm-up; printed: the
SQL queries of one request, p50 / p95 server time (ms), and the large ÷ small p95 ratio. Never run by the test
suite.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from typing import Any

from bench.common import child_env, machine, percentile, run_child

PAGES = ["roster", "coverage", "mine", "register", "honour", "index"]


def _django() -> None:
    import django

    django.setup()


def child_setup(compounds: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from bench.duty_data import analyze, build, school_year, staff_roster
    from gongzhi.accounts.models import User
    from gongzhi.duty.models import DutyPost, Shift
    from gongzhi.duty.services import rosters_generate

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    estate = build(compounds=compounds)
    actor = User.objects.create(phone="13599999999", phone_hash="bench-superuser", name="管理员", is_superuser=True)
    first, last = school_year()
    rosters_generate(
        actor=actor, posts=list(DutyPost.objects.select_related("compound")), first_day=first, last_day=last
    )
    assignments = staff_roster(estate)
    analyze()
    return {
        "compounds": compounds,
        "shifts": Shift.objects.count(),
        "assignments": assignments,
        "seconds": time.perf_counter() - start,
        "probe": {
            "post": estate.post_ids[0],
            "secretary": estate.secretary_id,
            "officer": estate.officer_id,
            "compound": estate.compound_id,
        },
    }


def _week_and_month() -> tuple[str, str]:
    import datetime

    from bench.duty_data import school_year

    today = datetime.date.today()
    first, last = school_year()
    day = today if first <= today <= last else datetime.date(first.year, 11, 10)
    monday = day - datetime.timedelta(days=day.weekday())
    return monday.isoformat(), f"{day:%Y-%m}"


def child_measure(probe: dict[str, int], requests: int) -> dict[str, Any]:
    _django()
    from django.db import connection
    from django.test import Client

    from gongzhi.accounts.models import User

    week, month = _week_and_month()
    secretary = User.objects.get(pk=probe["secretary"])
    officer = User.objects.get(pk=probe["officer"])
    urls = {
        "roster": (secretary, f"/duty/posts/{probe['post']}/?week={week}"),
        "coverage": (secretary, f"/duty/posts/{probe['post']}/coverage/?month={month}"),
        "mine": (officer, "/duty/mine/"),
        "register": (secretary, f"/duty/compounds/{probe['compound']}/volunteers/"),
        "honour": (secretary, f"/duty/compounds/{probe['compound']}/honour/"),
        "index": (secretary, "/duty/"),
    }
    out: dict[str, Any] = {}
    for page in PAGES:
        user, url = urls[page]
        client = Client()
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneBackend")
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        count = [0]

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any, count: list[int] = count) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = client.get(url)
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        out[page] = {
            "queries": count[0],
            "p50": round(percentile(times, 50), 1),
            "p95": round(percentile(times, 95), 1),
            "bytes": len(response.content),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--child", choices=["setup", "measure"])
    parser.add_argument("--compounds", type=int, default=0)
    parser.add_argument("--probe", default="{}")
    args = parser.parse_args(argv)
    if args.child == "setup":
        print(json.dumps(child_setup(args.compounds)))
        return
    if args.child == "measure":
        print(json.dumps(child_measure(json.loads(args.probe), args.requests)))
        return
    from bench.duty_data import database_url

    print(f"== machine: {machine()}")
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        kinds = ["sqlite"] + (["postgresql"] if args.database_url else [])
        for kind in kinds:
            results = {}
            for size in (args.small, args.large):
                name = f"bench_duty_pages_{size}"
                url = database_url(kind, args.database_url, name, folder)
                env = child_env(url)
                setup = run_child("bench.duty_pages", ["--child", "setup", "--compounds", str(size)], env)
                print(json.dumps({"database": kind, **{k: v for k, v in setup.items() if k != "probe"}}))
                measured = run_child(
                    "bench.duty_pages",
                    ["--child", "measure", "--probe", json.dumps(setup["probe"]), "--requests", str(args.requests)],
                    env,
                )
                results[size] = (setup, measured)
                if kind == "postgresql":
                    from bench.fees_data import database_drop

                    database_drop(args.database_url, name)
            small, large = results[args.small][1], results[args.large][1]
            for page in PAGES:
                s, big = small[page], large[page]
                lines.append(
                    f"| {kind} | {page} | {s['queries']} / {big['queries']} | {s['p50']} / {s['p95']} | "
                    f"{big['p50']} / {big['p95']} | {big['p95'] / s['p95']:.2f} |"
                )
    print(
        f"| database | page | queries ({args.small} / {args.large} compounds) | ms p50 / p95, {args.small} "
        f"| ms p50 / p95, {args.large} | p95 ratio |"
    )
    print("|---|---|---|---|---|---|")
    print("\n".join(lines))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
