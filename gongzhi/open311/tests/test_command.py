"""``manage.py open311_key``: create prints a working key once; list and revoke; bad input is a clear error."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gongzhi.core.models import AuditEvent
from gongzhi.open311.models import Open311Key
from gongzhi.open311.selectors import key_authenticate

from .helpers import state

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("open311_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_a_key_that_works_for_the_compound(world: Any) -> None:
    # when a key is created on the command line
    out, err = run("create", "--compound", "aaa", "--name", "12345热线")
    # then standard output is the key alone, and standard error says what it is for
    raw = out.strip()
    key = key_authenticate(raw)
    assert (key.compound, key.name, key.created_by) == (world.compound_a, "12345热线", None)
    assert "12345热线" in err and "jurisdiction_id aaa" in err and raw not in err
    event = AuditEvent.objects.get(verb="open311.key_create")
    assert event.actor is None and raw not in str(event.after)


def test_list_shows_keys_without_the_keys_and_revoke_stops_one(world: Any) -> None:
    raw = run("create", "--compound", "aaa", "--name", "甲")[0].strip()
    run("create", "--compound", "bbb", "--name", "乙")
    key = Open311Key.objects.get(name="甲")
    # list: one line a key, never the key itself; --compound narrows it
    listing = run("list")[0]
    assert len(listing.splitlines()) == 2 and raw not in listing
    assert listing.splitlines()[0].split("\t")[:4] == [str(key.pk), "aaa", f"{key.prefix}…", "active"]
    assert [line.split("\t")[1] for line in run("list", "--compound", "bbb")[0].splitlines()] == ["bbb"]
    # revoke
    assert "Revoked Open311 key" in run("revoke", str(key.pk))[0]
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "\trevoked\t" in run("list", "--compound", "aaa")[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("create", "--compound", "nope", "--name", "x"), "No compound with code nope."),
        (("create", "--compound", "aaa", "--name", "  "), "Give the key a name: who or which system uses it."),
        (("create", "--compound", "aaa", "--name", "长" * 101), "At most 100 characters."),
        (("revoke", "424242"), "No Open311 key with id 424242."),
        (("list", "--compound", "nope"), "No compound with code nope."),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(world: Any, args: tuple[str, ...], says: str) -> None:
    before = state()
    with pytest.raises(CommandError, match=says):
        run(*args)
    assert state() == before


def test_revoking_twice_is_a_clear_error(world: Any) -> None:
    run("create", "--compound", "aaa", "--name", "甲")
    key = Open311Key.objects.get()
    run("revoke", str(key.pk))
    before = state()
    with pytest.raises(CommandError, match="already been revoked"):
        run("revoke", str(key.pk))
    assert state() == before
