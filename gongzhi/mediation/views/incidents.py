"""Security linkage (治安联动): the property company's staff report incidents; the police station acknowledges
and records the outcome; both see the timeline. Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import DomainError, NotAllowed, NotFound

from .. import selectors, services
from ..forms import IncidentForm
from ..models import SecurityIncident
from ..rules import may_handle_incident
from .common import act, domain_errors, post_view


def _incident(request: HttpRequest, pk: int) -> SecurityIncident:
    incident = selectors.incident_get(user=request.user, pk=pk)
    if incident is None:
        raise Http404(_("No such incident."))
    return incident


@login_required
@require_GET
@domain_errors
def incident_list(request: HttpRequest) -> HttpResponse:
    context = {
        "incidents": list(selectors.incidents_visible(user=request.user)[:200]),
        "may_report": selectors.report_compounds(user=request.user).exists(),
    }
    return render(request, "mediation/incidents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def incident_new(request: HttpRequest) -> HttpResponse:
    compounds = selectors.report_compounds(user=request.user)
    if not compounds.exists():
        raise NotAllowed(_("You may not report incidents."))
    form = IncidentForm(request.POST or None)
    form.fields["compound"].queryset = compounds  # type: ignore[attr-defined]
    stations = {s.pk: s for c in compounds[:20] for s in selectors.serving_stations(c)}
    form.fields["station"].choices = [(s.pk, s.name) for s in stations.values()]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_report(
                actor=request.user,
                compound=data["compound"],
                station_id=data["station"],
                kind=data["kind"],
                description=data["description"],
                place=data["place"],
                occurred_at=data["occurred_at"],
            )
        except (NotAllowed, NotFound):
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The incident is reported to the police station."))
            return redirect("mediation:incident", incident.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the form below."))
    return render(request, "mediation/incident_new.html", {"form": form})


@login_required
@require_GET
@domain_errors
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    context = {
        "incident": incident,
        "timeline": selectors.incident_timeline(incident),
        "handles": may_handle_incident(request.user, incident),
    }
    return render(request, "mediation/incident.html", context)


@post_view("incident")
def incident_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return act(
        request,
        lambda: services.incident_acknowledge(actor=request.user, incident=incident, note=request.POST.get("note", "")),
        _("The incident is acknowledged."),
        "mediation:incident",
        incident.pk,
    )


@post_view("incident")
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return act(
        request,
        lambda: services.incident_close(actor=request.user, incident=incident, outcome=request.POST.get("outcome", "")),
        _("The outcome is recorded."),
        "mediation:incident",
        incident.pk,
    )
