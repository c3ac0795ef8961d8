"""What the activity pages share: POST-only views with refusals as pages, services called on a valid form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.views.pages import domain_errors
from gongzhi.voices.photos import thumb_name

View = Callable[..., HttpResponse]

__all__ = ["act", "domain_errors", "photo_response", "post_view", "run_service"]


def post_view(scope: str, per_minute: int = 30) -> Callable[[View], View]:
    """Log-in required, POST only, refusals as pages, at most ``per_minute`` posts a minute."""

    def decorate(view: View) -> View:
        return login_required(require_POST(domain_errors(posts_limited(f"activities_{scope}", per_minute)(view))))

    return decorate


def run_service(form: forms.Form, call: Callable[[dict[str, Any]], Any]) -> tuple[bool, Any]:
    """Call a service with a valid form's data: (True, result), or (False, None) with the reason on the form."""
    if not form.is_valid():
        return False, None
    try:
        return True, call(form.cleaned_data)
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
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


def photo_response(request: HttpRequest, photo: Any, filename: str) -> FileResponse:
    storage = photo.image.storage
    name = photo.image.name or ""
    if request.GET.get("size") == "thumb" and storage.exists(thumb_name(name)):
        name = thumb_name(name)
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("No such photo.") from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="{filename}.jpg"'
    patch_cache_control(response, private=True, max_age=3600)
    patch_vary_headers(response, ["Cookie"])
    return response
