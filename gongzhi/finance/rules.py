"""Who may do what with property fees and published accounts, as ``rules`` predicates.

The object is a Compound, or anything of one compound (a House, FeeStandard, Bill, Payment, Refund,
Statement, …).

- The property company's finance staff and property manager keep the fees of the compounds their company
  manages: standards, commitments, bills, reductions, payments, refund requests, statements. Only the property
  manager approves refunds and reductions (someone other than the finance staff who ask).
- Community staff, residents' representatives and sub-district / district supervisors read the collection
  figures and the published statements, standards and commitments of the compounds in their scope.
- Residents read their own house's bills and payments (approved binding only) and the published statements,
  standards and commitments of the compounds they live in.
- Everyone else: nothing.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.accounts.roles import Role
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding
from gongzhi.estates.scope import roles_in_compound

from .models import Bill, FeeStandard, Payment, Reduction, Refund, ServiceCommitment, Statement, StatementLine

# Keep the fees of their company's compounds: standards, bills, payments, refund requests, statements.
FEE_KEEPERS = frozenset({Role.PROPERTY_MANAGER, Role.FINANCE})
# Approve refunds and reductions.
FEE_APPROVERS = frozenset({Role.PROPERTY_MANAGER})
# Read collection figures and published statements (no household's bills).
FIGURE_READERS = FEE_KEEPERS | {
    Role.SECRETARY,
    Role.GRID_WORKER,
    Role.COMMUNITY_STAFF,
    Role.REPRESENTATIVE,
    Role.SUPERVISOR,
}


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def compound_of(obj: Any) -> Compound | None:
    if isinstance(obj, Compound):
        return obj
    if isinstance(obj, House | FeeStandard | ServiceCommitment | Bill | Payment | Reduction | Refund | Statement):
        return obj.compound
    if isinstance(obj, StatementLine):
        return obj.statement.compound
    return None


def _house_id(obj: Any) -> int | None:
    if isinstance(obj, House):
        return obj.pk
    if isinstance(obj, Bill | Payment | Reduction | Refund):
        return obj.house_id
    return None


def _compound_role(roles: frozenset[str]) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        compound = compound_of(obj)
        if compound is None or not _authenticated(user):
            return False
        return bool(roles_in_compound(user, compound) & roles)

    return predicate


@rules.predicate
def is_household(user: Any, obj: Any) -> bool:
    """The user's binding to the house (of this bill, payment, …) has been approved."""
    house_id = _house_id(obj)
    if house_id is None or not _authenticated(user):
        return False
    return HouseBinding.objects.filter(house_id=house_id, user=user, status=BindingStatus.APPROVED).exists()


@rules.predicate
def is_compound_resident(user: Any, obj: Any) -> bool:
    """The user has an approved binding to a house of the compound."""
    compound = compound_of(obj)
    if compound is None or not _authenticated(user):
        return False
    return HouseBinding.objects.filter(
        community_id=compound.community_id, compound=compound, user=user, status=BindingStatus.APPROVED
    ).exists()


@rules.predicate
def is_public_statement(user: Any, obj: Any) -> bool:
    """A statement version that has been published (the current one, or one corrected since)."""
    statement = obj.statement if isinstance(obj, StatementLine) else obj
    return isinstance(statement, Statement) and statement.is_public


is_superuser = rules.is_superuser

may_keep_fees = is_superuser | _compound_role(FEE_KEEPERS)
may_approve_fees = is_superuser | _compound_role(FEE_APPROVERS)
may_view_figures = is_superuser | _compound_role(FIGURE_READERS)
may_view_bills = may_keep_fees | is_household
# Published statements, fee standards and service commitments are public to the compound.
may_view_published = may_view_figures | is_compound_resident
may_view_statement = may_keep_fees | (is_public_statement & may_view_published)

rules.add_perm("finance.keep_fees", may_keep_fees)
rules.add_perm("finance.approve_fees", may_approve_fees)
rules.add_perm("finance.view_figures", may_view_figures)
rules.add_perm("finance.view_bills", may_view_bills)
rules.add_perm("finance.view_published", may_view_published)
rules.add_perm("finance.view_statement", may_view_statement)
