"""Read counts: one receipt per resident and notice, written once and cheaply; staff opening a notice do not
count; the residents' list reads in constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.estates.models import BindingStatus, HouseBinding, Relation
from gongzhi.notices import selectors
from gongzhi.notices import services as s
from gongzhi.notices.models import NoticeImage, ReadReceipt
from gongzhi.testing.factories import HouseFactory, UserFactory
from gongzhi.testing.notices_factories import NoticeBuildingFactory, NoticeFactory, ReadReceiptFactory

from .conftest import in_hours

pytestmark = pytest.mark.django_db


def _neighbour(world: Any) -> Any:
    user = UserFactory.create(name="邻居")
    house = HouseFactory.create(unit=world.house_a.unit, room="201", floor=2)
    HouseBinding.objects.create(
        community=world.compound_a.community,
        compound=world.compound_a,
        house=house,
        user=user,
        relation=Relation.OWNER,
        status=BindingStatus.APPROVED,
    )
    return user


def test_a_resident_opening_a_notice_many_times_counts_once(world, client_for, write):
    # given a notice
    notice = write()
    client = client_for(world.users["resident"])
    url = reverse("notices:detail", args=[notice.pk])
    # when the resident opens it three times
    for _ in range(3):
        assert client.get(url).status_code == 200
    # then there is one receipt and the count is 1
    assert ReadReceipt.objects.filter(notice=notice).count() == 1
    seen: Any = selectors.notice_get_staff(user=world.users["secretary"], pk=notice.pk)
    assert seen.read_count == 1
    # when a neighbour opens it, the count is 2
    client_for(_neighbour(world)).get(url)
    seen = selectors.notice_get_staff(user=world.users["secretary"], pk=notice.pk)
    assert seen.read_count == 2


def test_staff_opening_a_notice_do_not_count(world, client_for, write):
    notice = write()
    for role in ("secretary", "technician", "representative", "superuser"):
        assert client_for(world.users[role]).get(reverse("notices:manage_detail", args=[notice.pk])).status_code == 200
    assert not ReadReceipt.objects.exists()


def test_opening_a_read_notice_writes_nothing(world, client_for, write):
    # given a notice the resident has read
    notice = write()
    client = client_for(world.users["resident"])
    url = reverse("notices:detail", args=[notice.pk])
    client.get(url)
    # when they open it again, then no INSERT is sent at all
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert not [q for q in ctx.captured_queries if "notices_readreceipt" in q["sql"] and "INSERT" in q["sql"]]


def test_a_second_receipt_for_the_same_person_is_ignored_by_the_database(world, write):
    # given a receipt already written (another tab of the same phone)
    notice = write()
    resident = world.users["resident"]
    ReadReceiptFactory.create(notice=notice, user=resident)
    # when the service writes it again without knowing, then the unique constraint keeps one
    s.notice_read(user=resident, notice=notice)
    assert ReadReceipt.objects.filter(notice=notice, user=resident).count() == 1


# --- Constant queries ----------------------------------------------------------------------------------------------


def _notices(world: Any, n: int) -> None:
    resident = world.users["resident"]
    for i in range(n):
        notice = NoticeFactory.create(compound=world.compound_a, published_from=in_hours(-1 - i), is_pinned=i == 0)
        NoticeImage.objects.create(
            community=notice.community, notice=notice, image=f"notices/{notice.pk}.jpg", created_at=notice.created_at
        )
        to_building = NoticeFactory.create(compound=world.compound_a)
        NoticeBuildingFactory.create(notice=to_building, building=world.house_a.building)
        if i % 2:
            ReadReceiptFactory.create(notice=notice, user=resident)


def _read_list(user: Any) -> list[tuple[Any, ...]]:
    rows: Any = selectors.notices_for_resident(user=user)
    return [(n.title, n.is_read, n.image_count, n.cover_id, n.organization.name, n.compound.name) for n in rows]


def test_the_residents_list_reads_in_constant_queries(world):
    _notices(world, 3)
    with CaptureQueriesContext(connection) as few:
        small = _read_list(world.users["resident"])
    _notices(world, 20)
    with CaptureQueriesContext(connection) as many:
        large = _read_list(world.users["resident"])
    assert (len(small), len(large)) == (6, 46)
    assert len(many) == len(few) == 1
    assert sum(1 for row in large if row[1]) == 1 + 10


def test_the_residents_list_page_costs_the_same_queries_however_many_notices(world, client_for):
    client = client_for(world.users["resident"])
    url = reverse("notices:list")
    _notices(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _notices(world, 20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_staff_list_page_costs_the_same_queries_however_many_notices(world, client_for):
    client = client_for(world.users["secretary"])
    url = reverse("notices:manage")
    _notices(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _notices(world, 20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
