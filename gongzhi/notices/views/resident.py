"""Residents' pages (phone first): the current notices of their compounds, pinned first, unread marked; a
notice's page, which records that they read it (once)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gongzhi.estates.views.pages import domain_errors

from .. import selectors, services


@login_required
@require_GET
@domain_errors
def resident_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    notices = list(selectors.notices_for_resident(user=user, now=now))
    may_manage = selectors.staff_compounds(user=user).exists()
    if not notices and may_manage and request.GET.get("mine") != "1":
        return redirect("notices:manage")
    context = {
        "notices": notices,
        "unread": sum(1 for n in notices if not getattr(n, "is_read", False)),
        "may_manage": may_manage,
    }
    return render(request, "notices/resident_list.html", context)


@login_required
@require_GET
@domain_errors
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    notice = selectors.notice_get_resident(user=user, pk=pk)
    first_time = services.notice_read(user=user, notice=notice)
    context = {"notice": notice, "images": selectors.notice_images(notice), "first_time": first_time}
    return render(request, "notices/resident_detail.html", context)
