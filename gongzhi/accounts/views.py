"""Account pages: log-in (with lock-out), registration, invitations and organizations."""

from __future__ import annotations

import datetime
import math

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gongzhi.core.audit import audit_denied
from gongzhi.core.crypto import mask_phone
from gongzhi.core.errors import DomainError
from gongzhi.core.ratelimit import client_address, posts_limited, rate_limit_hit

from . import services
from .backends import AccountLocked
from .forms import AccountForm, InvitationForm, LoginForm, RegisterForm
from .models import Organization, User
from .selectors import (
    invitation_get,
    invitations_for,
    memberships_of,
    organization_get,
    organization_members,
    organizations_administered,
)


def _safe_next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return settings.LOGIN_REDIRECT_URL


def _minutes_left(until: datetime.datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


def _denied(request: HttpRequest) -> HttpResponse:
    audit_denied(request)
    return render(request, "403.html", status=403)


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST":
        if rate_limit_hit(scope="login", key=client_address(request), limit=settings.LOGIN_RATE_PER_MINUTE):
            form.add_error(None, _("Too many log-in attempts from this network; wait a minute and try again."))
        elif form.is_valid():
            try:
                user = authenticate(
                    request, username=form.cleaned_data["phone"], password=form.cleaned_data["password"]
                )
            except AccountLocked as locked:
                n = _minutes_left(locked.until)
                form.add_error(
                    None,
                    ngettext(
                        "Too many wrong passwords: this account is locked. Try again in %(n)d minute.",
                        "Too many wrong passwords: this account is locked. Try again in %(n)d minutes.",
                        n,
                    )
                    % {"n": n},
                )
            else:
                if user is None:
                    form.add_error(None, _("Wrong mobile number or password."))
                else:
                    login(request, user)
                    services.login_success_record(user=user)
                    return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def _form_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def register(request: HttpRequest) -> HttpResponse:
    """Residents sign up here, then ask to be bound to their house."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        if rate_limit_hit(scope="register", key=client_address(request), limit=10):
            form.add_error(None, _("Too many sign-ups from this network; wait a minute and try again."))
        elif form.is_valid():
            try:
                user = services.user_register(
                    phone=form.cleaned_data["phone"],
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                login(request, user, backend="gongzhi.accounts.backends.PhoneBackend")
                messages.success(request, _("Welcome! Now tell us which house you live in."))
                return redirect("estates:binding_new")
    return render(request, "accounts/register.html", {"form": form})


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Staff join an organization through a one-time link, logged in or creating an account."""
    # Every submission counts towards the limit, wrong links too.
    limited = request.method == "POST" and rate_limit_hit(scope="invitation", key=client_address(request), limit=10)
    try:
        invitation = services.invitation_open(token)
    except DomainError as exc:
        return _invitation_invalid(request, exc)
    form = RegisterForm(request.POST or None) if not request.user.is_authenticated else None
    if limited:
        message = _("Too many attempts from this network; wait a minute and try again.")
        if form is None:
            messages.error(request, message)
        else:
            form.add_error(None, message)
    elif request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(token=token, user=request.user)
            elif form is not None and form.is_valid():
                membership = services.invitation_accept(
                    token=token,
                    phone=form.cleaned_data["phone"],
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password"],
                )
                login(request, membership.user, backend="gongzhi.accounts.backends.PhoneBackend")
            else:
                membership = None
        except DomainError as exc:
            if form is None or not exc.field:
                return _invitation_invalid(request, exc)
            _form_error(form, exc)
        else:
            if membership is not None:
                messages.success(
                    request,
                    _("You have joined %(org)s as %(role)s.")
                    % {"org": membership.organization.name, "role": membership.get_role_display()},
                )
                return redirect("home")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})


def _invitation_invalid(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=exc.status)


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    mine = memberships_of(request.user)
    administered = organizations_administered(request.user).order_by("kind", "name")
    page = Paginator(administered, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/organization_list.html", {"memberships": mine, "page": page})


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        organization = organization_get(user=request.user, pk=pk)
    except DomainError as exc:
        return _denied(request) if exc.status == 403 else render(request, "404.html", status=404)
    return _organization_page(request, organization, InvitationForm(organization=organization))


def _organization_page(
    request: HttpRequest, organization: Organization, form: InvitationForm, status: int = 200
) -> HttpResponse:
    context = {
        "organization": organization,
        "members": Paginator(organization_members(user=request.user, organization=organization), 50).get_page(
            request.GET.get("page")
        ),
        "is_admin": organizations_administered(request.user).filter(pk=organization.pk).exists(),
        "invitations": invitations_for(user=request.user, organization=organization)[:50],
        "form": form,
        "new_link": request.session.pop("new_invitation_link", None),
    }
    services.members_view_record(actor=request.user, organization=organization, shown=len(context["members"]))
    return render(request, "accounts/organization_detail.html", context, status=status)


@login_required
@require_POST
def invitation_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        organization = organization_get(user=request.user, pk=pk, administered=True)
    except DomainError as exc:
        return _denied(request) if exc.status == 403 else render(request, "404.html", status=404)
    form = InvitationForm(request.POST, organization=organization)
    if rate_limit_hit(scope="invitation_new", key=str(request.user.pk), limit=30):
        form.add_error(None, _("Too many invitations at once; wait a minute and try again."))
    if not form.is_valid():
        return _organization_page(request, organization, form, status=400)
    try:
        _inv, token = services.invitation_create(
            actor=request.user,
            organization=organization,
            role=form.cleaned_data["role"],
            is_admin=form.cleaned_data["is_admin"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        if exc.status == 403:
            return _denied(request)
        _form_error(form, exc)
        return _organization_page(request, organization, form, status=exc.status)
    request.session["new_invitation_link"] = request.build_absolute_uri(
        reverse("accounts:invitation_accept", kwargs={"token": token})
    )
    messages.success(request, _("Invitation created. Copy the link now: it is shown only once."))
    return redirect("accounts:organization_detail", pk=pk)


@login_required
@require_POST
@posts_limited("invitation_revoke_view")
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invitation = invitation_get(user=request.user, pk=pk)
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as exc:
        if exc.status == 403:
            return _denied(request)
        if exc.status == 404:
            return render(request, "404.html", status=404)
        messages.error(request, exc.message)
        return redirect("accounts:organization_detail", pk=invitation.organization_id)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("accounts:organization_detail", pk=invitation.organization_id)


@login_required
@posts_limited("account_update")
def account_view(request: HttpRequest) -> HttpResponse:
    """My account: the user sets their own name and e-mail address (notifications are e-mailed there too)."""
    user = request.user
    assert isinstance(user, User)  # login_required
    if request.method == "POST":
        form = AccountForm(request.POST)
        if form.is_valid():
            try:
                services.account_update(
                    actor=user, user=user, name=form.cleaned_data["name"], email=form.cleaned_data["email"]
                )
            except DomainError as exc:
                if exc.status == 403:
                    return _denied(request)
                _form_error(form, exc)
            else:
                messages.success(request, _("Your account is saved."))
                return redirect("accounts:me")
        status = 400
    else:
        form = AccountForm(initial={"name": user.name, "email": user.email})
        status = 200
    context = {"form": form, "phone": mask_phone(user.phone)}
    return render(request, "accounts/account.html", context, status=status)
