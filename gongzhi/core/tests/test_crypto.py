"""Phone numbers: normalized, encrypted at rest, hashed with a key for exact search, masked for display."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from gongzhi.core import crypto
from gongzhi.testing.factories import HouseFactory


@pytest.mark.parametrize(
    "raw",
    [
        "13800000001",
        "138 0000 0001",
        "138-0000-0001",
        "(138)00000001",
        "+8613800000001",
        "008613800000001",
        "13800000001.0",
        13800000001,
        " 13800000001 ",
    ],
)
def test_phone_is_normalized_from_the_ways_people_and_excel_write_it(raw: object) -> None:
    assert crypto.normalize_phone(raw) == "13800000001"


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13800000001", True),
        ("19912345678", True),
        ("12800000001", False),
        ("1380000000", False),
        ("138000000011", False),
        ("23800000001", False),
        ("1380000000x", False),
        ("", False),
    ],
)
def test_only_mainland_mobile_numbers_are_mobiles(phone: str, ok: bool) -> None:
    assert crypto.is_mobile(phone) is ok


def test_encryption_round_trips_and_hides_the_number() -> None:
    token = crypto.phone_encrypt("13800000001")
    assert "13800000001" not in token
    assert crypto.phone_decrypt(token) == "13800000001"
    assert crypto.phone_encrypt("13800000001") != token  # randomized: equal numbers do not look equal


def test_empty_phone_stays_empty() -> None:
    assert (crypto.phone_encrypt(""), crypto.phone_decrypt(""), crypto.phone_hash("")) == ("", "", "")


def test_a_token_that_is_not_ours_decrypts_to_nothing() -> None:
    assert crypto.phone_decrypt("not-a-fernet-token") == ""


def test_a_token_under_another_key_decrypts_to_nothing(settings: Any) -> None:
    token = crypto.phone_encrypt("13800000001")
    settings.PHONE_KEY = "another-key"
    assert crypto.phone_decrypt(token) == ""


def test_hash_is_stable_and_depends_on_the_key(settings: Any) -> None:
    first = crypto.phone_hash("13800000001")
    assert crypto.phone_hash("13800000001") == first
    assert crypto.phone_hash("13800000002") != first
    settings.PHONE_KEY = "another-key"
    assert crypto.phone_hash("13800000001") != first  # without the key, a list of numbers cannot be matched


@pytest.mark.parametrize(("phone", "masked"), [("13800000001", "138****0001"), ("123456", "******"), ("", "")])
def test_phone_is_masked_for_display(phone: str, masked: str) -> None:
    assert crypto.mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧**娜"), ("李", "李"), ("", ""), ("Anna", "A**a")]
)
def test_name_is_masked_for_display(name: str, masked: str) -> None:
    assert crypto.mask_name(name) == masked


@pytest.mark.django_db
def test_phone_field_stores_ciphertext_and_reads_plain_text() -> None:
    # given
    house = HouseFactory.create(owner_phone="13800000001")
    # then the database holds no readable number
    with connection.cursor() as cursor:
        cursor.execute("SELECT owner_phone FROM estates_house WHERE id = %s", [house.pk])
        (stored,) = cursor.fetchone()
    assert "13800000001" not in stored
    # and the model reads it back
    house.refresh_from_db()
    assert house.owner_phone == "13800000001"
