"""Estate pages: compounds and their house matrix (房态图), houses, binding requests, the resident's home.

Views are thin: they parse input with a form, call one selector or service and render. Domain errors
become pages: NotAllowed → the 403 page (audited), NotFound → 404, other refusals → a form error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.roles import HOUSEHOLD_VIEWERS
from gongzhi.accounts.selectors import memberships_of
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited, rate_limit_hit

from .. import selectors, services
from ..forms import (
    BindingDecisionForm,
    BindingRequestForm,
    CompoundSearchForm,
    HouseFilterForm,
    HouseStatusForm,
    HouseTypeForm,
    MoveOutForm,
    OverviewForm,
    parse_id,
)
from ..models import House

COMPOUNDS_PER_PAGE = 20
HOUSES_PER_PAGE = 50
BINDINGS_PER_PAGE = 30
# Above this many houses the overview opens on one building (choose another, or "all buildings").
MATRIX_FULL_LIMIT = 1000
HOUSE_OPTIONS_PER_MINUTE = 120
BINDING_REQUESTS_PER_MINUTE = 10

View = Callable[..., HttpResponse]


def domain_errors(view: View) -> View:
    """NotAllowed → the 403 page (and an audit event), NotFound → 404."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed:
            match = request.resolver_match
            services.access_denied_record(
                actor=request.user,
                object_type=f"page:{match.view_name if match else request.path}",
                object_id=next(iter(kwargs.values()), ""),
            )
            return render(request, "403.html", status=403)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped


def _is_htmx_partial(request: HttpRequest) -> bool:
    """An htmx swap wants the fragment; a history restore wants the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _house_url_prefix() -> str:
    """ "/estates/houses/" — the matrix writes thousands of links, so it appends ids instead of reversing each."""
    url = reverse("estates:house_detail", args=[0])
    assert url.endswith("/0/")
    return url[:-2]


# --- Staff: compounds --------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def compound_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser and not memberships_of(request.user):
        return redirect("estates:resident_home")
    form = CompoundSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    today = timezone.localdate()
    page = Paginator(selectors.compounds_search(user=request.user, q=q), COMPOUNDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "rows": selectors.compound_rows(page.object_list, at=today),
        "today": today,
        "q": q,
        "query": urlencode({"q": q}) if q else "",
    }
    return render(request, "estates/compound_list.html", context)


@login_required
@require_GET
@domain_errors
def compound_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The overview: KPIs as of a date and the house matrix (房态图), in a fixed number of queries."""
    compound = selectors.compound_get(user=request.user, code=code)
    form = OverviewForm(request.GET or None)
    at = form.at_or_today()
    overview = selectors.compound_overview(compound=compound, at=at)
    buildings = list(selectors.compound_buildings(compound=compound))
    wanted = request.GET.get("building", "")
    building = next((b for b in buildings if b.id == parse_id(wanted)), None)
    narrowed = False
    if building is None and wanted != "all" and overview.houses > MATRIX_FULL_LIMIT and buildings:
        building, narrowed = buildings[0], True
    matrix = selectors.house_matrix(
        compound=compound, building_id=building.id if building else None, buildings=buildings
    )
    context = {
        "compound": compound,
        "form": form,
        "at": at,
        "at_param": form.cleaned_data.get("at") if form.is_bound and form.is_valid() else None,
        "overview": overview,
        "buildings": buildings,
        "building": building,
        "narrowed": narrowed,
        "matrix": matrix,
        "house_url": _house_url_prefix(),
        "can_open_houses": request.user.has_perm("estates.view_households", compound),
        "can_edit_ledger": request.user.has_perm("estates.edit_ledger", compound),
        "can_export": request.user.has_perm("estates.view_phones", compound)
        and request.user.has_perm("estates.edit_ledger", compound),
    }
    template = "estates/partials/house_matrix.html" if _is_htmx_partial(request) else "estates/compound_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Staff: houses -----------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def house_list(request: HttpRequest, code: str) -> HttpResponse:
    compound = selectors.compound_get(user=request.user, code=code, roles=HOUSEHOLD_VIEWERS)
    params = request.GET.copy()
    params.pop("page", None)
    form = HouseFilterForm(
        params or None,
        buildings=selectors.compound_buildings(compound=compound),
        phases=selectors.compound_phases(compound=compound),
    )
    data = form.valid_data() if form.is_bound else {}
    search = selectors.HouseSearch(
        q=data.get("q") or "",
        building_id=data["building"].id if data.get("building") else None,
        phase_id=data["phase"].id if data.get("phase") else None,
        status=data.get("status") or "",
    )
    with_phones = request.user.has_perm("estates.view_phones", compound)
    houses = selectors.house_search(compound=compound, search=search, with_phones=with_phones)
    page = Paginator(houses, HOUSES_PER_PAGE).get_page(request.GET.get("page"))
    services.house_list_view_record(
        actor=request.user,
        compound=compound,
        shown=len(page.object_list),
        with_phones=with_phones,
        searched=bool(search.q),
    )
    context = {
        "compound": compound,
        "form": form,
        "page": page,
        "with_phones": with_phones,
        "query": urlencode({k: v for k, v in params.items() if v}),
    }
    return render(request, "estates/house_list.html", context)


def _house_page(
    request: HttpRequest,
    house: House,
    form: HouseStatusForm | None = None,
    type_form: HouseTypeForm | None = None,
) -> HttpResponse:
    user = request.user
    can_edit = user.has_perm("estates.edit_ledger", house)
    context = {
        "house": house,
        "show_names": user.has_perm("estates.view_households", house),
        "show_phones": user.has_perm("estates.view_phones", house),
        "can_edit": can_edit,
        "status_form": (form or HouseStatusForm(initial={"status": house.status})) if can_edit else None,
        "type_form": (type_form or HouseTypeForm(initial={"house_type": house.house_type})) if can_edit else None,
        "move_out_form": MoveOutForm() if can_edit else None,
    }
    return render(request, "estates/house_detail.html", context)


@login_required
@require_GET
@domain_errors
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    house = selectors.house_detail(user=request.user, house_id=pk)
    services.house_view_record(actor=request.user, house=house)
    return _house_page(request, house)


@login_required
@require_POST
@domain_errors
@posts_limited("house_status")
def house_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a status change (ledger editors); a bad date or status re-shows the page with the reason."""
    house = selectors.house_detail(user=request.user, house_id=pk)
    if not request.user.has_perm("estates.edit_ledger", house):
        raise NotAllowed(_("You may not change this house."))
    form = HouseStatusForm(request.POST)
    if form.is_valid():
        try:
            services.house_set_status(
                actor=request.user,
                house=house,
                status=form.cleaned_data["status"],
                effective_on=form.cleaned_data["effective_on"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The status change is recorded."))
            return redirect("estates:house_detail", pk=house.pk)
    services.house_view_record(actor=request.user, house=house)
    return _house_page(request, house, form)


@login_required
@require_POST
@domain_errors
@posts_limited("house_type")
def house_type(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what the house is used as (ledger editors); its bills follow the fee standard of that type."""
    house = selectors.house_detail(user=request.user, house_id=pk)
    if not request.user.has_perm("estates.edit_ledger", house):
        raise NotAllowed(_("You may not change this house."))
    form = HouseTypeForm(request.POST)
    if form.is_valid():
        try:
            services.house_set_type(actor=request.user, house=house, house_type=form.cleaned_data["house_type"])
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The house type is saved."))
            return redirect("estates:house_detail", pk=house.pk)
    services.house_view_record(actor=request.user, house=house)
    return _house_page(request, house, type_form=form)


@login_required
@require_POST
@domain_errors
@posts_limited("resident_move_out")
def resident_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a resident's move-out (ledger editors); an account holder then loses access to the house."""
    house = selectors.house_detail(user=request.user, house_id=pk)
    form = MoveOutForm(request.POST)
    resident = house.residents.filter(pk=form.data.get("resident") or 0).first() if form.is_valid() else None
    if resident is None:
        messages.error(request, _("Choose a resident of this house and a move-out date no later than today."))
        return redirect("estates:house_detail", pk=house.pk)
    try:
        services.resident_move_out(
            actor=request.user, resident=resident, moved_out_on=form.cleaned_data["moved_out_on"]
        )
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The move-out is recorded."))
    return redirect("estates:house_detail", pk=house.pk)


# --- Staff: binding requests -------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def binding_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.decides_bindings(request.user):
        raise NotAllowed(_("You do not decide house-binding requests."))
    page = Paginator(selectors.bindings_pending(request.user), BINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": selectors.binding_rows(page.object_list)}
    services.bindings_view_record(actor=request.user, shown=len(context["rows"]))
    return render(request, "estates/binding_queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("binding_decide")
def binding_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the request with approve and refuse (a reason is required); POST: decide it."""
    binding = selectors.binding_for_decision(user=request.user, pk=pk)
    form = BindingDecisionForm(request.POST or None, initial={"decision": "refuse"})
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.binding_decide(
                actor=request.user, binding=binding, approve=approve, reason=form.cleaned_data["reason"]
            )
        except NotAllowed:
            raise
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("estates:binding_queue")
        except DomainError as exc:
            _form_error(form, exc)
        else:
            name = binding.user.name
            if approve:
                messages.success(
                    request, _("%(name)s is now bound to %(house)s.") % {"name": name, "house": binding.house}
                )
            else:
                messages.success(request, _("The request of %(name)s is refused.") % {"name": name})
            return redirect("estates:binding_queue")
    context = {"row": selectors.binding_rows([binding])[0], "form": form}
    return render(request, "estates/binding_decide.html", context)


# --- Residents ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def resident_home(request: HttpRequest) -> HttpResponse:
    """My houses and household, my open requests. Nothing of a compound before a binding is approved."""
    context = {
        "houses": selectors.houses_of_resident(request.user),
        "requests": selectors.bindings_open_of(request.user)[:20],
    }
    return render(request, "estates/resident_home.html", context)


def _cascade(params: Any, *, with_unit: bool = True) -> selectors.BindingCascade:
    return selectors.binding_cascade(
        q=str(params.get("q", ""))[:100],
        compound_code=str(params.get("compound", ""))[:40],
        building_id=parse_id(params.get("building")),
        unit_id=parse_id(params.get("unit")) if with_unit else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def binding_new(request: HttpRequest) -> HttpResponse:
    """Pick compound → building → unit → room (htmx, or plain GET steps without JS), then ask to be bound."""
    params = request.POST if request.method == "POST" else request.GET
    cascade = _cascade(params)
    form = BindingRequestForm(request.POST or None)
    if request.method == "POST":
        if rate_limit_hit(scope="binding_new", key=str(request.user.pk), limit=BINDING_REQUESTS_PER_MINUTE):
            form.add_error(None, _("Too many requests; wait a minute and try again."))
        elif form.is_valid():
            house = next((h for h in cascade.rooms if h.pk == form.cleaned_data["house"]), None)
            if house is None:
                form.add_error("house", _("Choose your room from the list."))
            else:
                try:
                    services.binding_request(user=request.user, house=house, relation=form.cleaned_data["relation"])
                except DomainError as exc:
                    _form_error(form, exc)
                else:
                    messages.success(
                        request, _("Your request is sent. Property or community staff will check it soon.")
                    )
                    return redirect("estates:resident_home")
    return render(request, "estates/binding_new.html", {"cascade": cascade, "form": form})


@login_required
@require_GET
def house_options(request: HttpRequest, code: str) -> HttpResponse:
    """The next <select> of the binding form, as a fragment: building names, unit names or room numbers only."""
    if rate_limit_hit(scope="house_options", key=str(request.user.pk), limit=HOUSE_OPTIONS_PER_MINUTE):
        return HttpResponse(_("Too many requests; wait a minute and try again."), status=429)
    step = request.GET.get("step")
    params = {**request.GET.dict(), "compound": code}
    cascade = _cascade(params, with_unit=step == "rooms")
    if cascade.compound is None:
        raise Http404("No such compound.")
    if step == "rooms":
        context = {"cascade": cascade, "form": BindingRequestForm()}
        response = render(request, "estates/partials/binding_rooms.html", context)
    else:
        response = render(request, "estates/partials/binding_units.html", {"cascade": cascade, "oob": True})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("binding_withdraw")
def binding_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST withdraws the resident's own pending request."""
    binding = selectors.binding_of(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.binding_withdraw(user=request.user, binding=binding)
        except NotAllowed:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your request is withdrawn."))
        return redirect("estates:resident_home")
    return render(request, "estates/binding_withdraw.html", {"binding": binding})
