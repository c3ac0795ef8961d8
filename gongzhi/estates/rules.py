"""Permissions over the estate, as ``rules`` predicates (object = a Compound or a House)."""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.accounts.roles import (
    BINDING_DECIDERS,
    ESTATE_EDITORS,
    ESTATE_VIEWERS,
    HOUSEHOLD_VIEWERS,
    PHONE_VIEWERS,
)

from .models import BindingStatus, Compound, House
from .scope import roles_in_compound


def _compound(obj: Any) -> Compound | None:
    if isinstance(obj, Compound):
        return obj
    if isinstance(obj, House):
        return obj.compound
    return None


def _has_role(roles: frozenset[str]) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        compound = _compound(obj)
        if compound is None or not getattr(user, "is_authenticated", False):
            return False
        return bool(roles_in_compound(user, compound) & roles)

    return predicate


is_superuser = rules.is_superuser


@rules.predicate
def is_bound_resident(user: Any, house: Any) -> bool:
    """The user's binding to this very house has been approved."""
    if not isinstance(house, House) or not getattr(user, "is_authenticated", False):
        return False
    return house.bindings.filter(user=user, status=BindingStatus.APPROVED).exists()


may_view_compound = is_superuser | _has_role(ESTATE_VIEWERS)
may_view_households = is_superuser | _has_role(HOUSEHOLD_VIEWERS)
may_view_phones = is_superuser | _has_role(PHONE_VIEWERS)
may_edit_ledger = is_superuser | _has_role(ESTATE_EDITORS)
may_decide_binding = is_superuser | _has_role(BINDING_DECIDERS)

rules.add_perm("estates.view_compound", may_view_compound)
rules.add_perm("estates.view_households", may_view_households)
rules.add_perm("estates.view_phones", may_view_phones)
rules.add_perm("estates.edit_ledger", may_edit_ledger)
rules.add_perm("estates.decide_binding", may_decide_binding)
rules.add_perm("estates.view_house", may_view_households | is_bound_resident)
