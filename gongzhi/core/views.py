"""Pages that belong to no domain: the role-aware home, the privacy notice, elder mode."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongzhi.accounts.selectors import memberships_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff land on their compounds (or, reaching none, on their organization); residents on their home."""
    from gongzhi.estates.selectors import compounds_for

    if request.user.is_superuser or compounds_for(request.user).exists():
        return redirect("estates:compound_list")
    if memberships_of(request.user):
        return redirect("accounts:organization_list")
    return redirect("estates:resident_home")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@require_POST
def elder_mode_toggle(request: HttpRequest) -> HttpResponse:
    request.session["elder_mode"] = not request.session.get("elder_mode", False)
    nxt = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return redirect(nxt)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page; denied access is audited (DESIGN rule 7), without personal data."""
    from gongzhi.core.audit import audit_denied

    audit_denied(request)
    return render(request, "403.html", status=403)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without a link tag (admin, API docs)."""
    return redirect(static("img/favicon.svg"), permanent=True)
