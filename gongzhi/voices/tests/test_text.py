from __future__ import annotations

from typing import Any

import pytest

from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.voices.models import Category, Status
from gongzhi.voices.selectors import category_for_text, duplicates_for
from gongzhi.voices.text import category_suggest, duplicate_candidates, jaccard, tokens, topic_label


def test_tokens_drop_stop_words_and_punctuation() -> None:
    words = tokens("3栋的电梯又坏了，已经停了两天！")
    assert "电梯" in words
    assert not words & {"的", "了", "，", "！", "已经"}


def test_jaccard() -> None:
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), {"a"}) == 0.0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("楼下垃圾好几天没人清运了", "环境卫生"),
        ("3栋电梯坏了，一直没人来维修", "设施维修"),
        ("地下车库经常有人乱停车", "停车交通"),
        ("晚上广场舞噪音太大，影响休息", "噪音扰民"),
        ("希望在小区附近建一所小学", "教育配套"),
        ("能不能增加一条公交线路", "公共交通"),
        ("物业费收费标准不透明", "物业收费"),
    ],
)
def test_category_suggestion_on_the_seeded_categories(text: str, expected: str) -> None:
    suggested = category_for_text(text)
    assert suggested is not None and suggested.name == expected


@pytest.mark.django_db
def test_no_hit_no_suggestion() -> None:
    assert category_suggest("嗯", Category.objects.all()) is None


def test_duplicate_candidates_best_first() -> None:
    found = duplicate_candidates(
        "3栋电梯又坏了",
        [(1, "小区门口垃圾没人清运"), (2, "3栋的电梯坏了好几天"), (3, "3栋电梯坏了")],
    )
    assert [s.item for s in found] == [3, 2]


@pytest.mark.django_db
def test_duplicates_among_open_public_voices_of_the_compound(world: Any, submit: Any) -> None:
    lift = submit(text="3栋电梯坏了，停了两天")
    submit(text="门口垃圾没人清运")
    submit(text="3栋电梯坏了", is_public=False)  # private: never offered to neighbours
    closed = submit(text="3栋电梯坏了，停了两天")
    closed.status = Status.WITHDRAWN
    closed.save()
    neighbour = world.users["applicant"]
    HouseBinding.objects.filter(user=neighbour).update(status=BindingStatus.APPROVED)
    assert duplicates_for(user=neighbour, compound=world.compound_a, text="3栋电梯又坏了") == [lift]
    assert duplicates_for(user=world.users["stranger"], compound=world.compound_a, text="3栋电梯又坏了") == []


def test_topics_group_largest_first() -> None:
    from gongzhi.voices.text import topics_group

    topics = topics_group(
        [
            (1, "3栋电梯坏了"),
            (2, "门口垃圾没人清运"),
            (3, "3栋电梯又坏了，停了两天"),
            (4, "电梯坏了没人修"),
            (5, "嗯"),
        ]
    )
    assert [t.items for t in topics] == [[1, 3, 4], [2]]  # "嗯" has no meaningful word
    assert "电梯" in topics[0].words


@pytest.mark.django_db
def test_hot_topics_for_staff_only(world: Any, submit: Any) -> None:
    import datetime

    from django.utils import timezone

    from gongzhi.voices.selectors import hot_topics

    a = submit(text="3栋电梯坏了")
    b = submit(text="3栋电梯又坏了，停了两天")
    c = submit(text="门口垃圾没人清运")
    c.me_too_count = 5
    c.save()
    since = timezone.now() - datetime.timedelta(days=30)
    topics = hot_topics(user=world.users["secretary"], compound=world.compound_a, since=since)
    assert [(t.items, t.weight) for t in topics] == [([c], 6), ([a, b], 2)]
    assert hot_topics(user=world.users["resident"], compound=world.compound_a, since=since) == []


def test_topic_label_prefers_whole_words_to_their_fragments() -> None:
    # given the words of 电动车充电 as jieba's search mode yields them, plus single characters
    freq = {"电动车": 2, "电动": 2, "动车": 2, "充电": 2, "后": 3, "安装": 1}
    # when a three-word label is made
    label = topic_label(freq, 3)
    # then the whole word stands for its fragments and single characters give way to words
    assert label == ["电动车", "充电", "安装"]
