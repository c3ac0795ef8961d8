"""What the fee pages share: refusals as pages, a service call on a valid form, safe return addresses.

Views are thin: they parse input with a form, call one selector or service and render; every POST redirects
(POST → redirect → GET) unless a form error is shown. NotAllowed → the 403 page (audited), NotFound → 404;
a refusal of the input → the form again with the reason beside the field, nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.models import Compound
from gongzhi.estates.views.pages import domain_errors

from ..rules import may_keep_fees, may_view_figures

View = Callable[..., HttpResponse]

__all__ = ["View", "compound_tabs", "domain_errors", "form_error", "is_htmx_partial", "post_view", "run_service"]


def post_view(scope: str, per_minute: int = 30) -> Callable[[View], View]:
    """Log-in required, POST only, refusals as pages, at most ``per_minute`` posts a minute."""

    def decorate(view: View) -> View:
        return login_required(require_POST(domain_errors(posts_limited(scope, per_minute)(view))))

    return decorate


def form_error(form: forms.Form, exc: DomainError) -> None:
    """The service's reason beside the field it names (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def run_service(form: forms.Form, call: Callable[[dict[str, Any]], Any]) -> tuple[bool, Any]:
    """Call a service with a valid form's data: (True, result), or (False, None) with the reason on the form.

    NotAllowed goes up (to ``domain_errors``: the 403 page); any other refusal — a bad amount, a duplicate
    receipt number, an illegal transition — is shown on the form and nothing has changed (the service is atomic).
    """
    if not form.is_valid():
        return False, None
    try:
        return True, call(form.cleaned_data)
    except NotAllowed:
        raise
    except DomainError as exc:
        form_error(form, exc)
        return False, None


def is_htmx_partial(request: HttpRequest) -> bool:
    """An htmx swap wants the fragment; a history restore wants the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def compound_tabs(user: Any, compound: Compound) -> dict[str, bool]:
    """Which of a compound's fee pages the user may open (the tabs above each of them)."""
    return {"keeps": bool(may_keep_fees(user, compound)), "reads_figures": bool(may_view_figures(user, compound))}
