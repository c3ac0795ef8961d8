"""Benchmark: raising a voice over HTTP (POST /api/voices/, and the intake POST /api/voices/intake/ with its
drain) against a bare one-row INSERT on the same server.

    .venv/bin/python -m bench.voice_submit --database-url postgres://…/any [--clients 16] [--seconds 10]
        [--rounds 3] [--workers N] [--threads 4] [--residents 2000] [--suggest] [--keep] [--strict]
        [--drainers 2] [--batch 100] [--plain] [--endpoints bare,session,submit,intake]

Target (issue 3): with gunicorn and PostgreSQL, no photos, the throughput of the real submission endpoint is at
least 0.5× that of a bare endpoint on the same server that inserts one row, measured in the same run. The verdict
(PASS / FAIL) is the intake's (``POST /api/voices/intake/``, the contract built for it); the synchronous endpoint's
ratio is reported too, and the drain shows what the queued voices then cost the worker.

1. On the server of ``--database-url`` (throw-away: e.g. ``scripts/pg.sh start``), creates the database
   ``bench_voice_submit`` (dropped at the end unless ``--keep``); in a fresh process, migrates it, builds an
   estate with ``bench.voice_data`` (``--compounds`` compounds, ``--residents`` residents bound to a house
   each), logs every resident in (a database session each, as the log-in page makes it, and a CSRF token)
   and issues each an intake token, and creates ``bench_bare_row``.
2. Starts gunicorn (``config.wsgi`` with ``config.settings.bench``: DEBUG off; gthread workers, so that
   connections stay open) on a free loopback port; ``bench.urls`` serves every real URL plus the baselines.
3. ``--clients`` threads, each with its own keep-alive ``http.client`` connection, send requests back to back
   for ``--seconds``; the endpoints take turns for ``--rounds`` rounds, after a warm-up of each:

   - bare: ``POST /bench/bare-insert/``, no cookie: one INSERT of the body as text (the target's baseline);
   - session: ``POST /bench/session-insert/`` as a resident (session + CSRF), the same INSERT (information);
   - submit: ``POST /api/voices/`` as a resident (session cookie + ``X-CSRFToken``, as the API requires),
     a fresh ``Idempotency-Key`` per request, a realistic body: kind, category (unless ``--suggest``: then
     the server suggests it from the text with jieba), text, where (own house 45%, a building 30%, a public
     area), public or not;
   - intake: ``POST /api/voices/intake/`` as a resident's app: ``Authorization: Bearer <intake token>`` (issued
     by ``intake_token_issue`` during the setup, before any timing, as apps hold them), no cookie, a fresh
     ``Idempotency-Key``, the same body; answered 202 with the queued intake;
   - intake-plain (``--plain``, information): the same intake as a plain Django view (``bench.urls``), to show
     what django-ninja costs it.

   All send the same kind of body. Residents take turns, so each stays far below its
   ``API_WRITE_RATE`` (60 a minute): the rate limit stays on as deployed, and a 429 would count as an error.
4. After each round (the server idle), drains the round's intakes: ``--drainers`` fresh processes (set up and
   warmed first, then started together) run ``intake_drain`` — the worker's drainer, ``FOR UPDATE SKIP
   LOCKED`` batches of ``--batch`` through ``voice_submit_outcome`` — until the queue is empty; reports how
   long that took, the voices a second and the drainers' CPU (Python + PostgreSQL backend) per voice.
5. Reports requests/s, p50 / p95 latency and errors (anything but 201 / 202; must be 0) per endpoint and the
   ratios submit / bare and intake / bare; checks in the database that every 201 made exactly one voice (or one
   bare row) and every 202 exactly one intake that became exactly one voice, of its user and with its key.
   Because the machine is shared, it also reports the server's CPU time per request (gunicorn workers and
   PostgreSQL backends, from /proc): the ratio of those is what the throughput ratio tends to on a dedicated machine.

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
PATHS = {
    "bare": "/bench/bare-insert/",
    "session": "/bench/session-insert/",
    "submit": "/api/voices/",
    "intake": "/api/voices/intake/",
    "intake-plain": "/bench/intake-plain/",
}
ENDPOINTS = ("bare", "session", "submit", "intake")
INTAKES = ("intake", "intake-plain")
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
    from gongzhi.voices.services.intake import intake_token_issue

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
                token, _expires = intake_token_issue(user=users[uid])  # as the resident's app holds it
                clients.append(
                    {
                        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                        f"{settings.CSRF_COOKIE_NAME}={(csrf := secrets.token_hex(16))}",
                        "csrf": csrf,
                        "token": token,
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
    from django.db import connection, models

    from bench.urls import BARE_TABLE
    from gongzhi.voices.models import Voice, VoiceIntake

    api = Voice.objects.filter(channel="api")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {BARE_TABLE}")  # noqa: S608 - a constant
        bare = cursor.fetchone()[0]
        # Intakes whose voice is theirs: same author, same key (each intake exactly one voice, no voice twice).
        cursor.execute(
            "SELECT count(*), count(DISTINCT i.voice_id) FROM voices_voiceintake i JOIN voices_voice v "
            "ON v.id = i.voice_id AND v.author_id = i.user_id AND v.idempotency_key = i.idempotency_key "
            "WHERE i.status = 'done'"
        )
        matched, distinct_voices = cursor.fetchone()
    statuses = dict(VoiceIntake.objects.values_list("status").annotate(n=models.Count("id")))
    return {
        "voices": api.count(),
        "distinct_keys": api.values("author_id", "idempotency_key").distinct().count(),
        "events": Voice.objects.filter(channel="api", events__verb="submit").count(),
        "bare_rows": bare,
        "intakes": sum(statuses.values()),
        "intake_statuses": statuses,
        "intake_voices_matched": matched,
        "intake_voices_distinct": distinct_voices,
    }


def child_drain(batch: int, suggest: bool) -> dict[str, Any]:
    """One drainer: set up and warm (imports, jieba when the server suggests categories), say "ready", wait for
    "go" on stdin, then drain the queue until it is empty; its wall time and CPU (Python + its backend)."""
    import django

    django.setup()
    from django.db import connection

    from gongzhi.voices.models import Category
    from gongzhi.voices.services.intake import intake_drain
    from gongzhi.voices.text import category_suggest

    if suggest:
        category_suggest("电梯坏了好几天", Category.objects.filter(is_active=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    tick = os.sysconf("SC_CLK_TCK")

    def backend_cpu() -> float:
        fields = ServerCpu._stat(backend) or ["0"] * 13
        return (int(fields[11]) + int(fields[12])) / tick

    print("ready", flush=True)
    sys.stdin.readline()
    db0, cpu0, start = backend_cpu(), time.process_time(), time.time()
    counts = intake_drain(size=batch)
    end = time.time()
    return {
        "counts": counts,
        "start": start,
        "end": end,
        "cpu": time.process_time() - cpu0,
        "db_cpu": backend_cpu() - db0,
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
        return self.statuses[201] + self.statuses[202]

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in (201, 202))

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
            if endpoint in INTAKES:  # a resident's app: its token, no cookie
                headers["Authorization"] = f"Bearer {client['token']}"
            elif endpoint != "bare":
                headers.update({"Cookie": client["cookie"], "X-CSRFToken": client["csrf"]})
            if endpoint in ("submit", *INTAKES):
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
            if status not in (201, 202) and status not in examples:
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
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help="which endpoints take turns")
    parser.add_argument("--plain", action="store_true", help="also the intake as a plain Django view")
    parser.add_argument("--drainers", type=int, default=2, help="drainer processes after each round")
    parser.add_argument("--batch", type=int, default=100, help="intakes per drainer transaction")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DATABASE}")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--child", choices=["setup", "check", "drain"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        print(json.dumps(child_setup(args.compounds, args.residents, args.out)))
        return 0
    if args.child == "check":
        print(json.dumps(child_check()))
        return 0
    if args.child == "drain":
        print(json.dumps(child_drain(args.batch, args.suggest)))
        return 0
    args.endpoints = [e for e in args.endpoints.split(",") if e] + (["intake-plain"] if args.plain else [])
    unknown = set(args.endpoints) - set(PATHS)
    if unknown or "bare" not in args.endpoints:
        raise SystemExit(f"--endpoints: from {', '.join(PATHS)}, with bare (unknown: {sorted(unknown)})")

    require_postgresql(args.database_url)
    database_url = with_database(args.database_url, DATABASE)
    admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{DATABASE}"', f'CREATE DATABASE "{DATABASE}"')
    try:
        return run(args, database_url)
    finally:
        if not args.keep:
            admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{DATABASE}"')


@dataclass
class Drain:
    """The drainers' run after a round: how many intakes became what, in how long, at what CPU."""

    label: str
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    cpu: float = 0.0
    db_cpu: float = 0.0

    @property
    def voices(self) -> int:
        return self.counts["done"]

    @property
    def rate(self) -> float:
        return self.voices / self.seconds if self.seconds else 0.0

    def per_voice_ms(self, seconds: float) -> float:
        return seconds / max(self.voices, 1) * 1000

    def add(self, other: Drain) -> None:
        self.counts.update(other.counts)
        self.seconds += other.seconds
        self.cpu += other.cpu
        self.db_cpu += other.db_cpu


def drain(env: dict[str, str], *, drainers: int, batch: int, suggest: bool, label: str) -> Drain:
    """``drainers`` fresh processes, set up and warmed, then started together, drain the queue until empty."""
    cmd = [sys.executable, "-m", "bench.voice_submit", "--child", "drain", "--batch", str(batch)]
    cmd += ["--suggest"] if suggest else []
    procs = [
        subprocess.Popen(  # noqa: S603
            cmd, env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(drainers)
    ]
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"drainer did not start: {line} {proc.stderr.read() if proc.stderr else ''}")
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=3600)
        if proc.returncode != 0:
            raise SystemExit(f"drainer failed:\n{out[-2000:]}\n{err[-4000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    result = Drain(label)
    for r in results:
        result.counts.update(r["counts"])
        result.cpu += r["cpu"]
        result.db_cpu += r["db_cpu"]
    result.seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    return result


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
    totals = {name: Phase(name) for name in args.endpoints}
    warm = {name: Phase(name) for name in args.endpoints}
    drains = Drain("all")
    queues = any(name in INTAKES for name in args.endpoints)
    drain_env = child_env(database_url, DB_CONN_MAX_AGE="0")

    def drain_now(label: str) -> Drain:
        done = drain(drain_env, drainers=args.drainers, batch=args.batch, suggest=args.suggest, label=label)
        print(
            f"{label}: {done.voices:,} intakes → voices in {done.seconds:.1f} s by {args.drainers} drainers "
            f"({done.rate:.1f} voices/s; CPU a voice: Python {done.per_voice_ms(done.cpu):.2f} ms + PostgreSQL "
            f"{done.per_voice_ms(done.db_cpu):.2f} ms; {dict(done.counts)})",
            flush=True,
        )
        return done

    try:
        for name in args.endpoints:
            warm[name] = load(port, requests.make(name), clients=args.clients, seconds=args.warmup, label=name)
        if queues:
            drain_now("warm-up drain")
        for r in range(args.rounds):
            queued = 0.0
            for name in args.endpoints:
                phase = load(port, requests.make(name), clients=args.clients, seconds=args.seconds, label=name, cpu=cpu)
                totals[name].add(phase)
                if name in INTAKES:
                    queued = max(queued, phase.rate)
                print(
                    f"round {r + 1} {name:12}: {phase.rate:7.1f} req/s, p95 "
                    f"{percentile(phase.latencies, 95) * 1000:6.1f} ms, errors {phase.errors}, server CPU "
                    f"{phase.per_request_ms(phase.app_cpu + phase.db_cpu):.2f} ms a request, "
                    f"load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            if queues:
                done = drain_now(f"round {r + 1} drain")
                drains.add(done)
                print(f"round {r + 1}: intake {queued:.1f} req/s vs drain {done.rate:.1f} voices/s", flush=True)
    finally:
        cpu.close()
        stop_server(server)
    check = run_child("bench.voice_submit", ["--child", "check"], env)
    return report(args, totals, warm, check, prepared, drains)


def report(
    args: argparse.Namespace,
    totals: dict[str, Phase],
    warm: dict[str, Phase],
    check: dict[str, Any],
    prepared: dict[str, Any],
    drains: Drain,
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
            f"{name:12}: {phase.rate:7.1f} req/s  p50 {statistics.median(lat) * 1000:6.1f} ms  "
            f"p95 {percentile(lat, 95) * 1000:6.1f} ms  errors {phase.errors}  ({phase.ok:,} × 2xx)  "
            f"CPU a request: gunicorn {phase.per_request_ms(phase.app_cpu):.2f} ms + PostgreSQL "
            f"{phase.per_request_ms(phase.db_cpu):.2f} ms (load generator {phase.per_request_ms(phase.cpu):.2f} ms)"
        )
        for status, text in phase.examples.items():
            print(f"         e.g. {status}: {text}")

    def made(*names: str) -> int:
        return sum(warm[n].ok + totals[n].ok for n in names if n in totals)

    submitted, intakes, rows = made("submit"), made(*INTAKES), made("bare", "session")
    consistent = (
        check["voices"] == submitted + intakes == check["distinct_keys"] == check["events"]
        and check["bare_rows"] == rows
        and check["intakes"] == intakes == check["intake_statuses"].get("done", 0)
        and check["intake_voices_matched"] == check["intake_voices_distinct"] == intakes
    )
    print(
        f"database: {check['voices']:,} voices by the API with {check['distinct_keys']:,} distinct (author, key) "
        f"and {check['events']:,} submit events for {submitted:,} × 201 + {intakes:,} × 202; intakes "
        f"{check['intake_statuses']}, {check['intake_voices_matched']:,} with their own voice (author and key), "
        f"{check['intake_voices_distinct']:,} distinct voices; {check['bare_rows']:,} bare rows for {rows:,} × 201 "
        + ("(consistent)" if consistent else "(INCONSISTENT)")
    )
    bare = totals["bare"]
    errors = sum(p.errors for p in (*totals.values(), *warm.values()))

    def server_cpu(p: Phase) -> float:
        return p.per_request_ms(p.app_cpu + p.db_cpu)

    ok = errors == 0 and consistent
    for name in ("session", "submit", *INTAKES):
        if name not in totals:
            continue
        p = totals[name]
        ratio = p.rate / bare.rate
        target = name in ("submit", "intake")
        if name == "intake":
            ok = ok and ratio >= TARGET_RATIO
        print(
            f"ratio {name} / bare: {ratio:.2f}× in requests/s"
            + (f" (target ≥ {TARGET_RATIO}×)" if target else " (information)")
            + f"; server CPU a request bare / {name}: {server_cpu(bare) / server_cpu(p):.2f}× "
            f"({server_cpu(bare):.2f} / {server_cpu(p):.2f} ms)"
        )
    if drains.voices:
        intake_rate = max((totals[n].rate for n in INTAKES if n in totals), default=0.0)
        print(
            f"drain: {drains.voices:,} voices in {drains.seconds:.1f} s by {args.drainers} drainers, "
            f"{drains.rate:.1f} voices/s (intake {intake_rate:.1f} req/s: the drain keeps up with "
            f"{drains.rate / intake_rate:.0%} of it); drainer CPU a voice: Python "
            f"{drains.per_voice_ms(drains.cpu):.2f} ms + PostgreSQL {drains.per_voice_ms(drains.db_cpu):.2f} ms"
        )
    print(f"errors {errors}; " + ("PASS" if ok else "FAIL") + " (intake / bare, every intake one voice)")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
