"""The mediation success rate (KPIS.md, "Joint work"), registered with the insights engine (autodiscovered).

``mediation_success_rate``: of the cases closed in the period, the share closed with an agreement — the one
definition in ``figures.py`` (the latest close of each case in the period, read from the append-only timeline),
measured for many compounds in one query and as of d (close events before the end of d). No data when no case
closed.

No drill-down, on purpose: a case is private — only its parties, its mediators and the community secretary see
it — while the KPI pages are read by supervisors, the property company and others. A list of cases, even
without names, lets neighbours recognise a dispute (a leak in building 3 closed on 12 March), and the counts
that are safe to show (cases closed, closed with an agreement) are the figure's own numerator and denominator,
printed beside it. The secretary finds the cases themselves on the mediation pages.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.insights.registry import RATE, KpiContext, KpiDefinition, Measure, register

from .figures import _latest_per_case
from .models import Case, Outcome


def _success(ctx: KpiContext) -> dict[int, Measure]:
    cases = Case.objects.filter(
        community_id__in={c.community_id for c in ctx.compounds}, compound_id__in=ctx.compound_ids
    )
    counts: dict[int, list[int]] = {}
    # figures.success_rate, per compound: the window ends at d when d comes before the period's end
    for event in _latest_per_case(cases, "close", ctx.start, ctx.window_end):
        c = counts.setdefault(event.case.compound_id, [0, 0])
        c[0] += event.outcome == Outcome.AGREEMENT
        c[1] += 1
    return {compound_id: Measure.ratio(n, d) for compound_id, (n, d) in counts.items()}


register(
    KpiDefinition(
        key="mediation_success_rate",
        label=_("Mediation success rate"),
        unit=RATE,
        section="mediation",
        order=700,
        compute=_success,
        help=_("Of the cases closed in the period, the share closed with an agreement."),
    )
)
