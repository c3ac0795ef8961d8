"""Imported history counts in the voice KPIs like any other, and never wakes the deadline sweep."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.insights import kpis
from gongzhi.notifications.models import Notification
from gongzhi.voices.models import Kind, Status, Voice, VoiceEvent
from gongzhi.voices.tasks import deadline_sweep

from .files import order, run_import, xlsx_bytes

pytestmark = pytest.mark.django_db
MAY = (datetime.date(2024, 5, 1), datetime.date(2024, 6, 1))

# Default policies (hours to respond / resolve): complaint 24/72, suggestion 48/240, praise 72/–, request 12/48,
# repair 24/72, enquiry 24/48. Times are Beijing time.
LEDGER = [
    # A complaint: accepted after 1 h, resolved after 24 h (both on time), closed, 满意.
    order(ref="A", kind="投诉", submitted_at="2024-05-02 09:00", accepted_at="2024-05-02 10:00",
          resolved_at="2024-05-03 09:00", status="已关闭", rating="满意"),
    # B repair: accepted after 28 h (late), resolved after 120 h (late), 不满意.
    order(ref="B", kind="报修", submitted_at="2024-05-03 08:00", accepted_at="2024-05-04 12:00",
          resolved_at="2024-05-08 08:00", status="已办结", rating="不满意"),
    # C request: accepted on time, still open; its resolution deadline (05-12 10:00) passed unresolved.
    order(ref="C", kind="求助", submitted_at="2024-05-10 10:00", accepted_at="2024-05-10 11:00",
          resolved_at="", status="处理中", rating=""),
    # D enquiry: never accepted; both deadlines (05-21, 05-22) passed.
    order(ref="D", kind="咨询", submitted_at="2024-05-20 09:00", accepted_at="", resolved_at="", status="处理中",
          rating=""),
    # E praise: acknowledged the same morning, 基本满意 (praise counts only in the satisfaction and reopen rates).
    order(ref="E", kind="表扬", submitted_at="2024-05-05 09:00", accepted_at="", resolved_at="2024-05-05 12:00",
          status="已关闭", rating="基本满意"),
    # F complaint judged 无效: counts in no KPI.
    order(ref="F", kind="投诉", submitted_at="2024-05-06 09:00", accepted_at="", resolved_at="", status="无效",
          rating=""),
    # G suggestion from April, resolved in May after 96 h, before its deadline (05-08 09:00), 满意.
    order(ref="G", kind="建议", submitted_at="2024-04-28 09:00", accepted_at="2024-04-28 10:00",
          resolved_at="2024-05-02 09:00", status="已办结", rating="满意"),
    # H repair raised in May, accepted after 1 h, resolved in June (after May's end), not rated.
    order(ref="H", kind="报修", submitted_at="2024-05-30 09:00", accepted_at="2024-05-30 10:00",
          resolved_at="2024-06-02 09:00", status="已办结", rating=""),
]  # fmt: skip


def test_an_imported_ledger_yields_the_hand_computed_kpis(compound):
    # given the ledger above, imported
    run_import(compound, xlsx_bytes(LEDGER))
    voices = Voice.objects.filter(compound=compound)
    # then May's voices by kind: A; B, H; C; D; E (F is invalid, G is April's)
    assert kpis.voices_by_kind(voices, *MAY) == {
        Kind.COMPLAINT: 1,
        Kind.SUGGESTION: 0,
        Kind.PRAISE: 1,
        Kind.REQUEST: 1,
        Kind.REPAIR: 2,
        Kind.ENQUIRY: 1,
    }
    # 响应率: of A, B, C, D, H, accepted by the response deadline: A, C, H
    assert kpis.response_rate(voices, *MAY) == kpis.Ratio(3, 5)
    # 按期办结率: deadlines in May: A, B, C, D, G; resolved by them: A, G
    assert kpis.on_time_resolution_rate(voices, *MAY) == kpis.Ratio(2, 5)
    # 解决率: of A, B, C, D, H, resolved by the end of May: A, B
    assert kpis.resolution_rate(voices, *MAY) == kpis.Ratio(2, 5)
    # 满意率: ratings in May: A 满意, B 不满意, E 基本满意, G 满意
    assert kpis.satisfaction_rate(voices, *MAY) == kpis.Ratio(3, 4)
    # 平均办结时长: A 24 h, B 120 h, G 96 h
    assert kpis.mean_time_to_resolve(voices, *MAY) == pytest.approx(80.0)
    # reopen rate: A, B, E, G resolved in May, none reopened
    assert kpis.reopen_rate(voices, *MAY) == kpis.Ratio(0, 4)


def test_imported_history_wakes_no_reminder_escalation_closing_or_notification(
    compound, django_capture_on_commit_callbacks
):
    # given the ledger imported (overdue open voices, old resolved ones)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(compound, xlsx_bytes(LEDGER))
    events = VoiceEvent.objects.count()
    # when the deadline sweep runs now, and again days later
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_sweep() == {}
        assert deadline_sweep(now=timezone.now() + datetime.timedelta(days=30)) == {}
    # then nobody was told anything and no voice moved
    assert not Notification.objects.exists()
    assert VoiceEvent.objects.count() == events
    assert not AuditEvent.objects.filter(verb__in=["voice.remind", "voice.escalate1", "voice.close"]).exists()
    assert Voice.objects.get(external_ref="B").status == Status.RESOLVED


def test_an_imported_open_voice_with_its_deadline_ahead_is_reminded_like_any_other(compound):
    # given a request raised an hour ago, accepted, imported as 处理中 (resolve within 48 h)
    raised = timezone.localtime() - datetime.timedelta(hours=1)
    row = order(
        kind="求助",
        submitted_at=raised.replace(tzinfo=None),
        accepted_at=raised.replace(tzinfo=None),
        resolved_at="",
        status="处理中",
        rating="",
    )
    run_import(compound, xlsx_bytes([row]))
    # then nothing is due now; near its deadline it is reminded, and after it escalated
    assert deadline_sweep() == {}
    assert deadline_sweep(now=raised + datetime.timedelta(hours=45)) == {"remind": 1}
    assert deadline_sweep(now=raised + datetime.timedelta(hours=49)) == {"escalate1": 1}
