"""Demo voices for ``seed_demo``: one resident's voices at every stage, raised and handled through the services."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.accounts.models import Organization, User
from gongzhi.estates.models import Compound, House

from . import services
from .models import Category, Kind, LocationKind, PhotoStage, Score, Voice
from .services.photos import photos_attach, voice_resolve_with_photos


def demo_photo(name: str, *, full: bool) -> SimpleUploadedFile:
    """A drawn stand-in for a resident's snapshot: a bin by a doorway, overflowing or emptied."""
    image = Image.new("RGB", (800, 600), (200, 214, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(150, 150, 140))  # pavement
    draw.rectangle((80, 120, 360, 420), fill=(190, 170, 150), outline=(90, 80, 70), width=6)  # doorway
    draw.rectangle((480, 260, 640, 420), fill=(40, 120, 70))  # the bin
    if full:
        for i, colour in enumerate([(230, 230, 230), (120, 90, 60), (210, 60, 60), (240, 200, 80)]):
            draw.ellipse((460 + i * 40, 200 - (i % 2) * 30, 540 + i * 40, 280), fill=colour)
    out = BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def seed_voices(*, compound: Compound, author: User, handler: User, convener: User, transport: Organization) -> int:
    """Raise and handle a handful of voices, back-dated so deadlines and the timeline look lived-in."""
    if Voice.objects.filter(compound=compound).exists():
        return 0
    house = House.objects.filter(bindings__user=author, compound=compound).first()
    now = timezone.now()

    def ago(days: float) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    def raise_voice(
        kind: str,
        text: str,
        category: str,
        days: float,
        *,
        public: bool = True,
        location_kind: str = LocationKind.PUBLIC_AREA,
        house: House | None = None,
        praised_organization: Organization | None = None,
    ) -> Voice:
        return services.voice_submit(
            author=author,
            compound=compound,
            kind=kind,
            text=text,
            category=Category.objects.filter(name=category).first(),
            location_kind=location_kind,
            house=house,
            is_public=public,
            praised_organization=praised_organization,
            now=ago(days),
        )

    closed = raise_voice(Kind.COMPLAINT, "3栋门口垃圾桶满了没人清运，气味很大", "环境卫生", 20)
    photos_attach(
        actor=author, voice=closed, files=[demo_photo("bin.jpg", full=True)], stage=PhotoStage.RAISED, now=ago(20)
    )
    services.voice_accept(actor=handler, voice=closed, now=ago(19.9))
    voice_resolve_with_photos(
        actor=handler,
        voice=closed,
        reply="已安排保洁每天早晚各清运一次。",
        photos=[demo_photo("bin-emptied.jpg", full=False)],
        now=ago(19),
    )
    services.voice_rate(actor=author, voice=closed, score=Score.SATISFIED, comment="处理很快", now=ago(18))

    bus = raise_voice(Kind.SUGGESTION, "希望开通到地铁站的定制公交，早高峰太难打车", "公共交通", 10)
    services.voice_accept(actor=convener, voice=bus, now=ago(9.8))
    services.voice_dispatch(actor=convener, voice=bus, organization=transport, note="请交通局研究", now=ago(9.5))

    praise = raise_voice(
        Kind.PRAISE, "感谢物业维修师傅周末上门修好了水管", "物业服务", 6, praised_organization=compound.property_company
    )
    services.praise_acknowledge(actor=handler, voice=praise, reply="谢谢您的肯定，我们会继续努力！", now=ago(5))

    noise = raise_voice(Kind.COMPLAINT, "楼上装修晚上九点后还在打电钻", "噪音扰民", 4)
    services.voice_accept(actor=handler, voice=noise, now=ago(3.9))
    services.voice_resolve(actor=handler, voice=noise, reply="已提醒装修户遵守施工时间。", now=ago(3))
    services.voice_rate(actor=author, voice=noise, score=Score.DISSATISFIED, comment="昨晚还在施工", now=ago(2))
    services.voice_reopen(actor=author, voice=noise, reason="昨晚十点还在施工", now=ago(2))

    raise_voice(
        Kind.REPAIR,
        "家里卫生间顶上渗水",
        "设施维修",
        2,
        public=False,
        location_kind=LocationKind.OWN_HOUSE,
        house=house,
    )
    raise_voice(Kind.ENQUIRY, "小区什么时候组织电动车充电桩安装登记？", "其他", 0.1)
    return Voice.objects.filter(compound=compound).count()


# --- History for the insights story (``gongzhi/insights/demo.py``) ------------------------------------------------
#
# Years of voices cannot go through the services one by one (a few thousand voices, each a dozen queries), so
# they are written in bulk with the ledger import's inserter — but as the services would have written them:
# raised in the app by residents of the compound, deadlines from the deadline policy counted from submission,
# the timeline (submit, route, accept, dispatch, resolve / acknowledge, reopen, close) at its historical times,
# public replies, ratings by the author, assignments for praise and dispatched voices, one audit event per
# status change. Notifications are not sent for history. Every voice carries an idempotency key
# ``demo-history:…``, the marker that makes the seeding idempotent.

HISTORY_KEY = "demo-history:"

# (kind, category) → what residents wrote; a kind's "" entry serves the categories without their own.
HISTORY_TEXTS: dict[tuple[str, str], tuple[str, ...]] = {
    (Kind.COMPLAINT, "设施维修"): (
        "单元门禁又坏了，门关不上，外人随便进出",
        "大堂电动门经常卡住，推不开也关不上",
        "楼栋大堂晚上灯不亮，老人进出很危险",
        "南区路灯坏了好几盏，晚上一片漆黑",
        "电梯三天两头停运，报修后一直没人来",
        "地下车库照明太暗，停车时看不清",
    ),
    (Kind.COMPLAINT, "绿化环境"): (
        "一期和二期绿化差别太大，二期到处是黄土",
        "中心花园缺株严重，雨天黄土流到路上",
        "楼间绿地杂草丛生，没人修剪",
    ),
    (Kind.COMPLAINT, "停车交通"): (
        "地库车位被外来车辆占用，业主停不进去",
        "小区道路两边乱停车，消防通道被堵",
        "道闸识别经常失灵，早高峰排长队",
    ),
    (Kind.COMPLAINT, "物业服务"): (
        "物业费这么高，服务却跟不上，客服电话没人接",
        "保安巡逻看不到人，门岗形同虚设",
        "反映的问题总是拖着不处理",
    ),
    (Kind.COMPLAINT, "物业收费"): (
        "物业费收支从来不公开，不知道钱花在哪里",
        "空置房也收这么高的物业费，不合理",
    ),
    (Kind.COMPLAINT, "噪音扰民"): (
        "装修噪音从早到晚，周末也不停",
        "晚上广场舞音响太大，影响休息",
    ),
    (Kind.COMPLAINT, "环境卫生"): (
        "垃圾桶满了没人清运，气味很大",
        "楼道里堆满杂物和装修垃圾",
    ),
    (Kind.COMPLAINT, "教育配套"): ("小区附近没有小学，孩子上学要跨区，太远了",),
    (Kind.COMPLAINT, "公共交通"): ("小区门口没有公交站，出行很不方便",),
    (Kind.COMPLAINT, ""): ("邻居占用公共走道堆放物品，沟通无果",),
    (Kind.SUGGESTION, "公共交通"): (
        "建议开通到地铁站的定制公交，早高峰太难打车",
        "建议把公交站往小区南门方向挪一挪",
    ),
    (Kind.SUGGESTION, "教育配套"): ("建议协调教育部门，就近规划一所小学",),
    (Kind.SUGGESTION, "绿化环境"): ("建议在中心花园增加一些座椅和遮阳",),
    (Kind.SUGGESTION, "物业服务"): (
        "建议单元大堂装电视屏，发布通知更方便",
        "建议物业每季度公示一次收支",
    ),
    (Kind.SUGGESTION, ""): ("建议组织一些邻里活动，大家互相认识一下",),
    (Kind.PRAISE, ""): (
        "感谢物业维修师傅及时上门修好了水管",
        "大堂门禁换了新的，刷脸进门很方便，点赞",
        "保洁阿姨每天把楼道打扫得很干净，辛苦了",
        "客服小刘耐心帮忙联系开锁，非常感谢",
        "新补种的绿化很漂亮，小区越来越像样了",
        "物业组织的便民洗车活动很贴心",
    ),
    (Kind.REQUEST, ""): (
        "家里老人行动不便，想请物业帮忙搬一下重物",
        "钥匙锁在家里了，请帮忙联系开锁",
        "快递柜满了，请帮忙协调一下",
    ),
    (Kind.REPAIR, "设施维修"): (
        "卫生间顶上渗水",
        "楼道感应灯不亮",
        "单元门禁读卡器失灵",
        "电梯按钮失灵",
        "厨房下水管堵塞",
        "消防栓箱门损坏",
    ),
    (Kind.REPAIR, ""): ("楼道窗户关不上",),
    (Kind.ENQUIRY, ""): (
        "物业费怎么在线缴纳？",
        "小区什么时候组织电动车充电桩安装登记？",
        "装修需要办理哪些手续？",
        "业主大会什么时候召开？",
    ),
}
HISTORY_REPLIES: dict[str, tuple[str, ...]] = {
    Kind.COMPLAINT: (
        "已安排维修人员现场处理，问题已解决，感谢您的反映。",
        "已纳入整改清单并完成整改，欢迎监督。",
        "已与相关住户沟通，问题已处理。",
    ),
    Kind.SUGGESTION: ("感谢建议，已提交三方联席会议研究并答复。", "建议已采纳，正在推进。"),
    Kind.REQUEST: ("已安排工作人员上门协助。",),
    Kind.REPAIR: ("维修师傅已上门修好。", "已更换损坏部件，恢复正常。"),
    Kind.ENQUIRY: ("已电话答复，详见服务中心公告。",),
    Kind.PRAISE: ("谢谢您的肯定，我们会继续努力！",),
}
HISTORY_COMMENTS = {
    Score.SATISFIED: ("处理很快", "很满意", ""),
    Score.BASIC: ("还可以", ""),
    Score.DISSATISFIED: ("问题没有彻底解决", "处理太慢"),
}


@dataclass(frozen=True)
class VoiceYear:
    """How one compound's voices went in one stretch of time [start, end): how many of each kind, about what,
    and how well they were handled (shares between 0 and 1)."""

    start: datetime.date
    end: datetime.date
    counts: dict[str, int]  # kind → voices submitted
    categories: dict[str, tuple[tuple[str, int], ...]]  # kind → (category name, weight); missing: 其他
    responded: float  # accepted by the response deadline
    on_time: float  # resolved by the resolution deadline
    late_days: int  # the latest a late resolution comes after its deadline
    rated: float  # resolutions the author rated
    scores: tuple[float, float]  # shares satisfied, basically satisfied (the rest dissatisfied)
    reopened: float  # dissatisfied ratings followed by a reopen
    stuck: float = 0.0  # voices left unresolved for months (resolved 60 to 200 days after their deadline)


@dataclass
class _Rows:
    voices: list[tuple[Any, ...]] = field(default_factory=list)
    steps: list[list[tuple[Any, ...]]] = field(default_factory=list)  # per voice: its events (no voice id yet)
    replies: list[list[tuple[Any, ...]]] = field(default_factory=list)
    ratings: list[list[tuple[Any, ...]]] = field(default_factory=list)
    assignments: list[list[tuple[Any, ...]]] = field(default_factory=list)
    audits: list[list[tuple[Any, ...]]] = field(default_factory=list)


def _aware(day: datetime.date, hour: float) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + datetime.timedelta(hours=hour)


def seed_voice_history(
    *,
    compound: Compound,
    authors: list[User],
    handler: User,
    years: list[VoiceYear],
    departments: dict[str, tuple[Organization, User]] | None = None,
    seed: int = 7,
) -> int:
    """Write the compound's voices of ``years`` in bulk (see above); returns the number written (0 when done before).

    ``authors`` are residents of the compound (approved bindings); ``handler`` is property staff who accept and
    resolve; ``departments`` maps a category to the department and liaison a voice of it is dispatched to.
    """
    from gongzhi.core.models import AuditEvent
    from gongzhi.estates.ledger.bulk import RowInserter

    from .models import Status, VoiceAssignment, VoiceEvent, VoiceRating, VoiceReply
    from .rules import ESCALATION_CHAIN
    from .services.policy import deadline_hours
    from .services.residents import REOPEN_WINDOW
    from .tasks import ESCALATE_AGAIN_AFTER, REMIND_BEFORE

    cid = compound.community_id
    if (
        not authors
        or Voice.objects.filter(community_id=cid, compound=compound, idempotency_key__startswith=HISTORY_KEY).exists()
    ):
        return 0
    rng = random.Random(seed)  # noqa: S311 - a repeatable demo, not a secret
    now = timezone.now()
    company_id = compound.property_company_id
    categories = {c.name: c for c in Category.objects.filter(is_active=True)}
    other = categories["其他"]
    hours: dict[tuple[str, int], tuple[int, int | None]] = {}
    sweep_levels = len(ESCALATION_CHAIN)
    departments = departments or {}
    handler_org_id = company_id
    rows = _Rows()
    serial = 0

    def policy(kind: str, category: Category) -> tuple[int, int | None]:
        key = (kind, category.pk)
        if key not in hours:
            hours[key] = deadline_hours(community_id=cid, kind=kind, category=category)
        return hours[key]

    def audit(actor_id: int | None, verb: str, before: Any, after: dict[str, Any]) -> tuple[Any, ...]:
        return (cid, actor_id, verb, "voices.voice", before, after)

    def sweep(done: datetime.datetime, due: datetime.datetime | None) -> tuple[bool, int]:
        """What the deadline sweep had done by the time the step was taken: reminded within 4 hours of the
        deadline, escalated once it passed and again every day, up the chain."""
        if due is None or done < due - REMIND_BEFORE:
            return False, 0
        if done <= due:
            return True, 0
        return True, min(sweep_levels, 1 + int((done - due) / ESCALATE_AGAIN_AFTER))

    for year in years:
        span = (year.end - year.start).days
        for kind, count in year.counts.items():
            weights = year.categories.get(kind, (("其他", 1),))
            names = [n for n, _w in weights]
            for _i in range(count):
                serial += 1
                name = rng.choices(names, weights=[w for _n, w in weights])[0]
                category = categories.get(name, other)
                texts = HISTORY_TEXTS.get((kind, name)) or HISTORY_TEXTS[(kind, "")]
                text = rng.choice(texts)
                author = rng.choice(authors)
                submitted = _aware(year.start + datetime.timedelta(days=rng.randrange(span)), rng.uniform(7, 22))
                if submitted > now - datetime.timedelta(days=10):
                    continue
                response_h, resolution_h = policy(kind, category)
                response_due = submitted + datetime.timedelta(hours=response_h)
                resolution_due = submitted + datetime.timedelta(hours=resolution_h) if resolution_h else None
                events: list[tuple[Any, ...]] = [(author.pk, "submit", Status.SUBMITTED, True, "", None, submitted)]
                audits = [
                    audit(author.pk, "voice.submit", None, {"kind": kind, "category_id": category.pk, "channel": "app"})
                ]
                replies: list[tuple[Any, ...]] = []
                ratings: list[tuple[Any, ...]] = []
                assignments: list[tuple[Any, ...]] = []
                reply = rng.choice(HISTORY_REPLIES[kind])
                is_public = kind in (Kind.COMPLAINT, Kind.SUGGESTION, Kind.PRAISE) and rng.random() < 0.6

                def moved(
                    actor_id: int | None,
                    verb: str,
                    before: str,
                    to: str,
                    at: datetime.datetime,
                    note: str = "",
                    org: int | None = None,
                    events: list[tuple[Any, ...]] = events,
                    audits: list[tuple[Any, ...]] = audits,
                ) -> None:
                    events.append((actor_id, verb, to, True, note, org, at))
                    audits.append(audit(actor_id, f"voice.{verb}", {"status": before}, {"status": to}))

                if kind == Kind.PRAISE:
                    events.append((author.pk, "route", Status.SUBMITTED, False, "", company_id, submitted))
                    assignments.append((company_id, True, True, submitted, None))
                    done = submitted + datetime.timedelta(hours=rng.uniform(2, 48))
                    moved(handler.pk, "accept", Status.SUBMITTED, Status.ACCEPTED, done)
                    replies.append((handler.pk, handler_org_id, reply, done))
                    moved(
                        handler.pk,
                        "acknowledge",
                        Status.ACCEPTED,
                        Status.RESOLVED,
                        done,
                        note=reply,
                        org=handler_org_id,
                    )
                    moved(handler.pk, "close", Status.RESOLVED, Status.CLOSED, done)
                    rows.voices.append(
                        (cid, compound.pk, author.pk, "app", kind, category.pk, text, LocationKind.PUBLIC_AREA,
                         None, None, is_public, company_id, Status.CLOSED, company_id, company_id, submitted, done,
                         done, done, response_due, None, *sweep(done, response_due), False, 0,
                         f"{HISTORY_KEY}{compound.code}:{serial}", reply, now)
                    )  # fmt: skip
                    for target, part in ((rows.steps, events), (rows.replies, replies), (rows.ratings, ratings),
                                         (rows.assignments, assignments), (rows.audits, audits)):  # fmt: skip
                        target.append(part)
                    continue

                assert resolution_due is not None and resolution_h is not None
                # Accepted (受理): by the deadline, or late.
                if rng.random() < year.responded:
                    accepted = submitted + datetime.timedelta(hours=rng.uniform(0.2, response_h * 0.9))
                else:
                    accepted = response_due + datetime.timedelta(hours=rng.uniform(1, response_h * 2))
                moved(handler.pk, "accept", Status.SUBMITTED, Status.ACCEPTED, accepted)
                status, actor, org = Status.ACCEPTED, handler, handler_org_id
                lead = None
                if name in departments and kind in (Kind.SUGGESTION, Kind.COMPLAINT):
                    dept, liaison = departments[name]
                    dispatched = accepted + datetime.timedelta(hours=rng.uniform(0.5, 4))
                    moved(handler.pk, "dispatch", status, Status.DISPATCHED, dispatched, org=dept.pk)
                    assignments.append((dept.pk, True, True, dispatched, handler.pk))
                    status, actor, org, lead = Status.DISPATCHED, liaison, dept.pk, dept.pk
                # Resolved (办结): by the deadline, or late.
                start = max(accepted, submitted + datetime.timedelta(hours=1))
                if rng.random() < year.stuck:
                    resolved = max(start, resolution_due) + datetime.timedelta(days=rng.uniform(60, 200))
                elif rng.random() < year.on_time and start < resolution_due:
                    resolved = start + (resolution_due - start) * rng.uniform(0.1, 0.95)
                else:
                    resolved = max(start, resolution_due) + datetime.timedelta(
                        hours=rng.uniform(2, 24 * year.late_days)
                    )
                if resolved > now - datetime.timedelta(days=9):
                    resolved = now - datetime.timedelta(days=9)
                resolved = max(resolved, start + datetime.timedelta(minutes=30))
                replies.append((actor.pk, org, reply, resolved))
                moved(actor.pk, "resolve", status, Status.RESOLVED, resolved, note=reply, org=org)
                closed: datetime.datetime
                voice_resolved, voice_due = resolved, resolution_due
                rated = rng.random() < year.rated
                score = None
                if rated:
                    r = rng.random()
                    sat, basic = year.scores
                    score = Score.SATISFIED if r < sat else Score.BASIC if r < sat + basic else Score.DISSATISFIED
                    rated_at = resolved + datetime.timedelta(hours=rng.uniform(1, 72))
                    ratings.append((author.pk, score, rng.choice(HISTORY_COMMENTS[score]), rated_at))
                if score is None:
                    closed = resolved + REOPEN_WINDOW + datetime.timedelta(minutes=rng.uniform(1, 60))
                    moved(None, "close", Status.RESOLVED, Status.CLOSED, closed)
                elif score != Score.DISSATISFIED:
                    closed = rated_at
                    moved(author.pk, "close", Status.RESOLVED, Status.CLOSED, closed, note=ratings[-1][2])
                else:
                    audits.append(audit(author.pk, "voice.rate", None, {"score": score}))
                    if rng.random() < year.reopened:
                        reopened = rated_at + datetime.timedelta(hours=rng.uniform(1, 24))
                        moved(author.pk, "reopen", Status.RESOLVED, Status.REOPENED, reopened, note=ratings[-1][2])
                        voice_due = reopened + datetime.timedelta(hours=resolution_h)
                        voice_resolved = reopened + datetime.timedelta(hours=rng.uniform(2, resolution_h * 0.8))
                        replies.append((actor.pk, org, "已再次上门处理，问题已彻底解决。", voice_resolved))
                        moved(
                            actor.pk, "resolve", Status.REOPENED, Status.RESOLVED, voice_resolved, note=reply, org=org
                        )
                        again = Score.SATISFIED if rng.random() < 0.6 else Score.BASIC
                        closed = voice_resolved + datetime.timedelta(hours=rng.uniform(1, 48))
                        ratings.append((author.pk, again, "", closed))
                        moved(author.pk, "close", Status.RESOLVED, Status.CLOSED, closed)
                    else:
                        closed = resolved + REOPEN_WINDOW + datetime.timedelta(minutes=rng.uniform(1, 60))
                        moved(None, "close", Status.RESOLVED, Status.CLOSED, closed)
                routed = lead or company_id
                rows.voices.append(
                    (cid, compound.pk, author.pk, "app", kind, category.pk, text, LocationKind.PUBLIC_AREA, None,
                     None, is_public, lead, Status.CLOSED, None, routed, submitted, accepted, voice_resolved, closed,
                     response_due, voice_due, *sweep(accepted, response_due), *sweep(voice_resolved, voice_due),
                     f"{HISTORY_KEY}{compound.code}:{serial}", reply, now)
                )  # fmt: skip
                for target, part in ((rows.steps, events), (rows.replies, replies), (rows.ratings, ratings),
                                     (rows.assignments, assignments), (rows.audits, audits)):  # fmt: skip
                    target.append(part)
    if not rows.voices:
        return 0
    ids = RowInserter(
        Voice,
        ("community", "compound", "author", "channel", "kind", "category", "text", "location_kind", "house",
         "building", "is_public", "lead_organization", "status", "praised_organization", "suggested_organization",
         "submitted_at", "accepted_at", "resolved_at", "closed_at", "response_due_at", "resolution_due_at",
         "response_reminded", "response_escalation", "resolution_reminded", "resolution_escalation",
         "idempotency_key", "reply", "updated_at", "me_too_count", "external_ref", "ledger_key", "address_text",
         "contact_name", "contact_email", "contact_phone"),
    ).insert(((*v, 0, "", "", "", "", "", "") for v in rows.voices), returning=True)  # fmt: skip
    RowInserter(
        VoiceEvent, ("community", "voice", "actor", "verb", "status", "public", "note", "organization", "at")
    ).insert((cid, vid, *e) for vid, events in zip(ids, rows.steps, strict=True) for e in events)
    RowInserter(
        VoiceReply, ("community", "voice", "author", "organization", "is_internal", "text", "created_at")
    ).insert(
        (cid, vid, a, o, False, t, at)
        for vid, replies in zip(ids, rows.replies, strict=True)
        for a, o, t, at in replies
    )
    RowInserter(VoiceRating, ("community", "voice", "rater", "score", "comment", "at")).insert(
        (cid, vid, *r) for vid, ratings in zip(ids, rows.ratings, strict=True) for r in ratings
    )
    RowInserter(
        VoiceAssignment, ("community", "voice", "organization", "is_lead", "is_active", "assigned_at", "assigned_by")
    ).insert((cid, vid, *a) for vid, parts in zip(ids, rows.assignments, strict=True) for a in parts)
    RowInserter(AuditEvent, ("community", "actor", "verb", "object_type", "object_id", "before", "after", "at")).insert(
        (c, actor, verb, otype, str(vid), before, after, now)
        for vid, audits in zip(ids, rows.audits, strict=True)
        for c, actor, verb, otype, before, after in audits
    )
    return len(ids)
