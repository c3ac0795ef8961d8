"""Staff pages: the list (filters, search, pages, read counts), writing and editing a notice, publishing,
withdrawing (after a confirmation), and a notice's pictures, served by the application to those who may see
the notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.models import Compound
from gongzhi.estates.views.pages import domain_errors
from gongzhi.meetings.views.common import act, run_service
from gongzhi.voices.photos import thumb_name

from .. import selectors, services
from ..forms import NoticeFilterForm, NoticeForm, WithdrawForm
from ..models import Notice, NoticeStatus
from ..rules import may_edit_notice, may_publish_notice, may_withdraw_notice

PER_PAGE = 20
CACHE_SECONDS = 60 * 60

View = Callable[..., HttpResponse]


def post_view(scope: str, per_minute: int = 30) -> Callable[[View], View]:
    """Log-in required, POST only, refusals as pages, at most ``per_minute`` posts a minute."""

    def decorate(view: View) -> View:
        return login_required(require_POST(domain_errors(posts_limited(f"notices_{scope}", per_minute)(view))))

    return decorate


def chosen_compound(request: HttpRequest, compounds: QuerySet[Compound]) -> Compound | None:
    """The compound named by ``?compound=<id>`` among ``compounds`` (403 for any other), the only one when
    there is one, else None (the page asks which)."""
    raw = request.GET.get("compound") or request.POST.get("compound") or ""
    if raw:
        found = compounds.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
        if found is None:
            raise NotAllowed(_("You do not have access to this compound."))
        return found
    only = list(compounds[:2])
    return only[0] if len(only) == 1 else None


def _editable_notice(user: Any, pk: int) -> Notice:
    """A notice the user may change: 404 when they do not see it, 403 when they see it but may not change it."""
    notice = selectors.notice_get_staff(user=user, pk=pk)
    if not may_edit_notice(user, notice):
        raise NotAllowed(_("You may not change this notice."))
    return notice


# --- The list ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def manage_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    compounds = selectors.staff_compounds(user=user)
    if not compounds.exists():
        raise NotAllowed(_("You do not see the notices of any compound."))
    compound = None
    if request.GET.get("compound"):
        compound = chosen_compound(request, compounds)
    form = NoticeFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.notices_staff_list(
        user=user,
        compound=compound,
        kind=data.get("kind", ""),
        status=data.get("status", ""),
        state=data.get("state", ""),
        search=data.get("q", ""),
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "notices": page.object_list,
        "query": query.urlencode(),
        "filtered": any(data.values()),
        "compound": compound,
        "compounds": list(compounds[:50]),
        "may_write": selectors.author_compounds(user=user).exists(),
        "now": timezone.now(),
    }
    return render(request, "notices/manage_list.html", context)


# --- Writing -------------------------------------------------------------------------------------------------------


def _args(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": data["kind"],
        "title": data["title"],
        "body": data["body"],
        "published_from": data["published_from"],
        "published_until": data["published_until"],
        "buildings": list(data.get("buildings") or []),
        "staff_only": data["staff_only"],
        "is_pinned": data["is_pinned"],
        "images": data.get("images") or [],
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("notices_write", 30)
def notice_new(request: HttpRequest) -> HttpResponse:
    compounds = selectors.author_compounds(user=request.user)
    if not compounds.exists():
        raise NotAllowed(_("You may not write notices."))
    compound = chosen_compound(request, compounds)
    if compound is None:
        return render(request, "notices/choose_compound.html", {"compounds": compounds, "next": "notices:new"})
    buildings = selectors.buildings_for(user=request.user, compound=compound)
    if request.method == "POST":
        form = NoticeForm(request.POST, request.FILES, buildings=buildings)
        ok, notice = run_service(
            form, lambda d: services.notice_create(actor=request.user, compound=compound, **_args(d))
        )
        if ok:
            messages.success(request, _("The notice is saved as a draft. Publish it when it is ready."))
            return redirect("notices:manage_detail", pk=notice.pk)
        status = 400
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = NoticeForm(buildings=buildings, initial={"published_from": now})
        status = 200
    context = {"form": form, "compound": compound, "notice": None}
    return render(request, "notices/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("notices_write", 30)
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _editable_notice(request.user, pk)
    if notice.status == NoticeStatus.WITHDRAWN:
        messages.error(request, _("A withdrawn notice cannot be changed."))
        return redirect("notices:manage_detail", pk=notice.pk)
    buildings = selectors.buildings_for(user=request.user, compound=notice.compound)
    if request.method == "POST":
        form = NoticeForm(request.POST, request.FILES, buildings=buildings)
        ok, _n = run_service(form, lambda d: services.notice_update(actor=request.user, notice=notice, **_args(d)))
        if ok:
            messages.success(request, _("The notice is saved."))
            return redirect("notices:manage_detail", pk=notice.pk)
        status = 400
    else:
        initial = {
            "kind": notice.kind,
            "title": notice.title,
            "body": notice.body,
            "published_from": timezone.localtime(notice.published_from),
            "published_until": timezone.localtime(notice.published_until) if notice.published_until else None,
            "buildings": [b.pk for b in selectors.notice_buildings(notice)],
            "staff_only": notice.staff_only,
            "is_pinned": notice.is_pinned,
        }
        form = NoticeForm(buildings=buildings, initial=initial)
        status = 200
    context = {
        "form": form,
        "compound": notice.compound,
        "notice": notice,
        "images": selectors.notice_images(notice),
    }
    return render(request, "notices/form.html", context, status=status)


# --- A notice ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    notice = selectors.notice_get_staff(user=user, pk=pk)
    now = timezone.now()
    context = {
        "notice": notice,
        "buildings": selectors.notice_buildings(notice),
        "images": selectors.notice_images(notice),
        "may_edit": may_edit_notice(user, notice) and notice.status != NoticeStatus.WITHDRAWN,
        "may_publish": may_publish_notice(user, notice) and notice.status == NoticeStatus.DRAFT,
        "may_withdraw": may_withdraw_notice(user, notice) and notice.status == NoticeStatus.PUBLISHED,
        "is_current": notice.status == NoticeStatus.PUBLISHED
        and notice.published_from <= now
        and (notice.published_until is None or notice.published_until > now),
        "now": now,
    }
    return render(request, "notices/manage_detail.html", context)


@post_view("publish")
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get_staff(user=request.user, pk=pk)
    return act(
        request,
        lambda: services.notice_publish(actor=request.user, notice=notice),
        _("The notice is published."),
        "notices:manage_detail",
        pk=notice.pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("notices_withdraw", 30)
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page first (what withdrawing does, an optional reason), then the withdrawal."""
    notice = selectors.notice_get_staff(user=request.user, pk=pk)
    if not may_withdraw_notice(request.user, notice):
        raise NotAllowed(_("You may not withdraw this notice."))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST":
        ok, _n = run_service(
            form, lambda d: services.notice_withdraw(actor=request.user, notice=notice, reason=d["reason"])
        )
        if ok:
            messages.success(request, _("The notice is withdrawn: residents and lobby screens no longer show it."))
            return redirect("notices:manage_detail", pk=notice.pk)
        if notice.status != NoticeStatus.PUBLISHED:
            messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
            return redirect("notices:manage_detail", pk=notice.pk)
        return render(request, "notices/withdraw.html", {"notice": notice, "form": form}, status=400)
    return render(request, "notices/withdraw.html", {"notice": notice, "form": form})


@post_view("image_remove")
def notice_image_remove(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    notice = _editable_notice(request.user, pk)
    return act(
        request,
        lambda: services.notice_image_remove(actor=request.user, notice=notice, image_id=image_id),
        _("The picture is removed."),
        "notices:edit",
        pk=notice.pk,
    )


@login_required
@require_GET
def notice_image(request: HttpRequest, pk: int, image_id: int) -> HttpResponseBase:
    """A notice's picture, to staff who see the notice and to residents it is addressed to (404 otherwise)."""
    try:
        found = selectors.notice_image_get(user=request.user, pk=pk, image_id=image_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return image_response(found.image, thumb=request.GET.get("size") == "thumb", private=True)


def image_response(field: Any, *, thumb: bool, private: bool) -> HttpResponseBase:
    storage = field.storage
    name = field.name or ""
    if thumb and storage.exists(thumb_name(name)):
        name = thumb_name(name)
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("No such picture.")) from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = 'inline; filename="picture.jpg"'
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    if private:
        patch_vary_headers(response, ["Cookie"])
    return response
