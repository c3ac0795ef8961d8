"""Scoped reads of ledger imports (the compound has already been scope-checked by ``compound_get``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.accounts.roles import ESTATE_EDITORS
from gongzhi.core.errors import NotFound
from gongzhi.estates.models import Compound, LedgerImport
from gongzhi.estates.selectors import compounds_for


def ledger_import_get(*, compound: Compound, pk: int) -> LedgerImport:
    ledger_import = (
        LedgerImport.objects.filter(community_id=compound.community_id, compound=compound, pk=pk)
        .select_related("created_by")
        .first()
    )
    if ledger_import is None:
        raise NotFound(_("No such import."))
    return ledger_import


def ledger_editor(user: Any, roles: Iterable[str] = ESTATE_EDITORS) -> bool:
    """The user keeps a ledger (kept by ``roles``) of at least one compound, and so may download its template."""
    return compounds_for(user, roles).exists()
