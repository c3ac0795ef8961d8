"""Editing the agenda before the meeting is held: an item's title, notes and privacy, and its place (up / down
buttons). Bad input is refused with a clear error and changes nothing; only conveners may do it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.meetings import services as s
from gongzhi.meetings.models import AgendaItem, Meeting
from gongzhi.meetings.services.agenda import agenda_item_move
from gongzhi.testing.browser import browser_login
from gongzhi.testing.world import ALL_ROLES

from .helpers import meetings_state

pytestmark = pytest.mark.django_db

CONVENERS = {"secretary", "community_staff", "superuser"}
COMMUNITY_SIDE = CONVENERS | {"grid_worker"}
PROPERTY = {"property_manager", "customer_service", "technician", "finance"}
SUPERVISORS = {"sub_district_supervisor", "district_supervisor"}
COMPOUND_STAFF = COMMUNITY_SIDE | PROPERTY | SUPERVISORS | {"representative"}


def _three(secretary: Any, convene: Callable[..., Meeting], **kw: Any) -> tuple[Meeting, list[AgendaItem]]:
    """A published meeting with three items: 大堂电动门, 楼道照明, 快递柜."""
    meeting = convene(**kw)
    s.agenda_item_add(actor=secretary, meeting=meeting, title="楼道照明")
    s.agenda_item_add(actor=secretary, meeting=meeting, title="快递柜")
    return meeting, list(meeting.agenda_items.order_by("position"))


def _titles(meeting: Meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("position").values_list("title", flat=True))


def _edit(item: AgendaItem, **fields: Any) -> dict[str, Any]:
    """The edit form's POST data for ``item`` (its fields are prefixed with the item's id)."""
    return {f"item{item.pk}-{name}": value for name, value in fields.items()}


def test_the_convener_edits_an_items_title_notes_and_privacy(
    world: Any, client_for: Any, secretary: Any, convene: Callable[..., Meeting]
) -> None:
    # given a published meeting's agenda
    meeting, items = _three(secretary, convene)
    client = client_for(secretary)
    # when the secretary saves new words for the second item and makes it private
    url = reverse("meetings:agenda_edit", args=[meeting.pk, items[1].pk])
    response = client.post(url, _edit(items[1], title="楼道照明与监控", detail="3栋、5栋先做", is_private="on"))
    # then they are back on the agenda at that item, and the item has changed (and nothing else)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:agenda", args=[meeting.pk]) + f"#item-{items[1].pk}"
    items[1].refresh_from_db()
    assert (items[1].title, items[1].detail, items[1].is_private) == ("楼道照明与监控", "3栋、5栋先做", True)
    assert _titles(meeting) == ["大堂电动门", "楼道照明与监控", "快递柜"]
    event = AuditEvent.objects.filter(verb="meeting.agenda_update").get()
    assert event.before is not None and event.after is not None
    assert event.before["title"] == "楼道照明" and event.after["title"] == "楼道照明与监控"
    # and the page shows the new text, each item with its own edit form filled in
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert "3栋、5栋先做" in page
    assert f'id="id_item{items[0].pk}-title"' in page and 'value="大堂电动门"' in page


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({}, "title"),
        ({"title": "长" * 101}, "title"),
        ({"title": "大堂", "detail": "长" * 2001}, "detail"),
    ],
)
def test_bad_edits_are_refused_beside_the_field_and_change_nothing(
    world: Any, client_for: Any, secretary: Any, convene: Callable[..., Meeting], fields: dict[str, str], bad: str
) -> None:
    meeting, items = _three(secretary, convene)
    before = meetings_state()
    response = client_for(secretary).post(
        reverse("meetings:agenda_edit", args=[meeting.pk, items[0].pk]), _edit(items[0], **fields)
    )
    assert response.status_code == 400
    page = response.content.decode()
    # the error is beside the field (Django's own message), in the one form left open
    assert f'aria-describedby="id_item{items[0].pk}-{bad}_error"' in page
    assert page.count('class="error" role="alert"') == 1
    assert page.count('<details class="agenda-edit" open>') == 1
    assert meetings_state() == before


def test_markup_in_an_item_is_kept_as_text_and_shown_escaped(
    world: Any, client_for: Any, secretary: Any, convene: Callable[..., Meeting]
) -> None:
    meeting, items = _three(secretary, convene)
    client = client_for(secretary)
    script = "<script>alert('x')</script>"
    client.post(reverse("meetings:agenda_edit", args=[meeting.pk, items[0].pk]), _edit(items[0], title=script))
    items[0].refresh_from_db()
    assert items[0].title == script
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_the_convener_moves_items_up_and_down(
    world: Any, client_for: Any, secretary: Any, convene: Callable[..., Meeting]
) -> None:
    meeting, items = _three(secretary, convene)
    client = client_for(secretary)
    move = reverse("meetings:agenda_move", args=[meeting.pk, items[2].pk])
    # when the last item goes up twice, then the (new) second one goes down
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert _titles(meeting) == ["大堂电动门", "快递柜", "楼道照明"]
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert _titles(meeting) == ["快递柜", "大堂电动门", "楼道照明"]
    response = client.post(reverse("meetings:agenda_move", args=[meeting.pk, items[0].pk]), {"direction": "down"})
    assert response["Location"].endswith(f"#item-{items[0].pk}")
    assert _titles(meeting) == ["快递柜", "楼道照明", "大堂电动门"]
    # positions stay 1, 2, 3 and each move is audited
    assert list(meeting.agenda_items.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    assert AuditEvent.objects.filter(verb="meeting.agenda_move").count() == 3
    # the page offers no "up" on the first item, no "down" on the last
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert page.count('class="link move-up"') == 2 and page.count('class="link move-down"') == 2


@pytest.mark.parametrize(
    ("which", "data", "error"),
    [
        (0, {"direction": "up"}, "This item is already first."),
        (2, {"direction": "down"}, "This item is already last."),
        (1, {"direction": "sideways"}, "Move an item up or down."),
        (1, {"direction": "<script>"}, "Move an item up or down."),
        (1, {}, "Move an item up or down."),
    ],
)
def test_impossible_moves_are_refused_and_change_nothing(
    world: Any,
    client_for: Any,
    secretary: Any,
    convene: Callable[..., Meeting],
    which: int,
    data: dict[str, str],
    error: str,
) -> None:
    meeting, items = _three(secretary, convene)
    before = meetings_state()
    response = client_for(secretary).post(reverse("meetings:agenda_move", args=[meeting.pk, items[which].pk]), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert "<script>" not in response.content.decode().split('id="agenda-error"')[1][:200]
    assert meetings_state() == before


def test_once_the_meeting_is_held_its_agenda_is_no_longer_edited_nor_reordered(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting]
) -> None:
    # given a held meeting
    meeting = held()
    s.agenda_item_add(actor=secretary, meeting=meeting, title="临时动议：快递柜")
    items = list(meeting.agenda_items.order_by("position"))
    client = client_for(secretary)
    before = meetings_state()
    # when the convener still tries: the page refuses with the reason, nothing changes
    edit = client.post(reverse("meetings:agenda_edit", args=[meeting.pk, items[0].pk]), _edit(items[0], title="改"))
    assert edit.status_code == 400 and "its agenda can no longer be changed" in edit.content.decode()
    move = client.post(reverse("meetings:agenda_move", args=[meeting.pk, items[1].pk]), {"direction": "up"})
    assert move.status_code == 400 and "its agenda can no longer be changed" in move.content.decode()
    assert meetings_state() == before
    # and the page offers neither
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert "agenda-edit" not in page and "move-up" not in page
    # the services say the same
    with pytest.raises(Conflict):
        s.agenda_item_update(actor=secretary, item=items[0], title="改")
    with pytest.raises(Conflict):
        agenda_item_move(actor=secretary, item=items[1], direction="up")


def test_an_item_of_another_meeting_or_none_is_a_404(
    world: Any, client_for: Any, secretary: Any, convene: Callable[..., Meeting]
) -> None:
    meeting, _items = _three(secretary, convene)
    _other, others = _three(secretary, convene, title="另一次会议")
    client = client_for(secretary)
    before = meetings_state()
    for item_pk in (others[0].pk, 999999):
        assert (
            client.post(reverse("meetings:agenda_move", args=[meeting.pk, item_pk]), {"direction": "up"}).status_code
            == 404
        )
        assert client.post(reverse("meetings:agenda_edit", args=[meeting.pk, item_pk]), {}).status_code == 404
    assert client.get(reverse("meetings:agenda_move", args=[meeting.pk, others[1].pk])).status_code == 405
    assert meetings_state() == before


def test_only_conveners_edit_or_move_through_the_services(
    world: Any, secretary: Any, convene: Callable[..., Meeting]
) -> None:
    _meeting, items = _three(secretary, convene)
    before = meetings_state()
    for role in ("grid_worker", "property_manager", "representative", "resident"):
        with pytest.raises(NotAllowed):
            s.agenda_item_update(actor=world.users[role], item=items[0], title="改")
        with pytest.raises(NotAllowed):
            agenda_item_move(actor=world.users[role], item=items[1], direction="up")
    with pytest.raises(DomainError):
        agenda_item_move(actor=secretary, item=items[1], direction="left")
    assert meetings_state() == before


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_may_edit_and_move_agenda_items_exactly_as_a_convener_may(
    world: Any, client_for: Any, secretary: Any, convene: Callable[..., Meeting], role: str
) -> None:
    # given a published public meeting and a draft, each with three items
    public, items = _three(secretary, convene)
    draft, draft_items = _three(secretary, convene, publish=False, title="草稿会议")
    client = client_for(world.users[role])
    for meeting, rows, visible in ((public, items, COMPOUND_STAFF), (draft, draft_items, COMMUNITY_SIDE)):
        before = meetings_state()
        edit = client.post(
            reverse("meetings:agenda_edit", args=[meeting.pk, rows[0].pk]), _edit(rows[0], title=f"{role}改的")
        )
        move = client.post(reverse("meetings:agenda_move", args=[meeting.pk, rows[2].pk]), {"direction": "up"})
        if role == "anonymous":
            expected = 302
            assert edit["Location"].startswith(reverse("accounts:login"))
        elif role in CONVENERS:
            expected = 302
        else:
            expected = 403 if role in visible else 404
        assert (edit.status_code, move.status_code) == (expected, expected)
        if role in CONVENERS:
            assert _titles(meeting) == [f"{role}改的", "快递柜", "楼道照明"]
        else:
            assert meetings_state() == before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_secretary_reorders_and_edits_the_agenda_without_any_script_framework(
    world: Any, live_server: Any, phone_page: Any, secretary: Any, convene: Callable[..., Meeting]
) -> None:
    # given a published meeting with three items
    meeting, items = _three(secretary, convene)
    base = live_server.url
    browser_login(phone_page, base, secretary.phone)
    phone_page.goto(f"{base}{reverse('meetings:agenda', args=[meeting.pk])}")
    # when the secretary moves the first item down with its button
    phone_page.locator(f"#item-{items[0].pk} button.move-down").click()
    phone_page.wait_for_load_state("networkidle")
    # then the agenda reads in the new order, on the page and in the database
    shown = phone_page.locator("ol.agenda > li > strong").all_inner_texts()
    assert shown == ["楼道照明", "大堂电动门", "快递柜"]
    assert _titles(meeting) == shown
    # and when the secretary opens the third item's editor and renames it
    phone_page.locator(f"#item-{items[2].pk} details.agenda-edit summary").click()
    phone_page.fill(f"#id_item{items[2].pk}-title", "快递柜增设（3号门）")
    phone_page.locator(f"#item-{items[2].pk} details.agenda-edit button[type=submit]").click()
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator("ol.agenda > li > strong").all_inner_texts()[2] == "快递柜增设（3号门）"
    # the buttons are large enough to tap and the page does not scroll sideways
    box = phone_page.locator(f"#item-{items[0].pk} button.move-up").bounding_box()
    assert box is not None and box["height"] >= 24
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
