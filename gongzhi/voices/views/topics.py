"""Hot topics of a compound and the agenda candidates for the next joint meeting.

Staff who see the compound's voices get everything: topics with their voices and a link to the queue, overdue
voices with their text. The compound's residents' representatives get the aggregates: topic words, counts and
trends, and the kind and category of overdue voices (no text, no author, no link to a voice). Everyone else: the
403 page (audited). The computation is bounded (``selectors.topic_board``); the page states the bounds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from gongzhi.core.errors import NotAllowed
from gongzhi.estates.models import Compound

from .. import selectors
from ..models import Voice
from ..selectors import HotTopic, Trend
from .pages import Deadline, deadline_of, domain_errors, handles_voices

# The sparkline: one bar a day, drawn server-side as inline SVG (attributes only: no inline style, CSP).
BAR_WIDTH = 6
BAR_GAP = 1
SPARK_HEIGHT = 32
TOPIC_VOICES_SHOWN = 10
INDEX_PER_PAGE = 100


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    count: int
    day: datetime.date
    period: str  # "this-week", "last-week" or "earlier": the CSS colours the weeks being compared


@dataclass(frozen=True)
class Spark:
    bars: list[Bar]
    width: int
    height: int


def sparkline(trend: Trend) -> Spark:
    """Bars scaled to the busiest day; a day with any count is at least 2 px high so it shows."""
    peak = trend.peak
    n = len(trend.counts)
    bars = []
    for i, (day, count) in enumerate(zip(trend.days, trend.counts, strict=True)):
        height = 0 if count == 0 else max(2, round(count / peak * SPARK_HEIGHT))
        period = "this-week" if i >= n - 7 else "last-week" if i >= n - 14 else "earlier"
        bars.append(
            Bar(
                x=i * (BAR_WIDTH + BAR_GAP),
                y=SPARK_HEIGHT - height,
                width=BAR_WIDTH,
                height=height,
                count=count,
                day=day,
                period=period,
            )
        )
    return Spark(bars=bars, width=n * (BAR_WIDTH + BAR_GAP) - BAR_GAP, height=SPARK_HEIGHT)


@dataclass(frozen=True)
class TopicRow:
    number: int
    topic: HotTopic
    spark: Spark
    query: str  # the queue's text filter for this topic: its most frequent word
    shown: list[Voice]
    more: int


def queue_word(topic: HotTopic) -> str:
    """The word to search the queue for: of the topic's words, the one most of its voices contain (the queue
    matches text containing it), the longer one on a tie."""
    if not topic.words:
        return ""
    return max(topic.words, key=lambda w: (sum(1 for v in topic.voices if w in v.text.lower()), len(w)))


def _topic_line(n: int, topic: HotTopic) -> str:
    return _("%(n)d. %(words)s: %(voices)s, %(me_too)s; this week %(this)d, last week %(last)d") % {
        "n": n,
        "words": " / ".join(topic.words),
        "voices": ngettext("%(count)d voice", "%(count)d voices", topic.count) % {"count": topic.count},
        "me_too": ngettext("%(count)d me too", "%(count)d me too", topic.me_too) % {"count": topic.me_too},
        "this": topic.trend.this_week,
        "last": topic.trend.last_week,
    }


def agenda_text(
    *,
    compound: Compound,
    today: datetime.date,
    overdue: list[tuple[Voice, Deadline | None]],
    total_overdue: int,
    topics: list[HotTopic],
    full: bool,
) -> str:
    """The agenda candidates as plain text, to paste into the meeting's agenda or a chat."""
    lines = [
        _("%(compound)s: agenda candidates for the next joint meeting (%(date)s)")
        % {"compound": compound.name, "date": date_format(today, "DATE_FORMAT")},
        "",
        _("Overdue voices (%(n)d):") % {"n": total_overdue},
    ]
    for i, (voice, deadline) in enumerate(overdue, start=1):
        parts = [f"{i}. #{voice.pk}", f"{voice.get_kind_display()} · {voice.category.name}"]
        if deadline is not None:
            parts.append(deadline.text)
        if full:
            parts.append(voice.text[:60].replace("\n", " "))
        lines.append(" · ".join(parts))
    if total_overdue > len(overdue):
        lines.append(_("… and %(n)d more") % {"n": total_overdue - len(overdue)})
    if not overdue:
        lines.append(_("None."))
    lines += ["", _("Hot topics:")]
    lines += [_topic_line(i, t) for i, t in enumerate(topics, start=1)] or [_("None.")]
    return "\n".join(lines)


@login_required
@require_GET
@domain_errors
def topics_index(request: HttpRequest) -> HttpResponse:
    """The compounds whose hot topics the user sees; straight to the page when there is one."""
    page = Paginator(selectors.topic_compounds(user=request.user), INDEX_PER_PAGE).get_page(request.GET.get("page"))
    if page.paginator.count == 1:
        return redirect("voices:topics", code=page.object_list[0].code)
    if not page.paginator.count:
        raise NotAllowed(_("You do not see the hot topics of any compound."))
    return render(request, "voices/topics_index.html", {"page": page, "compounds": page.object_list})


@login_required
@require_GET
@domain_errors
def topics_page(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    compound = selectors.topic_compounds(user=user).filter(code=code).first()
    if compound is None:
        if not Compound.objects.filter(code=code).exists():
            raise Http404(_("No such compound."))
        raise NotAllowed(_("You do not see the hot topics of this compound."))
    now = timezone.now()
    full = selectors.topics_access(user=user, compound=compound) == "full"
    board = selectors.topic_board(user=user, compound=compound, now=now)
    overdue_voices, total_overdue = selectors.agenda_overdue(user=user, compound=compound, now=now)
    overdue = [(v, deadline_of(v, now)) for v in overdue_voices]
    rows = [
        TopicRow(
            number=i,
            topic=t,
            spark=sparkline(t.trend),
            query=queue_word(t),
            shown=t.voices[:TOPIC_VOICES_SHOWN] if full else [],
            more=max(0, t.count - TOPIC_VOICES_SHOWN) if full else 0,
        )
        for i, t in enumerate(board.topics, start=1)
    ]
    agenda_topics = board.topics[:5]
    context: dict[str, Any] = {
        "compound": compound,
        "board": board,
        "rows": rows,
        "full": full,
        "queue_link": full and handles_voices(user),
        "overdue": overdue,
        "total_overdue": total_overdue,
        "agenda_topics": rows[:5],
        "agenda_text": agenda_text(
            compound=compound,
            today=board.today,
            overdue=overdue,
            total_overdue=total_overdue,
            topics=agenda_topics,
            full=full,
        ),
    }
    return render(request, "voices/topics.html", context)
