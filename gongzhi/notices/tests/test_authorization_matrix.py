"""Every role in the world × every notices and lobby-screen action and read.

Authors (the community's secretary and staff, the property company's manager and customer service) write
notices; each side changes its own organization's notices, and the community may also withdraw the property
company's. Every staff role of the compound (representatives and supervisors too) reads its published notices
and their read counts; staff-only notices are not for the representatives; drafts are for authors. Residents
read their current notices; departments, police, law firms, applicants, strangers and the anonymous visitor see
nothing. Lobby screens are managed by authors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.notices import selectors
from gongzhi.notices import services as s
from gongzhi.notices.models import Notice, NoticeImage, NoticeKind
from gongzhi.testing.notices_factories import LobbyScreenFactory, NoticeFactory
from gongzhi.testing.world import ALL_ROLES

from .conftest import in_hours

pytestmark = pytest.mark.django_db

COMMUNITY_AUTHORS = {"secretary", "community_staff", "superuser"}
PROPERTY_AUTHORS = {"property_manager", "customer_service", "superuser"}
AUTHORS = COMMUNITY_AUTHORS | PROPERTY_AUTHORS
SUPERVISORS = {"sub_district_supervisor", "district_supervisor"}
STAFF = {"secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "technician", "finance"}
VIEWERS = STAFF | SUPERVISORS | {"representative", "superuser"}

EXPECTED: dict[str, set[str]] = {
    "notice_create": AUTHORS,
    "notice_update_community": COMMUNITY_AUTHORS,
    "notice_update_property": PROPERTY_AUTHORS,
    "notice_publish_community": COMMUNITY_AUTHORS,
    "notice_publish_property": PROPERTY_AUTHORS,
    "notice_withdraw_community": COMMUNITY_AUTHORS,
    "notice_withdraw_property": PROPERTY_AUTHORS | COMMUNITY_AUTHORS,
    "notice_image_remove": COMMUNITY_AUTHORS,
    "view_published_staff": VIEWERS,
    "view_draft_staff": AUTHORS,
    "view_staff_only": VIEWERS - {"representative"},
    "list_staff": VIEWERS,
    "list_staff_of_compound": VIEWERS,
    "list_as_resident": {"resident"},
    "read_as_resident": {"resident"},
    "read_building_notice": {"resident"},
    "read_staff_only_as_resident": set(),
    "picture": VIEWERS | {"resident"},
    "screen_create": AUTHORS,
    "screen_list": AUTHORS,
    "screen_revoke": AUTHORS,
}


def _actions(world: Any) -> dict[str, Callable[[Any], Any]]:
    u, compound = world.users, world.compound_a
    secretary, manager = u["secretary"], u["property_manager"]

    def notice(*, by: Any = secretary, publish: bool = True, **kw: Any) -> Notice:
        made = s.notice_create(
            actor=by,
            compound=compound,
            kind=NoticeKind.NOTICE,
            title="通知",
            body="正文",
            published_from=in_hours(-1),
            **kw,
        )
        if publish:
            s.notice_publish(actor=by, notice=made)
        made.refresh_from_db()
        return made

    def update(actor: Any, target: Notice) -> Any:
        return s.notice_update(
            actor=actor,
            notice=target,
            kind=target.kind,
            title="改过的标题",
            body=target.body,
            published_from=target.published_from,
        )

    def must_list(qs: Any, obj: Any) -> None:
        if obj not in list(qs):
            raise NotFound("not listed")

    published = notice()
    draft = notice(publish=False)
    staff_only = notice(staff_only=True)
    to_building = notice(buildings=[world.house_a.building_id])
    with_picture = NoticeFactory.create(compound=compound, title="有图")
    picture = NoticeImage.objects.create(
        community=compound.community, notice=with_picture, image="notices/x.jpg", created_at=with_picture.created_at
    )

    def image_remove(actor: Any) -> Any:
        target = notice()
        row = NoticeImage.objects.create(
            community=compound.community, notice=target, image="notices/y.jpg", created_at=target.created_at
        )
        return s.notice_image_remove(actor=actor, notice=target, image_id=row.pk)

    return {
        "notice_create": lambda a: notice(by=a, publish=False),
        "notice_update_community": lambda a: update(a, notice()),
        "notice_update_property": lambda a: update(a, notice(by=manager)),
        "notice_publish_community": lambda a: s.notice_publish(actor=a, notice=notice(publish=False)),
        "notice_publish_property": lambda a: s.notice_publish(actor=a, notice=notice(by=manager, publish=False)),
        "notice_withdraw_community": lambda a: s.notice_withdraw(actor=a, notice=notice()),
        "notice_withdraw_property": lambda a: s.notice_withdraw(actor=a, notice=notice(by=manager)),
        "notice_image_remove": image_remove,
        "view_published_staff": lambda a: selectors.notice_get_staff(user=a, pk=published.pk),
        "view_draft_staff": lambda a: selectors.notice_get_staff(user=a, pk=draft.pk),
        "view_staff_only": lambda a: selectors.notice_get_staff(user=a, pk=staff_only.pk),
        "list_staff": lambda a: must_list(selectors.notices_staff_list(user=a), published),
        "list_staff_of_compound": lambda a: must_list(
            selectors.notices_staff_list(user=a, compound=compound), published
        ),
        "list_as_resident": lambda a: must_list(selectors.notices_for_resident(user=a), published),
        "read_as_resident": lambda a: selectors.notice_get_resident(user=a, pk=published.pk),
        "read_building_notice": lambda a: selectors.notice_get_resident(user=a, pk=to_building.pk),
        "read_staff_only_as_resident": lambda a: selectors.notice_get_resident(user=a, pk=staff_only.pk),
        "picture": lambda a: selectors.notice_image_get(user=a, pk=with_picture.pk, image_id=picture.pk),
        "screen_create": lambda a: s.lobby_screen_create(actor=a, compound=compound, location="1栋大堂"),
        "screen_list": lambda a: list(selectors.screens_of(user=a, compound=compound)),
        "screen_revoke": lambda a: s.lobby_screen_revoke(actor=a, screen=LobbyScreenFactory.create(compound=compound)),
    }


@pytest.mark.parametrize("action", list(EXPECTED))
def test_matrix(world: Any, action: str) -> None:
    run = _actions(world)[action]
    allowed = set()
    for role in ALL_ROLES:
        actor = world.users[role] or AnonymousUser()
        try:
            run(actor)
        except (NotAllowed, NotFound):
            continue
        allowed.add(role)
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


def test_every_action_has_an_expectation_and_outsiders_get_nothing(world: Any) -> None:
    assert set(_actions(world)) == set(EXPECTED)
    everyone = set().union(*EXPECTED.values())
    assert everyone <= set(ALL_ROLES)
    assert {"applicant", "stranger", "anonymous", "lawyer", "officer", "liaison"}.isdisjoint(everyone)


def test_compound_b_is_out_of_scope_for_compound_a_staff(world: Any) -> None:
    # given a notice of compound B
    other = NoticeFactory.create(compound=world.compound_b)
    # then compound A's staff neither see nor change it, and a supervisor above both sees it
    for role in ("secretary", "property_manager", "representative"):
        with pytest.raises(NotFound):
            selectors.notice_get_staff(user=world.users[role], pk=other.pk)
        with pytest.raises(NotAllowed):
            s.notice_withdraw(actor=world.users[role], notice=other)
    assert selectors.notice_get_staff(user=world.users["sub_district_supervisor"], pk=other.pk) == other
