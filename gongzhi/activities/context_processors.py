"""Which activities links the navigation shows: the calendar to staff and residents; care of vacant homes to
property staff and to owners."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.models import BindingStatus, HouseBinding, Relation

from .roles import CARE_STAFF


def _links(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    memberships = memberships_of(user)
    bindings = set(
        HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values_list("relation", flat=True)
    )
    staff = user.is_superuser or bool(memberships)
    return {
        "activities": staff or bool(bindings),
        "care": user.is_superuser or Relation.OWNER in bindings or any(m.role in CARE_STAFF for m in memberships),
    }


def activities_nav(request: HttpRequest) -> dict[str, Any]:
    return {"activities_nav": SimpleLazyObject(lambda: _links(request))}
