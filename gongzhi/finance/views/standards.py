"""Fee standards (¥/m²/month with history, vacant %) and the service commitments (承诺提质) of a compound.

Everyone who may read the compound's published accounts sees the page; the fee keepers (finance staff, property
manager) also get the forms: a new standard from a month's first day, a commitment added or taken off the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Compound
from gongzhi.estates.selectors import compound_phases

from .. import selectors, services, staff_selectors
from ..forms import CommitmentForm, StandardForm
from ..models import FeeStandard, HouseType, ServiceCommitment
from .common import compound_tabs, domain_errors, post_view, run_service


def rate_text(rate: Decimal) -> str:
    """A rate as written on a price list: two decimals, four only when it has them (2.50, 2.3456)."""
    return f"{rate:.2f}" if rate == rate.quantize(Decimal("0.01")) else f"{rate.normalize():f}"


@dataclass(frozen=True)
class StandardRow:
    standard: FeeStandard
    rate: str


def _rows(standards: Any) -> list[StandardRow]:
    return [StandardRow(standard=s, rate=rate_text(s.rate)) for s in standards]


@dataclass(frozen=True)
class TypeGroup:
    label: str
    rows: list[StandardRow]


def _by_type(rows: list[StandardRow]) -> list[TypeGroup]:
    """The standards in force, one group per house type that has any (住宅, 别墅, 商业 order)."""
    return [
        TypeGroup(label=str(label), rows=found)
        for value, label in HouseType.choices
        if (found := [r for r in rows if r.standard.house_type == value])
    ]


def _page(
    request: HttpRequest,
    compound: Compound,
    *,
    standard_form: StandardForm | None = None,
    commitment_form: CommitmentForm | None = None,
) -> HttpResponse:
    user = request.user
    tabs = compound_tabs(user, compound)
    keeps = tabs["keeps"]
    today = timezone.localdate()
    phases = compound_phases(compound=compound)
    context = {
        "compound": compound,
        **tabs,
        "today": today,
        "in_force": _by_type(_rows(selectors.fee_standards_in_force(user=user, compound=compound, at=today))),
        "history": _rows(selectors.fee_standard_history(user=user, compound=compound)),
        "commitments": selectors.commitments_of(user=user, compound=compound, include_retired=keeps),
        "standard_form": (standard_form or StandardForm(phases=phases)) if keeps else None,
        "commitment_form": (commitment_form or CommitmentForm()) if keeps else None,
    }
    return render(request, "finance/standards.html", context)


@login_required
@require_GET
@domain_errors
def standards_page(request: HttpRequest, code: str) -> HttpResponse:
    compound = staff_selectors.standards_compound(user=request.user, code=code)
    return _page(request, compound)


@post_view("fee_standard_set")
def standard_new(request: HttpRequest, code: str) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    form = StandardForm(request.POST, phases=compound_phases(compound=compound))

    def call(data: dict[str, Any]) -> Any:
        return services.fee_standard_set(
            actor=request.user,
            compound=compound,
            phase=data["phase"],
            house_type=data["house_type"],
            rate=data["rate"],
            vacant_percent=data["vacant_percent"],
            effective_from=data["effective_from"],
            note=data["note"],
        )

    ok, standard = run_service(form, call)
    if ok:
        messages.success(
            request,
            _("The new fee standard takes effect on %(date)s.") % {"date": standard.effective_from.isoformat()},
        )
        return redirect("finance:standards", code=compound.code)
    return _page(request, compound, standard_form=form)


@post_view("commitment_add")
def commitment_new(request: HttpRequest, code: str) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    form = CommitmentForm(request.POST)
    ok, _commitment = run_service(
        form,
        lambda data: services.commitment_add(
            actor=request.user, compound=compound, title=data["title"], detail=data["detail"]
        ),
    )
    if ok:
        messages.success(request, _("The commitment is on the list."))
        return redirect("finance:standards", code=compound.code)
    return _page(request, compound, commitment_form=form)


@post_view("commitment_retire")
def commitment_retire(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    commitment = ServiceCommitment.objects.filter(community_id=compound.community_id, compound=compound, pk=pk).first()
    if commitment is None:
        raise NotFound(_("No such commitment."))
    try:
        services.commitment_retire(actor=request.user, commitment=commitment)
    except NotAllowed:
        raise
    except (Conflict, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The commitment was taken off the list."))
    return redirect("finance:standards", code=compound.code)
