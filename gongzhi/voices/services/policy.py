"""Deadline policies and routing rules: looking them up, and community staff editing them."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError
from gongzhi.estates.models import Area, Compound

from ..models import Category, DeadlinePolicy, Kind, RoutingRule
from ..rules import may_edit_routing
from ._common import require

# When no policy matches at all (the seeded defaults were deleted): response 24 h, resolution 72 h.
FALLBACK_HOURS: tuple[int, int | None] = (24, 72)


def deadline_hours(*, community_id: int, kind: str, category: Category | None) -> tuple[int, int | None]:
    """(response hours, resolution hours or None) of the most specific policy.

    Specificity: community + category, community, default + category, default.
    """
    category_id = category.pk if category else None
    policies = DeadlinePolicy.objects.filter(
        Q(community_id=community_id) | Q(community__isnull=True),
        Q(category_id=category_id) | Q(category__isnull=True),
        kind=kind,
    )
    best = max(
        policies,
        key=lambda p: (p.community_id is not None) * 2 + (p.category_id is not None),
        default=None,
    )
    if best is None:
        return (FALLBACK_HOURS[0], None if kind == Kind.PRAISE else FALLBACK_HOURS[1])
    return (best.response_hours, best.resolution_hours)


def deadlines(
    *, community_id: int, kind: str, category: Category | None, start: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime | None]:
    response, resolution = deadline_hours(community_id=community_id, kind=kind, category=category)
    return (
        start + datetime.timedelta(hours=response),
        start + datetime.timedelta(hours=resolution) if resolution is not None else None,
    )


def route_for(*, compound: Compound, category: Category | None) -> Organization | None:
    """The organization a category's voices go to: the community's routing rule, else the property company."""
    if category is not None:
        rule = (
            RoutingRule.objects.filter(community_id=compound.community_id, category=category)
            .select_related("organization")
            .first()
        )
        if rule is not None:
            return rule.organization
    return compound.property_company


@transaction.atomic
def routing_rule_set(
    *, actor: Any, compound: Compound, category: Category, organization: Organization | None
) -> RoutingRule | None:
    """Route the category's voices of the compound's community to ``organization`` (None removes the rule)."""
    require(may_edit_routing(actor, compound), _("You may not edit the routing rules of this community."))
    community: Area = compound.community
    existing = RoutingRule.objects.select_for_update().filter(community=community, category=category).first()
    before = {"organization": existing.organization_id} if existing else None
    if organization is None:
        if existing:
            existing.delete()
        rule = None
    elif existing:
        existing.organization = organization
        existing.save(update_fields=["organization"])
        rule = existing
    else:
        rule = RoutingRule.objects.create(community=community, category=category, organization=organization)
    audit_record(
        actor=actor,
        verb="voice.routing_rule",
        object_type="voices.routingrule",
        object_id=f"{community.pk}:{category.pk}",
        community_id=community.pk,
        before=before,
        after={"organization": organization.pk if organization else None},
    )
    return rule


@transaction.atomic
def deadline_policy_set(
    *,
    actor: Any,
    compound: Compound,
    kind: str,
    category: Category | None,
    response_hours: int,
    resolution_hours: int | None,
) -> DeadlinePolicy:
    """Set the community's deadlines for a kind (× category); they override the defaults."""
    require(may_edit_routing(actor, compound), _("You may not edit the deadlines of this community."))
    if kind not in Kind.values:
        raise DomainError(_("Unknown kind of voice."), field="kind")
    if response_hours < 1 or (resolution_hours is not None and resolution_hours < response_hours):
        raise DomainError(
            _("The response time must be at least an hour and no longer than the resolution time."),
            field="response_hours",
        )
    policy, _created = DeadlinePolicy.objects.update_or_create(
        community_id=compound.community_id,
        kind=kind,
        category=category,
        defaults={"response_hours": response_hours, "resolution_hours": resolution_hours},
    )
    audit_record(
        actor=actor,
        verb="voice.deadline_policy",
        obj=policy,
        community_id=compound.community_id,
        after={"kind": kind, "category": category, "response": response_hours, "resolution": resolution_hours},
    )
    return policy
