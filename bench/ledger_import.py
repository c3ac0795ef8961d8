"""Benchmark: importing a 100,000-house ledger against openpyxl alone reading the same file.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m bench.ledger_import [--houses 100000]
        [--database-url URL] [--repeat N] [--keep DIR] [--strict]

Targets (issue 2): the whole import (check + apply, as the web import runs them in the worker) takes at
most 3× the time openpyxl needs to read the file in read-only mode, measured in the same run, and peaks at
no more than 400 MB.

1. Generates an .xlsx of ``--houses`` houses (500 buildings × 2 units × 25 floors × 4 rooms for 100,000;
   a realistic mix of statuses, dates written as date cells and as text, names, phones, residents).
2. In a fresh process, times openpyxl alone: ``load_workbook(read_only=True)`` and every row's values.
3. In a fresh process, migrates an empty database (SQLite file in a temporary folder by default, or
   ``--database-url``, which must be a throw-away PostgreSQL database) and creates the compound.
4. In a fresh process, times ``ledger_import_check`` then ``ledger_import_apply`` of the file into the
   empty compound, and reports the peak resident memory of that process (``getrusage`` maxrss).
5. In a fresh process, times importing the same file again (nothing changes: the idempotence path).

With ``--repeat N`` steps 2-4 run N times, alternating (each into a new empty compound), and the run of
median wall time is reported: on a shared machine, load from elsewhere then hits both sides alike. Wall
time is the target; CPU time (``process_time``) is printed beside it as the figure that load cannot skew.

Never run by the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 3.0
TARGET_PEAK_MB = 400
COMPOUND = "bench-ledger"  # the compound's code; each repeat gets its own (BENCH_COMPOUND)
HEADERS = [
    "期数",
    "楼栋",
    "单元",
    "房号",
    "楼层",
    "建筑面积",
    "房屋状态",
    "交付日期",
    "入住日期",
    "业主姓名",
    "联系电话",
    "常住人数",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华飞玲桂芳丹志强"
STATUSES = [("已入住", 45), ("出租", 8), ("空置", 35), ("装修中", 7), ("未交付", 5)]
PHASES = [("一期", datetime.date(2023, 6, 30)), ("二期", datetime.date(2024, 1, 15))]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def generate(path: Path, houses: int, seed: int = 11) -> None:
    """Write the ledger with openpyxl's write-only mode (streams; fine for any size)."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    statuses = [s for s, w in STATUSES for _ in range(w)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("房屋台账")
    sheet.append(HEADERS)
    per_unit, units = 25 * 4, 2
    today = datetime.date.today()
    for i in range(houses):
        b, rest = divmod(i, per_unit * units)
        u, rest = divmod(rest, per_unit)
        floor, room = divmod(rest, 4)
        phase, delivered = PHASES[0] if b % 3 else PHASES[1]
        status = rng.choice(statuses)
        moved_in: Any = None
        residents = 0
        if status in ("已入住", "出租"):
            days = max((today - delivered).days, 1)
            moved_in = delivered + datetime.timedelta(days=rng.randrange(days))
            residents = rng.randint(1, 5)
        if status == "未交付":
            delivered_cell: Any = None
        elif i % 5 == 0:
            delivered_cell = f"{delivered.year}/{delivered.month}/{delivered.day}"  # text, as typed by hand
        else:
            delivered_cell = delivered
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        phone: Any = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if i % 7 == 0:
            phone = int(phone)  # an Excel number, as often happens
        sheet.append(
            [
                phase,
                f"{b + 1}栋",
                f"{u + 1}单元",
                f"{floor + 1}{room + 1:02d}",
                floor + 1,
                round(rng.uniform(60, 180), 2),
                status,
                delivered_cell,
                moved_in,
                name,
                phone,
                residents,
            ]
        )
    workbook.save(path)


def child_openpyxl(path: Path) -> dict[str, Any]:
    from openpyxl import load_workbook

    start, cpu = time.perf_counter(), time.process_time()
    workbook = load_workbook(path, read_only=True, data_only=False)
    rows = 0
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        rows += 1
    workbook.close()
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": rows,
        "peak_mb": _peak_mb(),
    }


def _django() -> None:
    import django

    django.setup()


def child_setup() -> dict[str, Any]:
    _django()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.estates.services import compound_create

    call_command("migrate", verbosity=0)
    compound_create(
        actor=None,
        code=os.environ.get("BENCH_COMPOUND", COMPOUND),
        name="基准小区",
        community="基准社区",
        sub_district="基准街道",
        district="基准区",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "version": version}


def child_import(path: Path) -> dict[str, Any]:
    """Check then apply, as the worker does for a web import (the checked rows kept in between)."""
    _django()
    from django.core.files import File

    from gongzhi.estates.ledger.imports import ledger_import_apply, ledger_import_check
    from gongzhi.estates.models import Compound, ImportStatus, LedgerImport

    compound = Compound.objects.get(code=os.environ.get("BENCH_COMPOUND", COMPOUND))
    ledger_import = LedgerImport(community_id=compound.community_id, compound=compound, original_name=path.name)
    with path.open("rb") as fileobj:
        ledger_import.file.save(path.name, File(fileobj), save=True)
    start, cpu = time.perf_counter(), time.process_time()
    checked = ledger_import_check(ledger_import_id=ledger_import.pk)
    check_seconds = time.perf_counter() - start
    if checked.status != ImportStatus.READY:
        return {"error": f"check ended {checked.status}: {checked.report.get('errors', [])[:5]}"}
    LedgerImport.objects.filter(pk=ledger_import.pk).update(status=ImportStatus.APPLYING)  # what confirm does
    start = time.perf_counter()
    applied = ledger_import_apply(ledger_import_id=ledger_import.pk)
    apply_seconds = time.perf_counter() - start
    return {
        "cpu": time.process_time() - cpu,
        "check_seconds": check_seconds,
        "apply_seconds": apply_seconds,
        "seconds": check_seconds + apply_seconds,
        "status": applied.status,
        "plan": checked.report.get("plan"),
        "result": applied.report.get("result"),
        "peak_mb": _peak_mb(),
    }


def _run_child(kind: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.ledger_import", "--child", kind, str(path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--houses", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="a throw-away PostgreSQL database (default: SQLite)")
    parser.add_argument("--keep", type=Path, help="keep the generated ledger and database in this folder")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the median is reported")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--child", choices=["openpyxl", "setup", "import"], help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = {"openpyxl": lambda: child_openpyxl(args.path), "setup": child_setup,
                  "import": lambda: child_import(args.path)}[args.child]()  # fmt: skip
        print(json.dumps(result))
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
        "DATABASE_URL": args.database_url or f"sqlite:///{work / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "WARNING",
    }
    try:
        ledger = work / f"houses-{args.houses}.xlsx"
        start = time.perf_counter()
        generate(ledger, args.houses)
        size = ledger.stat().st_size / 1e6
        print(f"generated {args.houses:,} houses → {size:.1f} MB in {time.perf_counter() - start:.1f} s")
        baselines, firsts = [], []
        for i in range(args.repeat):  # alternate, so that load from elsewhere hits both alike
            env["BENCH_COMPOUND"] = f"{COMPOUND}-{i}"
            baselines.append(_run_child("openpyxl", ledger, env))
            database = _run_child("setup", ledger, env)
            firsts.append(_run_child("import", ledger, env))
            if "error" in firsts[-1]:
                raise SystemExit(firsts[-1]["error"])
        again = _run_child("import", ledger, env)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return report(_median(baselines), database, _median(firsts), again, strict=args.strict)


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median wall time; peak memory is the worst of all runs."""
    chosen = dict(sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2])
    chosen["peak_mb"] = max(r["peak_mb"] for r in runs)
    chosen["runs"] = len(runs)
    return chosen


def report(
    base: dict[str, Any], database: dict[str, Any], first: dict[str, Any], again: dict[str, Any], *, strict: bool
) -> int:
    """Print the figures; the wall-clock ratio is the target, the CPU ratio shows it on a busy machine."""
    ratio, cpu_ratio = first["seconds"] / base["seconds"], first["cpu"] / base["cpu"]
    ok_ratio, ok_memory = ratio <= TARGET_RATIO, first["peak_mb"] <= TARGET_PEAK_MB
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        f"machine: {os.cpu_count()} cores, {memory:.0f} GiB, {platform.machine()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}",
        f"database: {database['vendor']} {database['version']}",
        f"openpyxl read-only, values only: {base['seconds']:.1f} s (CPU {base['cpu']:.1f} s), "
        f"{base['rows']:,} rows, peak {base['peak_mb']:.0f} MB",
        f"median of {first['runs']} run(s) each",
        f"import: check {first['check_seconds']:.1f} s + apply {first['apply_seconds']:.1f} s "
        f"= {first['seconds']:.1f} s (CPU {first['cpu']:.1f} s), {first['result']}",
        f"re-import of the same file: {again['seconds']:.1f} s, {again['result']}",
        f"ratio import / openpyxl: {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU (target ≤ {TARGET_RATIO:.0f}×) "
        + ("PASS" if ok_ratio else "FAIL"),
        f"peak memory of the import: {first['peak_mb']:.0f} MB (target ≤ {TARGET_PEAK_MB} MB) "
        + ("PASS" if ok_memory else "FAIL"),
    ]
    print("\n".join(lines))
    return 1 if strict and not (ok_ratio and ok_memory) else 0


if __name__ == "__main__":
    raise SystemExit(main())
