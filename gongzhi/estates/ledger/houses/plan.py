"""Comparing house rows with the stored compound: what will be created, updated or left alone."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from gongzhi.core import crypto
from gongzhi.estates.models import Compound

from ..errors import RowError
from ..spec import Plan
from .rows import HEADER, STATUS_LABELS, TYPE_LABELS, HouseRow
from .state import Stored, StoredHouse, stored_load

MAX_SAMPLES = 100
HIDDEN = "***"


def house_changes(row: HouseRow, stored: StoredHouse, present: frozenset[str]) -> dict[str, tuple[Any, Any]]:
    """Field → (stored, new) for every value the row changes. Columns absent from the file change nothing."""
    changes: dict[str, tuple[Any, Any]] = {}

    def compare(key: str, before: Any, after: Any) -> None:
        if before != after:
            changes[key] = (before, after)

    if "phase" in present:
        compare("phase", stored.phase, row.phase)
    if row.floor_given:
        compare("floor", stored.floor, row.floor)
    compare("area", stored.area, row.area)
    compare("status", stored.status, row.status)
    if "delivered_on" in present:
        compare("delivered_on", stored.delivered_on, row.delivered_on)
    if "moved_in_on" in present:
        compare("moved_in_on", stored.moved_in_on, row.moved_in_on)
    if "owner_name" in present:
        compare("owner_name", stored.owner_name, row.owner_name)
    if "phone" in present and crypto.phone_hash(row.phone) != stored.phone_hash:
        changes["phone"] = (HIDDEN if stored.phone_hash else "", row.phone)
    if row.permanent is not None:
        compare("permanent_residents", stored.residents, row.permanent)
    if "house_type" in present:
        compare("house_type", stored.house_type, row.house_type)
    return changes


def residents_error(row: HouseRow, stored: StoredHouse | None) -> RowError | None:
    """常住人数 may not fall below the residents a ledger cannot remove (named or registered people)."""
    if stored is None or row.permanent is None or row.permanent >= stored.fixed:
        return None
    return RowError(
        row.row,
        HEADER["permanent_residents"],
        gettext_noop("The house has %(n)s registered permanent residents; 常住人数 cannot be lower."),
        {"n": stored.fixed},
    )


def display(key: str, value: Any) -> str:
    """A value as the preview shows it: status words, masked phones, ISO dates."""
    if value is None or value == "":
        return ""
    if key == "status":
        return STATUS_LABELS.get(value, str(value))
    if key == "house_type":
        return TYPE_LABELS.get(value, str(value))
    if key == "phone":
        return value if value == HIDDEN else crypto.mask_phone(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def sample(row: HouseRow, action: str, changes: dict[str, tuple[Any, Any]] | None = None) -> dict[str, Any]:
    return {
        "row": row.row,
        "house": f"{row.building}{row.unit}{row.room}",
        "action": action,
        "owner_name": row.owner_name,
        "status": STATUS_LABELS[row.status],
        "changes": [[HEADER[k], display(k, b), display(k, a)] for k, (b, a) in (changes or {}).items()],
    }


def houses_plan(
    *, compound: Compound, rows: list[HouseRow], present: frozenset[str], stored: Stored | None = None
) -> Plan:
    stored = stored if stored is not None else stored_load(compound)
    plan = Plan()
    for row in rows:
        current = stored.houses.get(row.key)
        error = residents_error(row, current)
        if error is not None:
            plan.errors.append(error)
            continue
        if current is None:
            plan.created += 1
            if len(plan.samples) < MAX_SAMPLES:
                plan.samples.append(sample(row, "create"))
            continue
        changes = house_changes(row, current, present)
        if changes:
            plan.updated += 1
            if len(plan.samples) < MAX_SAMPLES:
                plan.samples.append(sample(row, "update", changes))
        else:
            plan.unchanged += 1
    return plan
