"""``{% mediation_case_link voice %}`` on the voice page: a link to the case the voice became, shown only to
those who may see the case (nothing at all for anyone else), and "open a mediation case" for those who may."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def mediation_case_link(context: Any, voice: Any) -> str:
    from ..models import Case
    from ..rules import may_open_case, may_view_case

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or voice is None:
        return ""
    case = Case.objects.filter(community_id=voice.community_id, voice_id=voice.pk).select_related("compound").first()
    if case is not None:
        if not may_view_case(user, case):
            return ""
        return format_html(
            '<p class="mediation-link"><a href="{}" id="mediation-case-link">{}</a></p>',
            reverse("mediation:detail", args=[case.pk]),
            _("Mediation case #%(id)s") % {"id": case.pk},
        )
    if may_open_case(user, voice.compound):
        return format_html(
            '<p class="mediation-link"><a class="btn secondary" href="{}" id="mediation-open">{}</a></p>',
            reverse("mediation:from_voice", args=[voice.pk]),
            _("Open a mediation case"),
        )
    return ""
