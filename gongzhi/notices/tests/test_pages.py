"""The notice pages: residents' list and notice, the staff list (filters, search, pages, read counts), writing
with bad input, withdrawing after a confirmation, refusals as pages with nothing changed, and text escaped."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.notices.models import Notice, NoticeStatus, ReadReceipt
from gongzhi.testing.factories import UserFactory
from gongzhi.testing.notices_factories import NoticeFactory, ReadReceiptFactory

from .conftest import in_hours
from .helpers import notices_state

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _local(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def _form(**kw: Any) -> dict[str, Any]:
    data = {
        "kind": "notice",
        "title": "停水通知",
        "body": "周六停水。\n\n请储水。",
        "published_from": _local(in_hours(-1)),
        "published_until": "",
    }
    data.update(kw)
    return data


# --- Residents ---------------------------------------------------------------------------------------------------


def test_a_resident_sees_pinned_first_and_unread_marked_and_reading_marks_it_read(world, client_for, write):
    # given a pinned notice and a newer one
    pinned = write(title="置顶：电梯检修", is_pinned=True, published_from=in_hours(-5))
    newer = write(title="停水通知")
    client = client_for(world.users["resident"])
    # when the resident opens the list
    html = client.get(reverse("notices:list")).content.decode()
    # then the pinned one comes first and both are unread
    assert html.index(pinned.title) < html.index(newer.title)
    assert html.count('class="notice-item unread') == 2
    assert "2 unread notices" in html
    # when they open the newer one
    page = client.get(reverse("notices:detail", args=[newer.pk]))
    assert page.status_code == 200
    assert "<p>周六停水。</p>" not in page.content.decode()  # the notice's own text, paragraphs kept:
    assert "因管网维修，周六停水。" in page.content.decode()
    # then it is no longer marked unread
    html = client.get(reverse("notices:list")).content.decode()
    assert html.count('class="notice-item unread') == 1
    assert "1 unread notice" in html


def test_a_notice_not_for_the_resident_is_a_404(world, client_for, write):
    staff_only = write(staff_only=True)
    draft = write(publish=False)
    client = client_for(world.users["resident"])
    for notice in (staff_only, draft):
        assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    assert client_for(world.users["stranger"]).get(reverse("notices:detail", args=[draft.pk])).status_code == 404


def test_malicious_text_is_escaped_on_every_page(world, client_for, write):
    # given a notice whose title and text are HTML
    notice = write(title=EVIL[:100], body=f"第一段{EVIL}\n\n第二段")
    pages = [
        (world.users["resident"], reverse("notices:list")),
        (world.users["resident"], reverse("notices:detail", args=[notice.pk])),
        (world.users["secretary"], reverse("notices:manage")),
        (world.users["secretary"], reverse("notices:manage_detail", args=[notice.pk])),
    ]
    for user, url in pages:
        html = client_for(user).get(url).content.decode()
        # then it is shown as text, never as markup
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(" in html, url


def test_paragraphs_are_kept(world, client_for, write):
    notice = write(body="第一段\n第一段第二行\n\n第二段")
    html = client_for(world.users["resident"]).get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "<p>第一段<br>第一段第二行</p>" in html
    assert "<p>第二段</p>" in html


# --- Residents may change nothing --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "applicant", "stranger", "technician", "representative", "officer"])
def test_someone_who_is_not_an_author_editing_a_notice_gets_403_and_nothing_changes(world, client_for, write, role):
    notice = write()
    client = client_for(world.users[role])
    before = notices_state()
    # when they post an edit, a publish, a withdrawal
    responses = [
        client.post(reverse("notices:edit", args=[notice.pk]), _form(title="改掉")),
        client.post(reverse("notices:withdraw", args=[notice.pk]), {"reason": "x"}),
        client.post(reverse("notices:publish", args=[notice.pk])),
        client.post(reverse("notices:new") + f"?compound={world.compound_a.pk}", _form()),
    ]
    # then each is refused (403, or 404 where they may not even see the notice) and nothing changed
    for response in responses:
        assert response.status_code in (403, 404), response.status_code
    assert responses[0].status_code == (403 if role in ("technician", "representative") else 404)
    assert responses[3].status_code == 403
    assert notices_state() == before


def test_the_anonymous_visitor_is_sent_to_log_in(world, client, write):
    notice = write()
    for url in (reverse("notices:list"), reverse("notices:manage"), reverse("notices:detail", args=[notice.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Staff list --------------------------------------------------------------------------------------------------


def test_the_staff_list_filters_searches_pages_and_shows_read_counts(world, client_for, write):
    # given 23 notices, one publicity post about 垃圾分类 read by three residents, and a draft
    for n in range(21):
        NoticeFactory.create(compound=world.compound_a, title=f"通知{n:02d}", published_from=in_hours(-2 - n))
    post = write(kind="publicity", title="垃圾分类宣传", body="垃圾分类，从我做起。")
    for _ in range(3):
        ReadReceiptFactory.create(notice=post, user=UserFactory.create())
    draft = write(publish=False, title="草稿通知")
    client = client_for(world.users["secretary"])
    url = reverse("notices:manage")
    # when the secretary opens the list: 20 per page, the newest first, read counts shown
    first = client.get(url)
    assert first.status_code == 200
    assert len(first.context["page"].object_list) == 20
    assert first.context["page"].paginator.count == 23
    row = next(n for n in first.context["page"].object_list if n.pk == post.pk)
    assert row.read_count == 3
    # and filters: by kind, by status, by a word of the text
    assert [n.pk for n in client.get(url, {"kind": "publicity"}).context["page"].object_list] == [post.pk]
    assert [n.pk for n in client.get(url, {"status": "draft"}).context["page"].object_list] == [draft.pk]
    assert [n.pk for n in client.get(url, {"q": "从我做起"}).context["page"].object_list] == [post.pk]
    # and page 2 keeps the filter in its links
    second = client.get(url, {"status": "published", "page": "2"})
    assert len(second.context["page"].object_list) == 2
    assert 'href="?status=published&amp;page=1"' in second.content.decode()


def test_a_grid_worker_sees_published_notices_but_not_drafts_and_may_not_write(world, client_for, write):
    published = write(title="已发布")
    write(title="草稿", publish=False)
    client = client_for(world.users["grid_worker"])
    shown = [n.title for n in client.get(reverse("notices:manage")).context["page"].object_list]
    assert shown == [published.title]
    assert client.get(reverse("notices:new")).status_code == 403


def test_another_compounds_id_in_the_filter_is_a_403(world, client_for, write):
    client = client_for(world.users["secretary"])
    response = client.get(reverse("notices:manage"), {"compound": world.compound_b.pk})
    assert response.status_code == 403


# --- Writing through the page ------------------------------------------------------------------------------------


def test_the_secretary_writes_publishes_and_the_resident_sees_it(world, client_for):
    client = client_for(world.users["secretary"])
    url = reverse("notices:new") + f"?compound={world.compound_a.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, _form(title="消防演练通知", is_pinned="on", buildings=[world.house_a.building_id]))
    notice = Notice.objects.get(title="消防演练通知")
    assert response.status_code == 302 and response["Location"] == reverse("notices:manage_detail", args=[notice.pk])
    assert notice.is_pinned and notice.status == NoticeStatus.DRAFT
    client.post(reverse("notices:publish", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED
    resident = client_for(world.users["resident"])
    assert "消防演练通知" in resident.get(reverse("notices:list")).content.decode()


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"published_until": "2020-01-01T08:00"}, "The notice must be shown until a time after it is shown from."),
        ({"published_from": "not a date"}, ""),
        ({"title": "长" * 101}, "100"),
        ({"body": "字" * 5001}, "5000"),
        ({"kind": "advert"}, "advert"),
        ({"title": ""}, ""),
    ],
    ids=["until-before-from", "bad-date", "long-title", "long-body", "bad-kind", "no-title"],
)
def test_bad_input_on_the_form_is_shown_and_nothing_changes(world, client_for, change, needle):
    client = client_for(world.users["secretary"])
    before = notices_state()
    response = client.post(reverse("notices:new") + f"?compound={world.compound_a.pk}", _form(**change))
    assert response.status_code == 400
    assert response.context["form"].errors
    if needle:
        assert needle in str(response.context["form"].errors)
    else:
        assert set(response.context["form"].errors) <= {"published_from", "title"}
    assert notices_state() == before


def test_withdrawing_asks_for_confirmation_first(world, client_for, write):
    notice = write(title="将撤回的通知")
    client = client_for(world.users["secretary"])
    url = reverse("notices:withdraw", args=[notice.pk])
    # when the secretary follows the Withdraw link, then a confirmation is asked and nothing changes yet
    page = client.get(url)
    assert page.status_code == 200
    assert "will no longer be shown to residents or on lobby screens" in page.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED
    # when they confirm, then it is withdrawn and the resident no longer sees it
    response = client.post(url, {"reason": "活动延期"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN and notice.withdraw_reason == "活动延期"
    resident = client_for(world.users["resident"])
    assert resident.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    # and withdrawing again says why it cannot
    client = client_for(world.users["secretary"])
    again = client.post(url, {"reason": ""}, follow=True)
    assert "it cannot become Withdrawn" in again.content.decode()


def test_a_read_count_is_shown_on_the_staff_page(world, client_for, write):
    notice = write()
    ReadReceipt.objects.create(
        community=notice.community, notice=notice, user=world.users["resident"], read_at=timezone.now()
    )
    html = client_for(world.users["technician"]).get(reverse("notices:manage_detail", args=[notice.pk])).content
    assert "1 resident" in html.decode()


def test_pictures_uploaded_on_the_form_are_checked_and_served_only_to_the_audience(
    world, client_for, media_root, django_capture_on_commit_callbacks
):
    from gongzhi.notices.models import NoticeImage
    from gongzhi.voices.tests.photo_files import image_bytes, upload

    client = client_for(world.users["secretary"])
    url = reverse("notices:new") + f"?compound={world.compound_a.pk}"
    # when a bad file is sent with the notice, then the form says so and nothing is saved
    before = notices_state(media_root)
    bad = client.post(url, {**_form(), "images": [upload(b"<html>not a picture</html>", name="poster.jpg")]})
    assert bad.status_code == 400
    assert "poster.jpg is not a JPEG, PNG or WebP photo." in str(bad.context["form"].errors["images"])
    assert notices_state(media_root) == before
    # when a good picture is sent, the notice is saved with it
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**_form(title="海报"), "images": [upload(image_bytes(), name="poster.jpg")]})
    notice = Notice.objects.get(title="海报")
    image = NoticeImage.objects.get(notice=notice)
    client.post(reverse("notices:publish", args=[notice.pk]))
    picture = reverse("notices:image", args=[notice.pk, image.pk])
    # then the resident gets it (a private, per-user cached JPEG), a stranger gets a 404
    response = client_for(world.users["resident"]).get(picture + "?size=thumb")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert client_for(world.users["stranger"]).get(picture).status_code == 404
    assert client_for(world.users["officer"]).get(picture).status_code == 404


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "-1", "<script>"])
def test_a_malformed_compound_in_the_address_is_a_403(world, client_for, value):
    client = client_for(world.users["secretary"])
    assert client.get(reverse("notices:manage"), {"compound": value}).status_code == 403
    assert client.get(reverse("notices:new"), {"compound": value}).status_code == 403
