"""Who may import and export a compound's ledgers: each ledger's editors (``LedgerSpec.may_edit``).

By default a ledger is kept by the editors of the estate (the rules predicate ``estates.edit_ledger``); a
ledger of another app may name other roles (the fee ledger: finance staff and the property manager).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed
from gongzhi.estates.models import Compound
from gongzhi.estates.rules import may_edit_ledger, may_view_phones

from .spec import LedgerSpec


def ledger_access_check(actor: Any, compound: Compound, spec: LedgerSpec[Any] | None = None) -> None:
    """Refuse anyone who may not edit the ledger (``estates.edit_ledger`` when no ledger is named);
    ``None`` is the command line."""
    if actor is None:
        return
    allowed = spec.may_edit(actor, compound) if spec is not None else may_edit_ledger(actor, compound)
    if not allowed:
        raise NotAllowed(_("You may not import or export the ledgers of this compound."))


def ledger_export_check(
    actor: Any, compound: Compound, *, has_phones: bool = True, spec: LedgerSpec[Any] | None = None
) -> None:
    """Exports holding full mobile numbers: besides editing, the actor must be one who calls households.

    A ledger without phones (work orders, fees) is exported by everyone who may import it.
    """
    ledger_access_check(actor, compound, spec)
    if has_phones and actor is not None and not may_view_phones(actor, compound):
        raise NotAllowed(_("The ledger holds full mobile numbers; only staff who call households may export it."))


def ledger_may_export(
    actor: Any, compound: Compound, *, has_phones: bool = True, spec: LedgerSpec[Any] | None = None
) -> bool:
    try:
        ledger_export_check(actor, compound, has_phones=has_phones, spec=spec)
    except NotAllowed:
        return False
    return True
