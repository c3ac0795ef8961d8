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
from ..policy_selectors import policy_most_specific, routing_targets
from ..rules import may_edit_routing
from ._common import require

# When no policy matches at all (the seeded defaults were deleted): response 24 h, resolution 72 h.
FALLBACK_HOURS: tuple[int, int | None] = (24, 72)
# A deadline longer than a year is a typing mistake, not a policy.
MAX_HOURS = 24 * 365


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
    best = policy_most_specific(policies)
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


def intake_policy(
    *, compound: Compound, kind: str, category: Category, start: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime | None, int | None]:
    """What ``deadlines`` and ``route_for`` give a new voice — its response and resolution deadlines, and the id
    of the organization it would be routed to — in one query: the deadline policies that may apply, each
    carrying the community's routing rule for the category."""
    from django.db.models import Subquery

    rule = RoutingRule.objects.filter(community_id=compound.community_id, category_id=category.pk)
    policies = list(
        DeadlinePolicy.objects.filter(
            Q(community_id=compound.community_id) | Q(community__isnull=True),
            Q(category_id=category.pk) | Q(category__isnull=True),
            kind=kind,
        ).annotate(routed_to=Subquery(rule.values("organization_id")[:1]))
    )
    if policies:
        routed: int | None = policies[0].routed_to
    else:  # no policy at all (the seeded defaults deleted): the rule on its own
        routed = rule.values_list("organization_id", flat=True).first()
    best = policy_most_specific(policies)
    if best is None:
        hours = (FALLBACK_HOURS[0], None if kind == Kind.PRAISE else FALLBACK_HOURS[1])
    else:
        hours = (best.response_hours, best.resolution_hours)
    return (
        start + datetime.timedelta(hours=hours[0]),
        start + datetime.timedelta(hours=hours[1]) if hours[1] is not None else None,
        routed if routed is not None else compound.property_company_id,
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
    """Route the category's voices of the compound's community to ``organization`` (None removes the rule).

    The organization must serve the community (``routing_targets``); anything else is refused, nothing changed.
    """
    require(may_edit_routing(actor, compound), _("You may not edit the routing rules of this community."))
    community: Area = compound.community
    if organization is not None and not routing_targets(community=community).filter(pk=organization.pk).exists():
        raise DomainError(
            _("Choose an organization that serves this community."), field="organization", code="unknown_organization"
        )
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


def _check_hours(response_hours: int, resolution_hours: int | None) -> None:
    """Whole hours from 1 to ``MAX_HOURS``; the resolution time no shorter than the response time."""
    if response_hours < 1:
        raise DomainError(_("The response time must be at least 1 hour."), field="response_hours")
    if response_hours > MAX_HOURS:
        raise DomainError(
            _("At most %(max)d hours (a year).") % {"max": MAX_HOURS}, field="response_hours", code="too_long"
        )
    if resolution_hours is None:
        return
    if resolution_hours < 1:
        raise DomainError(_("The resolution time must be at least 1 hour."), field="resolution_hours")
    if resolution_hours > MAX_HOURS:
        raise DomainError(
            _("At most %(max)d hours (a year).") % {"max": MAX_HOURS}, field="resolution_hours", code="too_long"
        )
    if resolution_hours < response_hours:
        raise DomainError(_("The resolution time cannot be shorter than the response time."), field="resolution_hours")


def _hours_of(policy: DeadlinePolicy | None) -> dict[str, int | None] | None:
    if policy is None:
        return None
    return {"response": policy.response_hours, "resolution": policy.resolution_hours}


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
    """Set the community's deadlines for a kind (× category); they override the defaults.

    Hours are whole hours from 1 to a year; the resolution time (None: no resolution deadline, as for praise)
    is no shorter than the response time. Voices already raised keep their deadlines.
    """
    require(may_edit_routing(actor, compound), _("You may not edit the deadlines of this community."))
    if kind not in Kind.values:
        raise DomainError(_("Unknown kind of voice."), field="kind")
    _check_hours(response_hours, resolution_hours)
    existing = (
        DeadlinePolicy.objects.select_for_update()
        .filter(community_id=compound.community_id, kind=kind, category=category)
        .first()
    )
    before = _hours_of(existing)
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
        before=before,
        after={"kind": kind, "category": category, "response": response_hours, "resolution": resolution_hours},
    )
    return policy


@transaction.atomic
def deadline_policy_reset(*, actor: Any, compound: Compound, kind: str, category: Category | None) -> None:
    """Remove the community's own deadlines for a kind (× category): the defaults apply again to new voices."""
    require(may_edit_routing(actor, compound), _("You may not edit the deadlines of this community."))
    own = list(
        DeadlinePolicy.objects.select_for_update().filter(
            community_id=compound.community_id, kind=kind, category=category
        )
    )
    if not own:
        raise DomainError(_("This community has no deadlines of its own here; the defaults already apply."))
    audit_record(
        actor=actor,
        verb="voice.deadline_policy_reset",
        obj=own[0],
        community_id=compound.community_id,
        before={"kind": kind, "category": category, **(_hours_of(own[0]) or {})},
        after=None,
    )
    DeadlinePolicy.objects.filter(pk__in=[p.pk for p in own]).delete()
