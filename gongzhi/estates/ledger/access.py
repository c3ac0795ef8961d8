"""Who may import and export a compound's ledgers: the rules predicate ``estates.edit_ledger``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed
from gongzhi.estates.models import Compound
from gongzhi.estates.rules import may_edit_ledger


def ledger_access_check(actor: Any, compound: Compound) -> None:
    """Refuse anyone without ``estates.edit_ledger`` on the compound; ``None`` is the command line."""
    if actor is None:
        return
    if not may_edit_ledger(actor, compound):
        raise NotAllowed(_("You may not import or export the ledgers of this compound."))
