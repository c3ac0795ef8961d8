"""Red-list datasets (tests only): a compound's voices, ratings and bills of one month, written straight to the
tables, so that a ranking can be computed by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from gongzhi.estates.models import Area, Compound
from gongzhi.insights.models import Honour
from gongzhi.voices.models import Kind, Score, Status

from .factories import CompoundFactory, HouseFactory
from .finance_factories import bill, pay
from .voices_factories import VoiceFactory, event, rating

SH = ZoneInfo("Asia/Shanghai")


def month_of_voices(
    compound: Compound,
    *,
    year: int = 2025,
    month: int = 3,
    voices: int = 10,
    responded: int = 10,
    resolved: int = 10,
    ratings: int = 0,
    good: int = 0,
) -> None:
    """``voices`` complaints submitted in the month (from the 2nd, an hour apart): the first ``responded``
    accepted within their 24-hour deadline, the first ``resolved`` resolved two days later, the first
    ``ratings`` rated — ``good`` of them satisfied, the rest dissatisfied."""
    assert good <= ratings <= voices and responded <= voices and resolved <= voices
    for i in range(voices):
        submitted = datetime.datetime(year, month, 2, 8, tzinfo=SH) + datetime.timedelta(hours=i)
        done = submitted + datetime.timedelta(days=2)
        v = VoiceFactory.create(
            compound=compound,
            kind=Kind.COMPLAINT,
            status=Status.RESOLVED if i < resolved else Status.SUBMITTED,
            submitted_at=submitted,
            accepted_at=submitted + datetime.timedelta(hours=1) if i < responded else None,
            resolved_at=done if i < resolved else None,
        )
        if i < resolved:
            event(v, "resolve", done)
        if i < ratings:
            rating(v, Score.SATISFIED if i < good else Score.DISSATISFIED, done + datetime.timedelta(hours=2))


def month_of_fees(compound: Compound, *, due: str, paid: str, period: str = "2025-03") -> None:
    """One house billed ``due`` for the month, ``paid`` of it on the 15th."""
    house = HouseFactory.create(unit__building__compound=compound)
    b = bill(house, period, due)
    if Decimal(paid) > 0:
        year, month = (int(x) for x in period.split("-"))
        pay(b, paid, datetime.date(year, month, 15))


def compound_in(community: Area, name: str, code: str) -> Compound:
    return CompoundFactory.create(community=community, name=name, code=code)


def honour(compound: Compound, *, year: int = 2025, title: str = "区级最美小区", **kwargs: Any) -> Honour:
    return Honour.objects.create(
        community_id=compound.community_id,
        compound=compound,
        year=year,
        title=title,
        awarded_by=kwargs.pop("awarded_by", "汉阳区"),
        **kwargs,
    )


def ranking_dataset(world: Any) -> dict[str, Any]:
    """The world's sub-district with five more compounds, March 2025 rolled up (default weights 40/25/15/20):

    ======  =============  ==========  ==========  ==========  ===========  =====
    name    satisfaction   resolution  response    collection  score        rank
    ======  =============  ==========  ==========  ==========  ===========  =====
    P花园   9/10 = 0.9     10/10       8/10        900/1000    36+25+12+18  91.00 1
    Q花园   9/10 = 0.9     10/10       10/10       750/1000    36+25+15+15  91.00 1
    R花园   5/10 = 0.5     10/12       6/12        500/1000    20+20.83+7.5+10  58.33 3
    S花园   9 ratings      10/10       10/10       1000/1000   unranked: 9 ratings, fewer than 10
    T花园   10/10          10/10       10/10       no bills    unranked: no bills for the period
    A小区, B小区 (the world's): no data at all, unranked on every component
    ======  =============  ==========  ==========  ==========  ===========  =====
    """
    from gongzhi.insights.periods import MONTH
    from gongzhi.insights.rollups import rollups_recompute

    a, b = world.compound_a.community, world.compound_b.community
    p = compound_in(a, "P花园", "ppp")
    month_of_voices(p, voices=10, responded=8, resolved=10, ratings=10, good=9)
    month_of_fees(p, due="1000.00", paid="900.00")
    q = compound_in(a, "Q花园", "qqq")
    month_of_voices(q, voices=10, responded=10, resolved=10, ratings=10, good=9)
    month_of_fees(q, due="1000.00", paid="750.00")
    r = compound_in(b, "R花园", "rrr")
    month_of_voices(r, voices=12, responded=6, resolved=10, ratings=10, good=5)
    month_of_fees(r, due="1000.00", paid="500.00")
    s = compound_in(b, "S花园", "sss")
    month_of_voices(s, voices=10, responded=10, resolved=10, ratings=9, good=9)
    month_of_fees(s, due="1000.00", paid="1000.00")
    t = compound_in(b, "T花园", "ttt")
    month_of_voices(t, voices=10, responded=10, resolved=10, ratings=10, good=10)
    sub = a.parent
    compounds = list(Compound.objects.filter(community__parent=sub))
    rollups_recompute(compounds, datetime.date(2025, 3, 1), datetime.date(2025, 3, 31), grains=(MONTH,))
    return {"sub": sub, "p": p, "q": q, "r": r, "s": s, "t": t, "compounds": compounds}


def redlist_db_state() -> dict[str, Any]:
    """``db_state`` (gongzhi/api/tests/helpers.py) and the red list's weights and honours: compare snapshots
    taken before and after a refused request."""
    from gongzhi.api.tests.helpers import db_state
    from gongzhi.insights.models import RedListWeights

    state = db_state()
    for model in (RedListWeights, Honour):
        state[model._meta.label] = sorted(
            str(sorted((k, str(v)) for k, v in row.items() if k != "updated_at"))
            for row in model._default_manager.values()
        )
    return state
