"""Action items (整改事项): the staff list with its filters, an item's page (linked voices, who is responsible, due
date, budget, progress, sub-items, the history of updates with before/after photos) with its forms — progress
with photos, status changes with a reason, sub-items, linked voices, a rating — editing and creating items,
photos served only to those who may see the item, and each compound's public 整改清单 for its residents.

Views are thin: forms read the input, selectors read in scope, services decide and write. Refusals of the input
show the page again with the reason (status 400), nothing changed; an item one may not see is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.accounts.models import Organization
from gongzhi.accounts.roles import ESTATE_VIEWERS, OrgKind
from gongzhi.accounts.selectors import memberships_of
from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Compound
from gongzhi.estates.scope import compound_filter
from gongzhi.voices.photos import thumb_name

from .. import selectors, services
from ..models import OPEN_ACTION_STATUSES, ActionItem, ActionRating, ActionStatus
from ..rules import (
    is_community_side,
    is_compound_staff,
    is_responsible,
    is_supervisor,
    may_cancel_action,
    may_create_action,
    may_rate_action,
    may_update_action,
)
from .actions_forms import (
    ActionEditForm,
    ActionFilterForm,
    ActionNewForm,
    ProgressForm,
    RateForm,
    SubItemForm,
    VoicesForm,
)
from .common import domain_errors, form_error, post_view
from .meetings import _people_choices, convener_compounds, invitable_organizations

PER_PAGE = 20
PHOTO_CACHE_SECONDS = 60 * 60
# Organizations that answer for action items across compounds (a compound's own property company is added).
SHARED_KINDS = (OrgKind.COMMUNITY, OrgKind.DEPARTMENT, OrgKind.POLICE, OrgKind.SUB_DISTRICT, OrgKind.DISTRICT)


# --- Who sees the staff pages -------------------------------------------------------------------------------------


def is_action_staff(user: Any) -> bool:
    """Staff of any organization (they may be responsible for items) and superusers; residents follow their
    compound's public list instead."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or memberships_of(user)))


def require_action_staff(user: Any) -> None:
    if not is_action_staff(user):
        raise NotAllowed(_("The action-item list is for staff; residents follow their compound's public list."))


def scope_compounds(user: Any) -> QuerySet[Compound]:
    """The compounds whose action items the user reads (community side, supervisors, the compound's staff)."""
    if user.is_superuser:
        return Compound.objects.order_by("name")
    q = compound_filter(user, ESTATE_VIEWERS)
    return Compound.objects.filter(q).order_by("name") if q is not None else Compound.objects.none()


def filter_organizations(user: Any, compounds: QuerySet[Compound]) -> QuerySet[Organization]:
    """The organizations the list may be filtered by: the compounds' property companies, community and
    government organizations, and the user's own."""
    own = [m.organization_id for m in memberships_of(user)]
    if user.is_superuser:
        return Organization.objects.exclude(kind=OrgKind.RESIDENTS).order_by("kind", "name")
    return Organization.objects.filter(
        Q(pk__in=compounds.values("property_company_id")) | Q(kind__in=SHARED_KINDS) | Q(pk__in=own)
    ).order_by("kind", "name")


def filtered_actions(request: HttpRequest) -> tuple[ActionFilterForm, QuerySet[ActionItem], dict[str, Any]]:
    """The list's filter form, the items it selects (annotated, constant queries) and the filters applied."""
    user = request.user
    compounds = scope_compounds(user)
    form = ActionFilterForm(request.GET, compounds=compounds, organizations=filter_organizations(user, compounds))
    data: dict[str, Any] = {}
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    else:  # keep the filters that are valid, drop the others
        data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in (None, "", False)}
    organization = data.get("organization")
    qs = selectors.actions_list(
        user=user,
        compound=data.get("compound"),
        status=data.get("status", ""),
        organization_id=organization.pk if organization is not None else None,
        meeting_id=data.get("meeting"),
        overdue_only=bool(data.get("overdue")),
        search=data.get("q", ""),
    )
    return form, qs, data


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- The staff list -----------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def action_list(request: HttpRequest) -> HttpResponse:
    require_action_staff(request.user)
    form, qs, data = filtered_actions(request)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    meeting = None
    if data.get("meeting"):
        meeting = selectors.meetings_visible(user=request.user).filter(pk=data["meeting"]).first()
    context = {
        "form": form,
        "page": page,
        "items": page.object_list,
        "query": _query(request),
        "filtered": bool(data),
        "meeting": meeting,
        "may_create": convener_compounds(request.user).exists(),
    }
    return render(request, "meetings/actions/list.html", context)


# --- Creating and editing -----------------------------------------------------------------------------------------


def _voice_ids(text: str) -> list[str]:
    parts = str(text or "").replace("，", ",").replace("#", "").replace(" ", ",").split(",")
    return [p.strip() for p in parts if p.strip()]


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def action_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    compounds = convener_compounds(user)
    if not compounds.exists():
        raise NotAllowed(_("You may not create action items."))
    code = request.POST.get("compound") or request.GET.get("compound", "")
    compound = compounds.filter(code=code).first() or compounds.first()
    assert compound is not None
    choices = {"organizations": invitable_organizations(compound), "users": _people_choices(compound)}
    if request.method == "POST":
        form = ActionNewForm(request.POST, compounds=compounds, **choices)
        if form.is_valid():
            d = form.cleaned_data
            try:
                item = services.action_item_create(
                    actor=user,
                    compound=d["compound"],
                    title=d["title"],
                    detail=d["detail"],
                    due_on=d["due_on"],
                    budget=d["budget"],
                    responsible_organization=d["responsible_organization"],
                    responsible_user=d["responsible_user"],
                    is_public=d["is_public"],
                    voice_ids=_voice_ids(d["voices"]),
                )
            except (NotAllowed, NotFound):
                raise
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The action item was created; the responsible side has been told."))
                return redirect("meetings:action_detail", pk=item.pk)
        return render(request, "meetings/actions/form.html", {"form": form, "item": None}, status=400)
    form = ActionNewForm(compounds=compounds, initial={"compound": compound, "is_public": True}, **choices)
    return render(request, "meetings/actions/form.html", {"form": form, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.action_get(user=user, pk=pk)
    if not may_cancel_action(user, item):
        raise NotAllowed(_("Only community staff may change an action item's details."))
    choices = {"organizations": invitable_organizations(item.compound), "users": _people_choices(item.compound)}

    def edit_form(*args: Any, **kwargs: Any) -> ActionEditForm:
        form = ActionEditForm(*args, **choices, **kwargs)
        if item.parent_id is None:
            del form.fields["weight"]  # a weight counts only towards a parent's progress
        return form

    if request.method == "POST":
        form = edit_form(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.action_item_edit(
                    actor=user,
                    item=item,
                    title=d["title"],
                    detail=d["detail"],
                    due_on=d["due_on"],
                    budget=d["budget"],
                    responsible_organization=d["responsible_organization"],
                    responsible_user=d["responsible_user"],
                    weight=d.get("weight", item.weight),
                    is_public=d["is_public"],
                )
            except (NotAllowed, NotFound):
                raise
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The action item was saved."))
                return redirect("meetings:action_detail", pk=item.pk)
        return render(request, "meetings/actions/form.html", {"form": form, "item": item}, status=400)
    initial = {
        "title": item.title,
        "detail": item.detail,
        "responsible_organization": item.responsible_organization_id,
        "responsible_user": item.responsible_user_id,
        "due_on": item.due_on.isoformat(),
        "budget": "" if item.budget is None else f"{item.budget:.2f}",
        "weight": str(item.weight),
        "is_public": item.is_public,
    }
    return render(request, "meetings/actions/form.html", {"form": edit_form(initial=initial), "item": item})


# --- The item's page ----------------------------------------------------------------------------------------------


def sees_internals(user: Any, item: ActionItem) -> bool:
    """Staff who see the item by their role (not only as a resident following the public list): they see the
    budget, the responsible person and who wrote each update."""
    if getattr(user, "is_superuser", False):
        return True
    return bool((is_community_side | is_supervisor | is_responsible | is_compound_staff)(user, item))


def _status_choices(user: Any, item: ActionItem) -> list[tuple[str, Any]]:
    allowed = ActionItem.TRANSITIONS.get(item.status, frozenset())
    out = []
    for choice in ActionStatus:
        if choice.value not in allowed:
            continue
        if choice.value == ActionStatus.CANCELLED and not may_cancel_action(user, item):
            continue
        label = _("Delayed again (new reason)") if choice.value == item.status else choice.label
        out.append((choice.value, label))
    return out


def _may_rate(user: Any, item: ActionItem) -> bool:
    if item.status != ActionStatus.DONE or not may_rate_action(user, item):
        return False
    return not ActionRating.objects.filter(
        community_id=item.community_id, action_item=item, rater=user, round=item.done_round
    ).exists()


def _progress_form(user: Any, item: ActionItem, subs: list[ActionItem], data: Any = None, files: Any = None) -> Any:
    form = ProgressForm(data, files, statuses=_status_choices(user, item))
    if any(s.status != ActionStatus.CANCELLED for s in subs):
        del form.fields["progress"]  # it follows the sub-items
    return form


def _detail(
    request: HttpRequest,
    item: ActionItem,
    *,
    progress_form: ProgressForm | None = None,
    sub_form: SubItemForm | None = None,
    voices_form: VoicesForm | None = None,
    rate_form: RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    subs = selectors.action_sub_items(user=user, item=item)
    internal = sees_internals(user, item)
    updatable = bool(may_update_action(user, item)) and item.status != ActionStatus.CANCELLED
    manages = bool(may_cancel_action(user, item))
    is_open = item.status in OPEN_ACTION_STATUSES
    organizations = invitable_organizations(item.compound)
    live = [s for s in subs if s.status != ActionStatus.CANCELLED]
    context: dict[str, Any] = {
        "item": item,
        "internal": internal,
        "subs": subs,
        "rolled_up": bool(live),
        "weight_total": sum(s.weight for s in live),
        "updates": selectors.action_updates(user=user, item=item),
        "voices": selectors.action_voices(user=user, item=item),
        "ratings": selectors.action_rating_counts(user=user, item=item) if item.done_round else None,
        "updatable": updatable,
        "manages": manages and is_open,
        "may_rate": _may_rate(user, item),
        "may_add_sub": updatable and is_open and item.parent_id is None,
        "public_list": item.is_public and not internal,
    }
    if updatable:
        context["progress_form"] = progress_form or _progress_form(user, item, subs)
    if context["may_add_sub"]:
        context["sub_form"] = sub_form or SubItemForm(organizations=organizations)
    if context["manages"]:
        context["voices_form"] = voices_form or VoicesForm()
    if context["may_rate"]:
        context["rate_form"] = rate_form or RateForm()
    return render(request, "meetings/actions/detail.html", context, status=status)


@login_required
@require_GET
@domain_errors
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.action_get(user=request.user, pk=pk))


def _refused(form: Any, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    if field_map and exc.field in field_map:
        form.add_error(field_map[exc.field], exc.message)
    else:
        form_error(form, exc)


@post_view("action_update", per_minute=20)
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.action_get(user=user, pk=pk)
    if not may_update_action(user, item):
        raise NotAllowed(_("You may not update this action item."))
    subs = selectors.action_sub_items(user=user, item=item)
    form = _progress_form(user, item, subs, request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.action_progress_update(
                actor=user,
                item=item,
                progress=d.get("progress"),
                status=d["status"],
                note=d["note"],
                reason=d["reason"],
                due_on=d["due_on"],
                photos_before=d["photos_before"],
                photos_after=d["photos_after"],
            )
        except (NotAllowed, NotFound):
            raise
        except DomainError as exc:
            _refused(form, exc, {"photos": "photos_after"})
        else:
            messages.success(request, _("The update was recorded."))
            return redirect("meetings:action_detail", pk=item.pk)
    return _detail(request, item, progress_form=form, status=400)


@post_view("action_sub_item", per_minute=20)
def action_sub_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.action_get(user=user, pk=pk)
    if not may_update_action(user, item):
        raise NotAllowed(_("You may not update this action item."))
    form = SubItemForm(request.POST, organizations=invitable_organizations(item.compound))
    if form.is_valid():
        d = form.cleaned_data
        try:
            sub = services.action_item_create(
                actor=user,
                parent=item,
                title=d["title"],
                due_on=d["due_on"],
                weight=d["weight"],
                responsible_organization=d["responsible_organization"],
            )
        except (NotAllowed, NotFound):
            raise
        except DomainError as exc:
            _refused(form, exc, {"parent": "title"})
        else:
            messages.success(request, _("Sub-item added: %(title)s") % {"title": sub.title})
            return redirect("meetings:action_detail", pk=item.pk)
    return _detail(request, item, sub_form=form, status=400)


@post_view("action_voices", per_minute=20)
def action_voices_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.action_get(user=user, pk=pk)
    if not may_cancel_action(user, item):
        raise NotAllowed(_("Only community staff may change an action item's details."))
    form = VoicesForm(request.POST)
    if form.is_valid():
        try:
            links = services.action_voices_link(actor=user, item=item, voice_ids=form.cleaned_data["voices"])
        except (NotAllowed, NotFound):
            raise
        except DomainError as exc:
            _refused(form, exc, {"voices": "voices"})
        else:
            messages.success(request, _("Voices linked: %(n)d new.") % {"n": len(links)})
            return redirect("meetings:action_detail", pk=item.pk)
    return _detail(request, item, voices_form=form, status=400)


@post_view("action_rate", per_minute=10)
def action_rate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.action_get(user=user, pk=pk)
    if not may_rate_action(user, item):
        raise NotAllowed(_("Only residents whose voices this item answers may rate it."))
    back_to_list = request.POST.get("from") == "public"
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.action_rate(
                actor=user, item=item, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except (NotAllowed, NotFound):
            raise
        except DomainError as exc:
            if back_to_list:
                messages.error(request, exc.message)
                return redirect("meetings:actions_public", code=item.compound.code)
            if exc.field in form.fields:
                form_error(form, exc)
            else:  # not done yet, or rated already: the form is not shown, the reason is
                messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you: your rating was recorded."))
            if back_to_list:
                return redirect("meetings:actions_public", code=item.compound.code)
            return redirect("meetings:action_detail", pk=item.pk)
    elif back_to_list:
        messages.error(request, _("Choose satisfied, basically satisfied or dissatisfied."))
        return redirect("meetings:actions_public", code=item.compound.code)
    return _detail(request, item, rate_form=form, status=400)


@login_required
@require_GET
def action_photo(request: HttpRequest, pk: int, photo: int) -> HttpResponseBase:
    """A photo of an item, only to those who may see the item; ``?size=thumb`` for the thumbnail."""
    try:
        found = selectors.action_photo_get(user=request.user, item_pk=pk, photo_id=photo)
    except NotFound as exc:  # the same answer whether the photo does not exist or is not the user's to see
        raise Http404(exc.message) from exc
    storage = found.image.storage
    name = found.image.name or ""
    if request.GET.get("size") == "thumb" and storage.exists(thumb_name(name)):
        name = thumb_name(name)
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("No such photo.") from exc
    suffix = "-thumb" if name != found.image.name else ""
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="action-{pk}-photo-{found.pk}{suffix}.jpg"'
    patch_cache_control(response, private=True, max_age=PHOTO_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response


# --- The public 整改清单 ------------------------------------------------------------------------------------------

PUBLIC_SHOW = {"open": list(OPEN_ACTION_STATUSES), "done": [ActionStatus.DONE]}


@login_required
@require_GET
@domain_errors
def action_list_public(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    compound = Compound.objects.filter(code=code).first()
    if compound is None:
        raise NotFound(_("No such compound."))
    qs = selectors.action_list_public(user=user, compound=compound)
    show = request.GET.get("show", "")
    if show in PUBLIC_SHOW:
        qs = qs.filter(status__in=PUBLIC_SHOW[show])
    else:
        show = ""
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    rateable = set(
        selectors.actions_to_rate(user=user).filter(pk__in=[i.pk for i in items]).values_list("pk", flat=True)
    )
    context = {
        "compound": compound,
        "page": page,
        "items": items,
        "show": show,
        "query": _query(request),
        "rateable": rateable,
        "rate_form": RateForm(),
        "staff": is_action_staff(user),
        "may_create": bool(may_create_action(user, compound)),
    }
    return render(request, "meetings/actions/public.html", context)
