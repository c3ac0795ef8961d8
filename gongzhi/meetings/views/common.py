"""What the meeting pages share: refusals as pages, services called on a valid form, the meeting of a convener.

Views are thin: they parse input with a form, call one selector or service and render; every POST redirects
(POST → redirect → GET) unless a form error is shown. NotAllowed → the 403 page (audited), NotFound → 404; a
refusal of the input → the form again with the reason beside the field (or a message), nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.views.pages import domain_errors

from .. import selectors
from ..models import Meeting
from ..rules import may_convene

View = Callable[..., HttpResponse]

__all__ = ["View", "act", "convener_meeting", "domain_errors", "form_error", "post_view", "run_service"]


def post_view(scope: str, per_minute: int = 30) -> Callable[[View], View]:
    """Log-in required, POST only, refusals as pages, at most ``per_minute`` posts a minute."""

    def decorate(view: View) -> View:
        return login_required(require_POST(domain_errors(posts_limited(f"meetings_{scope}", per_minute)(view))))

    return decorate


def convener_meeting(user: Any, pk: int) -> Meeting:
    """A meeting the user convenes: 404 when they do not see it, 403 when they see it but do not convene."""
    meeting = selectors.meeting_get(user=user, pk=pk)
    if not may_convene(user, meeting):
        raise NotAllowed(_("You may not convene meetings of this compound."))
    return meeting


def form_error(form: forms.Form, exc: DomainError) -> None:
    """The service's reason beside the field it names (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def run_service(form: forms.Form, call: Callable[[dict[str, Any]], Any]) -> tuple[bool, Any]:
    """Call a service with a valid form's data: (True, result), or (False, None) with the reason on the form.
    NotAllowed and NotFound go up (to ``domain_errors``); any other refusal is shown on the form."""
    if not form.is_valid():
        return False, None
    try:
        return True, call(form.cleaned_data)
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        form_error(form, exc)
        return False, None


def act(request: HttpRequest, call: Callable[[], Any], success: str, to: str, **kwargs: Any) -> HttpResponse:
    """A button's service call: a success message, or the refusal as an error message; back to ``to``."""
    try:
        call()
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(to, **kwargs)
