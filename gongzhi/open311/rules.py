"""Who manages Open311 keys, as ``rules`` predicates (object = a Compound).

A key lets an outside system raise voices in a compound, so it is a decision of the compound's community:
the community staff who maintain the estate (``ESTATE_EDITORS`` within the community organization's
roles: the secretary and community staff; not grid workers, not the property company).
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.accounts.roles import ESTATE_EDITORS, ROLES_BY_KIND, OrgKind
from gongzhi.estates.models import Compound
from gongzhi.estates.scope import roles_in_compound

KEY_MANAGERS = ROLES_BY_KIND[OrgKind.COMMUNITY] & ESTATE_EDITORS


@rules.predicate
def is_key_manager(user: Any, compound: Any) -> bool:
    if not isinstance(compound, Compound) or not getattr(user, "is_authenticated", False):
        return False
    return bool(roles_in_compound(user, compound) & KEY_MANAGERS)


may_manage_keys = rules.is_superuser | is_key_manager

rules.add_perm("open311.manage_keys", may_manage_keys)
