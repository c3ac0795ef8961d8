"""Benchmark: the compound overview with its house matrix (房态图) of a 5,000-house compound, server side.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m bench.house_matrix [--houses 5000] [--runs 20]

Builds a throw-away test database (SQLite in memory by default; with DATABASE_URL, a ``test_`` database on
that server), a compound of ``--houses`` houses (buildings × 2 units × 25 floors × rooms) with one status
event per house and residents in the occupied ones, and a property manager. It then renders the overview
through Django's test client (whole request: session, scope, KPIs, matrix, template) and prints the median
time of ``--runs`` renders after two warm-ups, and the number of SQL queries of one render, for:

- ``all``: every building's matrix (``?building=all``), i.e. all the compound's houses on one page;
- ``default``: the page as it opens (a compound over 1,000 houses opens on its first building).

Never run by the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import time
from decimal import Decimal
from typing import Any

FLOORS = 25
UNITS = 2


def build_compound(houses: int, seed: int = 7) -> tuple[Any, Any]:
    """A compound of ``houses`` houses and a property manager who may see it; returns (compound, user)."""
    from gongzhi.accounts.models import Membership, Organization, User
    from gongzhi.accounts.roles import OrgKind, Role
    from gongzhi.core import crypto
    from gongzhi.estates.models import (
        OCCUPIED_STATUSES,
        Building,
        House,
        HouseEvent,
        HouseStatus,
        Relation,
        Resident,
        Unit,
    )
    from gongzhi.estates.services import compound_create

    rng = random.Random(seed)
    company = Organization.objects.create(kind=OrgKind.PROPERTY, name="基准物业")
    compound = compound_create(
        actor=None,
        code="bench",
        name="基准小区",
        community="基准社区",
        sub_district="基准街道",
        district="基准区",
        property_company=company,
        delivered_on=datetime.date(2023, 6, 30),
    )
    cid = compound.community_id
    rooms_per_floor = 4
    per_building = UNITS * FLOORS * rooms_per_floor
    n_buildings = -(-houses // per_building)
    buildings = Building.objects.bulk_create(
        [Building(community_id=cid, compound=compound, name=f"{i + 1}栋", sort_key=i + 1) for i in range(n_buildings)]
    )
    units = Unit.objects.bulk_create(
        [
            Unit(community_id=cid, compound=compound, building=b, name=f"{u + 1}单元", sort_key=u + 1)
            for b in buildings
            for u in range(UNITS)
        ]
    )
    delivered = datetime.date(2023, 6, 30)
    weights = [
        (HouseStatus.OCCUPIED, 45),
        (HouseStatus.RENTED, 8),
        (HouseStatus.VACANT, 35),
        (HouseStatus.RENOVATING, 10),
        (HouseStatus.UNDELIVERED, 2),
    ]
    statuses = [s for s, _w in weights]
    cum = [w for _s, w in weights]
    new_houses: list[House] = []
    for unit in units:
        for floor in range(1, FLOORS + 1):
            for r in range(1, rooms_per_floor + 1):
                if len(new_houses) >= houses:
                    break
                status = rng.choices(statuses, cum)[0]
                phone = f"139{len(new_houses):08d}"
                new_houses.append(
                    House(
                        community_id=cid,
                        compound=compound,
                        building_id=unit.building_id,
                        unit=unit,
                        room=f"{floor}{r:02d}",
                        floor=floor,
                        area=Decimal("98.50"),
                        status=status,
                        delivered_on=None if status == HouseStatus.UNDELIVERED else delivered,
                        moved_in_on=delivered + datetime.timedelta(days=rng.randint(0, 800))
                        if status in OCCUPIED_STATUSES
                        else None,
                        owner_name=f"业主{len(new_houses)}",
                        owner_phone=phone,
                        owner_phone_hash=crypto.phone_hash(phone),
                    )
                )
    created = House.objects.bulk_create(new_houses, batch_size=1000)
    HouseEvent.objects.bulk_create(
        [
            HouseEvent(
                community_id=cid,
                house=h,
                status=h.status,
                effective_on=h.moved_in_on or h.delivered_on or delivered,
                source="import",
            )
            for h in created
        ],
        batch_size=1000,
    )
    Resident.objects.bulk_create(
        [
            Resident(
                community_id=cid,
                compound=compound,
                house=h,
                relation=Relation.OWNER,
                is_permanent=True,
                moved_in_on=h.moved_in_on,
                source="import",
            )
            for h in created
            if h.status in OCCUPIED_STATUSES
        ],
        batch_size=1000,
    )
    user = User.objects.create_user(phone="13700000000", password="bench-Password-1", name="基准经理")  # noqa: S106
    Membership.objects.create(user=user, organization=company, role=Role.PROPERTY_MANAGER)
    return compound, user


def measure(client: Any, url: str, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    queries = len(ctx.captured_queries)  # read now: the next request clears the connection's query log
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "queries": queries,
        "cells": response.content.count(b'class="cell st-') - 5,  # minus the legend's five
        "kb": len(response.content) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--houses", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        t0 = time.perf_counter()
        compound, user = build_compound(args.houses)
        build_s = time.perf_counter() - t0
        client = Client()
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneBackend")
        url = reverse("estates:compound_detail", args=[compound.code])
        print(
            f"house matrix benchmark: {args.houses} houses, {args.runs} runs, {connection.vendor}, "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs (data built in {build_s:.1f} s)"
        )
        for label, query in (("all", "?building=all"), ("default", "")):
            r = measure(client, url + query, args.runs)
            print(
                f"  {label:8} median {r['median_ms']:7.1f} ms  (min {r['min_ms']:.1f}, max {r['max_ms']:.1f})  "
                f"{r['queries']} queries  {r['cells']} cells  {r['kb']:.0f} KiB"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
