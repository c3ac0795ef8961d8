"""Serving voice photos: only through the application, only to those who may see the voice.

``?size=thumb`` gives the thumbnail stored beside the photo (the photo itself when there is none). Photos
never change, so browsers may keep them for a while — privately, never in a shared cache.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET

from gongzhi.core.errors import NotFound

from ..photos import photo_get, thumb_name

CACHE_SECONDS = 60 * 60


@login_required
@require_GET
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponseBase:
    try:
        found = photo_get(user=request.user, voice_pk=pk, photo_id=photo_id)
    except NotFound as exc:  # the same answer whether the photo does not exist or is not the user's to see
        raise Http404(exc.message) from exc
    storage = found.image.storage
    name = found.image.name or ""
    thumb = request.GET.get("size") == "thumb"
    if thumb and storage.exists(thumb_name(name)):
        name = thumb_name(name)
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, ValueError) as exc:  # a row whose file has gone: nothing to show
        raise Http404("No such photo.") from exc
    suffix = "-thumb" if name != found.image.name else ""
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="voice-{pk}-photo-{found.pk}{suffix}.jpg"'
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response
