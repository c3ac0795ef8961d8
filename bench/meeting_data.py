"""Data generator for the meeting benchmarks: joint meetings and their action items (整改事项) over an estate.

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://…/migrated-empty-db \\
        .venv/bin/python -m bench.meeting_data --items 50000 [--compounds 200] [--residents 30]

Writes into a migrated, empty, throw-away PostgreSQL database (``bench.meeting_pages`` makes one), with ``COPY``
through ``gongzhi.estates.ledger.bulk.RowInserter`` for everything that grows:

- the estate of ``bench.voice_data.build_estate`` (200 compounds in 40 communities and 4 sub-districts, a
  property company per 10 compounds, staff, ``--residents`` residents per compound with approved bindings) and
  voices from ``bench.voice_data.build_voices`` (half as many as action items, at least 1,000; its own probe of
  250 recent voices in the first compound), for action items to answer;
- meetings, each with its agenda (one item per decision, sometimes one more), invitations (the community, the
  property company, the responsible person), attendees by party, published minutes with a text per agenda item
  and a decision per action item; kinds: joint 60%, owners' 15%, coordination 15%, site visits 10%; 10% private;
  over three years, denser towards now; recent ones a few upcoming (published), drafts or cancelled;
- exactly ``--items`` action items: 2-8 top-level items a closed meeting, a quarter of them with 2-3 weighted
  sub-items; statuses by age (recent items planned or in progress, old ones done or cancelled, a few delayed
  stragglers), due dates 2-16 weeks after the meeting, budgets, progress, 90% public; their updates (1-5 each,
  the append-only history), before/after photo rows (files are not written: no page measured serves them),
  1-2 linked voices per top-level item and ratings of done ones by residents of the compound.

The probe (as in ``bench.voice_data``). The pages measured are the meeting list (newest first, 20 a page) and a
compound's public 整改清单 (open items first by due date, 20 a page). Spread evenly, 500 items would give each
compound two or three of them and 50,000 a full page: the ratio would measure the size of the answer. So:

- the probe compound (the first, ``v001``) gets its own meetings and items, drawn by a generator of their own
  seed at times relative to the generation, the same in every dataset (checked by a fingerprint): 2 upcoming
  meetings and 22 closed ones over the last 150 days with their action items, of which more than a page are
  open and public;
- the rest of the probe's sub-district (the scopes of the probe's users: community staff 5 compounds, property
  manager 10, sub-district supervisor 50) and the probe compound itself get only background meetings older
  than 180 days whose items are all settled (done or cancelled), so that the first page of the meeting list
  and of the 整改清单 show exactly the probe in both datasets while the history behind them grows a hundredfold;
- everything else goes to the other 150 compounds, recent activity and open items included.

The natural scope is the first compound of the second sub-district (``v051``), generated like any other: its
pages grow with the data (information only).

Not generated: audit events (no page measured reads them), photo files. Ends with ``VACUUM ANALYZE`` and a table
``bench_dataset`` describing the dataset (the users the page benchmark logs in as, per scope; the probe).
Never run by the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .voice_data import NATURAL, PROBE, Estate, build_estate, build_voices

SEED = 2031
PROBE_SEED = 4207
DAYS = 3 * 365
QUIET_DAYS = 180
PROBE_PAST_MEETINGS = 22
PROBE_DAYS = 150
PROBE_UPCOMING = (3, 10)
PROBE_AREA = 50  # compounds v001-v050: the probe's sub-district
CHUNK_MEETINGS = 2000

TOPICS = [
    ("大堂电动门维修", "门禁"),
    ("楼道感应灯更换", "照明"),
    ("地下车库渗水治理", "防水"),
    ("小区绿化补植", "绿化"),
    ("电动车集中充电棚建设", "充电"),
    ("垃圾分类投放点改造", "环境"),
    ("外墙脱落隐患排查", "安全"),
    ("电梯年检与维保", "电梯"),
    ("消防通道占用清理", "消防"),
    ("快递柜增设", "便民"),
    ("路灯线路检修", "照明"),
    ("雨污分流改造", "管网"),
    ("儿童游乐设施更新", "设施"),
    ("监控盲区补装摄像头", "安防"),
    ("二次供水水箱清洗", "供水"),
    ("停车位划线与管理", "停车"),
]
KINDS = [("joint", 60), ("owners", 15), ("coordination", 15), ("site_visit", 10)]
PARTIES = [("community", 3), ("property", 3), ("residents", 4), ("department", 1), ("superior", 1)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
KIND_NAMES = {"joint": "三方联席会议", "owners": "业主见面会", "coordination": "部门协调会", "site_visit": "现场走访"}


def _choose(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _w in pairs], [w for _p, w in pairs])[0]


# --- The plan: what each meeting holds, before any id exists -----------------------------------------------------


@dataclass
class PlannedItem:
    title: str
    status: str
    progress: int
    due_in: int  # days after the meeting
    budget: Decimal | None
    responsible: str  # "property" | "community" | "department"
    with_person: bool
    is_public: bool
    updates: int
    voices: int
    ratings: int
    weight: int = 1
    subs: list[PlannedItem] = field(default_factory=list)


@dataclass
class PlannedMeeting:
    compound: int  # index into estate.compounds
    age_days: float  # negative: upcoming
    kind: str
    title: str
    status: str
    is_private: bool
    agenda_extra: int
    attendees: list[tuple[str, str]]
    items: list[PlannedItem] = field(default_factory=list)

    def item_count(self) -> int:
        return sum(1 + len(i.subs) for i in self.items)


def _status(rng: random.Random, age: float, settled: bool) -> str:
    if settled:
        return _choose(rng, [("done", 88), ("cancelled", 12)])
    if age < 30:
        return _choose(rng, [("planned", 40), ("in_progress", 50), ("delayed", 5), ("done", 5)])
    if age < 120:
        return _choose(rng, [("planned", 10), ("in_progress", 40), ("delayed", 10), ("done", 35), ("cancelled", 5)])
    if age < 365:
        return _choose(rng, [("in_progress", 10), ("delayed", 8), ("done", 72), ("cancelled", 10)])
    return _choose(rng, [("delayed", 2), ("done", 88), ("cancelled", 10)])


def _progress(rng: random.Random, status: str) -> int:
    return {
        "planned": 0,
        "in_progress": rng.randrange(10, 91, 5),
        "delayed": rng.randrange(10, 81, 5),
        "done": 100,
        "cancelled": rng.randrange(0, 61, 10),
    }[status]


def _item(rng: random.Random, age: float, settled: bool, *, sub: bool = False) -> PlannedItem:
    topic, _tag = rng.choice(TOPICS)
    status = _status(rng, age, settled)
    updates = {"planned": 1, "in_progress": rng.randint(2, 3), "delayed": 3, "done": rng.randint(3, 5)}.get(status, 2)
    return PlannedItem(
        title=(f"{topic}（分项{rng.randint(1, 9)}）" if sub else f"{topic}·{rng.choice('一二三四五六七八九')}期")[:100],
        status=status,
        progress=_progress(rng, status),
        due_in=rng.randint(14, 112),
        budget=None if rng.random() < 0.3 else Decimal(rng.randrange(500, 300_000, 100)),
        responsible=_choose(rng, [("property", 75), ("community", 15), ("department", 10)]),
        with_person=rng.random() < 0.5,
        is_public=rng.random() < 0.9,
        updates=updates,
        voices=0 if sub else rng.choice((1, 1, 2)),
        ratings=rng.randint(0, 3) if status == "done" and not sub else 0,
        weight=rng.randint(1, 3) if sub else 1,
    )


def _meeting(rng: random.Random, compound: int, age: float, *, settled: bool) -> PlannedMeeting:
    kind = _choose(rng, KINDS)
    if age < 0:
        status = "published"
    elif age < 14 and not settled and rng.random() < 0.05:
        status = "draft"
    elif not settled and rng.random() < 0.02:
        status = "cancelled"
    else:
        status = "closed"
    _topic, tag = rng.choice(TOPICS)
    meeting = PlannedMeeting(
        compound=compound,
        age_days=age,
        kind=kind,
        title=f"{tag}专题{KIND_NAMES[kind]}",
        status=status,
        is_private=rng.random() < 0.1,
        agenda_extra=rng.choice((0, 0, 1)),
        attendees=[
            (_choose(rng, PARTIES), rng.choice(SURNAMES) + rng.choice("先生女士师傅阿姨主任经理"))
            for _ in range(rng.randint(4, 10))
        ],
    )
    if status == "closed":
        for _ in range(rng.randint(2, 8)):
            item = _item(rng, age, settled)
            if rng.random() < 0.25:
                item.subs = [_item(rng, age, settled or item.status in ("done", "cancelled"), sub=True)]
                item.subs += [
                    _item(rng, age, settled or item.status in ("done", "cancelled"), sub=True)
                    for _ in range(rng.randint(1, 2))
                ]
                if item.status == "done":
                    for s in item.subs:
                        s.status, s.progress = "done", 100
            meeting.items.append(item)
    return meeting


def probe_plan() -> list[PlannedMeeting]:
    """The probe compound's meetings, the same in every dataset (their own generator, times relative to now)."""
    rng = random.Random(PROBE_SEED)
    ages = sorted((rng.uniform(1, PROBE_DAYS) for _ in range(PROBE_PAST_MEETINGS)), reverse=True)
    plan = [_meeting(rng, 0, age, settled=False) for age in ages]
    for m in plan:  # the probe's past meetings are all closed, public, with items
        m.status, m.is_private = "closed", False
        if not m.items:
            m.items = [_item(rng, m.age_days, False)]
    plan += [_meeting(rng, 0, -float(days), settled=False) for days in PROBE_UPCOMING]
    return plan


def probe_fingerprint(plan: list[PlannedMeeting]) -> str:
    text = json.dumps(
        [
            [m.title, round(m.age_days, 3), m.status, [[i.title, i.status, i.progress, i.due_in] for i in m.items]]
            for m in plan
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def background_plan(estate: Estate, items: int, rng: random.Random) -> list[PlannedMeeting]:
    """Meetings until exactly ``items`` action items: the probe area only old and settled (see the docstring)."""
    n = len(estate.compounds)
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    plan: list[PlannedMeeting] = []
    left = items
    while left > 0:
        index = rng.choices(range(n), weights)[0]
        quiet = index < min(PROBE_AREA, n) and n > 1
        if quiet:
            age = QUIET_DAYS + (DAYS - QUIET_DAYS) * rng.random() ** 1.5
        else:
            age = DAYS * rng.random() ** 1.5 - (30 * rng.random() if rng.random() < 0.03 else 0)
        meeting = _meeting(rng, index, age, settled=quiet)
        # the last meeting takes exactly what is left
        while meeting.item_count() > left:
            if meeting.items[-1].subs:
                meeting.items[-1].subs.pop()
            else:
                meeting.items.pop()
        left -= meeting.item_count()
        plan.append(meeting)
    return plan


# --- Writing -------------------------------------------------------------------------------------------------------


@dataclass
class Writers:
    meetings: Any
    invitations: Any
    attendance: Any
    agenda: Any
    minutes: Any
    entries: Any
    decisions: Any
    items: Any
    item_voices: Any
    updates: Any
    photos: Any
    ratings: Any


def _writers() -> Writers:
    from gongzhi.estates.ledger.bulk import RowInserter
    from gongzhi.meetings import models as m

    return Writers(
        meetings=RowInserter(
            m.Meeting,
            [
                "community",
                "compound",
                "kind",
                "title",
                "description",
                "starts_at",
                "ends_at",
                "place",
                "online_url",
                "is_private",
                "status",
                "convener",
                "sequence",
                "sign_in_nonce",
                "published_at",
                "held_at",
                "closed_at",
                "cancelled_at",
                "cancel_reason",
                "created_by",
                "created_at",
                "updated_at",
            ],
        ),
        invitations=RowInserter(
            m.MeetingInvitation,
            ["community", "meeting", "organization", "user", "party", "rsvp", "rsvp_note", "invited_by", "created_at"],
        ),
        attendance=RowInserter(
            m.Attendance, ["community", "meeting", "name", "party", "method", "signed_in_at", "recorded_by"]
        ),
        agenda=RowInserter(
            m.AgendaItem,
            [
                "community",
                "meeting",
                "position",
                "title",
                "detail",
                "source",
                "topic_words",
                "is_private",
                "added_by",
                "created_at",
            ],
        ),
        minutes=RowInserter(
            m.Minutes,
            [
                "community",
                "meeting",
                "version",
                "status",
                "correction_reason",
                "created_by",
                "published_by",
                "published_at",
                "created_at",
                "updated_at",
            ],
        ),
        entries=RowInserter(m.MinutesEntry, ["community", "minutes", "agenda_item", "text"]),
        decisions=RowInserter(
            m.Decision,
            [
                "community",
                "meeting",
                "agenda_item",
                "text",
                "becomes_action",
                "action_title",
                "responsible_organization",
                "due_on",
                "budget",
                "action_item",
                "recorded_by",
                "created_at",
            ],
        ),
        items=RowInserter(
            m.ActionItem,
            [
                "community",
                "compound",
                "meeting",
                "parent",
                "weight",
                "title",
                "detail",
                "responsible_organization",
                "responsible_user",
                "due_on",
                "budget",
                "status",
                "progress",
                "status_reason",
                "is_public",
                "done_round",
                "started_at",
                "done_at",
                "cancelled_at",
                "created_by",
                "created_at",
                "updated_at",
            ],
        ),
        item_voices=RowInserter(m.ActionItemVoice, ["community", "action_item", "voice"]),
        updates=RowInserter(
            m.ActionUpdate,
            [
                "community",
                "action_item",
                "actor",
                "source",
                "status_before",
                "status_after",
                "progress_before",
                "progress_after",
                "note",
                "reason",
                "at",
            ],
        ),
        photos=RowInserter(
            m.ActionPhoto,
            ["community", "action_item", "stage", "image", "width", "height", "size", "uploaded_by", "created_at"],
        ),
        ratings=RowInserter(m.ActionRating, ["community", "action_item", "rater", "round", "score", "comment", "at"]),
    )


@dataclass
class Context:
    estate: Estate
    now: datetime.datetime
    voices: dict[int, list[int]]  # compound id → voice ids to link (the probe's: its recent, identical voices)
    counts: dict[str, int] = field(default_factory=dict)


def _local_day(at: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate(at)


def write(plan: list[PlannedMeeting], ctx: Context, rng: random.Random, w: Writers) -> list[int]:
    """Insert the planned meetings with everything they hold; returns the meetings' ids in plan order."""
    est = ctx.estate
    now = ctx.now
    meeting_rows, starts = [], []
    for m in plan:
        cid, community, _code, company = est.compounds[m.compound]
        convener = est.staff_of_org[est.community_org[community]]
        start = (now - datetime.timedelta(days=m.age_days)).replace(minute=0, second=0, microsecond=0)
        starts.append(start)
        published = start - datetime.timedelta(days=5) if m.status != "draft" else None
        closed_at = start + datetime.timedelta(days=1) if m.status == "closed" else None
        meeting_rows.append(
            (community, cid, m.kind, m.title, "", start, start + datetime.timedelta(hours=2), "社区党群服务中心", "",
             m.is_private, m.status, convener, 0, "", published, start if closed_at else None, closed_at,
             published if m.status == "cancelled" else None, "时间冲突" if m.status == "cancelled" else "",
             convener, start - datetime.timedelta(days=7), closed_at or start)
        )  # fmt: skip
    meeting_ids = w.meetings.insert(meeting_rows, returning=True)
    inv, att, agenda_rows, agenda_of = [], [], [], []
    for mid, m, start in zip(meeting_ids, plan, starts, strict=True):
        cid, community, _code, company = est.compounds[m.compound]
        convener = est.staff_of_org[est.community_org[community]]
        inv.append((community, mid, est.community_org[community], None, "community", "pending", "", convener, start))
        inv.append((community, mid, company, None, "property", "pending", "", convener, start))
        if m.status == "closed":
            att += [(community, mid, name, party, "staff", start, convener) for party, name in m.attendees]
        for pos in range(len(m.items) + m.agenda_extra):
            title = m.items[pos].title if pos < len(m.items) else "临时动议"
            agenda_rows.append((community, mid, pos + 1, title, "", "free", "", False, convener, start))
            agenda_of.append((mid, pos))
    w.invitations.insert(inv)
    w.attendance.insert(att)
    agenda_ids = dict(zip(agenda_of, w.agenda.insert(agenda_rows, returning=True), strict=True))
    closed = [(mid, m, s) for mid, m, s in zip(meeting_ids, plan, starts, strict=True) if m.status == "closed"]
    minutes_ids = w.minutes.insert(
        [
            (est.compounds[m.compound][1], mid, 1, "published", "", None, None, s + datetime.timedelta(days=2), s, s)
            for mid, m, s in closed
        ],
        returning=True,
    )
    w.entries.insert(
        (est.compounds[m.compound][1], minutes_id, agenda_ids[(mid, pos)], f"与会各方就“{title}”充分讨论，形成决议。")
        for minutes_id, (mid, m, _s) in zip(minutes_ids, closed, strict=True)
        for pos, title in enumerate([i.title for i in m.items] + ["临时动议"] * m.agenda_extra)
    )
    # Action items: top-level first (their ids are the parents of the sub-items).
    tops: list[tuple[int, PlannedMeeting, datetime.datetime, int, PlannedItem]] = []
    for mid, m, s in closed:
        tops += [(mid, m, s, pos, item) for pos, item in enumerate(m.items)]
    top_ids = w.items.insert([_item_row(ctx, m, mid, s, None, item) for mid, m, s, _p, item in tops], returning=True)
    subs = [
        (mid, m, s, top_id, sub)
        for top_id, (mid, m, s, _p, item) in zip(top_ids, tops, strict=True)
        for sub in item.subs
    ]
    sub_ids = w.items.insert([_item_row(ctx, m, mid, s, top, sub) for mid, m, s, top, sub in subs], returning=True)
    w.decisions.insert(
        (est.compounds[m.compound][1], mid, agenda_ids[(mid, pos)], f"同意：{item.title}", True, item.title,
         _org(ctx, m, item), _local_day(s) + datetime.timedelta(days=item.due_in), item.budget, top_id,
         est.staff_of_org[est.community_org[est.compounds[m.compound][1]]], s)
        for top_id, (mid, m, s, pos, item) in zip(top_ids, tops, strict=True)
    )  # fmt: skip
    everything = [(tid, m, s, item) for tid, (_mid, m, s, _p, item) in zip(top_ids, tops, strict=True)]
    everything += [(sid, m, s, sub) for sid, (_mid, m, s, _t, sub) in zip(sub_ids, subs, strict=True)]
    _histories(ctx, rng, w, everything)
    for key, n in (("meetings", len(plan)), ("action_items", len(everything)), ("sub_items", len(subs))):
        ctx.counts[key] = ctx.counts.get(key, 0) + n
    ctx.counts["attendance"] = ctx.counts.get("attendance", 0) + len(att)
    ctx.counts["agenda_items"] = ctx.counts.get("agenda_items", 0) + len(agenda_rows)
    return meeting_ids


def _org(ctx: Context, m: PlannedMeeting, item: PlannedItem) -> int:
    est = ctx.estate
    _cid, community, _code, company = est.compounds[m.compound]
    if item.responsible == "property":
        return int(company)
    if item.responsible == "community":
        return est.community_org[community]
    return est.departments[(m.compound + len(item.title)) % len(est.departments)]


def _times(
    ctx: Context, start: datetime.datetime, item: PlannedItem
) -> tuple[datetime.datetime | None, datetime.datetime | None, datetime.datetime | None]:
    """started, done and cancelled times: between the meeting and now (or the due date)."""
    created = start + datetime.timedelta(days=1)
    span = max((min(ctx.now, start + datetime.timedelta(days=item.due_in)) - created).total_seconds(), 3600)
    started = created + datetime.timedelta(seconds=span * 0.2) if item.status != "planned" else None
    done = created + datetime.timedelta(seconds=span * 0.9) if item.status == "done" else None
    cancelled = created + datetime.timedelta(seconds=span * 0.5) if item.status == "cancelled" else None
    return started, done, cancelled


def _item_row(
    ctx: Context, m: PlannedMeeting, mid: int, start: datetime.datetime, parent: int | None, item: PlannedItem
) -> tuple[Any, ...]:
    est = ctx.estate
    cid, community, _code, _company = est.compounds[m.compound]
    org = _org(ctx, m, item)
    started, done, cancelled = _times(ctx, start, item)
    created = start + datetime.timedelta(days=1)
    reason = {"delayed": "材料到货推迟", "cancelled": "经复核无需实施"}.get(item.status, "")
    return (
        community, cid, mid, parent, item.weight, item.title, "", org,
        est.staff_of_org.get(org) if item.with_person else None,
        _local_day(start) + datetime.timedelta(days=item.due_in), item.budget, item.status, item.progress, reason,
        item.is_public, 1 if item.status == "done" else 0, started, done, cancelled,
        est.staff_of_org[est.community_org[community]], created, done or cancelled or started or created,
    )  # fmt: skip


def _histories(
    ctx: Context,
    rng: random.Random,
    w: Writers,
    items: list[tuple[int, PlannedMeeting, datetime.datetime, PlannedItem]],
) -> None:
    est = ctx.estate
    updates: list[tuple[Any, ...]] = []
    photos: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    ratings: list[tuple[Any, ...]] = []
    for iid, m, start, item in items:
        cid, community, _code, _company = est.compounds[m.compound]
        actor = est.staff_of_org.get(_org(ctx, m, item))
        started, done, cancelled = _times(ctx, start, item)
        created = start + datetime.timedelta(days=1)
        end = done or cancelled or ctx.now
        progress = 0
        updates.append((community, iid, None, "meeting", "", "planned", None, 0, "会议决定", "", created))
        steps = max(item.updates - 1, 0)
        for k in range(steps):
            last = k == steps - 1
            status = item.status if last else ("in_progress" if item.status != "planned" else "planned")
            after = item.progress if last else min(item.progress, progress + rng.randrange(5, 40, 5))
            at = (started or created) + (end - (started or created)) * ((k + 1) / (steps + 1))
            updates.append((community, iid, actor, "app", "planned" if k == 0 else "in_progress", status, progress,
                            after, "施工推进中", "", at))  # fmt: skip
            progress = after
        if item.status in ("done", "in_progress") and (item.status == "done" or rng.random() < 0.5):
            photos.append((community, iid, "before", f"meetings/actions/{community}/{iid:012x}b.jpg", 1280, 960,
                           180_000, actor, started or created))  # fmt: skip
            if item.status == "done":
                photos.append((community, iid, "after", f"meetings/actions/{community}/{iid:012x}a.jpg", 1280, 960,
                               175_000, actor, done))  # fmt: skip
        pool = ctx.voices.get(cid, [])
        if pool and item.voices:
            links += [(community, iid, v) for v in rng.sample(pool, min(item.voices, len(pool)))]
        residents = est.residents.get(cid, [])
        if item.ratings and residents and done is not None:
            for uid, _k in rng.sample(residents, min(item.ratings, len(residents))):
                score = rng.choices(["satisfied", "basic", "unsatisfied"], [70, 20, 10])[0]
                ratings.append((community, iid, uid, 1, score, "", done + datetime.timedelta(days=2)))
    w.updates.insert(updates)
    w.photos.insert(photos)
    w.item_voices.insert(links)
    w.ratings.insert(ratings)
    for key, rows in (("updates", updates), ("photos", photos), ("voice_links", links), ("ratings", ratings)):
        ctx.counts[key] = ctx.counts.get(key, 0) + len(rows)


def _voices_to_link(estate: Estate, now: datetime.datetime) -> dict[int, list[int]]:
    """Voice ids per compound; for the probe compound only its probe voices (recent: the same in every dataset)."""
    from gongzhi.voices.models import Voice

    pools: dict[int, list[int]] = {}
    for vid, cid in Voice.objects.order_by("submitted_at", "pk").values_list("pk", "compound_id"):
        pools.setdefault(cid, []).append(vid)
    probe_cid = estate.compounds[0][0]
    pools[probe_cid] = list(
        Voice.objects.filter(compound_id=probe_cid, submitted_at__gte=now - datetime.timedelta(days=60))
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    return pools


def generate(*, items: int, compounds: int, residents: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.meetings.models import ActionItem, Meeting

    t0 = time.perf_counter()
    with transaction.atomic():
        estate = build_estate(compounds=compounds, residents_per_compound=residents)
    t1 = time.perf_counter()
    voices = build_voices(estate, max(1000, items // 2))
    t2 = time.perf_counter()
    now = timezone.now().replace(microsecond=0)
    ctx = Context(estate=estate, now=now, voices=_voices_to_link(estate, now))
    writers = _writers()
    probe = probe_plan()
    probe_items = sum(m.item_count() for m in probe)
    if probe_items >= items:
        raise SystemExit(f"--items must exceed the probe's {probe_items} action items")
    rng = random.Random(SEED)
    with transaction.atomic():
        probe_ids = write(probe, ctx, random.Random(PROBE_SEED + 1), writers)
    background = background_plan(estate, items - probe_items, rng)
    for i in range(0, len(background), CHUNK_MEETINGS):
        with transaction.atomic():
            write(background[i : i + CHUNK_MEETINGS], ctx, rng, writers)
    t3 = time.perf_counter()
    probe_cid = estate.compounds[0][0]
    open_public = ActionItem.objects.filter(
        compound_id=probe_cid, parent__isnull=True, is_public=True, status__in=["planned", "in_progress", "delayed"]
    ).count()
    newest_closed = max(
        (mid for mid, m in zip(probe_ids, probe, strict=True) if m.status == "closed"),
        key=lambda mid: Meeting.objects.get(pk=mid).starts_at,
    )
    users = {scope: dict(u) for scope, u in estate.users.items()}
    users[PROBE]["meeting"] = newest_closed
    natural = users.get(NATURAL)
    if natural is not None:
        cid = next(c[0] for c in estate.compounds if c[2] == natural["compound"])
        last = Meeting.objects.filter(compound_id=cid, status="closed").order_by("-starts_at").first()
        natural["meeting"] = last.pk if last else 0  # none: the page is reported as not measured
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        t4 = time.perf_counter()
        description = {
            "items": items,
            "compounds": compounds,
            "residents_per_compound": residents,
            "users": users,
            "probe": {
                "meetings": len(probe),
                "action_items": probe_items,
                "open_public_top_level": open_public,
                "fingerprint": probe_fingerprint(probe),
            },
            "counts": {**ctx.counts, "voices": voices["voices"]},
            "seconds": {"estate": t1 - t0, "voices": t2 - t1, "meetings": t3 - t2, "vacuum_analyze": t4 - t3},
        }
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        description["database_size"] = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS bench_dataset")
        cursor.execute("CREATE TABLE bench_dataset (description text NOT NULL)")
        cursor.execute("INSERT INTO bench_dataset (description) VALUES (%s)", [json.dumps(description)])
    return description


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--compounds", type=int, default=200)
    parser.add_argument("--residents", type=int, default=30, help="residents per compound")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("the meeting data generator writes with COPY: give a PostgreSQL DATABASE_URL")
    print(json.dumps(generate(items=args.items, compounds=args.compounds, residents=args.residents), default=str))


if __name__ == "__main__":
    main()
