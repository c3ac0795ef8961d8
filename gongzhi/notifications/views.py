"""The notification centre: a user's own notifications, newest first; open one (marks it read), mark all read.

Every read goes through ``selectors.notifications_for`` / ``notification_get``, which only ever return the
user's own notifications: someone else's is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import NotFound
from gongzhi.core.ratelimit import posts_limited

from .selectors import notification_get, notifications_for, unread_count
from .services import notification_mark_read

PER_PAGE = 20


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    notifications = notifications_for(user=request.user, unread_only=unread_only)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": unread_count(user=request.user),
        "query": "show=unread" if unread_only else "",
    }
    return render(request, "notifications/list.html", context)


def _safe_link(request: HttpRequest, link: str) -> str | None:
    """The notification's link when it stays on this site, else None (never an open redirect)."""
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}, require_https=False):
        return link
    return None


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification: it is marked read, then its link opens (the centre when it has none)."""
    try:
        notification = notification_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    notification_mark_read(user=request.user, notification_ids=[notification.pk])
    return redirect(_safe_link(request, notification.link) or "notifications:list")


@login_required
@require_POST
@posts_limited("notification_read_all")
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.", count) % {"n": count},
        )
    else:
        messages.info(request, _("There was nothing unread."))
    return redirect("notifications:list")
