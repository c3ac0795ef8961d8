"""The dunning list (催缴): its export as .xlsx, and reminders to the residents bound to each house on it.

The export holds what staff may see of the households (owner's name and mobile only for those who may see
full numbers), never a formula (``estates.ledger.writing``), and is audited like the ledger exports.

A reminder is an in-app notification (``notifications.notify``); a house is reminded once per billing period:
the notification's deduplication key names the house and the newest period it owes, so sending again the same
day (or the next week) reaches nobody twice, and a house is reminded again only when a later period is owed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.crypto import mask_name
from gongzhi.estates.ledger.writing import _cell, _header, _widths
from gongzhi.estates.models import Compound
from gongzhi.notifications.services import notify

from ..money import yuan_text
from ..rules import may_keep_fees
from ..staff_selectors import dunning_details, dunning_rows, house_label, household_users
from ._common import require, today

REMINDER_VERB = "fees.reminder"
EXPORT_CHUNK = 500  # houses whose details are read in one go (keeps the IN lists short)


def reminder_key(house_id: int, period: str) -> str:
    return f"{REMINDER_VERB}:{house_id}:{period}"


@dataclass(frozen=True)
class ReminderResult:
    houses: int  # houses owing money
    reminded: int  # houses whose residents were notified now
    residents: int  # notifications sent now
    already: int  # houses already reminded for their newest period owed
    unbound: int  # houses with nobody bound on the platform


@transaction.atomic
def arrears_remind(*, actor: Any, compound: Compound, at: datetime.date | None = None) -> ReminderResult:
    """Notify the residents of every house on the compound's dunning list (as of ``at``, default today), once
    per house and period. Returns the counts; one audit event records them."""
    require(may_keep_fees(actor, compound), _("You may not send reminders in this compound."))
    day = at or today()
    details = dunning_details(compound=compound, at=day, rows=dunning_rows(user=actor, compound=compound, at=day))
    people = household_users(house_ids=[d.row.house_id for d in details])
    link = reverse("finance:my_fees")  # the owner's bills page
    reminded = residents = already = unbound = 0
    for d in details:
        users = people.get(d.row.house_id, [])
        if not users:
            unbound += 1
            continue
        sent = notify(
            recipients=users,
            verb=REMINDER_VERB,
            title=_("Property fee reminder"),
            body=_("%(house)s of %(compound)s owes %(amount)s in property fees for %(periods)s. Please pay them.")
            % {
                "house": house_label(d.house),
                "compound": compound.name,
                "amount": yuan_text(d.row.outstanding),
                "periods": "、".join(d.periods),
            },
            link=link,
            dedup_key=reminder_key(d.row.house_id, d.periods[-1] if d.periods else ""),
            community_id=compound.community_id,
        )
        if sent:
            reminded += 1
            residents += len(sent)
        else:
            already += 1
    result = ReminderResult(
        houses=len(details), reminded=reminded, residents=residents, already=already, unbound=unbound
    )
    audit_record(
        actor=actor,
        verb="fees.remind",
        obj=compound,
        community_id=compound.community_id,
        after={"at": day, **result.__dict__},
    )
    return result


def arrears_view_record(*, actor: Any, compound: Compound, shown: int, with_phones: bool) -> None:
    """A page of the dunning list (owners' names and mobiles, masked or not) was shown (DESIGN rule 7), as for
    the house list. Nothing to record when no house was on it."""
    if shown:
        audit_record(
            actor=actor,
            verb="fees.arrears_view",
            obj=compound,
            community_id=compound.community_id,
            after={"shown": shown, "full_phones": with_phones},
        )


def arrears_export(*, actor: Any, compound: Compound, out: IO[bytes], at: datetime.date | None = None) -> int:
    """Write the compound's dunning list (as of ``at``, default today) as .xlsx; audited. Returns the rows."""
    from openpyxl import Workbook

    require(may_keep_fees(actor, compound), _("You may not export this compound's arrears."))
    day = at or today()
    with_phones = bool(actor.has_perm("estates.view_phones", compound))
    rows = dunning_rows(user=actor, compound=compound, at=day)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Arrears")[:31])
    headers = [
        _("Building"),
        _("Unit"),
        _("Room"),
        _("Owner"),
        *([_("Owner's mobile")] if with_phones else []),
        _("Amount owed (¥)"),
        _("Bills owed"),
        _("Periods owed"),
        _("Oldest period owed"),
    ]
    _widths(sheet, [10, 8, 8, 12, *([14] if with_phones else []), 14, 10, 30, 14])
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, headers))
    for start in range(0, len(rows), EXPORT_CHUNK):
        for d in dunning_details(compound=compound, at=day, rows=rows[start : start + EXPORT_CHUNK]):
            house = d.house
            owner = house.owner_name if with_phones else mask_name(house.owner_name or "")
            values: list[Any] = [
                house.building.name,
                house.unit.name,
                house.room,
                owner,
                *([house.owner_phone] if with_phones else []),
                d.row.outstanding,
                d.row.bills,
                "、".join(d.periods),
                d.oldest_period,
            ]
            sheet.append([_cell(sheet, v) for v in values])
    workbook.save(out)
    audit_record(
        actor=actor,
        verb="fees.arrears_export",
        obj=compound,
        community_id=compound.community_id,
        after={"at": day, "rows": len(rows), "with_phones": with_phones},
    )
    return len(rows)
