"""Action items: due dates, progress, status with reasons, sub-items rolled up by weight, photos, residents'
ratings, and the bulk progress update (all or nothing)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import ActionItem, ActionPhoto, ActionRating, ActionStatus, ActionUpdate, UpdateSource
from gongzhi.meetings.services import BulkRefused, BulkRow, rollup_progress
from gongzhi.notifications.models import Notification
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.voices.models import Score
from gongzhi.voices.tests.photo_files import image_bytes, jpeg_with_gps, stored_files

from .helpers import meetings_state

pytestmark = pytest.mark.django_db


def _due(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_a_due_date_before_creation_is_refused(world: Any, secretary: Any, action: Callable[..., ActionItem]) -> None:
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        action(due_on=_due(-1))
    assert (refused.value.field, refused.value.code) == ("due_on", "due_before_creation")
    assert meetings_state() == before
    # today is fine; and editing later keeps the day of creation as the limit
    item = action(due_on=_due(0))
    before = meetings_state()
    with pytest.raises(DomainError) as edit:
        s.action_item_edit(
            actor=secretary,
            item=item,
            title=item.title,
            due_on=_due(-3),
            responsible_organization=world.orgs[OrgKind.PROPERTY],
        )
    assert edit.value.code == "due_before_creation"
    assert meetings_state() == before


@pytest.mark.parametrize(
    ("args", "field", "code"),
    [
        ({"title": ""}, "title", "required"),
        ({"budget": "abc"}, "budget", "invalid_amount"),
        ({"budget": "-1"}, "budget", "negative_amount"),
        ({"responsible_organization": None}, "responsible_organization", "required"),
        ({"weight": 0}, "weight", "invalid"),
        ({"weight": "1.5"}, "weight", "invalid"),
        ({"voice_ids": ["x"]}, "voices", "invalid_voice"),
    ],
)
def test_bad_action_items_are_refused(
    action: Callable[..., ActionItem], args: dict[str, Any], field: str, code: str
) -> None:
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        action(**args)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert meetings_state() == before


def test_voices_of_another_compound_are_not_linked(world: Any, action: Callable[..., ActionItem]) -> None:
    elsewhere = VoiceFactory.create(compound=world.compound_b)
    with pytest.raises(DomainError) as refused:
        action(voice_ids=[elsewhere.pk])
    assert refused.value.code == "invalid_voice"


def test_progress_over_100_is_refused(world: Any, action: Callable[..., ActionItem]) -> None:
    item = action()
    manager = world.users["property_manager"]
    before = meetings_state()
    for bad in (101, "150", -1, "50.5", "half", True):
        with pytest.raises(DomainError) as refused:
            s.action_progress_update(actor=manager, item=item, progress=bad)
        assert (refused.value.field, refused.value.code) == ("progress", "invalid_progress"), bad
    assert meetings_state() == before


def test_the_property_company_walks_an_item_from_planned_to_done(world: Any, action: Callable[..., ActionItem]) -> None:
    item = action()
    technician = world.users["technician"]
    # recording progress on a planned item starts it
    s.action_progress_update(actor=technician, item=item, progress=30, note="已订购门体")
    item.refresh_from_db()
    assert (item.status, item.progress) == (ActionStatus.IN_PROGRESS, 30)
    assert item.started_at is not None
    # done means 100 %
    s.action_progress_update(actor=technician, item=item, status=ActionStatus.DONE, note="安装完毕")
    item.refresh_from_db()
    assert (item.status, item.progress, item.done_round) == (ActionStatus.DONE, 100, 1)
    assert [(u.status_after, u.progress_after) for u in item.updates.order_by("pk")] == [
        (ActionStatus.PLANNED, 0),
        (ActionStatus.IN_PROGRESS, 30),
        (ActionStatus.DONE, 100),
    ]


def test_a_done_item_moves_backwards_only_with_a_reason(world: Any, action: Callable[..., ActionItem]) -> None:
    item = action()
    manager = world.users["property_manager"]
    s.action_progress_update(actor=manager, item=item, status=ActionStatus.DONE)
    before = meetings_state()
    # lowering the progress of a done item is refused
    with pytest.raises(Conflict) as lowered:
        s.action_progress_update(actor=manager, item=item, progress=80)
    assert lowered.value.code == "done_item"
    # moving it back without a reason is refused
    with pytest.raises(DomainError) as no_reason:
        s.action_progress_update(actor=manager, item=item, status=ActionStatus.IN_PROGRESS, progress=80)
    assert (no_reason.value.field, no_reason.value.code) == ("reason", "reason_required")
    # to "delayed" it cannot go at all
    with pytest.raises(Conflict):
        s.action_progress_update(actor=manager, item=item, status=ActionStatus.DELAYED, reason="x")
    assert meetings_state() == before
    # with a reason it goes back
    s.action_progress_update(
        actor=manager, item=item, status=ActionStatus.IN_PROGRESS, progress=80, reason="门禁卡读头故障"
    )
    item.refresh_from_db()
    assert (item.status, item.progress, item.status_reason, item.done_at) == (
        ActionStatus.IN_PROGRESS,
        80,
        "门禁卡读头故障",
        None,
    )


def test_delaying_needs_a_reason_and_may_set_a_new_due_date(world: Any, action: Callable[..., ActionItem]) -> None:
    item = action(due_on=_due(5))
    manager = world.users["property_manager"]
    before = meetings_state()
    with pytest.raises(DomainError) as no_reason:
        s.action_progress_update(actor=manager, item=item, status=ActionStatus.DELAYED)
    assert no_reason.value.code == "reason_required"
    with pytest.raises(DomainError) as past:
        s.action_progress_update(
            actor=manager, item=item, status=ActionStatus.DELAYED, reason="厂家缺货", due_on=_due(-1)
        )
    assert past.value.field == "due_on"
    with pytest.raises(DomainError) as not_delay:
        s.action_progress_update(actor=manager, item=item, progress=10, due_on=_due(50))
    assert not_delay.value.code == "due_without_delay"
    assert meetings_state() == before
    s.action_progress_update(actor=manager, item=item, status=ActionStatus.DELAYED, reason="厂家缺货", due_on=_due(40))
    item.refresh_from_db()
    assert (item.status, item.status_reason, item.due_on) == (ActionStatus.DELAYED, "厂家缺货", _due(40))


def test_only_community_staff_cancel_and_a_cancelled_item_is_final(
    world: Any, secretary: Any, action: Callable[..., ActionItem]
) -> None:
    item = action()
    manager = world.users["property_manager"]
    before = meetings_state()
    with pytest.raises(NotAllowed):
        s.action_progress_update(actor=manager, item=item, status=ActionStatus.CANCELLED, reason="不做了")
    with pytest.raises(DomainError) as no_reason:
        s.action_progress_update(actor=secretary, item=item, status=ActionStatus.CANCELLED)
    assert no_reason.value.code == "reason_required"
    assert meetings_state() == before
    s.action_progress_update(actor=secretary, item=item, status=ActionStatus.CANCELLED, reason="并入小区改造工程")
    with pytest.raises(Conflict) as final:
        s.action_progress_update(actor=manager, item=item, progress=10)
    assert final.value.code == "cancelled"


def test_an_update_that_changes_nothing_is_refused(world: Any, action: Callable[..., ActionItem]) -> None:
    item = action()
    with pytest.raises(DomainError) as refused:
        s.action_progress_update(actor=world.users["property_manager"], item=item, progress=0)
    assert refused.value.code == "nothing"


def test_rollup_by_weight_computed_by_hand() -> None:
    # (1×100 + 2×50 + 3×0) / 6 = 33.33… → 33
    assert rollup_progress([(1, 100, "done"), (2, 50, "in_progress"), (3, 0, "planned")]) == 33
    # (3×50 + 1×100) / 4 = 62.5 → 63 (half up)
    assert rollup_progress([(3, 50, "in_progress"), (1, 100, "done")]) == 63
    # a cancelled sub-item counts for nothing: (2×40) / 2 = 40
    assert rollup_progress([(2, 40, "in_progress"), (5, 0, "cancelled")]) == 40
    assert rollup_progress([(5, 0, "cancelled")]) is None
    assert rollup_progress([]) is None


def test_sub_items_roll_up_into_their_parent_by_weight(
    world: Any, secretary: Any, action: Callable[..., ActionItem]
) -> None:
    # given 小区绿化提升 broken into three parts: lawns (weight 3), trees (2), benches (1)
    parent = action(title="小区绿化提升")
    manager = world.users["property_manager"]
    lawn, trees, benches = (
        s.action_item_create(actor=manager, parent=parent, title=title, due_on=_due(20), weight=weight)
        for title, weight in (("草坪补种", 3), ("乔木修剪", 2), ("更换座椅", 1))
    )
    assert lawn.responsible_organization == world.orgs[OrgKind.PROPERTY]  # follows the parent
    # when the lawns are 50 % done, the trees done, the benches not started
    s.action_progress_update(actor=manager, item=lawn, progress=50)
    s.action_progress_update(actor=manager, item=trees, status=ActionStatus.DONE)
    parent.refresh_from_db()
    # then the parent is (3×50 + 2×100 + 1×0) / 6 = 58.33 → 58 %, and started
    assert (parent.progress, parent.status) == (58, ActionStatus.IN_PROGRESS)
    assert parent.updates.filter(source=UpdateSource.ROLLUP).count() == 2
    # its own progress follows the sub-items and cannot be set; it is done only once they all are
    before = meetings_state()
    with pytest.raises(DomainError) as own:
        s.action_progress_update(actor=manager, item=parent, progress=90)
    assert own.value.code == "rollup"
    with pytest.raises(Conflict) as early:
        s.action_progress_update(actor=manager, item=parent, status=ActionStatus.DONE)
    assert early.value.code == "open_sub_items"
    with pytest.raises(DomainError) as deep:
        s.action_item_create(actor=manager, parent=lawn, title="再细分", due_on=_due(5))
    assert deep.value.code == "too_deep"
    assert meetings_state() == before
    # cancelling the benches leaves (3×50 + 2×100) / 5 = 70 %
    s.action_progress_update(actor=secretary, item=benches, status=ActionStatus.CANCELLED, reason="预算不足")
    parent.refresh_from_db()
    assert parent.progress == 70
    # a heavier weight for the lawns (5): (5×50 + 2×100) / 7 = 64.29 → 64 %
    s.action_item_edit(
        actor=secretary,
        item=lawn,
        title=lawn.title,
        due_on=lawn.due_on,
        responsible_organization=lawn.responsible_organization,
        weight=5,
    )
    parent.refresh_from_db()
    assert parent.progress == 64


def test_when_an_item_is_done_the_residents_whose_voices_it_answers_are_told_and_rate_it(
    world: Any, action: Callable[..., ActionItem], django_capture_on_commit_callbacks: Any
) -> None:
    # given an item answering the resident's voice and a neighbour's
    resident = world.users["resident"]
    mine = VoiceFactory.create(compound=world.compound_a, author=resident)
    neighbours = VoiceFactory.create(compound=world.compound_a)
    item = action(voice_ids=[mine.pk, neighbours.pk])
    manager = world.users["property_manager"]
    # rating before it is done is refused
    with pytest.raises(Conflict) as early:
        s.action_rate(actor=resident, item=item, score=Score.SATISFIED)
    assert early.value.code == "not_done"
    # when it is done
    with django_capture_on_commit_callbacks(execute=True):
        s.action_progress_update(actor=manager, item=item, status=ActionStatus.DONE)
    # then both authors are told, once
    told = Notification.objects.filter(verb="action.done", dedup_key=f"action:{item.pk}:done:1")
    assert set(told.values_list("recipient_id", flat=True)) == {resident.pk, neighbours.author_id}
    assert list(selectors.actions_to_rate(user=resident)) == [item]
    # and the resident rates it once
    rating = s.action_rate(actor=resident, item=item, score=Score.SATISFIED, comment="门很好用")
    assert rating.round == 1
    assert list(selectors.actions_to_rate(user=resident)) == []
    before = meetings_state()
    with pytest.raises(Conflict) as twice:
        s.action_rate(actor=resident, item=item, score=Score.DISSATISFIED)
    assert twice.value.code == "already_rated"
    # someone whose voice it does not answer may not rate
    with pytest.raises(NotAllowed):
        s.action_rate(actor=world.users["representative"], item=item, score=Score.SATISFIED)
    with pytest.raises(DomainError):
        s.action_rate(actor=neighbours.author, item=item, score="great")
    assert meetings_state() == before
    assert ActionRating.objects.count() == 1


def test_updates_carry_before_and_after_photos_without_their_location(
    world: Any, action: Callable[..., ActionItem], media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    item = action()
    manager = world.users["property_manager"]
    with django_capture_on_commit_callbacks(execute=True):
        update = s.action_progress_update(
            actor=manager,
            item=item,
            progress=40,
            note="开工",
            photos_before=[SimpleUploadedFile("旧门.jpg", jpeg_with_gps())],
            photos_after=[SimpleUploadedFile("新门.png", image_bytes("PNG"))],
        )
    photos = selectors.action_photos(user=world.users["resident"], item=item)
    assert [len(photos["before"]), len(photos["after"])] == [1, 1]
    assert {p.update_id for p in ActionPhoto.objects.all()} == {update.pk}
    files = stored_files(media_root)
    assert len(files) == 4  # two photos and their thumbnails
    assert all(b"GongzhiCam" not in f.read_bytes() for f in files)
    # a note with photos alone is an update too (after photos of a done item)
    s.action_progress_update(actor=manager, item=item, status=ActionStatus.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        s.action_progress_update(actor=manager, item=item, photos_after=[SimpleUploadedFile("a.jpg", image_bytes())])
    assert ActionPhoto.objects.filter(stage="after").count() == 2


def test_a_bad_photo_refuses_the_whole_update(world: Any, action: Callable[..., ActionItem], media_root: Path) -> None:
    item = action()
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.action_progress_update(
            actor=world.users["property_manager"],
            item=item,
            progress=40,
            photos_after=[SimpleUploadedFile("a.jpg", image_bytes()), SimpleUploadedFile("b.jpg", b"not a photo")],
        )
    assert refused.value.field == "photos"
    assert meetings_state() == before
    assert stored_files(media_root) == []


def test_a_resident_edits_nothing(world: Any, held: Any, secretary: Any, action: Callable[..., ActionItem]) -> None:
    resident = world.users["resident"]
    item = action()
    meeting = held()
    before = meetings_state()
    attempts: list[Callable[[], Any]] = [
        lambda: s.action_progress_update(actor=resident, item=item, progress=50),
        lambda: s.action_item_create(actor=resident, compound=world.compound_a, title="x", due_on=_due(3)),
        lambda: s.action_item_create(actor=resident, parent=item, title="x", due_on=_due(3)),
        lambda: s.action_item_edit(actor=resident, item=item, title="x", due_on=_due(3)),
        lambda: s.action_voices_link(actor=resident, item=item, voice_ids=[]),
        lambda: s.actions_bulk_update(actor=resident, rows=[BulkRow(id=item.pk, progress=10)]),
        lambda: s.meeting_create(
            actor=resident,
            compound=world.compound_a,
            kind="owners",
            title="x",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place="x",
        ),
        lambda: s.agenda_item_add(actor=resident, meeting=meeting, title="x"),
        lambda: s.minutes_record(actor=resident, meeting=meeting, item=meeting.agenda_items.get(), text="x"),
        lambda: s.decision_add(actor=resident, item=meeting.agenda_items.get(), text="x"),
        lambda: s.meeting_close(actor=resident, meeting=meeting),
        lambda: s.meeting_cancel(actor=resident, meeting=meeting, reason="x"),
        lambda: s.attendance_mark(actor=resident, meeting=meeting, name="x", party="other"),
        lambda: s.meeting_invite(actor=resident, meeting=meeting, users=[resident]),
    ]
    for attempt in attempts:
        with pytest.raises((NotAllowed, BulkRefused)):
            attempt()
    assert meetings_state() == before


def test_a_bulk_update_with_one_bad_row_changes_nothing_and_lists_every_bad_row(
    world: Any, action: Callable[..., ActionItem]
) -> None:
    # given three items of the property company
    a, b, c = (action(title=t) for t in ("门禁", "照明", "石材养护"))
    manager = world.users["property_manager"]
    s.action_progress_update(actor=manager, item=c, status=ActionStatus.DONE)
    before = meetings_state()
    rows = [
        BulkRow(id=a.pk, progress=40, note="已开工", row=2),
        BulkRow(id=b.pk, progress=140, row=3),  # over 100
        BulkRow(id=c.pk, status="in_progress", progress=60, row=4),  # a done item back without a reason
        BulkRow(id=999999, progress=10, row=5),  # no such item
    ]
    # when the file is applied
    with pytest.raises(BulkRefused) as refused:
        s.actions_bulk_update(actor=manager, rows=rows)
    # then nothing changed, and every bad row is listed with its field
    assert meetings_state() == before
    assert [(e.row, e.field) for e in refused.value.errors] == [(3, "progress"), (4, "reason"), (5, "")]
    assert refused.value.message == "Nothing was updated: 3 rows have errors."


def test_a_good_bulk_update_applies_every_row_and_a_preview_applies_none(
    world: Any, action: Callable[..., ActionItem]
) -> None:
    a, b = action(title="门禁"), action(title="照明")
    manager = world.users["property_manager"]
    rows = [
        BulkRow(id=str(a.pk), progress="40%", note="已开工"),
        BulkRow(id=b.pk, status="delayed", reason="等待业委会确认"),
    ]
    before = meetings_state()
    preview = s.actions_bulk_update(actor=manager, rows=rows, dry_run=True)
    assert [(c.item_id, c.status_after, c.progress_after) for c in preview.changes] == [
        (a.pk, ActionStatus.IN_PROGRESS, 40),
        (b.pk, ActionStatus.DELAYED, 0),
    ]
    assert meetings_state() == before
    done = s.actions_bulk_update(actor=manager, rows=rows)
    assert len(done.changes) == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.progress, a.status, b.status, b.status_reason) == (40, "in_progress", "delayed", "等待业委会确认")
    assert ActionUpdate.objects.filter(source=UpdateSource.BULK).count() == 2


def test_a_bulk_update_refuses_repeated_rows_and_rows_without_an_id(
    world: Any, action: Callable[..., ActionItem]
) -> None:
    a = action()
    with pytest.raises(BulkRefused) as refused:
        s.actions_bulk_update(
            actor=world.users["property_manager"],
            rows=[BulkRow(id=a.pk, progress=1), BulkRow(id="", progress=2), BulkRow(id=a.pk, progress=3)],
        )
    assert [(e.row, e.field) for e in refused.value.errors] == [(2, "id"), (3, "id")]
    assert "row 1" in refused.value.errors[1].message


def test_the_budget_is_kept_in_yuan_with_two_decimals(action: Callable[..., ActionItem]) -> None:
    assert action(budget="¥1,234.5").budget == Decimal("1234.50")
    assert action(budget="").budget is None


def test_an_item_taken_off_the_public_list_takes_its_sub_items_along(
    world: Any, secretary: Any, action: Callable[..., ActionItem]
) -> None:
    parent = action(title="保安岗位调整")
    sub = s.action_item_create(actor=secretary, parent=parent, title="夜班", due_on=_due(5))
    resident = world.users["resident"]
    assert selectors.action_get(user=resident, pk=sub.pk) == sub
    s.action_item_edit(
        actor=secretary,
        item=parent,
        title=parent.title,
        due_on=parent.due_on,
        responsible_organization=parent.responsible_organization,
        is_public=False,
    )
    assert list(selectors.action_list_public(user=resident, compound=world.compound_a)) == []
    with pytest.raises(NotFound):
        selectors.action_get(user=resident, pk=sub.pk)


def test_a_done_item_is_never_less_than_complete(world: Any, action: Callable[..., ActionItem]) -> None:
    item = action()
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.action_progress_update(
            actor=world.users["property_manager"], item=item, status=ActionStatus.DONE, progress=80
        )
    assert (refused.value.field, refused.value.code) == ("progress", "invalid_progress")
    assert meetings_state() == before
