"""Benchmark: raising a voice over HTTP (POST /api/voices/) against a bare one-row INSERT on the same server.

    .venv/bin/python -m bench.voice_submit --database-url postgres://…/any [--clients 16] [--seconds 10]
        [--rounds 3] [--workers N] [--threads 4] [--residents 2000] [--suggest] [--keep] [--strict]

Target (issue 3): with gunicorn and PostgreSQL, no photos, the throughput of the real submission endpoint is at
least 0.5× that of a bare endpoint on the same server that inserts one row, measured in the same run.

1. On the server of ``--database-url`` (throw-away: e.g. ``scripts/pg.sh start``), creates the database
   ``bench_voice_submit`` (dropped at the end unless ``--keep``); in a fresh process, migrates it, builds an
   estate with ``bench.voice_data`` (``--compounds`` compounds, ``--residents`` residents bound to a house
   each), logs every resident in (a database session each, as the log-in page makes it, and a CSRF token),
   and creates ``bench_bare_row``.
2. Starts gunicorn (``config.wsgi`` with ``config.settings.bench``: DEBUG off; gthread workers, so that
   connections stay open) on a free loopback port; ``bench.urls`` serves every real URL plus the baselines.
3. ``--clients`` threads, each with its own keep-alive ``http.client`` connection, send requests back to back
   for ``--seconds``; the endpoints take turns for ``--rounds`` rounds, after a warm-up of each:

   - bare: ``POST /bench/bare-insert/``, no cookie: one INSERT of the body as text (the target's baseline);
   - session: ``POST /bench/session-insert/`` as a resident (session + CSRF), the same INSERT (information);
   - submit: ``POST /api/voices/`` as a resident (session cookie + ``X-CSRFToken``, as the API requires),
     a fresh ``Idempotency-Key`` per request, a realistic body: kind, category (unless ``--suggest``: then
     the server suggests it from the text with jieba), text, where (own house 45%, a building 30%, a public
     area), public or not.

   All three send the same kind of body. Residents take turns, so each stays far below its
   ``API_WRITE_RATE`` (60 a minute): the rate limit stays on as deployed, and a 429 would count as an error.
4. Reports requests/s, p50 / p95 latency and errors (anything but 201; must be 0) per endpoint and the
   ratio; checks in the database that every 201 made exactly one voice (or one bare row). Because the machine
   is shared, it also reports the server's CPU time per request (gunicorn workers and PostgreSQL backends,
   from /proc): the ratio of those is what the throughput ratio tends to on a dedicated machine.

The load generator runs on the same machine: its CPU time per request is printed, since it competes with the
server. During the run the database connections live 600 s (``DB_CONN_MAX_AGE``; 60 s as deployed) so that
the CPU of every backend is counted. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .common import (
    ROOT,
    admin_execute,
    child_env,
    machine,
    percentile,
    require_postgresql,
    run_child,
    with_database,
)

TARGET_RATIO = 0.5
DATABASE = "bench_voice_submit"
HOST = "127.0.0.1"
PATHS = {"bare": "/bench/bare-insert/", "session": "/bench/session-insert/", "submit": "/api/voices/"}
ENDPOINTS = tuple(PATHS)
KINDS = (
    ["repair"] * 35 + ["complaint"] * 22 + ["request"] * 12 + ["suggestion"] * 12 + ["enquiry"] * 12 + ["praise"] * 7
)


# ---------------------------------------------------------------- setup and check (fresh processes)


def child_setup(compounds: int, residents: int, out: Path) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.urls import BARE_TABLE, BARE_TABLE_SQL
    from gongzhi.accounts.models import User
    from gongzhi.voices.models import Category

    from .voice_data import TEXTS, build_estate

    call_command("migrate", verbosity=0, skip_checks=True)
    with transaction.atomic():
        estate = build_estate(compounds=compounds, residents_per_compound=-(-residents // compounds))
        users = {
            u.pk: u for u in User.objects.filter(pk__in=[uid for rs in estate.residents.values() for uid, _h in rs])
        }
        clients = []
        for compound_id, _community_id, code, _company in estate.compounds:
            houses = estate.houses[compound_id]
            for uid, home in estate.residents[compound_id]:
                session = SessionStore()
                session[SESSION_KEY] = str(uid)
                session[BACKEND_SESSION_KEY] = "gongzhi.accounts.backends.PhoneBackend"
                session[HASH_SESSION_KEY] = users[uid].get_session_auth_hash()
                session.create()
                clients.append(
                    {
                        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                        f"{settings.CSRF_COOKIE_NAME}={(csrf := secrets.token_hex(16))}",
                        "csrf": csrf,
                        "compound": code,
                        "house": houses[home][0],
                        "buildings": sorted({b for _h, b in houses}),
                    }
                )
    clients = clients[:residents]
    categories = {c.name: c.pk for c in Category.objects.filter(is_active=True)}
    texts = [[categories[name], text] for name, items in TEXTS.items() if name in categories for text in items]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        cursor.execute(BARE_TABLE_SQL)
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    out.write_text(json.dumps({"clients": clients, "texts": texts}))
    return {"residents": len(clients), "postgresql": version}


def child_check() -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from bench.urls import BARE_TABLE
    from gongzhi.voices.models import Voice

    api = Voice.objects.filter(channel="api")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {BARE_TABLE}")  # noqa: S608 - a constant
        bare = cursor.fetchone()[0]
    return {
        "voices": api.count(),
        "distinct_keys": api.values("idempotency_key").distinct().count(),
        "events": Voice.objects.filter(channel="api", events__verb="submit").count(),
        "bare_rows": bare,
    }


# ---------------------------------------------------------------- the load generator


@dataclass
class Phase:
    label: str
    seconds: float = 0.0
    cpu: float = 0.0  # the load generator's
    app_cpu: float = 0.0  # gunicorn workers'
    db_cpu: float = 0.0  # PostgreSQL backends'
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    examples: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return self.statuses[201]

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 201)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def per_request_ms(self, seconds: float) -> float:
        return seconds / max(len(self.latencies), 1) * 1000

    def add(self, other: Phase) -> None:
        self.seconds += other.seconds
        self.cpu += other.cpu
        self.app_cpu += other.app_cpu
        self.db_cpu += other.db_cpu
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        for status, text in other.examples.items():
            self.examples.setdefault(status, text)


Request = tuple[str, bytes, dict[str, str]]


class Requests:
    """Builds the requests: residents take turns; bodies are drawn alike for every endpoint."""

    def __init__(self, setup: dict[str, Any], *, suggest: bool, seed: int = 7) -> None:
        self.clients = setup["clients"]
        self.texts = setup["texts"]
        self.suggest = suggest
        self.turn = itertools.count()
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def body(self, client: dict[str, Any]) -> bytes:
        with self.lock:
            rng = self.rng
            category, text = rng.choice(self.texts)
            where, kind, public = rng.random(), rng.choice(KINDS), rng.random() < 0.45
            building = rng.choice(client["buildings"])
            detail = rng.choice(["", "麻烦尽快处理。", "已经好几天了。", "谢谢！"])
        payload: dict[str, Any] = {
            "compound": client["compound"],
            "kind": kind,
            "text": f"{text}。{detail}",
            "is_public": public,
        }
        if not self.suggest:
            payload["category"] = category
        if where < 0.45:
            payload.update(location_kind="own_house", house=client["house"])
        elif where < 0.75:
            payload.update(location_kind="building", building=building)
        else:
            payload["location_kind"] = "public_area"
        return json.dumps(payload, ensure_ascii=False).encode()

    def make(self, endpoint: str) -> Callable[[], Request]:
        def request() -> Request:
            client = self.clients[next(self.turn) % len(self.clients)]
            headers = {"Content-Type": "application/json"}
            if endpoint != "bare":
                headers.update({"Cookie": client["cookie"], "X-CSRFToken": client["csrf"]})
            if endpoint == "submit":
                headers["Idempotency-Key"] = uuid.uuid4().hex
            return PATHS[endpoint], self.body(client), headers

        return request


class ServerCpu:
    """CPU time (user + system, from /proc) of the gunicorn workers and of the database's backends."""

    def __init__(self, server_pid: int, database_url: str) -> None:
        import psycopg

        self.server_pid = server_pid
        self.conn = psycopg.connect(database_url, autocommit=True)
        self.tick = os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _stat(pid: int) -> list[str] | None:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return text[text.rindex(")") + 2 :].split()  # fields from the state on (the name may hold spaces)

    def _workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                fields = self._stat(int(entry.name))
                if fields is not None and int(fields[1]) == self.server_pid:
                    pids.append(int(entry.name))
        return pids

    def _backends(self) -> list[int]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return [int(r[0]) for r in rows]

    def _ticks(self, pids: list[int]) -> dict[int, int]:
        ticks = {}
        for pid in pids:
            fields = self._stat(pid)
            if fields is not None:
                ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks

    def snapshot(self) -> tuple[dict[int, int], dict[int, int]]:
        return self._ticks(self._workers()), self._ticks(self._backends())

    def since(self, before: tuple[dict[int, int], dict[int, int]]) -> tuple[float, float]:
        after = self.snapshot()
        return tuple(  # type: ignore[return-value]
            sum(t - old.get(pid, 0) for pid, t in new.items()) / self.tick
            for old, new in zip(before, after, strict=True)
        )

    def close(self) -> None:
        self.conn.close()


def load(
    port: int, make: Callable[[], Request], *, clients: int, seconds: float, label: str, cpu: ServerCpu | None = None
) -> Phase:
    """``clients`` threads sending requests back to back on keep-alive connections for ``seconds``."""
    phase = Phase(label)
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    deadline = 0.0

    def run() -> None:
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        examples: dict[int, str] = {}
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        start_gate.wait()
        while time.perf_counter() < deadline:
            path, body, headers = make()
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                status, content = 0, repr(exc).encode()
                conn.close()
            latencies.append(time.perf_counter() - t0)
            statuses[status] += 1
            if status != 201 and status not in examples:
                examples[status] = content[:300].decode("utf-8", "replace")
        conn.close()
        with lock:
            phase.latencies += latencies
            phase.statuses.update(statuses)
            for status, text in examples.items():
                phase.examples.setdefault(status, text)

    threads = [threading.Thread(target=run, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    before = cpu.snapshot() if cpu is not None else None
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    start_gate.wait()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - t0
    phase.cpu = time.process_time() - cpu0
    if cpu is not None and before is not None:
        phase.app_cpu, phase.db_cpu = cpu.since(before)
    return phase


# ---------------------------------------------------------------- gunicorn


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(database_url: str, *, workers: int, threads: int, port: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    cmd = [
        str(gunicorn),
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "--worker-tmp-dir",
        "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",  # noqa: S108
    ]
    server = subprocess.Popen(cmd, cwd=ROOT, env=child_env(database_url, DB_CONN_MAX_AGE="600"))  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/favicon.ico")
            conn.getresponse().read()
            conn.close()
            return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown of its own workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", ""), help="a throw-away PostgreSQL server"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured phase")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the endpoints taking turns")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up of each endpoint")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--compounds", type=int, default=10)
    parser.add_argument("--residents", type=int, default=2000, help="residents taking turns to submit")
    parser.add_argument("--suggest", action="store_true", help="send no category: the server suggests it (jieba)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DATABASE}")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--child", choices=["setup", "check"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        print(json.dumps(child_setup(args.compounds, args.residents, args.out)))
        return 0
    if args.child == "check":
        print(json.dumps(child_check()))
        return 0

    require_postgresql(args.database_url)
    database_url = with_database(args.database_url, DATABASE)
    admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{DATABASE}"', f'CREATE DATABASE "{DATABASE}"')
    try:
        return run(args, database_url)
    finally:
        if not args.keep:
            admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{DATABASE}"')


def run(args: argparse.Namespace, database_url: str) -> int:
    env = child_env(database_url)
    print(f"machine: {machine()}", flush=True)
    out = Path(f"/tmp/bench-voice-submit-{os.getpid()}.json")  # noqa: S108
    t0 = time.perf_counter()
    prepared = run_child(
        "bench.voice_submit",
        ["--child", "setup", "--compounds", str(args.compounds), "--residents", str(args.residents), "--out", str(out)],
        env,
    )
    setup = json.loads(out.read_text())
    out.unlink()
    print(f"setup: {prepared} in {time.perf_counter() - t0:.0f} s", flush=True)
    requests = Requests(setup, suggest=args.suggest)
    port = _free_port()
    server = start_server(database_url, workers=args.workers, threads=args.threads, port=port)
    cpu = ServerCpu(server.pid, database_url)
    totals = {name: Phase(name) for name in ENDPOINTS}
    warm = {name: Phase(name) for name in ENDPOINTS}
    try:
        for name in ENDPOINTS:
            warm[name] = load(port, requests.make(name), clients=args.clients, seconds=args.warmup, label=name)
        for r in range(args.rounds):
            for name in ENDPOINTS:
                phase = load(port, requests.make(name), clients=args.clients, seconds=args.seconds, label=name, cpu=cpu)
                totals[name].add(phase)
                print(
                    f"round {r + 1} {name:7}: {phase.rate:7.1f} req/s, p95 "
                    f"{percentile(phase.latencies, 95) * 1000:6.1f} ms, errors {phase.errors}, server CPU "
                    f"{phase.per_request_ms(phase.app_cpu + phase.db_cpu):.2f} ms a request, "
                    f"load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    finally:
        cpu.close()
        stop_server(server)
    check = run_child("bench.voice_submit", ["--child", "check"], env)
    return report(args, totals, warm, check, prepared)


def report(
    args: argparse.Namespace,
    totals: dict[str, Phase],
    warm: dict[str, Phase],
    check: dict[str, Any],
    prepared: dict[str, Any],
) -> int:
    category = "suggested by the server" if args.suggest else "sent by the client"
    print(
        f"\nPostgreSQL {prepared['postgresql']}; gunicorn gthread {args.workers} workers × {args.threads} threads; "
        f"{args.clients} clients; {args.rounds} × {args.seconds:.0f} s per endpoint; "
        f"{prepared['residents']} residents; category {category}"
    )
    for name, phase in totals.items():
        lat = phase.latencies
        print(
            f"{name:7}: {phase.rate:7.1f} req/s  p50 {statistics.median(lat) * 1000:6.1f} ms  "
            f"p95 {percentile(lat, 95) * 1000:6.1f} ms  errors {phase.errors}  ({phase.ok:,} × 201)  "
            f"CPU a request: gunicorn {phase.per_request_ms(phase.app_cpu):.2f} ms + PostgreSQL "
            f"{phase.per_request_ms(phase.db_cpu):.2f} ms (load generator {phase.per_request_ms(phase.cpu):.2f} ms)"
        )
        for status, text in phase.examples.items():
            print(f"         e.g. {status}: {text}")
    made = warm["submit"].ok + totals["submit"].ok
    rows = sum(warm[n].ok + totals[n].ok for n in ("bare", "session"))
    consistent = check["voices"] == made == check["distinct_keys"] == check["events"] and check["bare_rows"] == rows
    print(
        f"database: {check['voices']:,} voices by the API with {check['distinct_keys']:,} distinct idempotency keys "
        f"and {check['events']:,} submit events for {made:,} × 201; {check['bare_rows']:,} bare rows for "
        f"{rows:,} × 201 " + ("(consistent)" if consistent else "(INCONSISTENT)")
    )
    submit, bare, session = totals["submit"], totals["bare"], totals["session"]
    ratio = submit.rate / bare.rate
    errors = sum(p.errors for p in (*totals.values(), *warm.values()))

    def server_cpu(p: Phase) -> float:
        return p.per_request_ms(p.app_cpu + p.db_cpu)

    ok = ratio >= TARGET_RATIO and errors == 0 and consistent
    print(
        f"throughput submit / session-insert: {submit.rate / session.rate:.2f}× (information)\n"
        f"server CPU a request, bare / submit: {server_cpu(bare) / server_cpu(submit):.2f}× "
        f"({server_cpu(bare):.2f} / {server_cpu(submit):.2f} ms; what the ratio tends to on a dedicated machine)\n"
        f"ratio submit / bare: {ratio:.2f}× (target ≥ {TARGET_RATIO}×), errors {errors} " + ("PASS" if ok else "FAIL")
    )
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
