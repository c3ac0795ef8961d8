"""The red list's ranking on a hand-computed dataset (gongzhi/testing/redlist_factories.py ``ranking_dataset``:
March 2025, read from the rollups): scores, ties, unranked compounds with their reasons, weights."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gongzhi.insights.models import RedListWeights
from gongzhi.insights.periods import parse_period
from gongzhi.insights.redlist import Weights, redlist_compute, weights_of
from gongzhi.testing.redlist_factories import compound_in, month_of_fees, month_of_voices, ranking_dataset

pytestmark = pytest.mark.django_db
MARCH = parse_period("2025-03")


@pytest.fixture
def ranking(world: Any) -> dict[str, Any]:
    return ranking_dataset(world)


def _scores(result: Any) -> list[tuple[int | None, str, Decimal | None]]:
    return [(e.rank, e.compound.name, e.score) for e in result.ranked]


def test_the_ranking_matches_the_hand_computed_scores_with_the_default_weights(ranking: dict[str, Any]) -> None:
    # given the dataset and no weights set for the sub-district
    # when the red list of March 2025 is computed
    result = redlist_compute(area=ranking["sub"], period=MARCH)
    # then the default weights are used and the scores are Σ weight × rate
    assert result.weights == Weights()
    assert (result.weights.satisfaction, result.weights.resolution, result.weights.response) == (40, 25, 15)
    assert (result.weights.collection, result.weights.min_ratings, result.weights.min_voices) == (20, 10, 10)
    assert _scores(result) == [
        (1, "P花园", Decimal("91.00")),
        (1, "Q花园", Decimal("91.00")),
        (3, "R花园", Decimal("58.33")),
    ]


def test_each_component_carries_its_numerator_and_denominator(ranking: dict[str, Any]) -> None:
    result = redlist_compute(area=ranking["sub"], period=MARCH)
    r = next(e for e in result.ranked if e.compound == ranking["r"])
    parts = {c.spec.name: (c.measure.numerator, c.measure.denominator, c.weight) for c in r.components}
    assert parts == {
        "satisfaction": (Decimal(5), Decimal(10), 40),
        "resolution": (Decimal(10), Decimal(12), 25),
        "response": (Decimal(6), Decimal(12), 15),
        "collection": (Decimal(500), Decimal(1000), 20),
    }
    assert r.components[0].points == Decimal(20)  # satisfaction: 40 × 0.5


def test_tied_scores_share_a_rank_and_the_next_rank_is_skipped(ranking: dict[str, Any]) -> None:
    result = redlist_compute(area=ranking["sub"], period=MARCH)
    assert [e.rank for e in result.ranked] == [1, 1, 3]


def test_too_few_ratings_or_no_bills_make_a_compound_unranked_not_zero(ranking: dict[str, Any]) -> None:
    # when the red list is computed
    result = redlist_compute(area=ranking["sub"], period=MARCH)
    unranked = {e.compound.name: e for e in result.unranked}
    # then S (9 ratings) and T (no bills) are listed as unranked, with no score and no rank
    assert {"S花园", "T花园", "A小区", "B小区"} == set(unranked)
    s, t = unranked["S花园"], unranked["T花园"]
    assert s.score is None and s.rank is None and t.score is None
    # with the reason for each component lacking data, and their other components still shown
    assert [(c.spec.name, c.reason) for c in s.reasons] == [("satisfaction", "9 ratings, fewer than 10")]
    assert {c.spec.name: c.value for c in s.components if c.ranked} == {
        "resolution": Decimal(1),
        "response": Decimal(1),
        "collection": Decimal(1),
    }
    assert [(c.spec.name, c.reason) for c in t.reasons] == [("collection", "no bills for the period")]
    # a compound with no data at all is unranked on every component
    assert [c.reason for c in unranked["A小区"].reasons] == [
        "0 ratings, fewer than 10",
        "0 voices, fewer than 10",
        "0 voices, fewer than 10",
        "no bills for the period",
    ]


def test_too_few_voices_make_response_and_resolution_unranked(world: Any) -> None:
    # given a compound with 9 voices (all answered and rated) and its bills paid
    c = compound_in(world.compound_a.community, "N花园", "nnn")
    month_of_voices(c, voices=9, responded=9, resolved=9, ratings=9, good=9)
    month_of_fees(c, due="100.00", paid="100.00")
    sub = c.community.parent
    assert sub is not None
    RedListWeights.objects.create(area=sub, min_ratings=5, min_voices=10)
    from gongzhi.insights.periods import MONTH
    from gongzhi.insights.rollups import rollups_recompute

    rollups_recompute([c], MARCH.start, MARCH.last_day, grains=(MONTH,))
    # when ranked with at least 5 ratings and 10 voices
    result = redlist_compute(area=sub, period=MARCH)
    entry = next(e for e in result.unranked if e.compound == c)
    # then response and resolution are unranked (9 voices), satisfaction counts (9 ≥ 5 ratings)
    assert [(x.spec.name, x.reason) for x in entry.reasons] == [
        ("resolution", "9 voices, fewer than 10"),
        ("response", "9 voices, fewer than 10"),
    ]


def test_the_sub_districts_weights_change_the_order(ranking: dict[str, Any]) -> None:
    # given weights favouring response (10/10/70/10)
    RedListWeights.objects.create(area=ranking["sub"], satisfaction=10, resolution=10, response=70, collection=10)
    # when ranked: P = 9+10+56+9 = 84, Q = 9+10+70+7.5 = 96.5, R = 5+8.33+35+5 = 53.33
    result = redlist_compute(area=ranking["sub"], period=MARCH)
    # then Q leads alone and the weights are those set
    assert _scores(result) == [
        (1, "Q花园", Decimal("96.50")),
        (2, "P花园", Decimal("84.00")),
        (3, "R花园", Decimal("53.33")),
    ]
    assert not result.weights.is_default and result.weights.response == 70


def test_a_component_weighted_zero_does_not_unrank_anyone(ranking: dict[str, Any]) -> None:
    # given collection weighted 0
    RedListWeights.objects.create(area=ranking["sub"], satisfaction=50, resolution=25, response=25, collection=0)
    result = redlist_compute(area=ranking["sub"], period=MARCH)
    # then T (no bills) is ranked: 50 + 25 + 25 = 100
    assert _scores(result)[0] == (1, "T花园", Decimal("100.00"))
    assert "T花园" not in {e.compound.name for e in result.unranked}


def test_lower_minimums_rank_a_compound_with_few_ratings(ranking: dict[str, Any]) -> None:
    RedListWeights.objects.create(area=ranking["sub"], min_ratings=9)
    result = redlist_compute(area=ranking["sub"], period=MARCH)
    # S: 40 + 25 + 15 + 20 = 100
    assert _scores(result)[0] == (1, "S花园", Decimal("100.00"))


def test_a_period_not_rolled_up_ranks_no_one(ranking: dict[str, Any]) -> None:
    # given rollups only for March 2025: April reads "no data", never 0
    result = redlist_compute(area=ranking["sub"], period=parse_period("2025-04"))
    assert result.ranked == []
    assert len(result.unranked) == len(ranking["compounds"])


def test_the_ranking_reads_the_rollups_in_a_constant_number_of_queries(
    ranking: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    # the weights, the compounds, the rollups (and nothing per compound)
    with django_assert_max_num_queries(3):
        redlist_compute(area=ranking["sub"], period=MARCH)


def test_weights_of_a_sub_district_without_its_own_are_the_defaults(world: Any) -> None:
    sub = world.compound_a.community.parent
    assert weights_of(sub).is_default
    assert "Satisfaction 40%" in weights_of(sub).text()


def test_only_a_sub_district_has_a_red_list(world: Any) -> None:
    with pytest.raises(ValueError):
        redlist_compute(area=world.compound_a.community, period=MARCH)
