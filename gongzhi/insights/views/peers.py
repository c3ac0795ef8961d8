"""Peer comparison: a compound against the others of its community, its sub-district and its delivery cohort
(the compounds of its district delivered in the same year) — ``/insights/compounds/<code>/peers/?period=&kpi=``.

For each registered KPI: the compound's value; each group's value — the sum of the numerators and denominators of
the group's compounds, the compound itself excluded (a rate of sums, never a mean of rates; for counts and amounts
also the mean per compound with data, which is what the compound is compared with); the compound's rank within
the group (highest value first, among the compounds with data, itself included); and the difference (percentage
points for rates). For the chosen KPI (``?kpi=``) a bar chart (the compound against each group) and each group's
ranked list.

Peers outside the user's scope count in every group figure but are never named or linked: they read "other
compound 1", "other compound 2"… (numbered in the order of the list, per group); peers in scope are named and
link to their dashboard. Everything is read from the rollups: a constant number of queries. ``?format=xlsx``
downloads the table. Who may open it: whoever may read the compound's KPIs (404 unknown, 403 out of scope); a
period or KPI that is not valid is refused with the reason (status 400).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gongzhi.core.errors import DomainError
from gongzhi.estates.models import Compound
from gongzhi.estates.selectors import compound_get
from gongzhi.estates.views.pages import domain_errors

from ..engine import KpiReport
from ..periods import Period, parse_period, today
from ..present import display
from ..registry import AMOUNT, HOURS, RATE, KpiDefinition, Measure, definition, definitions
from ..rollups import kpis_from_rollups
from ..rules import KPI_VIEWERS
from ..selectors import kpi_compounds
from ..xlsx import xlsx_response
from .area import PERIOD_TOO_LONG, chart_number, default_kpi, kpi_choices, measure_text, url_maker, xlsx_value

HUNDRED = Decimal(100)


@dataclass
class Group:
    key: str  # community / sub_district / cohort
    label: str
    members: list[Compound]  # the compound excluded


@dataclass(frozen=True)
class GroupFigure:
    group: Group
    measure: Measure  # the sum over the members
    value: Decimal | None  # the group's value (a rate of sums, or the sum)
    compared: Decimal | None  # what the compound is compared with (the rate, or the mean per compound)
    mean: Decimal | None  # counts and amounts: the sum ÷ members with data
    rank: int | None
    ranked: int  # compounds with data in the group, the compound included
    difference: Decimal | None


@dataclass
class PeerRow:
    definition: KpiDefinition
    own: Measure
    groups: list[GroupFigure] = field(default_factory=list)


def peer_groups(compound: Compound) -> list[Group]:
    """The compound's community, sub-district and delivery cohort (same delivery year within the district — or
    the sub-district, when it has none), each without the compound: one query."""
    community = compound.community
    sub = community.parent
    district_id = sub.parent_id if sub is not None else None
    cohort = compound.delivered_on.year if compound.delivered_on else None
    wide = Q(community_id=community.pk)
    if sub is not None:
        wide |= Q(community__parent_id=sub.pk)
    if cohort is not None and district_id is not None:
        wide |= Q(community__parent__parent_id=district_id, delivered_on__year=cohort)
    peers = list(Compound.objects.filter(wide).exclude(pk=compound.pk).select_related("community").order_by("code"))
    groups = [
        Group(
            "community",
            _("Community %(name)s") % {"name": community.name},
            [c for c in peers if c.community_id == community.pk],
        )
    ]
    if sub is not None:
        groups.append(
            Group(
                "sub_district",
                _("Sub-district %(name)s") % {"name": sub.name},
                [c for c in peers if c.community.parent_id == sub.pk],
            )
        )
    if cohort is not None:
        groups.append(
            Group(
                "cohort",
                _("Delivered in %(year)s") % {"year": cohort},
                [c for c in peers if c.delivered_on and c.delivered_on.year == cohort],
            )
        )
    return groups


def _value_of(report: KpiReport, c: Compound, key: str) -> Decimal | None:
    return report.measures[c.pk][key][0].value


def group_figure(report: KpiReport, compound: Compound, d: KpiDefinition, group: Group) -> GroupFigure:
    empty = Measure.none(ratio=d.is_ratio)
    total = empty
    for c in group.members:
        total = total + report.measures[c.pk][d.key][0]
    values = [v for v in (_value_of(report, c, d.key) for c in group.members) if v is not None]
    mean = None
    if not d.is_ratio and values:
        mean = total.numerator / len(values)
    compared = total.value if d.is_ratio else mean
    own = _value_of(report, compound, d.key)
    rank = None if own is None else 1 + sum(1 for v in values if v > own)
    difference = None if own is None or compared is None else own - compared
    ranked = len(values) + (1 if own is not None else 0)
    return GroupFigure(group, total, total.value, compared, mean, rank, ranked, difference)


def peer_rows(report: KpiReport, compound: Compound, groups: Sequence[Group]) -> list[PeerRow]:
    rows = []
    for d in definitions(report.keys):
        row = PeerRow(d, report.measures[compound.pk][d.key][0])
        row.groups = [group_figure(report, compound, d, g) for g in groups]
        rows.append(row)
    return rows


def difference_display(unit: str, diff: Decimal | None) -> str:
    """ "+5.0 pp", "−1.5", "+¥12.00", "+1.2 h" — or "—"."""
    if diff is None:
        return "—"
    sign = "+" if diff >= 0 else "−"
    size = abs(diff)
    if unit == RATE:
        return f"{sign}{(size * HUNDRED).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} pp"
    if unit == AMOUNT:
        return f"{sign}¥{size.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    if unit == HOURS:
        return f"{sign}{size.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} h"
    return f"{sign}{size.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP).normalize():f}"


def mean_display(unit: str, mean: Decimal | None) -> str:
    if mean is None:
        return ""
    if unit == AMOUNT:
        return display(unit, mean)
    return f"{mean.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


def ranked_members(
    report: KpiReport, compound: Compound, d: KpiDefinition, group: Group, in_scope: set[int], period: Period
) -> list[dict[str, Any]]:
    """The group's compounds and the compound itself for one KPI, highest first (no data last): named and linked
    when in the user's scope, "other compound N" otherwise."""
    dashboard = url_maker("insights:compound", "zzcodezz")
    everyone = [compound, *group.members]
    with_data = sorted(
        (c for c in everyone if _value_of(report, c, d.key) is not None),
        key=lambda c: (-_value_of(report, c, d.key), c.code),  # type: ignore[operator]
    )
    without = [c for c in everyone if _value_of(report, c, d.key) is None]
    out = []
    hidden = 0
    previous: Decimal | None = None
    rank = 0
    for position, c in enumerate([*with_data, *without], start=1):
        value = _value_of(report, c, d.key)
        if value is not None and value != previous:
            rank = position
            previous = value
        if c.pk in in_scope or c.pk == compound.pk:
            name, url = c.name, dashboard(c.code)
            url = f"{url}?period={period.code}" if url else None
        else:
            hidden += 1
            name, url = _("other compound %(n)s") % {"n": hidden}, None
        out.append(
            {
                "rank": rank if value is not None else None,
                "name": name,
                "url": url,
                "display": display(d.unit, value),
                "self": c.pk == compound.pk,
            }
        )
    return out


class PeersForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Period"), max_length=10, required=False)
    kpi = forms.ChoiceField(label=gettext_lazy("Chart"), required=False)

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        kpi = self.fields["kpi"]
        assert isinstance(kpi, forms.ChoiceField)
        kpi.choices = kpi_choices()
        kpi.error_messages["invalid_choice"] = _("There is no such KPI.")
        self.fields["period"].error_messages["max_length"] = PERIOD_TOO_LONG

    def clean_period(self) -> Period:
        try:
            return parse_period(self.cleaned_data["period"] or str(today().year))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_kpi(self) -> str:
        return self.cleaned_data["kpi"] or default_kpi()


@login_required
@require_GET
@domain_errors
def peers(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    compound = compound_get(user=user, code=code, roles=KPI_VIEWERS)
    form = PeersForm(request.GET)
    context: dict[str, Any] = {"compound": compound, "form": form}
    if not form.is_valid():
        return render(request, "insights/peers.html", context, status=400)
    period: Period = form.cleaned_data["period"]
    kpi = definition(form.cleaned_data["kpi"])
    groups = peer_groups(compound)
    everyone = {compound.pk: compound, **{c.pk: c for g in groups for c in g.members}}
    report = kpis_from_rollups(list(everyone.values()), period)
    rows = peer_rows(report, compound, groups)
    if request.GET.get("format") == "xlsx":
        return peers_xlsx(compound, period, groups, rows)
    in_scope = set(kpi_compounds(user=user).filter(pk__in=list(everyone)).values_list("pk", flat=True))
    chosen = next(r for r in rows if r.definition.key == kpi.key)
    query = request.GET.copy()
    query.pop("format", None)
    context.update(
        {
            "period": period,
            "kpi": kpi,
            "groups": groups,
            "rows": [
                {
                    "definition": r.definition,
                    "own": display(r.definition.unit, r.own.value),
                    "own_figures": measure_text(r.own),
                    "own_no_data": r.own.value is None,
                    "figures": [
                        {
                            "display": display(r.definition.unit, f.value),
                            "figures": measure_text(f.measure),
                            "mean": mean_display(r.definition.unit, f.mean),
                            "rank": f.rank,
                            "ranked": f.ranked,
                            "difference": difference_display(r.definition.unit, f.difference),
                            "no_data": f.value is None,
                        }
                        for f in r.groups
                    ],
                }
                for r in rows
            ],
            "chart_spec": {
                "type": "bar",
                "x": [compound.name, *(g.label for g in groups)],
                "unit": kpi.unit,
                "series": [
                    {
                        "name": str(kpi.label),
                        "data": [
                            chart_number(kpi.unit, chosen.own.value),
                            *(chart_number(kpi.unit, f.compared) for f in chosen.groups),
                        ],
                    }
                ],
                "x_name": "",
                "y_name": str(kpi.label)
                if kpi.is_ratio
                else _("%(kpi)s (groups: mean per compound)") % {"kpi": kpi.label},
            },
            "chart_rows": [
                (compound.name, display(kpi.unit, chosen.own.value)),
                *((f.group.label, display(kpi.unit, f.compared)) for f in chosen.groups),
            ],
            "lists": [(g, ranked_members(report, compound, kpi, g, in_scope, period)) for g in groups],
            "xlsx_query": query.urlencode(),
            "dashboard_url": reverse("insights:compound", args=[compound.code]),
        }
    )
    return render(request, "insights/peers.html", context)


def peers_xlsx(compound: Compound, period: Period, groups: Sequence[Group], rows: Sequence[PeerRow]) -> HttpResponse:
    headers: list[str] = [_("KPI"), compound.name]
    for g in groups:
        headers += [
            g.label,
            _("%(group)s: mean per compound") % {"group": g.label},
            _("%(group)s: rank") % {"group": g.label},
            _("%(group)s: difference") % {"group": g.label},
        ]
    out: list[list[Any]] = []
    for r in rows:
        unit = r.definition.unit
        line: list[Any] = [
            f"{r.definition.label} (%)" if unit == RATE else str(r.definition.label),
            xlsx_value(unit, r.own.value),
        ]
        for f in r.groups:
            diff = None if f.difference is None else (f.difference * HUNDRED if unit == RATE else f.difference)
            line += [
                xlsx_value(unit, f.value),
                "" if f.mean is None else round(float(f.mean), 2),
                "" if f.rank is None else f"{f.rank}/{f.ranked}",
                "" if diff is None else round(float(diff), 2),
            ]
        out.append(line)
    return xlsx_response(
        filename=f"peers-{compound.code}-{period.code}.xlsx",
        title=_("%(name)s against its peers, %(period)s") % {"name": compound.name, "period": period.code},
        headers=headers,
        rows=out,
    )


urlpatterns: list[URLPattern] = [path("compounds/<slug:code>/peers/", peers, name="peers")]
