"""Who may import and export a compound's ledgers: the rules predicate ``estates.edit_ledger``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed
from gongzhi.estates.models import Compound
from gongzhi.estates.rules import may_edit_ledger, may_view_phones


def ledger_access_check(actor: Any, compound: Compound) -> None:
    """Refuse anyone without ``estates.edit_ledger`` on the compound; ``None`` is the command line."""
    if actor is None:
        return
    if not may_edit_ledger(actor, compound):
        raise NotAllowed(_("You may not import or export the ledgers of this compound."))


def ledger_export_check(actor: Any, compound: Compound, *, has_phones: bool = True) -> None:
    """Exports holding full mobile numbers: besides editing, the actor must be one who calls households.

    A ledger without phones (work orders) is exported by everyone who may import it.
    """
    ledger_access_check(actor, compound)
    if has_phones and actor is not None and not may_view_phones(actor, compound):
        raise NotAllowed(_("The ledger holds full mobile numbers; only staff who call households may export it."))


def ledger_may_export(actor: Any, compound: Compound, *, has_phones: bool = True) -> bool:
    try:
        ledger_export_check(actor, compound, has_phones=has_phones)
    except NotAllowed:
        return False
    return True
