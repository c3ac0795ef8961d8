"""Writing, publishing and withdrawing notices through the services: the rules, the state machine, and bad input
refused with a clear error and nothing changed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.notices import selectors
from gongzhi.notices import services as s
from gongzhi.notices.models import Notice, NoticeImage, NoticeKind, NoticeStatus
from gongzhi.testing.factories import BuildingFactory
from gongzhi.voices.tests.photo_files import image_bytes, jpeg_with_gps, png_declaring, upload

from .conftest import in_hours
from .helpers import notices_state

pytestmark = pytest.mark.django_db


def test_a_notice_is_written_as_a_draft_in_the_name_of_the_authors_organization(world, secretary):
    # when the community secretary writes a notice
    notice = s.notice_create(
        actor=secretary,
        compound=world.compound_a,
        kind=NoticeKind.CIVILITY,
        title="  文明养犬  倡议 ",
        body="出门遛狗请牵绳。\r\n\r\n\r\n\r\n及时清理粪便。   ",
        published_from=in_hours(-1),
    )
    # then it is a draft of the community office, its text tidied, and the write is audited
    assert notice.status == NoticeStatus.DRAFT
    assert notice.organization == world.orgs[OrgKind.COMMUNITY]
    assert notice.title == "文明养犬 倡议"
    assert notice.body == "出门遛狗请牵绳。\n\n及时清理粪便。"
    assert AuditEvent.objects.filter(verb="notice.create", object_id=str(notice.pk)).exists()
    # and the property manager's notice is the property company's
    other = s.notice_create(
        actor=world.users["property_manager"],
        compound=world.compound_a,
        kind=NoticeKind.NOTICE,
        title="电梯检修",
        body="2栋电梯周三检修。",
        published_from=in_hours(-1),
    )
    assert other.organization == world.orgs[OrgKind.PROPERTY]


def test_publish_then_withdraw_follows_the_state_machine(world, secretary, write):
    # given a draft
    notice = write(publish=False)
    # when it is published, then withdrawn with a reason
    s.notice_publish(actor=secretary, notice=notice)
    s.notice_withdraw(actor=secretary, notice=notice, reason="时间改了")
    notice.refresh_from_db()
    # then it is withdrawn, with the times and reason kept, each step audited
    assert notice.status == NoticeStatus.WITHDRAWN
    assert notice.published_at is not None and notice.withdrawn_at is not None
    assert notice.withdraw_reason == "时间改了"
    verbs = list(AuditEvent.objects.filter(object_id=str(notice.pk)).values_list("verb", flat=True).order_by("id"))
    assert verbs == ["notice.create", "notice.publish", "notice.withdraw"]


@pytest.mark.parametrize(
    ("publish", "call", "message"),
    [
        (False, "withdraw", "This notice is Draft; it cannot become Withdrawn."),
        (True, "publish", "This notice is Published; it cannot become Published."),
        ("withdrawn", "publish", "This notice is Withdrawn; it cannot become Published."),
        ("withdrawn", "withdraw", "This notice is Withdrawn; it cannot become Withdrawn."),
        ("withdrawn", "update", "A withdrawn notice cannot be changed."),
    ],
)
def test_an_illegal_move_is_a_conflict_and_changes_nothing(world, secretary, write, publish, call, message):
    # given a draft, a published or a withdrawn notice
    notice = write(publish=bool(publish))
    if publish == "withdrawn":
        s.notice_withdraw(actor=secretary, notice=notice)
    before = notices_state()
    # when it is moved where the state machine does not go
    with pytest.raises(Conflict) as refused:
        if call == "publish":
            s.notice_publish(actor=secretary, notice=notice)
        elif call == "withdraw":
            s.notice_withdraw(actor=secretary, notice=notice)
        else:
            s.notice_update(
                actor=secretary,
                notice=notice,
                kind=notice.kind,
                title="新标题",
                body=notice.body,
                published_from=notice.published_from,
            )
    # then the reason is clear and nothing changed
    assert refused.value.message == message
    assert notices_state() == before


def _bad_fields(world: Any) -> list[tuple[str, dict[str, Any], str, str]]:
    soon = in_hours(1)
    return [
        ("window", {"published_until": in_hours(-2)}, "published_until", "shown until a time after"),
        ("window-equal", {"published_from": soon, "published_until": soon}, "published_until", "after"),
        ("no-start", {"published_from": None}, "published_from", "Give the time"),
        ("no-title", {"title": "   "}, "title", "Give the notice a title."),
        ("long-title", {"title": "长" * 101}, "title", "At most 100 characters (this has 101)."),
        ("no-body", {"body": "\n\n  "}, "body", "Write the notice's text."),
        ("long-body", {"body": "字" * 5001}, "body", "At most 5000 characters (this has 5001)."),
        ("nul", {"body": "正文\x00尾巴"}, "body", "characters that cannot be shown"),
        ("kind", {"kind": "advert"}, "kind", "Choose a kind of notice."),
        ("building", {"buildings": [world.house_b.building_id]}, "buildings", "Choose buildings of this compound."),
        ("building-junk", {"buildings": ["x"]}, "buildings", "Choose buildings of this compound."),
        (
            "staff-and-buildings",
            {"staff_only": True, "buildings": [world.house_a.building_id]},
            "buildings",
            "A staff-only notice goes to the compound's staff",
        ),
    ]


@pytest.mark.parametrize(
    "case",
    [
        "window",
        "window-equal",
        "no-start",
        "no-title",
        "long-title",
        "no-body",
        "long-body",
        "nul",
        "kind",
        "building",
        "building-junk",
        "staff-and-buildings",
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_changes(world, secretary, media_root, case):
    # given the notice fields with one thing wrong
    name, change, field, needle = next(c for c in _bad_fields(world) if c[0] == case)
    args: dict[str, Any] = {
        "compound": world.compound_a,
        "kind": NoticeKind.NOTICE,
        "title": "停水通知",
        "body": "周六停水。",
        "published_from": in_hours(-1),
    }
    args.update(change)
    before = notices_state(media_root)
    # when the secretary writes it
    with pytest.raises(DomainError) as refused:
        s.notice_create(actor=secretary, **args)
    # then the error names the field and says what is wrong, and nothing was written
    assert refused.value.field == field, name
    assert needle in refused.value.message
    assert notices_state(media_root) == before


def test_an_update_with_a_bad_window_changes_nothing(world, secretary, write):
    # given a published notice
    notice = write()
    before = notices_state()
    # when the secretary sets its end before its start
    with pytest.raises(DomainError) as refused:
        s.notice_update(
            actor=secretary,
            notice=notice,
            kind=notice.kind,
            title=notice.title,
            body=notice.body,
            published_from=in_hours(5),
            published_until=in_hours(4),
        )
    # then it is refused and nothing changed
    assert refused.value.field == "published_until"
    assert notices_state() == before


def test_a_naive_time_is_read_as_shanghai_time(world, secretary):
    # when a window is given without a time zone (as a form in Asia/Shanghai would)
    notice = s.notice_create(
        actor=secretary,
        compound=world.compound_a,
        kind=NoticeKind.NOTICE,
        title="通知",
        body="正文",
        published_from=datetime.datetime(2026, 3, 1, 8, 0),
    )
    # then it is 08:00 in Shanghai (00:00 UTC)
    assert notice.published_from == datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.UTC)


def test_publishing_a_notice_whose_window_is_over_is_refused(world, secretary, write):
    # given a draft whose window ended an hour ago
    notice = write(publish=False, published_from=in_hours(-5), published_until=in_hours(-1))
    before = notices_state()
    # when it is published, then it is refused with the reason
    with pytest.raises(DomainError) as refused:
        s.notice_publish(actor=secretary, notice=notice)
    assert "window has already ended" in refused.value.message
    assert notices_state() == before


# --- Pictures --------------------------------------------------------------------------------------------------


def test_pictures_are_re_encoded_without_exif_and_served_to_the_audience(
    world, secretary, write, media_root, django_capture_on_commit_callbacks
):
    from PIL import Image

    # when a notice is written with a photo carrying a GPS location
    with django_capture_on_commit_callbacks(execute=True):
        notice = write(images=[upload(jpeg_with_gps(), name="site.jpg")])
    image = NoticeImage.objects.get(notice=notice)
    # then the stored JPEG has no EXIF, and a thumbnail sits beside it
    stored = Image.open(media_root / image.image.name)
    assert not stored.getexif()
    assert (media_root / image.image.name.replace(".jpg", "_thumb.jpg")).exists()
    # and the resident the notice is for may fetch it, a stranger may not
    assert selectors.notice_image_get(user=world.users["resident"], pk=notice.pk, image_id=image.pk) == image
    with pytest.raises(NotFound):
        selectors.notice_image_get(user=world.users["stranger"], pk=notice.pk, image_id=image.pk)


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: upload(b"<script>alert(1)</script>", name="x.jpg"), "is not a JPEG, PNG or WebP photo"),
        (lambda: upload(image_bytes("GIF"), name="anim.jpg"), "is not a JPEG, PNG or WebP photo"),
        (lambda: upload(b"", name="empty.jpg"), "is empty"),
        (lambda: upload(png_declaring(100_000, 100_000), name="bomb.png"), "megapixels"),
        (lambda: upload(b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024), name="huge.jpg"), "is too large"),
    ],
    ids=["html", "gif", "empty", "bomb", "oversized"],
)
def test_a_bad_picture_refuses_the_notice_and_changes_nothing(
    world, secretary, media_root, django_capture_on_commit_callbacks, make, needle
):
    before = notices_state(media_root)
    # when a notice comes with a good picture and a bad file
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as refused:
        s.notice_create(
            actor=secretary,
            compound=world.compound_a,
            kind=NoticeKind.PUBLICITY,
            title="垃圾分类",
            body="正文",
            published_from=in_hours(-1),
            images=[upload(image_bytes(), name="good.jpg"), make()],
        )
    # then the picture field says what is wrong, and nothing was saved
    assert refused.value.field == "images"
    assert needle in refused.value.message
    assert notices_state(media_root) == before


def test_at_most_nine_pictures(world, secretary, write, media_root, django_capture_on_commit_callbacks):
    # given a notice with eight pictures
    with django_capture_on_commit_callbacks(execute=True):
        notice = write(images=[upload(image_bytes(), name=f"{i}.jpg") for i in range(8)])
    before = notices_state(media_root)
    # when two more are added, then it is refused with the count
    with pytest.raises(DomainError) as refused:
        s.notice_update(
            actor=secretary,
            notice=notice,
            kind=notice.kind,
            title=notice.title,
            body=notice.body,
            published_from=notice.published_from,
            images=[upload(image_bytes(), name="9.jpg"), upload(image_bytes(), name="10.jpg")],
        )
    assert refused.value.message == "A notice has at most 9 pictures (it has 8, and you added 2)."
    assert notices_state(media_root) == before


def test_removing_a_picture_deletes_its_files(world, secretary, write, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = write(images=[upload(image_bytes(), name="a.jpg")])
    image = NoticeImage.objects.get(notice=notice)
    path = media_root / image.image.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        s.notice_image_remove(actor=secretary, notice=notice, image_id=image.pk)
    assert not NoticeImage.objects.filter(notice=notice).exists()
    assert not path.exists()


# --- Audience ---------------------------------------------------------------------------------------------------


def test_residents_see_current_notices_addressed_to_them_pinned_first(world, write):
    resident = world.users["resident"]
    other_building = BuildingFactory.create(compound=world.compound_a, community=world.compound_a.community)
    # given notices: compound-wide, pinned, to the resident's building, to another building, staff-only,
    # a draft, a future one, an ended one, a withdrawn one, and one of compound B
    wide = write(title="全小区")
    pinned = write(title="置顶", is_pinned=True, published_from=in_hours(-3))
    mine = write(title="本栋", buildings=[world.house_a.building_id])
    write(title="别栋", buildings=[other_building.pk])
    write(title="仅员工", staff_only=True)
    write(title="草稿", publish=False)
    write(title="未来", published_from=in_hours(2))
    ended = write(title="过期", published_from=in_hours(-3), published_until=in_hours(1))
    Notice.objects.filter(pk=ended.pk).update(published_until=timezone.now() - datetime.timedelta(minutes=1))
    gone = write(title="撤回")
    s.notice_withdraw(actor=world.users["secretary"], notice=gone)
    write(title="B小区", compound=world.compound_b, by=world.users["superuser"])
    # when the resident lists their notices
    titles = [n.title for n in selectors.notices_for_resident(user=world.users["resident"])]
    # then only the current ones addressed to them show, pinned first, then newest
    assert titles[0] == pinned.title
    assert set(titles) == {wide.title, pinned.title, mine.title}
    assert resident is not None


def test_an_applicant_and_a_stranger_see_no_notices(world, write):
    write()
    assert list(selectors.notices_for_resident(user=world.users["applicant"])) == []
    assert list(selectors.notices_for_resident(user=world.users["stranger"])) == []


def test_the_property_company_may_not_change_the_communitys_notice_but_the_community_may_withdraw_theirs(world, write):
    # given a notice of the community and one of the property company
    community_notice = write()
    property_notice = write(by=world.users["property_manager"], title="物业通知")
    # then the property manager may not withdraw the community's notice
    before = notices_state()
    with pytest.raises(NotAllowed):
        s.notice_withdraw(actor=world.users["property_manager"], notice=community_notice)
    assert notices_state() == before
    # and the community secretary may withdraw the property company's (oversight)
    s.notice_withdraw(actor=world.users["secretary"], notice=property_notice, reason="内容有误")
    property_notice.refresh_from_db()
    assert property_notice.status == NoticeStatus.WITHDRAWN
