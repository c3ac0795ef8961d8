"""Factories for notices, read receipts and lobby screens (tests only).

Rows written straight to the tables (no service): for selectors, query counts and datasets. Tests of behaviour
go through the services.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

import factory
from django.utils import timezone

from gongzhi.accounts.models import Organization
from gongzhi.accounts.roles import OrgKind
from gongzhi.notices.lobby import token_for
from gongzhi.notices.models import LobbyScreen, Notice, NoticeBuilding, NoticeKind, NoticeStatus, ReadReceipt

from .factories import CompoundFactory, UserFactory


def community_office(compound: Any) -> Organization:
    """The compound's community office (made when there is none)."""
    found = Organization.objects.filter(kind=OrgKind.COMMUNITY, area_id=compound.community_id).order_by("pk").first()
    if found is None:
        found = Organization.objects.create(
            kind=OrgKind.COMMUNITY, name=f"{compound.community.name}", area_id=compound.community_id
        )
    return found


def _an_hour_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=1)


class NoticeFactory(factory.django.DjangoModelFactory[Notice]):
    """A published, current, compound-wide notice of the compound's community office."""

    class Meta:
        model = Notice

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    organization = factory.LazyAttribute(lambda o: community_office(o.compound))
    kind = NoticeKind.NOTICE
    title = factory.Sequence(lambda n: f"停水通知 {n}")
    body = "因管网维修，本周六 9:00–17:00 全小区停水。\n\n请提前储水。"
    published_from = factory.LazyFunction(_an_hour_ago)
    status = NoticeStatus.PUBLISHED
    published_at = factory.LazyFunction(_an_hour_ago)


class NoticeBuildingFactory(factory.django.DjangoModelFactory[NoticeBuilding]):
    class Meta:
        model = NoticeBuilding

    notice = factory.SubFactory(NoticeFactory)
    community = factory.SelfAttribute("notice.community")


class ReadReceiptFactory(factory.django.DjangoModelFactory[ReadReceipt]):
    class Meta:
        model = ReadReceipt

    notice = factory.SubFactory(NoticeFactory)
    community = factory.SelfAttribute("notice.community")
    user = factory.SubFactory(UserFactory)
    read_at = factory.LazyFunction(timezone.now)


class LobbyScreenFactory(factory.django.DjangoModelFactory[LobbyScreen]):
    """An active screen; its link is ``gongzhi.notices.lobby.screen_path(screen)``."""

    class Meta:
        model = LobbyScreen

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    location = factory.Sequence(lambda n: f"{n}栋1单元大堂")
    nonce = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    token_hash = factory.LazyAttribute(lambda o: LobbyScreen.hash_token(token_for(o.nonce)))
    created_at = factory.LazyFunction(timezone.now)
