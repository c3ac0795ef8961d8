"""Which voice links the navigation shows: the queue for staff who handle voices, "My voices" for residents,
hot topics for staff and residents' representatives, routing and deadlines for voice staff of a compound."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.scope import compound_filter
from gongzhi.estates.selectors import houses_of_resident


def _links(request: HttpRequest) -> dict[str, bool]:
    from .rules import VOICE_VIEWERS
    from .selectors import TOPIC_VIEWERS
    from .views.pages import handles_voices

    user = request.user
    if not user.is_authenticated:
        return {}
    staff = user.is_superuser or bool(memberships_of(user))
    return {
        "queue": handles_voices(user),
        "mine": not staff or houses_of_resident(user).exists(),
        "topics": user.is_superuser or compound_filter(user, TOPIC_VIEWERS) is not None,
        "settings": user.is_superuser or compound_filter(user, VOICE_VIEWERS) is not None,
    }


def voices_nav(request: HttpRequest) -> dict[str, Any]:
    return {"voices_nav": SimpleLazyObject(lambda: _links(request))}
