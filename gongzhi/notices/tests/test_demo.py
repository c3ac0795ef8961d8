"""The demo notices: seeded once through the services, shown to the demo resident pinned first, and a screen."""

from __future__ import annotations

import pytest

from gongzhi.notices import selectors
from gongzhi.notices.demo import seed_notices
from gongzhi.notices.models import LobbyScreen, Notice, NoticeStatus

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_notices_and_a_screen_once(world):
    args = {
        "compound": world.compound_a,
        "secretary": world.users["secretary"],
        "manager": world.users["property_manager"],
    }
    # when the demo is seeded twice
    first = seed_notices(**args)
    second = seed_notices(**args)
    # then the notices are there once, all published, and one screen
    assert first == Notice.objects.count() == 6 and second == 0
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.PUBLISHED}
    assert LobbyScreen.objects.filter(compound=world.compound_a).count() == 1
    # and the resident sees the pinned water-cut notice first, and not the staff-only one
    titles = [n.title for n in selectors.notices_for_resident(user=world.users["resident"])]
    assert titles[0] == "关于二次供水水箱清洗的停水通知"
    assert "三方联席会议议定事项跟进（内部）" not in titles
    assert len(titles) == 5
