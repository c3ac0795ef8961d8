"""Data and helpers for the fee benchmarks (``bench/fees_generate.py``, ``bench/fees_figures.py``).

Everything that grows is written with ``COPY`` through ``gongzhi.estates.ledger.bulk.RowInserter`` into a
migrated, empty, throw-away PostgreSQL database:

- ``build_estate``: one district and sub-district, a community per 5 compounds, one property company with a
  finance officer, a sub-district supervisor; ``compounds`` compounds of ``houses`` houses each, in buildings of
  2 units × 25 floors × 4 rooms (98.50 m² … 143.50 m²), two phases per compound. Houses: 2% never delivered,
  3% delivered on 2025-07-01, the rest on 2022-06-30; each delivered house starts vacant (a status event at
  delivery) and 60% are moved into later (occupied or rented, on a day between delivery and 2026-06-30), a
  tenth of those falling vacant again, so every year some houses change status in the middle of it. Fee
  standards: ¥2.50/m²·month for the compound from 2020 (70% while vacant), and for phase 2 ¥2.80 from
  2024-07-01 (a rate change inside a year).
- ``build_accounts``: bills of the years 2024 and 2025 for every delivered house (amounts computed from the
  standards as billing would, roughly), payments (0-4 per bill, the total as asked), 2% of bills
  reduced, 0.5% of payments partly refunded; bills' totals and statuses in step with those rows. Payments fall
  mostly in their period, some in the next year (arrears recovered).

Audit events are not generated (neither benchmark reads them). Never run by the test suite.
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SEED = 2025
UNITS, FLOORS, ROOMS = 2, 25, 4
PER_BUILDING = UNITS * FLOORS * ROOMS
COMPOUNDS_PER_COMMUNITY = 5
DELIVERED = datetime.date(2022, 6, 30)
LATE_DELIVERY = datetime.date(2025, 7, 1)
MOVE_IN_UNTIL = datetime.date(2026, 6, 30)
CENT = Decimal("0.01")


# --- Machine, percentiles, databases -----------------------------------------------------------------------------


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (``pct`` in 0-100)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_recreate(url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``url`` (a throw-away server); returns its URL."""
    import psycopg

    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("give --database-url of a throw-away PostgreSQL server (e.g. from scripts/pg.sh start)")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"'.encode())
        conn.execute(f'CREATE DATABASE "{name}"'.encode())
    return with_database(url, name)


def database_drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"'.encode())


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


# --- The estate --------------------------------------------------------------------------------------------------


@dataclass
class Estate:
    compound_ids: list[int]
    finance_user_id: int
    manager_id: int
    supervisor_id: int
    houses: int


def _statuses(rng: random.Random, delivered: datetime.date | None) -> list[tuple[str, datetime.date]]:
    """A house's status history: vacant at delivery, perhaps moved into, perhaps vacant again."""
    if delivered is None:
        return []
    events = [("vacant", delivered)]
    if rng.random() < 0.6:
        span = (MOVE_IN_UNTIL - delivered).days
        moved = delivered + datetime.timedelta(days=rng.randrange(1, span))
        events.append(("occupied" if rng.random() < 0.85 else "rented", moved))
        if rng.random() < 0.1 and moved < MOVE_IN_UNTIL:
            left = moved + datetime.timedelta(days=rng.randrange(1, (MOVE_IN_UNTIL - moved).days + 1))
            events.append(("vacant", left))
    return events


def build_estate(*, compounds: int, houses: int, seed: int = SEED) -> Estate:
    """The estate described in the module's docstring, with COPY for houses and their status events."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from gongzhi.accounts.models import Membership, Organization, User
    from gongzhi.accounts.roles import OrgKind, Role
    from gongzhi.core import crypto
    from gongzhi.estates.ledger.bulk import RowInserter
    from gongzhi.estates.models import Area, Building, Compound, House, HouseEvent, Phase, Unit
    from gongzhi.estates.services import compound_create
    from gongzhi.finance.models import FeeStandard

    rng = random.Random(seed)
    now = timezone.now()
    company = Organization.objects.create(kind=OrgKind.PROPERTY, name="基准物业")
    created: list[Compound] = [
        compound_create(
            actor=None,
            code=f"f{i + 1:03d}",
            name=f"基准{i + 1}号小区",
            community=f"基准第{i // COMPOUNDS_PER_COMMUNITY + 1}社区",
            sub_district="基准街道",
            district="基准区",
            property_company=company,
            delivered_on=DELIVERED,
        )
        for i in range(compounds)
    ]
    password = make_password(None)
    finance = User.objects.create(phone="13600000001", phone_hash=crypto.phone_hash("13600000001"), name="基准财务")
    Membership.objects.create(user=finance, organization=company, role=Role.FINANCE)
    manager = User.objects.create(phone="13600000003", phone_hash=crypto.phone_hash("13600000003"), name="基准经理")
    Membership.objects.create(user=manager, organization=company, role=Role.PROPERTY_MANAGER)
    sub = Area.objects.get(level="sub_district", name="基准街道")
    sub_org = Organization.objects.create(kind=OrgKind.SUB_DISTRICT, name="基准街道办", area=sub)
    supervisor = User.objects.create(
        phone="13600000002", phone_hash=crypto.phone_hash("13600000002"), name="基准街道督导", password=password
    )
    Membership.objects.create(user=supervisor, organization=sub_org, role=Role.SUPERVISOR)

    house_fields = (
        "community", "compound", "building", "unit", "phase", "room", "floor", "area", "status", "delivered_on",
        "moved_in_on", "owner_name", "owner_phone", "owner_phone_hash", "created_at", "updated_at",
    )  # fmt: skip
    event_fields = ("community", "house", "status", "effective_on", "recorded_at", "actor", "source")
    house_writer = RowInserter(House, house_fields)
    event_writer = RowInserter(HouseEvent, event_fields)
    for compound in created:
        cid = compound.community_id
        phases = [Phase.objects.create(community_id=cid, compound=compound, name=n) for n in ("一期", "二期")]
        n_buildings = -(-houses // PER_BUILDING)
        buildings = Building.objects.bulk_create(
            [
                Building(community_id=cid, compound=compound, name=f"{b + 1}栋", sort_key=b + 1)
                for b in range(n_buildings)
            ]
        )
        units = Unit.objects.bulk_create(
            [
                Unit(community_id=cid, compound=compound, building=b, name=f"{u + 1}单元", sort_key=u + 1)
                for b in buildings
                for u in range(UNITS)
            ],
            batch_size=2000,
        )
        rows: list[tuple[Any, ...]] = []
        histories: list[list[tuple[str, datetime.date]]] = []
        for n in range(houses):
            unit = units[n // (FLOORS * ROOMS)]
            floor, room = divmod(n % (FLOORS * ROOMS), ROOMS)
            draw = rng.random()
            delivered = None if draw < 0.02 else LATE_DELIVERY if draw < 0.05 else DELIVERED
            history = _statuses(rng, delivered)
            status = history[-1][0] if history else "undelivered"
            moved_in = next((on for s, on in history if s in ("occupied", "rented")), None)
            rows.append(
                (
                    cid,
                    compound.pk,
                    unit.building_id,
                    unit.pk,
                    phases[(unit.building.sort_key - 1) % 2].pk,
                    f"{floor + 1}{room + 1:02d}",
                    floor + 1,
                    Decimal("98.50") + Decimal(15 * (n % 4)),
                    status,
                    delivered,
                    moved_in,
                    "",
                    "",
                    "",
                    now,
                    now,
                )
            )
            histories.append(history)
        ids = house_writer.insert(rows, returning=True)
        event_writer.insert(
            (cid, hid, status, on, now, None, "import")
            for hid, history in zip(ids, histories, strict=True)
            for status, on in history
        )
        FeeStandard.objects.create(
            community_id=cid,
            compound=compound,
            rate=Decimal("2.50"),
            vacant_percent=70,
            effective_from=datetime.date(2020, 1, 1),
        )
        FeeStandard.objects.create(
            community_id=cid,
            compound=compound,
            phase=phases[1],
            rate=Decimal("2.80"),
            vacant_percent=70,
            effective_from=datetime.date(2024, 7, 1),
        )
    return Estate(
        compound_ids=[c.pk for c in created],
        finance_user_id=finance.pk,
        manager_id=manager.pk,
        supervisor_id=supervisor.pk,
        houses=houses * compounds,
    )


# --- Bills and payments -----------------------------------------------------------------------------------------


PAYMENTS_PER_BILL = [(0, 10), (1, 20), (2, 40), (3, 20), (4, 10)]  # mean 2.0
CHANNELS = ["wechat"] * 55 + ["alipay"] * 25 + ["bank"] * 10 + ["cash"] * 8 + ["other"] * 2


def _split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """``parts`` positive amounts (two decimals) that add up to ``total``."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(1, int(total * 100)), parts - 1))
    edges = [0, *cuts, int(total * 100)]
    return [Decimal(edges[i + 1] - edges[i]) / 100 for i in range(parts)]


def build_accounts(
    *, approver_id: int, payments: int, years: Sequence[int] = (2024, 2025), seed: int = SEED
) -> dict[str, int]:
    """Bills of ``years`` for every delivered house, with exactly ``payments`` payments (0-4 a bill), reductions
    and refunds. Returns the counts written."""
    from django.utils import timezone

    from gongzhi.estates.ledger.bulk import RowInserter
    from gongzhi.estates.models import House
    from gongzhi.finance.models import Bill, Payment, Reduction, Refund

    rng = random.Random(seed + 1)
    now = timezone.now()
    today = timezone.localdate()
    houses = list(
        House.objects.filter(delivered_on__isnull=False)
        .order_by("id")
        .values_list("id", "community_id", "compound_id", "area", "delivered_on")
    )
    bills: list[dict[str, Any]] = []
    for year in years:
        start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        for hid, cid, compound_id, area, delivered in houses:
            if delivered is None or delivered >= end:
                continue
            months = 12 if delivered <= start else 12 - delivered.month + 1
            due = (area * Decimal("2.50") * months * Decimal("0.85")).quantize(CENT, rounding=ROUND_HALF_UP)
            bills.append(
                {"house": hid, "community": cid, "compound": compound_id, "year": year, "start": start, "end": end,
                 "area": area, "months": months, "due": due, "reduction": Decimal(0), "paid": Decimal(0)}
            )  # fmt: skip
    counts = [rng.choices([n for n, _w in PAYMENTS_PER_BILL], [w for _n, w in PAYMENTS_PER_BILL])[0] for _ in bills]
    target, total = payments, sum(counts)
    while total != target:  # make the total exact, keeping the mix
        i = rng.randrange(len(counts))
        if total < target and counts[i] < 4:
            counts[i] += 1
            total += 1
        elif total > target and counts[i] > 0:
            counts[i] -= 1
            total -= 1
    reductions: list[tuple[Any, ...]] = []
    paying: list[tuple[Any, ...]] = []
    receipt = 0
    for bill, n in zip(bills, counts, strict=True):
        if rng.random() < 0.02:
            bill["reduction"] = (bill["due"] * Decimal("0.2")).quantize(CENT)
        receivable = bill["due"] - bill["reduction"]
        if n == 0 or receivable <= 0:
            continue
        # 75% of bills with payments are paid in full; the others leave a part due
        paid_total = receivable
        if rng.random() >= 0.75:
            paid_total = (receivable * Decimal(rng.uniform(0.3, 0.9))).quantize(CENT)
        for amount in _split(paid_total, n, rng):
            late = rng.random() < 0.15  # paid the next year: arrears recovered
            year = bill["year"] + (1 if late else 0)
            paid_on = min(datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)), today)
            receipt += 1
            paying.append((bill, amount, rng.choice(CHANNELS), f"SJ{year}-{receipt:07d}", paid_on))
        bill["paid"] = paid_total
    bill_fields = (
        "community", "compound", "house", "period", "period_start", "period_end", "area", "months", "vacant_months",
        "basis", "amount_due", "reduction", "paid", "status", "source", "note", "created_at", "updated_at",
    )  # fmt: skip

    def status(b: dict[str, Any]) -> str:
        receivable = b["due"] - b["reduction"]
        if b["paid"] <= 0 and receivable > 0:
            return "unpaid"
        return "paid" if b["paid"] >= receivable else "partial"

    ids = RowInserter(Bill, bill_fields).insert(
        [
            (b["community"], b["compound"], b["house"], str(b["year"]), b["start"], b["end"], b["area"], b["months"],
             0, [], b["due"], b["reduction"], b["paid"], status(b), "generated", "", now, now)
            for b in bills
        ],
        returning=True,
    )  # fmt: skip
    for b, pk in zip(bills, ids, strict=True):
        b["id"] = pk
        if b["reduction"] > 0:
            approved = b["start"] + datetime.timedelta(days=rng.randrange(60))
            reductions.append(
                (b["community"], b["compound"], pk, b["house"], b["reduction"], "困难家庭", approver_id, approved, now)
            )
    RowInserter(Reduction, ("community", "compound", "bill", "house", "amount", "reason", "approver", "approved_on",
                            "created_at")).insert(reductions)  # fmt: skip
    payment_fields = ("community", "compound", "bill", "house", "amount", "channel", "receipt_no", "paid_on", "note",
                      "created_at")  # fmt: skip
    payment_ids = RowInserter(Payment, payment_fields).insert(
        [(b["community"], b["compound"], b["id"], b["house"], amount, channel, no, on, "", now)
         for b, amount, channel, no, on in paying],
        returning=True,
    )  # fmt: skip
    refunds = []
    for pk, (b, amount, _channel, _no, on) in zip(payment_ids, paying, strict=True):
        if rng.random() < 0.005 and amount >= Decimal("2.00"):
            part = (amount / 2).quantize(CENT)
            refunds.append(
                (b["community"], b["compound"], b["id"], pk, b["house"], part, "重复缴费", "paid", "",
                 min(on + datetime.timedelta(days=7), today), now, now)
            )  # fmt: skip
    refund_fields = ("community", "compound", "bill", "payment", "house", "amount", "reason", "status",
                     "decision_note", "paid_on", "created_at", "updated_at")  # fmt: skip
    RowInserter(Refund, refund_fields).insert(refunds)
    # refunds paid out lower what was paid (bills' totals stay in step with the dated rows)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE finance_bill b SET paid = b.paid - r.total, "
            "status = CASE WHEN b.paid - r.total <= 0 THEN 'unpaid' ELSE 'partial' END "
            "FROM (SELECT bill_id, SUM(amount) AS total FROM finance_refund GROUP BY bill_id) r WHERE r.bill_id = b.id"
        )
    return {"bills": len(bills), "payments": len(paying), "reductions": len(reductions), "refunds": len(refunds)}


def vacuum_analyze() -> None:
    """What autovacuum would have done on a live database (outside any transaction)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
