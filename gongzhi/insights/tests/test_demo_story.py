"""The demo data tells the case's story: measured by the KPI engine, 2025 against 2024, the case compound's
complaints fall about 80%, praise rises, collection improves, and the peers delivered at the same time stay behind.

The demo is loaded once for the module (``seed_demo`` takes a while) inside a transaction rolled back at the end;
each test runs in its own savepoint.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

pytestmark = pytest.mark.django_db

CODES = ("jshy", "jcym", "hjw")


def _kpis(code: str, period: str) -> dict[str, dict[str, Any]]:
    out = io.StringIO()
    call_command("kpi", "--compound", code, "--period", period, "--format", "json", stdout=out)
    return {row["key"]: row for row in json.loads(out.getvalue())["kpis"]}


@pytest.fixture(scope="module")
def story(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        year = str(timezone.localdate().year)
        yield {
            "2025": {code: _kpis(code, "2025") for code in CODES},
            "now": {code: _kpis(code, year) for code in CODES},
        }
        transaction.set_rollback(True)


def _value(row: dict[str, Any]) -> float:
    assert not row["no_data"], row["key"]
    return float(row["value"])


def _before(row: dict[str, Any]) -> float:
    assert not row["year_before"]["no_data"], row["key"]
    return float(row["year_before"]["value"])


def test_the_case_compound_complaints_fall_about_80_percent_and_praise_rises_in_2025(story: Any) -> None:
    # given the demo loaded; when the case compound's 2025 is measured against 2024
    k = story["2025"]["jshy"]

    # then complaints fall by 70–90% (the case: −80.3%) and praise more than doubles (the case: +173%)
    assert -0.90 <= k["voices_complaint"]["change"] <= -0.70
    assert _before(k["voices_complaint"]) >= 100
    assert _value(k["voices_praise"]) >= 2 * _before(k["voices_praise"]) > 0
    # and the voices are answered faster and better: response, on-time resolution, resolution, satisfaction up
    for key in ("voices_response_rate", "voices_on_time_resolution_rate", "voices_resolution_rate"):
        assert _value(k[key]) > _before(k[key]), key
    assert _value(k["voices_satisfaction_rate"]) >= 0.90
    assert _value(k["voices_satisfaction_rate"]) - _before(k["voices_satisfaction_rate"]) >= 0.15
    assert _value(k["voices_mean_hours_to_resolve"]) < _before(k["voices_mean_hours_to_resolve"])


def test_the_case_compound_most_raised_problems_of_2024_are_the_case_s(story: Any) -> None:
    from gongzhi.voices.models import Voice

    # when the case compound's complaints of 2024 are counted by category
    rows = (
        Voice.objects.filter(compound__code="jshy", kind="complaint", submitted_at__year=2024)
        .values_list("category__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    top = [name for name, _n in rows[:3]]

    # then doors, access control and lighting (设施维修), landscaping and parking lead
    assert top == ["设施维修", "绿化环境", "停车交通"]


def test_the_case_compound_collects_more_fees_and_recovers_more_arrears_in_2025(story: Any) -> None:
    k = story["2025"]["jshy"]

    # then the current-period collection rate rises from about 70% to about 88%
    assert 0.62 <= _before(k["fees_collection_rate"]) <= 0.76
    assert 0.84 <= _value(k["fees_collection_rate"]) <= 0.92
    # and more of the old arrears are recovered, so arrears at the year's end fall
    assert _value(k["fees_arrears_recovered"]) > _before(k["fees_arrears_recovered"]) > 0
    assert _value(k["fees_arrears_recovery_rate"]) > _before(k["fees_arrears_recovery_rate"])
    assert _value(k["fees_arrears"]) < _before(k["fees_arrears"])


def test_the_case_compound_is_half_occupied_and_its_joint_work_shows_in_2025(story: Any) -> None:
    k = story["2025"]["jshy"]

    # then occupancy is about 50% at the end of 2025, up from under 40% a year before
    assert _value(k["estates_occupancy_rate"]) >= 0.45 and _before(k["estates_occupancy_rate"]) < 0.40
    # and joint meetings were held and their action items done, more than in 2024
    assert _value(k["meetings_joint_held"]) >= 4 > _before(k["meetings_joint_held"])
    assert _value(k["meetings_actions_done"]) >= 5
    assert _value(k["meetings_actions_on_time_rate"]) >= 0.8


def test_the_peer_compounds_stay_behind_the_case_compound(story: Any) -> None:
    case = story["2025"]["jshy"]
    for code in ("jcym", "hjw"):
        peer = story["2025"][code]
        # then the peers' complaints stay about where they were, well above the case compound's
        assert -0.2 <= peer["voices_complaint"]["change"] <= 0.2, code
        assert _value(peer["voices_complaint"]) > _value(case["voices_complaint"])
        # and they collect 55–70% of their fees and satisfy fewer residents: at least 15 points behind on both
        assert 0.55 <= _value(peer["fees_collection_rate"]) <= 0.70, code
        assert _value(case["fees_collection_rate"]) - _value(peer["fees_collection_rate"]) >= 0.15
        assert _value(case["voices_satisfaction_rate"]) - _value(peer["voices_satisfaction_rate"]) >= 0.15
        # with enough rated voices to be ranked (the red list needs at least 10)
        assert peer["voices_satisfaction_rate"]["denominator"] >= 10
        assert _value(peer["estates_occupancy_rate"]) < 0.40


def test_this_year_to_date_continues_the_good_trend(story: Any) -> None:
    now = story["now"]["jshy"]
    year_2025 = story["2025"]["jshy"]
    today = timezone.localdate()
    elapsed = (today - today.replace(month=1, day=1)).days / 365

    # then the case compound raises complaints this year at no higher a rate than in 2025
    assert _value(now["voices_complaint"]) <= _value(year_2025["voices_complaint"]) * max(elapsed, 0.1) * 1.3
    # and keeps its satisfaction and collection high
    assert _value(now["voices_satisfaction_rate"]) >= 0.85
    assert _value(now["fees_collection_rate"]) >= 0.75
    assert _value(now["estates_occupancy_rate"]) >= _value(year_2025["estates_occupancy_rate"])


def test_the_history_is_written_as_the_services_write_it(story: Any) -> None:
    from gongzhi.estates.models import BindingStatus, HouseBinding
    from gongzhi.finance.models import Bill, Payment
    from gongzhi.voices.demo import HISTORY_KEY
    from gongzhi.voices.models import Voice, VoiceEvent, VoiceRating

    history = Voice.objects.filter(idempotency_key__startswith=HISTORY_KEY)
    assert history.count() > 2000
    # every voice has an author who is an approved resident of its compound
    authors = set(history.values_list("author_id", "compound_id").distinct())
    bound = set(
        HouseBinding.objects.filter(status=BindingStatus.APPROVED).values_list("user_id", "compound_id").distinct()
    )
    assert authors <= bound
    # its timeline starts with the submission, its times are in order, and its deadlines follow the policy
    assert not history.exclude(events__verb="submit").exists()
    assert not history.filter(Q(accepted_at__lt=F("submitted_at")) | Q(resolved_at__lt=F("accepted_at"))).exists()
    assert not history.filter(closed_at__lt=F("resolved_at")).exists()
    assert not history.filter(response_due_at__lte=F("submitted_at")).exists()
    first = VoiceEvent.objects.filter(voice__in=history, verb="submit")
    assert not first.exclude(at=F("voice__submitted_at")).exists()
    # ratings are the authors'
    assert not VoiceRating.objects.filter(voice__in=history).exclude(rater=F("voice__author")).exists()

    # every bill's paid amount is the sum of its payments, and its status follows
    sums = dict(Payment.objects.values("bill").annotate(s=Sum("amount")).values_list("bill", "s"))
    for bill_id, paid, status in Bill.objects.values_list("id", "paid", "status"):
        assert paid == sums.get(bill_id, Decimal("0.00")), bill_id
        assert (status == "unpaid") == (paid == 0) or status == "cancelled"


def test_seeding_again_adds_nothing(story: Any) -> None:
    from gongzhi.finance.models import Payment
    from gongzhi.insights.models import Honour
    from gongzhi.meetings.models import Meeting
    from gongzhi.voices.models import Voice

    # given the demo loaded, with the case compound's honours of the case report
    assert set(Honour.objects.filter(compound__code="jshy").values_list("year", "title")) == {
        (2023, "汉阳区最美小区"),
        (2025, "汉阳区物业服务红榜小区"),
    }
    # when seed_demo runs again
    counts = (Voice.objects.count(), Payment.objects.count(), Meeting.objects.count(), Honour.objects.count())
    call_command("seed_demo", stdout=io.StringIO())

    # then nothing is added
    assert (Voice.objects.count(), Payment.objects.count(), Meeting.objects.count(), Honour.objects.count()) == counts


def test_a_history_voice_reads_like_any_other_on_its_pages(story: Any, client_for: Any) -> None:
    from gongzhi.accounts.selectors import user_by_phone
    from gongzhi.voices.demo import HISTORY_KEY
    from gongzhi.voices.models import Voice

    # given a rated complaint of the case compound's history
    voice = (
        Voice.objects.filter(
            idempotency_key__startswith=HISTORY_KEY, compound__code="jshy", kind="complaint", ratings__isnull=False
        )
        .order_by("id")
        .first()
    )
    assert voice is not None and voice.author is not None
    staff = user_by_phone("13800000012")

    # when its author and the property company's customer service open it, and the author the public wall
    mine = client_for(voice.author).get(f"/voices/{voice.pk}/")
    theirs = client_for(staff).get(f"/voices/{voice.pk}/")
    wall = client_for(voice.author).get("/voices/wall/jshy/")

    # then both read its text and the public reply; the wall opens
    for response in (mine, theirs):
        assert response.status_code == 200
        page = response.content.decode()
        assert voice.text in page and voice.reply in page
    assert wall.status_code == 200


def test_the_rollups_the_pages_read_are_built_and_agree_with_the_engine(story: Any) -> None:
    from gongzhi.estates.models import Compound
    from gongzhi.insights.periods import parse_period
    from gongzhi.insights.rollups import kpis_from_rollups

    # when the pages read 2025 from the rollups written by the seeding
    compounds = list(Compound.objects.filter(code__in=CODES).order_by("code"))
    report = kpis_from_rollups(compounds, parse_period("2025"))

    # then every compound's figures are there, the same as the kpi command computes from the events
    for compound in compounds:
        got = {v.definition.key: v.value for v in report.values(compound.pk)}
        direct = story["2025"][compound.code]
        for key in ("voices_complaint", "voices_praise", "voices_satisfaction_rate", "fees_collection_rate"):
            value = got[key]
            assert value is not None, (compound.code, key)
            assert float(value) == pytest.approx(direct[key]["value"], abs=1e-4), (compound.code, key)
