"""Factories for joint meetings and action items (tests only).

Rows written straight to the tables (no service): for selectors, query counts and datasets. Tests of behaviour
go through the services.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

import factory
from django.utils import timezone

from gongzhi.meetings.models import (
    ActionItem,
    ActionItemVoice,
    ActionPhoto,
    ActionRating,
    ActionStatus,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    MeetingStatus,
    Party,
    PhotoStage,
    SignInMethod,
)
from gongzhi.voices.models import Score, Voice

from .factories import CompoundFactory, UserFactory


def _tomorrow_at_ten() -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    kind = MeetingKind.JOINT
    title = factory.Sequence(lambda n: f"三方联席会议 {n}")
    starts_at = factory.LazyFunction(_tomorrow_at_ten)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    place = "社区党群服务中心二楼会议室"
    status = MeetingStatus.PUBLISHED
    convener = factory.SubFactory(UserFactory)
    sign_in_nonce = factory.LazyFunction(lambda: secrets.token_hex(8))


class AgendaItemFactory(factory.django.DjangoModelFactory[AgendaItem]):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    community = factory.SelfAttribute("meeting.community")
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"议题 {n}")


class InvitationFactory(factory.django.DjangoModelFactory[MeetingInvitation]):
    class Meta:
        model = MeetingInvitation

    meeting = factory.SubFactory(MeetingFactory)
    community = factory.SelfAttribute("meeting.community")
    user = factory.SubFactory(UserFactory)
    party = Party.RESIDENTS


class AttendanceFactory(factory.django.DjangoModelFactory[Attendance]):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    community = factory.SelfAttribute("meeting.community")
    name = factory.Sequence(lambda n: f"参会人{n}")
    party = Party.RESIDENTS
    method = SignInMethod.STAFF
    signed_in_at = factory.LazyFunction(timezone.now)


class ActionItemFactory(factory.django.DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    title = factory.Sequence(lambda n: f"大堂照明改造 {n}")
    responsible_organization = factory.SelfAttribute("compound.property_company")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    status = ActionStatus.PLANNED
    progress = 0
    is_public = True


def link_voice(item: ActionItem, voice: Voice) -> ActionItemVoice:
    return ActionItemVoice.objects.create(community_id=item.community_id, action_item=item, voice=voice)


def photo_row(item: ActionItem, stage: str = PhotoStage.AFTER) -> ActionPhoto:
    """A photo row without a file (for lists and counts)."""
    return ActionPhoto.objects.create(
        community_id=item.community_id,
        action_item=item,
        stage=stage,
        image=f"meetings/actions/{item.community_id}/{secrets.token_hex(8)}.jpg",
        created_at=timezone.now(),
    )


def rating_row(item: ActionItem, rater: Any, score: str = Score.SATISFIED) -> ActionRating:
    return ActionRating.objects.create(
        community_id=item.community_id,
        action_item=item,
        rater=rater,
        round=max(item.done_round, 1),
        score=score,
        at=timezone.now(),
    )
