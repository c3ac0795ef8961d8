"""Benchmark: generating a school year's roster for 200 duty posts (issue 6).

    .venv/bin/python -m bench.duty_roster [--posts 200] [--repeat 3] [--database-url postgres://…/any]

For SQLite (a file in a temporary folder) and, with ``--database-url`` of a throw-away PostgreSQL server, for
PostgreSQL (database ``bench_duty_roster``): in a fresh process, migrate and build the estate of
``bench.duty_data`` (``--posts`` compounds with one school-safety post each, the school year's calendar per
community); then ``--repeat`` times, in fresh processes, delete the shifts (untimed) and time
``rosters_generate(actor=superuser, posts=all, first_day=1 Sep, last_day=9 Jul)`` — what the "generate for a
term / school year" button runs, for every post at once: 3 queries to read patterns, calendars and existing
shifts, the shifts computed in Python, written with ``bulk_create`` in batches of 2,000, one audit event per
post. Then once more on the full roster (nothing to add: the idempotent path). Prints the median wall and CPU
time, the shifts made and the rate. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from typing import Any

from bench.common import child_env, machine, run_child


def _django() -> None:
    import django

    django.setup()


def child_setup(posts: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from bench.duty_data import analyze, build

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    estate = build(compounds=posts)
    analyze()
    return {"posts": len(estate.post_ids), "seconds": time.perf_counter() - start}


def child_generate(clear: bool) -> dict[str, Any]:
    _django()
    from bench.duty_data import analyze, school_year
    from gongzhi.accounts.models import User
    from gongzhi.duty.models import DutyPost, Shift
    from gongzhi.duty.services import rosters_generate

    if clear:
        Shift.objects.all().delete()
        analyze()
    actor = User.objects.filter(is_superuser=True).first() or User.objects.create(
        phone="13599999999", phone_hash="bench-superuser", name="基准管理员", is_superuser=True
    )
    posts = list(DutyPost.objects.select_related("compound").order_by("pk"))
    first, last = school_year()
    start, cpu = time.perf_counter(), time.process_time()
    counts = rosters_generate(actor=actor, posts=posts, first_day=first, last_day=last)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, **counts, "shifts": Shift.objects.count()}


def run(kind: str, url: str, posts: int, repeat: int) -> dict[str, Any]:
    env = child_env(url, DJANGO_SETTINGS_MODULE="config.settings.bench")
    setup = run_child("bench.duty_roster", ["--child", "setup", "--posts", str(posts)], env)
    runs = [run_child("bench.duty_roster", ["--child", "generate", "--clear"], env) for _ in range(repeat)]
    again = run_child("bench.duty_roster", ["--child", "generate"], env)
    return {
        "database": kind,
        "posts": setup["posts"],
        "setup_seconds": round(setup["seconds"], 1),
        "shifts": runs[-1]["created"],
        "median_seconds": round(statistics.median(r["seconds"] for r in runs), 3),
        "median_cpu": round(statistics.median(r["cpu"] for r in runs), 3),
        "runs": [round(r["seconds"], 3) for r in runs],
        "shifts_per_second": round(runs[-1]["created"] / statistics.median(r["seconds"] for r in runs)),
        "again_seconds": round(again["seconds"], 3),
        "again_created": again["created"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--child", choices=["setup", "generate"])
    parser.add_argument("--clear", action="store_true")
    args = parser.parse_args(argv)
    if args.child == "setup":
        print(json.dumps(child_setup(args.posts)))
        return
    if args.child == "generate":
        print(json.dumps(child_generate(args.clear)))
        return
    print(f"== machine: {machine()}")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        from bench.duty_data import database_url

        targets = [("sqlite", database_url("sqlite", "", "bench_duty_roster", folder))]
        if args.database_url:
            targets.append(("postgresql", database_url("postgresql", args.database_url, "bench_duty_roster", "")))
        for kind, url in targets:
            results.append(run(kind, url, args.posts, args.repeat))
            print(json.dumps(results[-1], ensure_ascii=False))
        if args.database_url:
            from bench.fees_data import database_drop

            database_drop(args.database_url, "bench_duty_roster")
    print("| database | posts | shifts made | median s (runs) | CPU s | shifts/s | again (nothing to add) s |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        runs = ", ".join(map(str, r["runs"]))
        print(
            f"| {r['database']} | {r['posts']} | {r['shifts']:,} | {r['median_seconds']} ({runs})"
            f" | {r['median_cpu']} | {r['shifts_per_second']:,} | {r['again_seconds']} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
