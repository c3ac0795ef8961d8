"""Chinese text helpers: category suggestion and duplicate candidates from jieba tokens.

Deliberately simple and explainable: a voice's tokens are its jieba words without stop words and
punctuation; a category is suggested by how many of its keywords appear; duplicates are open voices whose
token sets overlap most (Jaccard similarity).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import jieba

jieba.setLogLevel(logging.WARNING)

_STOP_TEXT = (
    "的 了 是 在 我 我们 你 你们 他 她 它 他们 有 和 与 及 也 就 都 而 很 还 又 吧 吗 呢 啊 呀 哦 嗯 "
    "这 那 这个 那个 这里 那里 一个 一下 一些 没有 不 没 被 把 让 给 对 从 到 为 以 之 其 请 希望 能 能否 "
    "可以 是否 已经 一直 非常 什么 怎么 如何 问题 情况 现在 今天 小区 谢谢 又 了 好 人"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@cache
def _initialised() -> bool:
    jieba.initialize()
    return True


def tokens(text: str) -> set[str]:
    """The meaningful words of a text: jieba's cut, lower-cased, without stop words and punctuation."""
    _initialised()
    words = set()
    for word in jieba.lcut_for_search(text or ""):
        w = word.strip().lower()
        if not w or w in STOP_WORDS or not _WORD.search(w):
            continue
        if len(w) == 1 and not ("\u4e00" <= w <= "\u9fff"):
            continue
        words.add(w)
    return words


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Scored:
    item: Any
    score: float


def category_suggest(text: str, categories: Iterable[Any]) -> Any | None:
    """The category whose keywords (space separated ``keywords``, plus its name) best match the text.

    Score = number of keyword hits (a keyword hits when it is one of the text's tokens or, for keywords of
    two characters or more, a substring of the text). Ties go to the earlier category; no hit gives None.
    """
    text_tokens = tokens(text)
    best: Scored | None = None
    for category in categories:
        keywords = {k for k in (getattr(category, "keywords", "") or "").split() if k}
        keywords.add(category.name)
        score = sum(1 for k in keywords if k in text_tokens or (len(k) >= 2 and k in text))
        if score and (best is None or score > best.score):
            best = Scored(category, score)
    return best.item if best else None


def duplicate_candidates(
    text: str, candidates: Iterable[tuple[Any, str]], *, threshold: float = 0.2, limit: int = 5
) -> list[Scored]:
    """Of ``(item, text)`` pairs, those whose tokens overlap the text's by Jaccard ≥ threshold, best first."""
    mine = tokens(text)
    scored = [Scored(item, jaccard(mine, tokens(other))) for item, other in candidates]
    scored = [s for s in scored if s.score >= threshold]
    scored.sort(key=lambda s: -s.score)
    return scored[:limit]


@dataclass
class Topic:
    """A group of similar texts: the items, and the words most of them share (its label)."""

    items: list[Any]
    words: list[str]
    weight: int = 0

    @property
    def count(self) -> int:
        return len(self.items)


def topic_label(freq: dict[str, int], size: int) -> list[str]:
    """The most frequent words, longest first among equals, without fragments of a word already chosen.

    jieba's search mode also yields fragments (电动车 → 电动, 动车); a label of 电动车 · 动车 says nothing
    twice, and single characters (后, 打) say little when a longer word is there.
    """
    ranked = sorted(freq.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    chosen: list[str] = []
    for word, _n in ranked:
        if len(chosen) == size:
            break
        if any(word in c for c in chosen) or (len(word) == 1 and any(len(w) > 1 for w, _ in ranked)):
            continue
        chosen.append(word)
    return chosen


def topics_group(items: Iterable[tuple[Any, str]], *, threshold: float = 0.2, top_words: int = 3) -> list[Topic]:
    """Group texts greedily: each joins the first group whose word set it overlaps by Jaccard ≥ threshold.

    Groups are returned largest first; a group's label is its most frequent words.
    """
    groups: list[tuple[set[str], list[Any], dict[str, int]]] = []
    for item, text in items:
        words = tokens(text)
        if not words:
            continue
        for union, members, freq in groups:
            if jaccard(words, union) >= threshold:
                union |= words
                members.append(item)
                for w in words:
                    freq[w] = freq.get(w, 0) + 1
                break
        else:
            groups.append((set(words), [item], dict.fromkeys(words, 1)))
    result = [Topic(items=members, words=topic_label(freq, top_words)) for _union, members, freq in groups]
    result.sort(key=lambda t: -t.count)
    return result
