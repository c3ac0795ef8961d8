"""Pages for community staff: the compound's Open311 keys — list, create (the key is shown once), revoke.

The new key is shown in the response to the POST itself, marked not to be stored by any cache, and is never
written anywhere (not even to the session); reloading the page does not show it again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.services import access_denied_record

from .. import selectors
from ..forms import KeyForm
from ..services import open311_key_create, open311_key_revoke

View = Callable[..., HttpResponse]


def domain_errors(view: View) -> View:
    """NotAllowed → the 403 page (audited), NotFound → 404."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed:
            match = request.resolver_match
            access_denied_record(
                actor=request.user,
                object_type=f"page:{match.view_name if match else request.path}"[:64],
                object_id=next(iter(kwargs.values()), ""),
            )
            return render(request, "403.html", status=403)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped


def _manager_compounds(request: HttpRequest) -> Any:
    compounds = selectors.key_compounds(request.user)
    if not compounds.exists():
        raise NotAllowed(_("You may not manage Open311 keys."))
    return compounds


def _list_page(request: HttpRequest, form: KeyForm, *, status: int = 200) -> HttpResponse:
    context = {
        "keys": selectors.keys_for(user=request.user)[:200],
        "form": form,
        "discovery_url": request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})),
    }
    return render(request, "open311/keys.html", context, status=status)


@login_required
@require_GET
@domain_errors
def key_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, KeyForm(compounds=_manager_compounds(request)))


@login_required
@require_POST
@posts_limited("open311_key_new")
@domain_errors
def key_new(request: HttpRequest) -> HttpResponse:
    form = KeyForm(request.POST, compounds=_manager_compounds(request))
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        key, raw = open311_key_create(
            actor=request.user, compound=form.cleaned_data["compound"], name=form.cleaned_data["name"]
        )
    except NotAllowed:
        raise
    except DomainError as exc:
        form.add_error("name" if exc.field == "name" else None, exc.message)
        return _list_page(request, form, status=exc.status)
    response = render(request, "open311/key_created.html", {"key": key, "raw": raw})
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@posts_limited("open311_key_revoke")
@domain_errors
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes the key."""
    key = selectors.key_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            open311_key_revoke(actor=request.user, key=key)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Key “%(name)s” is revoked: it no longer works.") % {"name": key.name})
        return redirect("open311:keys")
    return render(request, "open311/key_revoke.html", {"key": key})
