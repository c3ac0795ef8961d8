"""Which duty links the navigation shows: the posts to staff of a compound, "my duty" to whoever may serve
(police officers, property staff, residents) or is on a shift."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.accounts.roles import ESTATE_VIEWERS, OrgKind, Role
from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.selectors import houses_of_resident

from .models import Assignment


def _links(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    memberships = memberships_of(user)
    posts = user.is_superuser or any(m.role in ESTATE_VIEWERS for m in memberships)
    serves = any(m.role == Role.OFFICER or m.organization.kind == OrgKind.PROPERTY for m in memberships)
    mine = serves or houses_of_resident(user).exists() or Assignment.objects.filter(user_id=user.pk).exists()
    return {"posts": posts, "mine": mine}


def duty_nav(request: HttpRequest) -> dict[str, Any]:
    return {"duty_nav": SimpleLazyObject(lambda: _links(request))}
