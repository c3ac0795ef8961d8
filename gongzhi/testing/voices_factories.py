"""Factories for residents' voices (tests only)."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from gongzhi.voices.models import Category, Kind, LocationKind, Status, Voice, VoiceEvent, VoiceRating

from .factories import CompoundFactory, UserFactory


def category(name: str = "设施维修") -> Category:
    """One of the seeded categories (created if a test database lacks the seed)."""
    found, _created = Category.objects.get_or_create(name=name)
    return found


class VoiceFactory(factory.django.DjangoModelFactory[Voice]):
    """A voice written straight to the table (no service): for KPI datasets and selectors."""

    class Meta:
        model = Voice

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    author = factory.SubFactory(UserFactory)
    kind = Kind.COMPLAINT
    category = factory.LazyFunction(category)
    text = factory.Sequence(lambda n: f"电梯坏了 {n}")
    location_kind = LocationKind.PUBLIC_AREA
    status = Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    response_due_at = factory.LazyAttribute(lambda o: o.submitted_at + datetime.timedelta(hours=24))
    resolution_due_at = factory.LazyAttribute(
        lambda o: None if o.kind == Kind.PRAISE else o.submitted_at + datetime.timedelta(hours=72)
    )


def event(voice: Voice, verb: str, at: datetime.datetime, **kwargs: Any) -> VoiceEvent:
    return VoiceEvent.objects.create(community_id=voice.community_id, voice=voice, verb=verb, at=at, **kwargs)


def rating(voice: Voice, score: str, at: datetime.datetime) -> VoiceRating:
    return VoiceRating.objects.create(
        community_id=voice.community_id, voice=voice, rater=voice.author, score=score, at=at
    )
