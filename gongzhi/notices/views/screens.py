"""Staff pages for lobby screens: the compound's screens with their links (recomputed, shown to those who
manage screens), a new screen, and revoking one after a confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.models import Building
from gongzhi.estates.views.pages import domain_errors
from gongzhi.meetings.views.common import run_service

from .. import lobby, selectors, services
from ..forms import ScreenForm
from .staff import chosen_compound


@login_required
@require_GET
@domain_errors
def screen_list(request: HttpRequest) -> HttpResponse:
    compounds = selectors.author_compounds(user=request.user)
    if not compounds.exists():
        raise NotAllowed(_("You may not manage lobby screens."))
    compound = chosen_compound(request, compounds)
    if compound is None:
        return render(request, "notices/choose_compound.html", {"compounds": compounds, "next": "notices:screens"})
    now = timezone.now()
    rows = [
        {
            "screen": s,
            "link": request.build_absolute_uri(lobby.screen_path(s)) if s.revoked_at is None else "",
            "expired": s.expires_at is not None and s.expires_at <= now,
        }
        for s in selectors.screens_of(user=request.user, compound=compound)
    ]
    return render(
        request,
        "notices/screens.html",
        {"compound": compound, "rows": rows, "several": compounds.count() > 1},
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("notices_screen_new", 20)
def screen_new(request: HttpRequest) -> HttpResponse:
    compounds = selectors.author_compounds(user=request.user)
    if not compounds.exists():
        raise NotAllowed(_("You may not manage lobby screens."))
    compound = chosen_compound(request, compounds)
    if compound is None:
        return render(request, "notices/choose_compound.html", {"compounds": compounds, "next": "notices:screen_new"})
    buildings = Building.objects.filter(community_id=compound.community_id, compound=compound).order_by(
        "sort_key", "name"
    )
    form = ScreenForm(request.POST or None, buildings=buildings)
    if request.method == "POST":
        ok, _screen = run_service(
            form,
            lambda d: services.lobby_screen_create(
                actor=request.user,
                compound=compound,
                location=d["location"],
                building=d["building"],
                expires_at=d["expires_at"],
            ),
        )
        if ok:
            messages.success(request, _("The screen is added. Open its link on the lobby TV."))
            return redirect(f"{reverse('notices:screens')}?compound={compound.pk}")
        return render(request, "notices/screen_form.html", {"form": form, "compound": compound}, status=400)
    return render(request, "notices/screen_form.html", {"form": form, "compound": compound})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("notices_screen_revoke", 20)
def screen_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    screen = selectors.screen_get(user=request.user, pk=pk)
    back = f"{reverse('notices:screens')}?compound={screen.compound_id}"
    if request.method == "POST":
        try:
            services.lobby_screen_revoke(actor=request.user, screen=screen)
        except NotAllowed:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("The screen's link is revoked: the screen shows nothing from its next refresh.")
            )
        return redirect(back)
    return render(request, "notices/screen_revoke.html", {"screen": screen, "back": back})
