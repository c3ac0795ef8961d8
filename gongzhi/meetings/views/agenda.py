"""Building a meeting's agenda: the candidates (hot topics, overdue voices, open action items) offered with
checkboxes for the convener to pick, or an item written freely; before the meeting is held, items edited (title,
notes, private), moved up or down, and taken off again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import DomainError, NotAllowed, NotFound

from .. import selectors, services
from ..forms import FreeAgendaItemForm
from ..models import TITLE_MAX, ActionItem, AgendaItem, Meeting
from ..services.agenda import ADDABLE, EDITABLE, MOVES, REMOVABLE, agenda_item_move
from .common import act, convener_meeting, domain_errors, post_view, run_service


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(d, d) for d in MOVES])


def _edit_prefix(item: AgendaItem) -> str:
    return f"item{item.pk}"


def _edit_form(item: AgendaItem, data: Any = None) -> FreeAgendaItemForm:
    """The form to edit one item; prefixed so that each item's fields have their own ids on the page."""
    initial = {"title": item.title, "detail": item.detail, "is_private": item.is_private}
    return FreeAgendaItemForm(data, initial=initial, prefix=_edit_prefix(item))


def _page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    free_form: FreeAgendaItemForm | None = None,
    edit_form: tuple[int, FreeAgendaItemForm] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    addable = meeting.status in ADDABLE
    editable = meeting.status in EDITABLE
    candidates = selectors.agenda_candidates(user=user, compound=meeting.compound) if addable else None
    agenda = selectors.meeting_agenda(user=user, meeting=meeting)
    on_agenda_actions = {i.action_item_id for i in agenda if i.action_item_id}
    rows = [
        (
            item,
            (edit_form[1] if edit_form is not None and edit_form[0] == item.pk else _edit_form(item))
            if editable
            else None,
        )
        for item in agenda
    ]
    context: dict[str, Any] = {
        "meeting": meeting,
        "agenda": agenda,
        "rows": rows,
        "addable": addable,
        "editable": editable,
        "removable": meeting.status in REMOVABLE,
        "candidates": candidates,
        "topics": [
            (i, t, " ".join(t.words), ",".join(str(v.pk) for v in t.voices)) for i, t in enumerate(candidates.topics)
        ]
        if candidates
        else [],
        "on_agenda_actions": on_agenda_actions,
        "free_form": free_form or FreeAgendaItemForm(),
        "error": error,
    }
    return render(request, "meetings/agenda.html", context, status=status)


@login_required
@require_GET
@domain_errors
def agenda_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, convener_meeting(request.user, pk))


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


@post_view("agenda_pick")
def agenda_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the picked candidates, all or none: one item per hot topic, one for the overdue voices picked, one per
    open action item."""
    meeting = convener_meeting(request.user, pk)
    post = request.POST
    topics = _ids(post.getlist("topic"))
    voice_ids = _ids(post.getlist("voice"))
    action_ids = _ids(post.getlist("action"))
    if not (topics or voice_ids or action_ids):
        return _page(request, meeting, error=_("Pick at least one candidate."), status=400)
    actions = {
        a.pk: a
        for a in ActionItem.objects.filter(
            community_id=meeting.community_id, compound=meeting.compound, pk__in=action_ids
        )
    }
    added = 0
    try:
        with transaction.atomic():
            for i in topics:
                words = post.get(f"topic_{i}_words", "").split()
                voices = post.get(f"topic_{i}_voices", "").split(",")
                services.agenda_item_add(actor=request.user, meeting=meeting, topic_words=words, voice_ids=_ids(voices))
                added += 1
            if voice_ids:
                title = _("Overdue voices (%(n)d)") % {"n": len(voice_ids)}
                services.agenda_item_add(
                    actor=request.user, meeting=meeting, title=title[:TITLE_MAX], voice_ids=voice_ids
                )
                added += 1
            for action_id in action_ids:
                action = actions.get(action_id)
                if action is None:
                    raise DomainError(_("This action item belongs to another compound."), field="action_item")
                services.agenda_item_add(actor=request.user, meeting=meeting, action_item=action)
                added += 1
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        return _page(request, meeting, error=exc.message, status=400)
    messages.success(request, _("Added to the agenda: %(n)d items.") % {"n": added})
    return redirect("meetings:agenda", pk=meeting.pk)


@post_view("agenda_free")
def agenda_free(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    form = FreeAgendaItemForm(request.POST)
    ok, _item = run_service(
        form,
        lambda d: services.agenda_item_add(
            actor=request.user, meeting=meeting, title=d["title"], detail=d["detail"], is_private=d["is_private"]
        ),
    )
    if ok:
        messages.success(request, _("Added to the agenda."))
        return redirect("meetings:agenda", pk=meeting.pk)
    return _page(request, meeting, free_form=form, status=400)


@post_view("agenda_remove")
def agenda_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    found = AgendaItem.objects.filter(community_id=meeting.community_id, meeting=meeting, pk=item).first()
    if found is None:
        raise NotFound(_("No such agenda item."))
    return act(
        request,
        lambda: services.agenda_item_remove(actor=request.user, item=found),
        _("The item was taken off the agenda."),
        "meetings:agenda",
        pk=meeting.pk,
    )


def _agenda_item(meeting: Meeting, pk: int) -> AgendaItem:
    found = AgendaItem.objects.filter(community_id=meeting.community_id, meeting=meeting, pk=pk).first()
    if found is None:
        raise NotFound(_("No such agenda item."))
    return found


def _back_to(meeting: Meeting, item: AgendaItem) -> HttpResponse:
    return redirect(reverse("meetings:agenda", kwargs={"pk": meeting.pk}) + f"#item-{item.pk}")


@post_view("agenda_edit", per_minute=60)
def agenda_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """Save an item's title, notes and whether it is private (before the meeting is held)."""
    meeting = convener_meeting(request.user, pk)
    found = _agenda_item(meeting, item)
    form = _edit_form(found, request.POST)
    ok, _saved = run_service(
        form,
        lambda d: services.agenda_item_update(
            actor=request.user, item=found, title=d["title"], detail=d["detail"], is_private=d["is_private"]
        ),
    )
    if ok:
        messages.success(request, _("The agenda item was saved."))
        return _back_to(meeting, found)
    if meeting.status not in EDITABLE:  # no form on the page any more: the reason above the agenda
        return _page(request, meeting, error=" ".join(str(e) for e in form.non_field_errors()), status=400)
    return _page(request, meeting, edit_form=(found.pk, form), status=400)


@post_view("agenda_move", per_minute=120)
def agenda_move(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """Move an item one place up or down (a button each; no script needed)."""
    meeting = convener_meeting(request.user, pk)
    found = _agenda_item(meeting, item)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _page(request, meeting, error=_("Move an item up or down."), status=400)
    try:
        agenda_item_move(actor=request.user, item=found, direction=form.cleaned_data["direction"])
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        return _page(request, meeting, error=exc.message, status=400)
    return _back_to(meeting, found)
