"""Benchmark: the activities calendar page with a year of activities for 200 compounds against 2 compounds.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m bench.activity_calendar \
        [--database-url sqlite:////tmp/x.sqlite3 | postgres://…/throwaway] [--compounds 200] [--per-year 73]
        [--requests 30]

Target (issue 6): the calendar page with a year of data for 200 compounds runs a constant number of SQL queries
(asserted by ``gongzhi/activities/tests/test_query_counts.py``), with recorded server times.

Builds, in the given (throw-away) database, first a small dataset (2 compounds), measures, then grows it to
``--compounds`` compounds (same probe users, same probe compound), and measures again. Every compound gets
``--per-year`` activities spread over the past year (the case ran 73) with 5 sign-ups each, 3 checked in. The
probe users: a resident of compound 1, a community staff member of its community (10 compounds a community),
and a district supervisor (every compound). For each, the current month's calendar page is requested through
Django's test client (DEBUG off): one warm-up, then ``--requests`` timed requests; printed are p50 / p95 / max
(ms), the queries of one request, and the number of activities the page shows. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from typing import Any

from .common import machine, percentile

PER_COMMUNITY = 10


def _build(*, start_index: int, count: int, per_year: int, world: dict[str, Any]) -> None:
    from django.utils import timezone

    from gongzhi.accounts.roles import OrgKind
    from gongzhi.activities.models import Activity, ActivityCategory, Signup
    from gongzhi.testing.factories import CommunityFactory, CompoundFactory, OrganizationFactory, UserFactory

    categories = ActivityCategory.values
    today = timezone.localdate()
    first = today - datetime.timedelta(days=365)
    users = world.setdefault("attendees", [UserFactory.create() for _ in range(5)])
    for i in range(start_index, start_index + count):
        community = world["communities"].get(i // PER_COMMUNITY)
        if community is None:
            community = CommunityFactory.create(parent=world["sub_district"], name=f"社区{i // PER_COMMUNITY}")
            world["communities"][i // PER_COMMUNITY] = community
        compound = CompoundFactory.create(
            community=community, property_company=OrganizationFactory.create(kind=OrgKind.PROPERTY)
        )
        world["compounds"].append(compound)
        rows = []
        for n in range(per_year):
            day = first + datetime.timedelta(days=(n * 365) // per_year)
            begins = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + n % 8)))
            rows.append(
                Activity(
                    community_id=community.pk,
                    compound=compound,
                    title=f"活动{i}-{n}",
                    category=categories[n % len(categories)],
                    place="中心广场",
                    starts_at=begins,
                    ends_at=begins + datetime.timedelta(hours=2),
                    capacity=30,
                    status="held" if begins < timezone.now() else "published",
                    published_at=begins - datetime.timedelta(days=7),
                )
            )
        made = Activity.objects.bulk_create(rows)
        Signup.objects.bulk_create(
            [
                Signup(
                    community_id=community.pk,
                    activity=a,
                    user=u,
                    status="confirmed",
                    checked_in_at=a.starts_at if k < 3 else None,
                )
                for a in made
                for k, u in enumerate(users)
            ]
        )


def _probe(world: dict[str, Any]) -> dict[str, Any]:
    from gongzhi.accounts.roles import OrgKind, Role
    from gongzhi.estates.models import BindingStatus, HouseBinding, Relation
    from gongzhi.testing.factories import HouseFactory, OrganizationFactory, UserFactory, member

    compound = world["compounds"][0]
    resident = UserFactory.create(name="resident")
    house = HouseFactory.create(unit__building__compound=compound)
    HouseBinding.objects.create(
        community_id=compound.community_id,
        compound=compound,
        house=house,
        user=resident,
        relation=Relation.OWNER,
        status=BindingStatus.APPROVED,
    )
    staff = UserFactory.create(name="community_staff")
    member(staff, OrganizationFactory.create(kind=OrgKind.COMMUNITY, area=compound.community), Role.COMMUNITY_STAFF)
    supervisor = UserFactory.create(name="district_supervisor")
    member(supervisor, OrganizationFactory.create(kind=OrgKind.DISTRICT, area=world["district"]), Role.SUPERVISOR)
    return {
        "resident": resident,
        "community_staff": staff,
        "district_supervisor": supervisor,
        "district_supervisor (one compound)": supervisor,
    }


class _Counter(list[str]):
    """An execute wrapper that keeps the SQL of every query (kept across reconnections, unlike the debug log)."""

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.append(sql)
        return execute(sql, params, many, context)


def _measure(users: dict[str, Any], requests: int, compound: str) -> dict[str, dict[str, float]]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    month = f"{timezone.localdate():%Y-%m}"
    out: dict[str, dict[str, float]] = {}
    for label, user in users.items():
        params = {"month": month}
        if label.endswith("(one compound)"):
            params["compound"] = compound
        client = Client()
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneBackend")
        client.get("/activities/", params)
        queries = _Counter()
        with connection.execute_wrapper(queries):
            page = client.get("/activities/", params)
        assert page.status_code == 200
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            client.get("/activities/", params)
            times.append((time.perf_counter() - t0) * 1000)
        out[label] = {
            "p50": statistics.median(times),
            "p95": percentile(times, 95),
            "max": max(times),
            "queries": len(queries),
            "shown": page.content.decode().count('class="act-card"'),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--compounds", type=int, default=200)
    parser.add_argument("--per-year", type=int, default=73)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    if not args.database_url:
        args.database_url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-activities-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from gongzhi.testing.factories import DistrictFactory, SubDistrictFactory

    call_command("migrate", verbosity=0)
    print(machine())
    print(f"database: {connection.vendor}; {args.per_year} activities a compound over the past year, 5 sign-ups each")
    with transaction.atomic():
        district = DistrictFactory.create()
        world: dict[str, Any] = {
            "district": district,
            "sub_district": SubDistrictFactory.create(parent=district),
            "communities": {},
            "compounds": [],
        }
        _build(start_index=0, count=2, per_year=args.per_year, world=world)
        users = _probe(world)
    probe = world["compounds"][0].code
    small = _measure(users, args.requests, probe)
    t0 = time.perf_counter()
    with transaction.atomic():
        _build(start_index=2, count=args.compounds - 2, per_year=args.per_year, world=world)
    print(f"grew to {args.compounds} compounds in {time.perf_counter() - t0:.1f} s")
    large = _measure(users, args.requests, probe)
    print(
        f"{'page (this month)':<52}{'compounds':>10}{'shown':>7}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    )
    for label in users:
        for n, result in ((2, small[label]), (args.compounds, large[label])):
            print(
                f"{'calendar · ' + label:<52}{n:>10}{result['shown']:>7}{result['queries']:>9}"
                f"{result['p50']:>9.1f}{result['p95']:>9.1f}{result['max']:>9.1f}"
            )
        ratio = large[label]["p95"] / small[label]["p95"]
        same = large[label]["queries"] == small[label]["queries"]
        print(f"  p95 ratio {ratio:.2f}; queries constant: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
