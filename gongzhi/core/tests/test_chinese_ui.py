"""With the real catalogue the UI is Chinese by default, in Chinese formats, and English on request."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import formats, translation

from gongzhi.estates.models import HouseStatus

pytestmark = pytest.mark.django_db

REAL_LOCALE = override_settings(LOCALE_PATHS=[settings.BASE_DIR / "locale"])


@REAL_LOCALE
def test_login_page_speaks_chinese_by_default(client):
    # when
    body = client.get(reverse("accounts:login")).content.decode()
    # then
    assert '<html lang="zh-hans">' in body
    assert "手机号" in body and "密码" in body and "登录" in body
    assert "Mobile number" not in body


@REAL_LOCALE
def test_english_is_available_on_request(client):
    # when
    body = client.get(reverse("accounts:login"), headers={"accept-language": "en"}).content.decode()
    # then
    assert '<html lang="en">' in body
    assert "Mobile number" in body


@REAL_LOCALE
def test_wrong_password_error_is_in_chinese(client):
    body = client.post(reverse("accounts:login"), {"phone": "13700000000", "password": "wrong-pass"}).content.decode()
    assert "手机号或密码错误。" in body


@REAL_LOCALE
def test_house_statuses_use_the_ledger_words():
    with translation.override("zh-hans"):
        assert [str(label) for label in HouseStatus.labels] == ["未交付", "空置", "装修中", "已入住", "出租"]


def test_dates_are_written_the_chinese_way():
    with translation.override("zh-hans"):
        assert formats.date_format(datetime.date(2025, 3, 1)) == "2025年3月1日"


def test_times_are_shown_in_shanghai_time():
    from django.utils import timezone

    midnight_utc = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    assert timezone.localtime(midnight_utc).hour == 8
