"""Scoped reads of a community's routing rules and deadline policies (the "routing & deadlines" page).

Who sees the page: staff who see the voices of at least one compound of the community (``VOICE_VIEWERS``:
community and property staff, technicians, sub-district and district supervisors) and superusers. Who edits
it: ``voices.edit_routing`` (community secretary and community staff), checked again by the services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization
from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import Area, AreaLevel, Compound
from gongzhi.estates.selectors import compounds_for

from .models import Category, DeadlinePolicy, Kind, RoutingRule
from .rules import VOICE_VIEWERS

# Organizations a category's voices may be routed to: the same kinds a voice may be dispatched to
# (``forms.DISPATCH_KINDS``), looked up for the whole community.
ROUTING_KINDS = (OrgKind.PROPERTY, OrgKind.COMMUNITY, OrgKind.DEPARTMENT, OrgKind.POLICE, OrgKind.SUB_DISTRICT)


def _area_chain(community: Area) -> list[int]:
    """The community and the areas above it (sub-district, district, …)."""
    ids: list[int] = []
    area: Area | None = community
    while area is not None and len(ids) < 6:
        ids.append(area.pk)
        area = area.parent
    return ids


def routing_targets(*, community: Area) -> QuerySet[Organization]:
    """Organizations that may receive a community's voices: the property companies of its compounds, and the
    community, sub-district, department and police bodies of the community and the areas above it."""
    companies = Compound.objects.filter(community=community, property_company__isnull=False).values(
        "property_company_id"
    )
    q = Q(area_id__in=_area_chain(community), kind__in=ROUTING_KINDS) | Q(pk__in=companies)
    return Organization.objects.filter(q).order_by("kind", "name")


def policy_most_specific(policies: Iterable[DeadlinePolicy]) -> DeadlinePolicy | None:
    """Of the policies that match a voice, the one that applies.

    Specificity: community + category, community, default + category, default (the one definition, used by
    ``services.policy.deadline_hours`` too).
    """
    return max(
        policies,
        key=lambda p: (p.community_id is not None) * 2 + (p.category_id is not None),
        default=None,
    )


@dataclass(frozen=True)
class SettingsScope:
    """The community whose settings are shown, a compound of it in the user's scope (services take one),
    and whether the user may edit."""

    community: Area
    compound: Compound
    can_edit: bool


def settings_communities(*, user: Any) -> list[Area]:
    """Communities with at least one compound whose voices the user sees, by name."""
    ids = compounds_for(user, VOICE_VIEWERS).order_by().values("community_id")
    return list(
        Area.objects.filter(pk__in=ids, level=AreaLevel.COMMUNITY).select_related("parent").order_by("name", "pk")
    )


def settings_scope(*, user: Any, community_id: int) -> SettingsScope:
    """The community's settings for this user: NotFound when it does not exist (or has no compound),
    NotAllowed when none of its compounds is in the user's scope."""
    community = Area.objects.select_related("parent").filter(pk=community_id, level=AreaLevel.COMMUNITY).first()
    if community is None or not Compound.objects.filter(community=community).exists():
        raise NotFound(_("No such community."))
    compound = compounds_for(user, VOICE_VIEWERS).filter(community=community).first()
    if compound is None:
        raise NotAllowed(_("You do not see the voices of this community."))
    return SettingsScope(
        community=community, compound=compound, can_edit=user.has_perm("voices.edit_routing", compound)
    )


@dataclass(frozen=True)
class RoutingRow:
    category: Category
    organization: Organization | None  # None: the compound's own property company (no rule)


def routing_rows(*, community: Area) -> list[RoutingRow]:
    """Every active category (and any with a rule) with the organization its voices are routed to."""
    rules = {
        r.category_id: r.organization
        for r in RoutingRule.objects.filter(community=community).select_related("organization")
    }
    categories = Category.objects.filter(Q(is_active=True) | Q(pk__in=list(rules))).order_by("position", "id")
    return [RoutingRow(category=c, organization=rules.get(c.pk)) for c in categories]


def property_companies(*, community: Area) -> list[Organization]:
    """The distinct property companies of the community's compounds."""
    ids = Compound.objects.filter(community=community).values("property_company_id")
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


@dataclass(frozen=True)
class PolicyRow:
    """One kind × category (None: every category of the kind) of the deadline table.

    ``own``: this community's policy for exactly this row, if any; ``applies``: the response and resolution
    hours voices of this row get now; ``fallback``: what they would get without ``own`` (after a reset).
    """

    kind: str
    kind_label: str
    category: Category | None
    own: DeadlinePolicy | None
    applies: tuple[int, int | None]
    fallback: tuple[int, int | None]

    @property
    def is_override(self) -> bool:
        return self.own is not None


def _hours(policy: DeadlinePolicy | None, kind: str) -> tuple[int, int | None]:
    from .services.policy import FALLBACK_HOURS

    if policy is None:
        return (FALLBACK_HOURS[0], None if kind == Kind.PRAISE else FALLBACK_HOURS[1])
    return (policy.response_hours, policy.resolution_hours)


def policy_rows(*, community: Area) -> list[PolicyRow]:
    """The deadline table: for every kind a row for all its categories, then a row for each category that has
    a policy of its own (a default or this community's), in two queries."""
    policies = list(
        DeadlinePolicy.objects.filter(Q(community=community) | Q(community__isnull=True)).select_related("category")
    )
    categories = {p.category_id: p.category for p in policies if p.category_id is not None}
    order = {c.pk: (c.position, c.pk) for c in categories.values() if c is not None}
    rows: list[PolicyRow] = []
    for kind in Kind:
        mine = [p for p in policies if p.kind == kind.value]
        own_categories = {p.category_id for p in mine if p.category_id is not None}
        wanted: list[int | None] = [None, *sorted(own_categories, key=lambda pk: order[pk])]
        for category_id in wanted:
            matching = [p for p in mine if p.category_id in (None, category_id)]
            own = next((p for p in matching if p.community_id is not None and p.category_id == category_id), None)
            rows.append(
                PolicyRow(
                    kind=kind.value,
                    kind_label=str(kind.label),
                    category=categories.get(category_id) if category_id is not None else None,
                    own=own,
                    applies=_hours(policy_most_specific(matching), kind.value),
                    fallback=_hours(policy_most_specific(p for p in matching if p is not own), kind.value),
                )
            )
    return rows
