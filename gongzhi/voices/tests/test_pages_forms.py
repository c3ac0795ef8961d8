"""Bad input on every voice form: a clear error, nothing changed (DESIGN rule 6); and the happy paths."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices import services as s
from gongzhi.voices.models import LocationKind, MeToo, Score, Status, Voice, VoiceReply
from gongzhi.voices.views.pages import deadline_of

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>电梯坏了"
LONG = "长" * 10_000


def _new(client, **overrides):
    data = {
        "compound": "",
        "kind": "repair",
        "text": "3栋电梯坏了，停了两天",
        "category": "",
        "location_kind": LocationKind.PUBLIC_AREA,
        "house": "",
        "building": "",
        "is_public": "on",
        "idempotency_key": "k1",
    }
    data.update(overrides)
    return client.post(reverse("voices:new"), data)


@pytest.fixture
def resident(world, client_for):
    category("其他")  # the fallback category, in case a transactional test flushed the seeded ones
    return client_for(world.users["resident"])


# --- Raising a voice --------------------------------------------------------------------------------------------


def test_resident_raises_a_voice_and_lands_on_it(world, resident):
    response = _new(resident, compound=world.compound_a.pk)
    voice = Voice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("voices:detail", args=[voice.pk])
    assert voice.author == world.users["resident"] and voice.is_public and voice.status == Status.SUBMITTED
    # the same submission again (a double tap) is one voice
    _new(resident, compound=world.compound_a.pk)
    assert Voice.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"text": ""}, 'class="error"'),
        ({"text": "   "}, 'class="error"'),
        ({"text": LONG}, "10000"),
        ({"kind": "nonsense"}, 'class="error"'),
        ({"kind": ""}, 'class="error"'),
        ({"location_kind": "moon"}, 'class="error"'),
        ({"location_kind": LocationKind.BUILDING}, 'class="error"'),  # no building chosen
        ({"location_kind": LocationKind.OWN_HOUSE}, 'class="error"'),  # no house chosen
        ({"category": "999999"}, 'class="error"'),
    ],
)
def test_bad_voice_input_is_shown_and_nothing_is_saved(world, resident, overrides, needle):
    response = _new(resident, compound=world.compound_a.pk, **overrides)
    assert response.status_code == 200
    assert needle in response.content.decode()
    assert Voice.objects.count() == 0


def test_a_compound_not_mine_is_refused(world, resident):
    response = _new(resident, compound=world.compound_b.pk)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert Voice.objects.count() == 0


def test_someone_elses_house_is_refused(world, resident):
    response = _new(
        resident, compound=world.compound_a.pk, location_kind=LocationKind.OWN_HOUSE, house=world.house_a2.pk
    )
    assert response.status_code == 200 and Voice.objects.count() == 0


def test_a_user_without_a_house_cannot_raise_one(world, client_for):
    client = client_for(world.users["applicant"])  # their binding is still pending
    assert reverse("estates:binding_new") in client.get(reverse("voices:new")).content.decode()
    response = _new(client, compound=world.compound_a.pk)
    assert response.status_code == 200 and Voice.objects.count() == 0


def test_script_in_the_text_is_shown_escaped(world, resident, client_for):
    _new(resident, compound=world.compound_a.pk, text=SCRIPT)
    voice = Voice.objects.get()
    for who in ("resident", "secretary"):
        html = client_for(world.users[who]).get(reverse("voices:detail", args=[voice.pk])).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    wall = client_for(world.users["secretary"]).get(reverse("voices:wall", args=["aaa"])).content.decode()
    assert "<script>alert" not in wall and "&lt;script&gt;" in wall


def test_suggest_re_renders_with_the_category_preselected(world, resident):
    repair = category("设施维修")
    repair.keywords = "电梯 维修 坏了"
    repair.save()
    response = resident.post(
        reverse("voices:new"),
        {"compound": world.compound_a.pk, "kind": "repair", "text": "电梯坏了", "suggest": "1", "idempotency_key": "k"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and Voice.objects.count() == 0
    assert 'class="suggestion"' in html and "设施维修" in html
    assert f'<option value="{repair.pk}" selected>' in html


# --- The author's actions ---------------------------------------------------------------------------------------


def _resolved(world, submit):
    voice = submit()
    s.voice_resolve(actor=world.users["secretary"], voice=voice, reply="已修好")
    return voice


def test_rate_then_reopen(world, resident, submit):
    voice = _resolved(world, submit)
    page = resident.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert reverse("voices:rate", args=[voice.pk]) in page and "已修好" in page
    response = resident.post(
        reverse("voices:rate", args=[voice.pk]), {"score": Score.DISSATISFIED, "comment": "没修好"}
    )
    assert response.status_code == 302
    page = resident.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert reverse("voices:reopen", args=[voice.pk]) in page
    assert reverse("voices:rate", args=[voice.pk]) not in page
    resident.post(reverse("voices:reopen", args=[voice.pk]), {"reason": "还是坏的"})
    assert Voice.objects.get(pk=voice.pk).status == Status.REOPENED


@pytest.mark.parametrize("data", [{"score": ""}, {"score": "great"}, {"score": Score.SATISFIED, "comment": "好" * 501}])
def test_bad_rating_is_shown_and_nothing_changes(world, resident, submit, data):
    voice = _resolved(world, submit)
    response = resident.post(reverse("voices:rate", args=[voice.pk]), data)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert voice.ratings.count() == 0 and Voice.objects.get(pk=voice.pk).status == Status.RESOLVED


def test_rating_an_open_voice_is_a_clear_conflict(world, resident, submit):
    voice = submit()
    response = resident.post(reverse("voices:rate", args=[voice.pk]), {"score": Score.SATISFIED}, follow=True)
    assert response.status_code == 200
    assert 'class="msg error' in response.content.decode()
    assert voice.ratings.count() == 0 and Voice.objects.get(pk=voice.pk).status == Status.SUBMITTED


def test_rating_twice_is_refused(world, resident, submit):
    voice = _resolved(world, submit)
    resident.post(reverse("voices:rate", args=[voice.pk]), {"score": Score.DISSATISFIED})
    response = resident.post(reverse("voices:rate", args=[voice.pk]), {"score": Score.SATISFIED}, follow=True)
    assert 'class="msg error' in response.content.decode()
    assert voice.ratings.count() == 1 and Voice.objects.get(pk=voice.pk).status == Status.RESOLVED


def test_reopen_after_seven_days_is_refused(world, resident, submit):
    voice = submit()
    long_ago = timezone.now() - datetime.timedelta(days=8)
    s.voice_resolve(actor=world.users["secretary"], voice=voice, reply="已修好", now=long_ago)
    s.voice_rate(actor=world.users["resident"], voice=voice, score=Score.DISSATISFIED, now=long_ago)
    response = resident.post(reverse("voices:reopen", args=[voice.pk]), {"reason": ""}, follow=True)
    assert 'class="msg error' in response.content.decode()
    assert Voice.objects.get(pk=voice.pk).status == Status.RESOLVED


def test_withdraw_and_withdraw_again(world, resident, submit):
    voice = submit()
    assert resident.post(reverse("voices:withdraw", args=[voice.pk]), {"reason": ""}).status_code == 302
    assert Voice.objects.get(pk=voice.pk).status == Status.WITHDRAWN
    response = resident.post(reverse("voices:withdraw", args=[voice.pk]), {"reason": ""}, follow=True)
    assert 'class="msg error' in response.content.decode()
    assert voice.events.filter(verb="withdraw").count() == 1


def test_withdraw_reason_too_long(world, resident, submit):
    voice = submit()
    response = resident.post(reverse("voices:withdraw", args=[voice.pk]), {"reason": LONG})
    assert response.status_code == 200 and "10000" in response.content.decode()
    assert Voice.objects.get(pk=voice.pk).status == Status.SUBMITTED


# --- Staff actions ----------------------------------------------------------------------------------------------


@pytest.fixture
def staff(world, client_for):
    return client_for(world.users["secretary"])


def test_staff_accept_dispatch_resolve_and_note(world, staff, submit, client_for):
    voice = submit()
    url = reverse("voices:detail", args=[voice.pk])
    page = staff.get(url).content.decode()
    assert 'data-confirm="' in page and reverse("voices:reject", args=[voice.pk]) in page
    assert staff.post(reverse("voices:accept", args=[voice.pk]), {"note": ""}).status_code == 302
    department = world.orgs["department"]
    assert staff.post(reverse("voices:dispatch", args=[voice.pk]), {"organization": department.pk}).status_code == 302
    assert staff.post(reverse("voices:note", args=[voice.pk]), {"text": "内部：联系过业主"}).status_code == 302
    assert staff.post(reverse("voices:resolve", args=[voice.pk]), {"reply": "已更换零件"}).status_code == 302
    voice.refresh_from_db()
    assert voice.status == Status.RESOLVED and voice.lead_organization == department and voice.reply == "已更换零件"
    # the author sees the reply, never the internal note
    html = client_for(world.users["resident"]).get(url).content.decode()
    assert "已更换零件" in html and "联系过业主" not in html
    assert "联系过业主" in client_for(world.users["secretary"]).get(url).content.decode()


def test_accepting_twice_shows_the_state_and_changes_nothing(world, staff, submit):
    voice = submit()
    staff.post(reverse("voices:accept", args=[voice.pk]), {"note": ""})
    response = staff.post(reverse("voices:accept", args=[voice.pk]), {"note": ""}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("voices:detail", args=[voice.pk])
    assert 'class="msg error' in response.content.decode()
    assert voice.events.filter(verb="accept").count() == 1


def test_rejecting_a_resolved_voice_is_a_clear_conflict(world, staff, submit):
    voice = _resolved(world, submit)
    response = staff.post(reverse("voices:reject", args=[voice.pk]), {"reason": "无效"}, follow=True)
    assert 'class="msg error' in response.content.decode()
    assert Voice.objects.get(pk=voice.pk).status == Status.RESOLVED


@pytest.mark.parametrize(
    ("action", "data", "needle"),
    [
        ("reject", {"reason": ""}, 'class="error"'),
        ("reject", {"reason": LONG}, "10000"),
        ("resolve", {"reply": ""}, 'class="error"'),
        ("resolve", {"reply": LONG}, "10000"),
        ("note", {"text": ""}, 'class="error"'),
        ("note", {"text": LONG}, "10000"),
        ("accept", {"note": LONG}, "10000"),
        ("dispatch", {"organization": ""}, 'class="error"'),
        ("dispatch", {"organization": "999999"}, 'class="error"'),
        ("dispatch", {"organization": "x"}, 'class="error"'),
    ],
)
def test_bad_staff_input_is_shown_and_nothing_changes(world, staff, submit, action, data, needle):
    voice = submit()
    events = voice.events.count()
    response = staff.post(reverse(f"voices:{action}", args=[voice.pk]), data)
    assert response.status_code == 200
    assert needle in response.content.decode()
    voice.refresh_from_db()
    assert voice.status == Status.SUBMITTED and voice.events.count() == events
    assert VoiceReply.objects.count() == 0


def test_dispatch_to_an_organization_of_another_area_is_refused(world, staff, submit):
    from gongzhi.testing.factories import OrganizationFactory

    voice = submit()
    elsewhere = OrganizationFactory.create(kind="department", name="外区局")
    response = staff.post(reverse("voices:dispatch", args=[voice.pk]), {"organization": elsewhere.pk})
    assert response.status_code == 200 and Voice.objects.get(pk=voice.pk).status == Status.SUBMITTED


def test_script_in_a_reply_is_escaped(world, staff, submit, client_for):
    voice = submit()
    staff.post(reverse("voices:resolve", args=[voice.pk]), {"reply": SCRIPT})
    html = client_for(world.users["resident"]).get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


# --- The wall and "me too" --------------------------------------------------------------------------------------


def test_the_wall_hides_names_and_counts_me_too(world, client_for, submit):
    author = world.users["resident"]
    author.name = "王大妈"
    author.save()
    public = submit(text="小区门口路灯不亮")
    submit(text="我家的私事", is_public=False)
    neighbour = world.users["applicant"]
    HouseBinding.objects.filter(user=neighbour).update(status=BindingStatus.APPROVED)
    client = client_for(neighbour)
    html = client.get(reverse("voices:wall", args=["aaa"])).content.decode()
    assert "路灯不亮" in html and "我家的私事" not in html and "王大妈" not in html
    assert reverse("voices:me_too", args=[public.pk]) in html
    assert client.post(reverse("voices:me_too", args=[public.pk])).status_code == 302
    client.post(reverse("voices:me_too", args=[public.pk]))
    assert MeToo.objects.filter(voice=public).count() == 1
    assert Voice.objects.get(pk=public.pk).me_too_count == 1
    # the author may not say "me too" to their own voice: no button, and a POST is refused
    own = client_for(author).get(reverse("voices:wall", args=["aaa"])).content.decode()
    assert reverse("voices:me_too", args=[public.pk]) not in own
    response = client_for(author).post(reverse("voices:me_too", args=[public.pk]), follow=True)
    assert response.status_code == 403
    assert Voice.objects.get(pk=public.pk).me_too_count == 1


# --- The queue --------------------------------------------------------------------------------------------------


def test_deadline_text_counts_down_and_up(world):
    now = timezone.now()
    voice = VoiceFactory.build(
        status=Status.SUBMITTED, response_due_at=now + datetime.timedelta(hours=5, minutes=10), accepted_at=None
    )
    d = deadline_of(voice, now)
    assert d is not None and not d.overdue and "5" in d.text
    voice.response_due_at = now - datetime.timedelta(hours=2, minutes=5)
    d = deadline_of(voice, now)
    assert d is not None and d.overdue and "2" in d.text
    voice.status = Status.CLOSED
    assert deadline_of(voice, now) is None


def test_queue_filters_paginates_and_marks_overdue(world, staff):
    now = timezone.now()
    for i in range(31):
        VoiceFactory.create(compound=world.compound_a, text=f"噪音扰民 {i}", submitted_at=now)
    late = VoiceFactory.create(
        compound=world.compound_a,
        text="下水道堵了",
        kind="repair",
        submitted_at=now - datetime.timedelta(days=3),
        response_due_at=now - datetime.timedelta(hours=2, minutes=5),
    )
    VoiceFactory.create(compound=world.compound_b, text="别的小区")
    first = staff.get(reverse("voices:queue")).content.decode()
    assert first.count('<tr class="') == 30 and "page=2" in first
    assert '<tr class="overdue">' in first  # the overdue one sorts first
    assert staff.get(reverse("voices:queue") + "?page=2").content.decode().count('<tr class="') == 2
    overdue = staff.get(reverse("voices:queue") + "?overdue=on").content.decode()
    assert overdue.count('<tr class="') == 1 and reverse("voices:detail", args=[late.pk]) in overdue
    assert staff.get(reverse("voices:queue") + "?kind=repair").content.decode().count('<tr class="') == 1
    assert staff.get(reverse("voices:queue") + "?q=下水道").content.decode().count('<tr class="') == 1
    assert "别的小区" not in first
    # a bad filter is reported, the page still answers
    assert staff.get(reverse("voices:queue") + "?status=nonsense&page=x").status_code == 200


def test_queue_of_the_department_shows_what_was_sent_to_it(world, client_for, submit):
    voice = submit()
    s.voice_dispatch(actor=world.users["secretary"], voice=voice, organization=world.orgs["department"])
    html = client_for(world.users["liaison"]).get(reverse("voices:queue")).content.decode()
    assert reverse("voices:detail", args=[voice.pk]) in html
    assert (
        reverse("voices:detail", args=[voice.pk])
        not in client_for(world.users["officer"]).get(reverse("voices:queue")).content.decode()
    )


def test_my_voices_lists_only_mine_with_badges(world, resident, submit):
    mine = submit()
    other = VoiceFactory.create(compound=world.compound_a)
    html = resident.get(reverse("voices:mine")).content.decode()
    assert reverse("voices:detail", args=[mine.pk]) in html
    assert reverse("voices:detail", args=[other.pk]) not in html
    assert "vs-submitted" in html and 'class="deadline' in html


@pytest.mark.parametrize(
    ("role", "url"),
    [("secretary", "voices:queue"), ("resident", "voices:mine"), ("resident", "wall")],
)
def test_list_pages_run_a_constant_number_of_queries(world, client_for, role, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    author = world.users["resident"]
    client = client_for(world.users[role])
    path = reverse("voices:wall", args=["aaa"]) if url == "wall" else reverse(url)

    def queries() -> int:
        client.get(path)  # warm per-process caches (jieba, content types)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    VoiceFactory.create_batch(3, compound=world.compound_a, author=author, is_public=True)
    few = queries()
    VoiceFactory.create_batch(25, compound=world.compound_a, author=author, is_public=True)
    assert queries() == few
