"""What the voice benchmarks share: the machine's description, percentiles, throw-away PostgreSQL databases,
and running a step in a fresh Python process that answers with one line of JSON."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    """Cores, memory, CPU model, Python and the load average: the line every recorded run starts with."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, {platform.machine()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (``pct`` in 0-100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def with_database(url: str, name: str) -> str:
    """The same PostgreSQL server URL with another database name."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin_execute(url: str, *statements: str) -> None:
    """Run statements in autocommit on the server of ``url`` (CREATE / DROP DATABASE cannot run in a transaction)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


def database_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def require_postgresql(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("give --database-url of a throw-away PostgreSQL server (e.g. from scripts/pg.sh start)")


def run_child(module: str, args: Sequence[str], env: dict[str, str], *, json_line: bool = True) -> dict[str, Any]:
    """Run ``python -m module …`` in a fresh process; its last stdout line is a JSON object (unless not
    ``json_line``: then nothing is read)."""
    cmd = [sys.executable, "-m", module, *args]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{module} {' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    if not json_line:
        return {}
    lines = done.stdout.strip().splitlines()
    return dict(json.loads(lines[-1]))


def child_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def generated_line(name: str, seconds: float, generated: dict[str, Any]) -> str:
    """One line on a dataset a generator made: its time, by step (the generator's ``seconds``), counts and size."""
    steps = ", ".join(f"{step.replace('_', ' ')} {s:.0f} s" for step, s in generated["seconds"].items())
    steps = steps.replace("vacuum analyze", "VACUUM ANALYZE")
    return f"generated {name} in {seconds:.0f} s ({steps}): {generated['counts']}, {generated['database_size']}"


def add_page_args(parser: argparse.ArgumentParser, *, small: int, large: int, requests: int, warmup: int) -> None:
    """The options every page benchmark takes (a small and a large dataset, timed in rounds)."""
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", ""), help="a throw-away PostgreSQL server"
    )
    parser.add_argument("--small", type=int, default=small)
    parser.add_argument("--large", type=int, default=large)
    parser.add_argument("--requests", type=int, default=requests, help="timed requests per page, dataset and round")
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="reuse the databases a --keep run left")
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries (large)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
