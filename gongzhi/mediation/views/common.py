"""What the mediation pages share: the case a request may see (404 and logged otherwise), POST decorators and
service calls whose refusals come back as messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.views.pages import domain_errors

from .. import selectors, services
from ..models import Case

View = Callable[..., HttpResponse]

__all__ = ["View", "act", "domain_errors", "post_view", "visible_case"]


def post_view(scope: str, per_minute: int = 30) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        return login_required(require_POST(domain_errors(posts_limited(f"mediation_{scope}", per_minute)(view))))

    return decorate


def visible_case(request: HttpRequest, pk: Any, *, what: str = "case", log_view: bool = False) -> Case:
    """The case if the user may see it; otherwise the attempt is logged and the answer is 404 (never 403: a
    case's existence is not disclosed). ``log_view`` logs a successful view (pages, evidence, the PDF)."""
    case = selectors.case_find(user=request.user, pk=pk)
    if case is None:
        services.case_access_refused(actor=request.user, case_ref=pk, what=what)
        raise Http404(_("No such case."))
    if log_view:
        services.case_view_record(actor=request.user, case=case, what=what)
    return case


def act(request: HttpRequest, call: Callable[[], Any], success: str, to: str, *args: Any) -> HttpResponse:
    """Call a service: a success message, or the refusal as an error message (nothing changed); back to ``to``."""
    try:
        call()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(to, *args)
