"""Routing rules and deadline policies of a community: community staff edit them, other voice staff read them.

Who sees what (``policy_selectors.settings_scope``): staff who see the voices of a compound of the community
(``VOICE_VIEWERS``) read the page; ``voices.edit_routing`` (the community's secretary and staff, superusers)
also get the forms. Everyone else gets the 403 page (audited), an unknown community the 404 page. Every POST
is checked again by the service, which writes the audit event; bad input re-shows the page with the reason
(HTTP 400) and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.ratelimit import posts_limited
from gongzhi.open311.selectors import manages_keys

from ..models import Kind
from ..policy_forms import DeadlineForm, DeadlineResetForm, RoutingForm
from ..policy_selectors import (
    PolicyRow,
    SettingsScope,
    policy_rows,
    property_companies,
    routing_rows,
    routing_targets,
    settings_communities,
    settings_scope,
)
from ..services.policy import MAX_HOURS, deadline_policy_reset, deadline_policy_set, routing_rule_set
from .pages import domain_errors


def _row_label(kind: str, category: Any) -> str:
    return f"{Kind(kind).label} · {category.name if category else _('All categories')}"


def _deadline_initial(request: HttpRequest, rows: list[PolicyRow]) -> dict[str, Any]:
    """ "Edit" links carry ?kind=…&category=…: the form starts from what applies to that row now."""
    kind = request.GET.get("kind", "")
    category = request.GET.get("category", "")
    for row in rows:
        if row.kind == kind and str(row.category.pk if row.category else "") == category:
            return {
                "kind": kind,
                "category": row.category,
                "response_hours": row.applies[0],
                "resolution_hours": row.applies[1],
            }
    return {}


def _page(
    request: HttpRequest,
    scope: SettingsScope,
    *,
    deadline_form: DeadlineForm | None = None,
    routing_form: RoutingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    community = scope.community
    rows = policy_rows(community=community)
    targets = routing_targets(community=community)
    routing = routing_rows(community=community)
    # A row whose save failed shows the submitted form with its error; the others a fresh one.
    failed_id = routing_form["category"].value() if routing_form is not None else None
    if routing_form is not None:
        routing_form.auto_id = f"r{failed_id}_%s"
    routing_forms = [
        (
            row,
            routing_form
            if routing_form is not None and str(failed_id) == str(row.category.pk)
            else RoutingForm(
                targets=targets,
                initial={"category": row.category.pk, "organization": row.organization},
                auto_id=f"r{row.category.pk}_%s",
            ),
        )
        for row in routing
    ]
    context = {
        "community": community,
        "scope": scope,
        "can_edit": scope.can_edit,
        "routing_forms": routing_forms,
        "companies": property_companies(community=community),
        "rows": rows,
        "deadline_form": deadline_form or DeadlineForm(initial=_deadline_initial(request, rows)),
        "max_hours": MAX_HOURS,
        "manages_open311_keys": manages_keys(request.user),
    }
    return render(request, "voices/settings_community.html", context, status=status)


@login_required
@require_GET
@domain_errors
def settings_index(request: HttpRequest) -> HttpResponse:
    """The communities whose settings the user sees; straight to the page when there is one."""
    communities = settings_communities(user=request.user)
    if len(communities) == 1:
        return redirect("voices:settings", community_id=communities[0].pk)
    if not communities:
        raise NotAllowed(_("You do not see the voices of any community."))
    return render(request, "voices/settings_index.html", {"communities": communities})


@login_required
@require_GET
@domain_errors
def settings_page(request: HttpRequest, community_id: int) -> HttpResponse:
    scope = settings_scope(user=request.user, community_id=community_id)
    return _page(request, scope)


def _editor_scope(request: HttpRequest, community_id: int) -> SettingsScope:
    scope = settings_scope(user=request.user, community_id=community_id)
    if not scope.can_edit:
        raise NotAllowed(_("You may not edit the routing rules or deadlines of this community."))
    return scope


@login_required
@require_POST
@domain_errors
@posts_limited("voice_settings")
def routing_save(request: HttpRequest, community_id: int) -> HttpResponse:
    scope = _editor_scope(request, community_id)
    form = RoutingForm(request.POST, targets=routing_targets(community=scope.community))
    if form.is_valid():
        category, organization = form.cleaned_data["category"], form.cleaned_data["organization"]
        try:
            routing_rule_set(actor=request.user, compound=scope.compound, category=category, organization=organization)
        except NotAllowed:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if organization is None:
                text = _("Voices about %(category)s now go to each compound's property company.")
            else:
                text = _("Voices about %(category)s now go to %(organization)s.")
            messages.success(
                request, text % {"category": category.name, "organization": getattr(organization, "name", "")}
            )
            return redirect("voices:settings", community_id=community_id)
    messages.error(request, _("Nothing was changed. Please correct the form below."))
    if form.has_error("category"):
        # No row to show the error on: the category itself is unknown.
        for error in form.errors["category"]:
            messages.error(request, str(error))
    return _page(request, scope, routing_form=form, status=400)


@login_required
@require_POST
@domain_errors
@posts_limited("voice_settings")
def deadline_save(request: HttpRequest, community_id: int) -> HttpResponse:
    scope = _editor_scope(request, community_id)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            deadline_policy_set(
                actor=request.user,
                compound=scope.compound,
                kind=data["kind"],
                category=data["category"],
                response_hours=data["response_hours"],
                resolution_hours=data["resolution_hours"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Deadlines saved for %(row)s. New voices get them; voices already raised keep theirs.")
                % {"row": _row_label(data["kind"], data["category"])},
            )
            return redirect("voices:settings", community_id=community_id)
    messages.error(request, _("Nothing was changed. Please correct the form below."))
    return _page(request, scope, deadline_form=form, status=400)


@login_required
@require_POST
@domain_errors
@posts_limited("voice_settings")
def deadline_reset(request: HttpRequest, community_id: int) -> HttpResponse:
    scope = _editor_scope(request, community_id)
    form = DeadlineResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: choose a row of the table to reset."))
        return redirect("voices:settings", community_id=community_id)
    kind, category = form.cleaned_data["kind"], form.cleaned_data["category"]
    try:
        deadline_policy_reset(actor=request.user, compound=scope.compound, kind=kind, category=category)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The default deadlines apply again to %(row)s.") % {"row": _row_label(kind, category)}
        )
    return redirect("voices:settings", community_id=community_id)
