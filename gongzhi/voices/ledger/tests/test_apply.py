"""Applying a work-order ledger: the voices it creates, their history, updates, what may not change, round trips."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from gongzhi.core.models import AuditEvent
from gongzhi.estates.ledger.errors import LedgerRejected
from gongzhi.testing.factories import HouseFactory
from gongzhi.testing.voices_factories import category
from gongzhi.voices import services as s
from gongzhi.voices.models import (
    Channel,
    DeadlinePolicy,
    Kind,
    LocationKind,
    Score,
    Status,
    Voice,
    VoiceEvent,
    VoiceRating,
)

from .files import counts, csv_bytes, export_bytes, order, orders, run_import, state, xlsx_bytes

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def timeline(voice: Voice) -> list[tuple[str, str, datetime.datetime | None]]:
    """(verb, status, time) of the voice's steps; the import event's time is the moment of the import."""
    events = voice.events.order_by("at", "id").values_list("verb", "status", "at", "public")
    return [(verb, status, None if verb == "import" else when) for verb, status, when, _public in events]


def row_errors(compound: Any, rows: list[dict[str, Any]]) -> list[tuple[int | None, str, str]]:
    """Import ``rows``: they must be refused with nothing changed; the errors in English."""
    before = state()
    with pytest.raises(LedgerRejected) as refused:
        run_import(compound, xlsx_bytes(rows))
    assert state() == before
    with translation.override("en"):
        return [(e.row, e.column, e.message) for e in refused.value.errors]


def test_a_resolved_row_becomes_a_ledger_voice_with_its_history_and_rating(compound):
    # when a complaint accepted, resolved and rated 满意 is imported
    assert counts(run_import(compound, xlsx_bytes([order()]))) == (1, 0, 0)
    # then it is a voice from the ledger, with no author, not on the wall
    voice = Voice.objects.get()
    assert (voice.channel, voice.author_id, voice.is_public) == (Channel.LEDGER, None, False)
    assert (voice.kind, voice.category.name, voice.text) == (Kind.COMPLAINT, "环境卫生", "3栋门口垃圾未及时清运")
    assert (voice.external_ref, voice.ledger_key) == ("TS-2024-0113", "ref:TS-2024-0113")
    assert (voice.community_id, voice.location_kind) == (compound.community_id, LocationKind.PUBLIC_AREA)
    # with the ledger's times, Beijing time
    assert voice.status == Status.RESOLVED
    assert voice.submitted_at == at("2024-05-02 09:30")
    assert voice.accepted_at == at("2024-05-02 10:05")
    assert voice.resolved_at == at("2024-05-03 16:00")
    # deadlines from the policy (complaint: respond in 24 h, resolve in 72 h), routed like any voice
    assert voice.response_due_at == at("2024-05-03 09:30")
    assert voice.resolution_due_at == at("2024-05-05 09:30")
    assert voice.suggested_organization == compound.property_company
    # its timeline: raised, accepted, resolved at those times, then the import (staff only)
    assert timeline(voice) == [
        ("submit", Status.SUBMITTED, at("2024-05-02 09:30")),
        ("accept", Status.ACCEPTED, at("2024-05-02 10:05")),
        ("resolve", Status.RESOLVED, at("2024-05-03 16:00")),
        ("import", Status.RESOLVED, None),
    ]
    assert list(voice.events.filter(public=False).values_list("verb", flat=True)) == ["import"]
    # the rating, by nobody, given at the resolution
    rating = VoiceRating.objects.get()
    assert (rating.voice_id, rating.rater_id, rating.score, rating.at) == (
        voice.pk,
        None,
        Score.SATISFIED,
        at("2024-05-03 16:00"),
    )


@pytest.mark.parametrize(
    ("values", "status", "verbs"),
    [
        ({"status": "处理中", "accepted_at": "", "resolved_at": "", "rating": ""}, Status.SUBMITTED, ["submit"]),
        ({"status": "处理中", "resolved_at": "", "rating": ""}, Status.ACCEPTED, ["submit", "accept"]),
        ({"accepted_at": ""}, Status.RESOLVED, ["submit", "accept", "resolve"]),
        ({"status": "已关闭"}, Status.CLOSED, ["submit", "accept", "resolve", "close"]),
        ({"kind": "表扬", "status": "已关闭"}, Status.CLOSED, ["submit", "accept", "acknowledge", "close"]),
        ({"status": "无效", "rating": ""}, Status.REJECTED, ["submit", "reject"]),
    ],
)
def test_each_ledger_status_becomes_a_voice_status_with_its_steps(compound, values, status, verbs):
    run_import(compound, xlsx_bytes([order(**values)]))
    voice = Voice.objects.get()
    assert voice.status == status
    assert [verb for verb, _s, _at in timeline(voice)] == [*verbs, "import"]


def test_a_resolution_without_an_acceptance_time_was_accepted_at_the_latest_when_resolved(compound):
    run_import(compound, xlsx_bytes([order(accepted_at="")]))
    voice = Voice.objects.get()
    assert voice.accepted_at == voice.resolved_at == at("2024-05-03 16:00")


def test_a_closed_row_is_closed_at_its_resolution_and_an_invalid_one_keeps_its_times(compound):
    rows = [order(status="已关闭"), order(ref="TS-2", status="无效", rating="")]
    run_import(compound, xlsx_bytes(rows))
    closed, rejected = Voice.objects.order_by("pk")
    assert closed.closed_at == closed.resolved_at == at("2024-05-03 16:00")
    assert (rejected.accepted_at, rejected.resolved_at, rejected.closed_at) == (
        at("2024-05-02 10:05"),
        None,
        at("2024-05-03 16:00"),
    )
    assert timeline(rejected)[1] == ("reject", Status.REJECTED, at("2024-05-03 16:00"))


def test_a_community_deadline_policy_applies_to_imported_voices(compound):
    DeadlinePolicy.objects.create(
        community_id=compound.community_id, kind=Kind.COMPLAINT, category=category("环境卫生"), response_hours=2
    )
    run_import(compound, xlsx_bytes([order()]))
    voice = Voice.objects.get()
    assert (voice.response_due_at, voice.resolution_due_at) == (at("2024-05-02 11:30"), None)


def test_where_is_a_building_or_a_house_of_the_compound(compound):
    rows = [order(building="3栋"), order(ref="TS-2", building="3栋", unit="1单元", room="1702")]
    run_import(compound, xlsx_bytes(rows))
    places = Voice.objects.order_by("pk").values_list("location_kind", "building__name", "house__room")
    assert list(places) == [(LocationKind.BUILDING, "3栋", None), (LocationKind.OWN_HOUSE, "3栋", "1702")]


def test_unknown_categories_buildings_and_houses_are_row_errors_and_change_nothing(compound):
    # given a house of another compound, and rows naming things the compound lacks
    HouseFactory.create(unit__building__name="9栋", room="101", floor=1)
    rows = [
        order(),
        order(ref="TS-2", category="宠物管理"),
        order(ref="TS-3", building="9栋"),
        order(ref="TS-4", building="9栋", unit="1单元", room="101"),
        order(ref="TS-5", building="3栋", unit="1单元", room="9999"),
    ]
    found = row_errors(compound, rows)
    # then every bad row is listed, the categories named, and nothing was imported
    assert found[0][:2] == (3, "类别")
    assert found[0][2].startswith("Unknown category 宠物管理. The categories are: 绿化环境、环境卫生、")
    assert found[1:] == [
        (4, "楼栋", "The compound has no building 9栋."),
        (5, "房号", "The compound has no house 9栋1单元101."),
        (6, "房号", "The compound has no house 3栋1单元9999."),
    ]
    assert not Voice.objects.exists()


def test_importing_the_same_file_again_changes_nothing(compound):
    # given a ledger of every kind of row, imported once
    rows = [
        *orders(3),
        order(ref="", status="处理中", accepted_at="", resolved_at="", rating="", building="3栋"),
        order(ref="TS-9", status="无效", rating=""),
        order(ref="TS-10", status="已关闭", kind="表扬", rating="基本满意"),
    ]
    data = xlsx_bytes(rows)
    run_import(compound, data)
    before = state()
    # when the same file is imported again
    plan = run_import(compound, data)
    # then every row is unchanged and so is every voice, event, rating and audit event but the import's own
    assert counts(plan) == (0, 0, 6)
    after = state()
    assert after.pop("audit")[:-1] == before.pop("audit")
    assert after == before


def test_a_dry_run_reports_the_counts_and_changes_nothing(compound):
    before = state()
    plan = run_import(compound, xlsx_bytes(orders(4)), dry_run=True)
    assert counts(plan) == (4, 0, 0)
    assert state() == before


def test_one_bad_row_stops_the_whole_ledger(compound):
    assert row_errors(compound, [*orders(5), order(ref="TS-9", kind="吐槽")]) == [
        (7, "类型", "Write one of 投诉, 建议, 表扬, 求助, 报修, 咨询.")
    ]


def test_a_row_moves_its_voice_forward_with_the_new_steps_and_audits_it(compound):
    # given a work order imported while open
    first = order(status="处理中", resolved_at="", rating="")
    run_import(compound, xlsx_bytes([first]))
    # when the next ledger has it resolved and rated, with its text corrected
    plan = run_import(compound, xlsx_bytes([order(text="3栋门口垃圾已清运")]))
    # then it is updated: resolved at 办结时间, rated then, its text corrected
    assert counts(plan) == (0, 1, 0)
    voice = Voice.objects.get()
    assert (voice.status, voice.resolved_at, voice.text) == (
        Status.RESOLVED,
        at("2024-05-03 16:00"),
        "3栋门口垃圾已清运",
    )
    assert [v for v, _s, _a in timeline(voice)] == ["submit", "accept", "resolve", "import", "import"]
    assert VoiceRating.objects.get().score == Score.SATISFIED
    audit = AuditEvent.objects.get(verb="voice.ledger_update")
    assert audit.before == {
        "text": "3栋门口垃圾未及时清运",
        "resolved_at": "",
        "rating": "",
        "status": "处理中",
        "voice_status": "accepted",
    }
    assert audit.after == {
        "text": "3栋门口垃圾已清运",
        "resolved_at": "2024-05-03 16:00",
        "rating": "满意",
        "status": "已办结",
        "voice_status": "resolved",
    }
    # and a preview of a third import sees nothing left to do
    assert counts(run_import(compound, xlsx_bytes([order(text="3栋门口垃圾已清运")]), dry_run=True)) == (0, 0, 1)


def test_kind_category_and_place_are_corrected_by_a_later_ledger(compound):
    run_import(compound, xlsx_bytes([order()]))
    plan = run_import(compound, xlsx_bytes([order(kind="报修", category="设施维修", building="3栋")]))
    assert counts(plan) == (0, 1, 0)
    voice = Voice.objects.values_list("kind", "category__name", "location_kind", "building__name").get()
    assert voice == (
        Kind.REPAIR,
        "设施维修",
        LocationKind.BUILDING,
        "3栋",
    )
    # and a file without the place columns leaves the place alone
    keys = [k for k in order() if k not in ("building", "unit", "room")]
    again = xlsx_bytes([order(kind="报修", category="设施维修")], keys=keys)
    assert counts(run_import(compound, again)) == (0, 0, 1)


def test_a_status_cannot_move_back_and_recorded_times_and_ratings_cannot_change(compound):
    # given a closed work order and a resolved one
    run_import(compound, xlsx_bytes([order(status="已关闭"), order(ref="TS-2")]))
    # when a ledger reopens the first, moves the times of the second and changes its rating
    rows = [
        order(status="处理中", resolved_at="", rating=""),
        order(
            ref="TS-2",
            submitted_at="2024-05-02 09:00",
            accepted_at="2024-05-02 11:00",
            resolved_at="2024-05-04 16:00",
            rating="不满意",
        ),
    ]
    found = row_errors(compound, rows)
    # then each is refused, saying what is recorded
    assert found == [
        (2, "状态", "The work order is already 已关闭; the ledger cannot make it 处理中."),
        (3, "办结时间", "The recorded time is 2024-05-03 16:00; a ledger cannot change a recorded time."),
        (3, "受理时间", "The recorded time is 2024-05-02 10:05; a ledger cannot change a recorded time."),
        (3, "提交时间", "The recorded time is 2024-05-02 09:30; a ledger cannot change a recorded time."),
        (3, "评价", "The rating 满意 is recorded; a ledger cannot change it."),
    ]


def test_a_resolved_voice_cannot_become_invalid_but_an_open_one_can(compound):
    run_import(compound, xlsx_bytes([order(), order(ref="TS-2", status="处理中", resolved_at="", rating="")]))
    assert row_errors(compound, [order(status="无效", rating="")]) == [
        (2, "状态", "The work order is already 已办结; the ledger cannot make it 无效.")
    ]
    plan = run_import(
        compound, xlsx_bytes([order(ref="TS-2", status="无效", resolved_at="2024-05-04 08:00", rating="")])
    )
    assert counts(plan) == (0, 1, 0)
    voice = Voice.objects.get(external_ref="TS-2")
    assert (voice.status, voice.closed_at) == (Status.REJECTED, at("2024-05-04 08:00"))


def test_a_new_step_may_not_come_before_what_the_platform_recorded(compound, django_capture_on_commit_callbacks):
    # given an open imported work order that staff then dispatched on the platform
    run_import(compound, xlsx_bytes([order(status="处理中", resolved_at="", rating="")]))
    voice = Voice.objects.get()
    staff = _property_manager(compound)
    s.voice_dispatch(actor=staff, voice=voice, now=at("2024-05-04 09:00"))
    # when a ledger resolves it before that dispatch
    found = row_errors(compound, [order()])
    # then it is refused
    assert found == [
        (2, "办结时间", "办结时间 is before the last recorded step of the work order (2024-05-04 09:00)."),
    ]
    # and resolved after it, it is resolved (the dispatch stays in its history)
    run_import(compound, xlsx_bytes([order(resolved_at="2024-05-05 10:00")]))
    voice.refresh_from_db()
    assert voice.status == Status.RESOLVED
    assert [v for v, _s, _a in timeline(voice)] == ["submit", "accept", "dispatch", "resolve", "import", "import"]


def _property_manager(compound: Any) -> Any:
    from gongzhi.accounts.roles import Role
    from gongzhi.testing.factories import UserFactory, member

    staff = UserFactory.create()
    member(staff, compound.property_company, Role.PROPERTY_MANAGER)
    return staff


def test_a_voice_withdrawn_meanwhile_cannot_be_changed_by_a_ledger(compound):
    run_import(compound, xlsx_bytes([order(status="处理中", resolved_at="", rating="")]))
    Voice.objects.update(status=Status.WITHDRAWN)
    assert row_errors(compound, [order()]) == [
        (2, "状态", "The author withdrew this voice; a ledger cannot change it.")
    ]


def test_every_created_voice_and_the_import_are_audited(compound):
    run_import(compound, xlsx_bytes(orders(3)))
    audits = AuditEvent.objects.filter(verb="voice.ledger_create")
    assert sorted(int(a.object_id) for a in audits) == sorted(Voice.objects.values_list("id", flat=True))
    assert {a.community_id for a in audits} == {compound.community_id}
    assert audits.order_by("id")[0].after == {
        "ref": "TS-1",
        "submitted_at": "2024-05-01 08:00",
        "kind": "投诉",
        "category": "环境卫生",
        "where": "",
        "status": "已办结",
        "accepted_at": "2024-05-01 08:30",
        "resolved_at": "2024-05-02 04:00",
        "rating": "满意",
    }
    imported = AuditEvent.objects.get(verb="ledger.import")
    assert imported.after is not None
    assert (imported.after["ledger"], imported.after["created"]) == ("workorders", 3)


def test_script_in_text_is_stored_as_text(compound):
    run_import(compound, xlsx_bytes([order(text="<script>alert(1)</script>")]))
    assert Voice.objects.get().text == "<script>alert(1)</script>"


def test_export_then_import_changes_nothing(compound):
    # given an imported ledger
    rows = [
        *orders(4),
        order(ref="", status="处理中", accepted_at="", resolved_at="", rating="", building="3栋"),
        order(ref="TS-9", status="无效", rating="", building="3栋", unit="1单元", room="1702"),
        order(ref="TS-10", status="已关闭", text="=1+1 不是公式", rating="不满意"),
    ]
    run_import(compound, csv_bytes(rows), name="workorders.csv")
    before = state()
    # when exported and imported again
    plan = run_import(compound, export_bytes(compound))
    # then nothing changed
    assert counts(plan) == (0, 0, 7)
    after = state()
    assert after.pop("audit")[:-2] == before.pop("audit")  # the export and the import are audited
    assert after == before


def test_voices_raised_on_the_platform_export_and_import_back_unchanged(world, django_capture_on_commit_callbacks):
    # given voices of compound A at every stage, raised and handled on the platform
    compound = world.compound_a
    resident, staff = world.users["resident"], world.users["property_manager"]
    t = timezone.now() - datetime.timedelta(days=3)

    def raise_voice(text: str, **kw: Any) -> Voice:
        return s.voice_submit(
            author=resident,
            compound=compound,
            kind=Kind.REPAIR,
            category=category("设施维修"),
            text=text,
            location_kind=LocationKind.OWN_HOUSE,
            house=world.house_a,
            **kw,
        )

    with django_capture_on_commit_callbacks(execute=True):
        raise_voice("电梯坏了\r\n第二行", now=t)
        accepted = s.voice_accept(actor=staff, voice=raise_voice("门禁坏了", now=t), now=t)
        resolved = s.voice_resolve(actor=staff, voice=raise_voice("路灯不亮", now=t), reply="已修", now=t)
        s.voice_rate(actor=resident, voice=resolved, score=Score.DISSATISFIED)
        s.voice_reopen(actor=resident, voice=resolved)
        closed = s.voice_resolve(actor=staff, voice=raise_voice("水管漏水", now=t), reply="已修", now=t)
        s.voice_rate(actor=resident, voice=closed, score=Score.SATISFIED)
        s.voice_reject(actor=staff, voice=raise_voice("无效内容", now=t), reason="重复", now=t)
        s.voice_withdraw(actor=resident, voice=raise_voice("算了", now=t))
        s.voice_dispatch(actor=staff, voice=accepted, now=t)
    run_import(compound, xlsx_bytes([order()]))  # and one from a ledger
    before = state()
    # when the compound's work orders are exported and imported back
    data = export_bytes(compound)
    plan = run_import(compound, data)
    # then the withdrawn voice is not in the ledger, and nothing changed
    assert counts(plan) == (0, 0, 6)
    after = state()
    assert after.pop("audit")[:-2] == before.pop("audit")
    assert after == before


def test_a_voice_raised_on_the_platform_cannot_be_changed_by_a_ledger(world):
    compound = world.compound_a
    voice = s.voice_submit(
        author=world.users["resident"],
        compound=compound,
        kind=Kind.REPAIR,
        category=category("设施维修"),
        text="电梯坏了",
        location_kind=LocationKind.PUBLIC_AREA,
    )
    local = timezone.localtime(voice.submitted_at).replace(tzinfo=None)
    row = order(
        ref=f"GZ-{voice.pk}",
        submitted_at=local,
        kind="报修",
        category="设施维修",
        text="电梯坏了，已修好",
        status="处理中",
        accepted_at="",
        resolved_at="",
        rating="",
    )
    assert row_errors(compound, [row]) == [
        (2, "编号", f"GZ-{voice.pk} was raised on the platform; change it there, not in a ledger.")
    ]
    assert counts(run_import(compound, xlsx_bytes([{**row, "text": "电梯坏了"}]))) == (0, 0, 1)
    assert row_errors(compound, [{**row, "ref": "GZ-999999"}]) == [(2, "编号", "The compound has no voice GZ-999999.")]


def test_a_ledger_voice_without_a_number_is_exported_by_its_platform_number(compound):
    # given an open row without a number, which staff then accept on the platform
    run_import(compound, xlsx_bytes([order(ref="", status="处理中", accepted_at="", resolved_at="", rating="")]))
    voice = Voice.objects.get()
    s.voice_accept(actor=_property_manager(compound), voice=voice, now=at("2024-05-03 08:00"))
    # when exported and imported back
    data = export_bytes(compound)
    # then it is named GZ-<id> and nothing changes
    assert counts(run_import(compound, data)) == (0, 0, 1)
    # and the original row (the voice is now ahead of it) still names it too
    original = order(ref="", status="处理中", accepted_at="", resolved_at="", rating="")
    assert counts(run_import(compound, xlsx_bytes([original]))) == (0, 0, 1)


def test_writing_takes_the_same_number_of_queries_for_ten_rows_or_two_hundred(compound):
    # given a ledger of ten rows, and one of two hundred, each imported into the empty compound
    def queries(rows: list[dict[str, Any]]) -> int:
        Voice.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            run_import(compound, xlsx_bytes(rows))
        return len(captured.captured_queries)

    small, large = queries(orders(10)), queries(orders(200))
    # then the count does not grow with the rows
    assert large == small
    assert VoiceEvent.objects.filter(verb="import").count() == 200


def test_the_example_ledger_in_the_docs_imports_into_any_compound(compound, settings):
    # given docs/examples/workorders.csv (every date format, every status, a row without a number)
    data = (settings.BASE_DIR / "docs" / "examples" / "workorders.csv").read_bytes()
    # when imported twice
    first = run_import(compound, data, name="workorders.csv")
    again = run_import(compound, data, name="workorders.csv")
    # then its nine work orders are created once
    assert (counts(first), counts(again)) == ((9, 0, 0), (0, 0, 9))
    assert Voice.objects.filter(compound=compound, status=Status.REJECTED).count() == 1
