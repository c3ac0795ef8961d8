"""Every role in the world × every action on a voice raised by compound A's resident.

The voice is dispatched to the education bureau (a department) where the action needs it, so the
department's liaison is "assigned staff". Compound B's staff do not exist in the world: every staff role is
on compound A's side, which ``test_other_compound_is_out_of_reach`` checks.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices import selectors
from gongzhi.voices import services as s
from gongzhi.voices.models import Score

pytestmark = pytest.mark.django_db

TRIAGERS = {"secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "superuser"}
HANDLERS = TRIAGERS | {"technician", "liaison"}  # liaison: staff of the assigned department
VIEWERS = HANDLERS | {"sub_district_supervisor", "district_supervisor", "resident"}

EXPECTED: dict[str, set[str]] = {
    "view": VIEWERS,
    "accept": TRIAGERS,
    "reject": TRIAGERS,
    "merge": TRIAGERS,
    "dispatch": TRIAGERS,
    "assign_joint": TRIAGERS,
    "transfer": TRIAGERS | {"liaison"},
    "reply": HANDLERS,
    "note": HANDLERS,
    "resolve": HANDLERS,
    "withdraw": {"resident"},
    "rate": {"resident"},
    "reopen": {"resident"},
    "me_too": set(),  # the author may not; no one else in the world lives in compound A
    "edit_routing": {"secretary", "community_staff", "superuser"},
}


def _actions(world: Any, submit: Any) -> dict[str, Callable[[Any], Any]]:
    u, o = world.users, world.orgs

    def dispatched() -> Any:
        voice = submit()
        s.voice_dispatch(actor=u["secretary"], voice=voice, organization=o["department"])
        return voice

    def resolved(score: str | None = None) -> Any:
        voice = dispatched()
        s.voice_resolve(actor=u["liaison"], voice=voice, reply="已处理")
        if score:
            s.voice_rate(actor=u["resident"], voice=voice, score=score)
        return voice

    return {
        "view": lambda actor: selectors.voice_get(user=actor, pk=dispatched().pk),
        "accept": lambda actor: s.voice_accept(actor=actor, voice=submit()),
        "reject": lambda actor: s.voice_reject(actor=actor, voice=submit(), reason="无效"),
        "merge": lambda actor: s.voice_merge(actor=actor, voice=submit(), original=submit()),
        "dispatch": lambda actor: s.voice_dispatch(actor=actor, voice=submit(), organization=o["department"]),
        "assign_joint": lambda actor: s.voice_assign_joint(
            actor=actor, voice=submit(), organizations=[o["department"], o["police"]], lead=o["police"]
        ),
        "transfer": lambda actor: s.voice_dispatch(actor=actor, voice=dispatched(), organization=o["police"]),
        "reply": lambda actor: s.voice_reply(actor=actor, voice=dispatched(), text="收到"),
        "note": lambda actor: s.voice_note_add(actor=actor, voice=dispatched(), text="内部"),
        "resolve": lambda actor: s.voice_resolve(actor=actor, voice=dispatched(), reply="好了"),
        "withdraw": lambda actor: s.voice_withdraw(actor=actor, voice=dispatched()),
        "rate": lambda actor: s.voice_rate(actor=actor, voice=resolved(), score=Score.SATISFIED),
        "reopen": lambda actor: s.voice_reopen(actor=actor, voice=resolved(Score.DISSATISFIED)),
        "me_too": lambda actor: s.me_too_add(actor=actor, voice=submit()),
        "edit_routing": lambda actor: s.routing_rule_set(
            actor=actor, compound=world.compound_a, category=category("教育配套"), organization=o["department"]
        ),
    }


@pytest.mark.parametrize("action", list(EXPECTED))
def test_matrix(world: Any, submit: Any, action: str) -> None:
    run = _actions(world, submit)[action]
    outcome = {}
    for role in ALL_ROLES:
        actor = world.users[role] or AnonymousUser()
        try:
            run(actor)
            outcome[role] = True
        except (NotAllowed, NotFound):
            outcome[role] = False
    allowed = {role for role, ok in outcome.items() if ok}
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


def test_neighbours_see_public_voices_without_names_and_say_me_too(world: Any, submit: Any) -> None:
    neighbour = world.users["applicant"]
    HouseBinding.objects.filter(user=neighbour).update(status=BindingStatus.APPROVED)
    public, private = submit(is_public=True), submit(is_public=False)
    assert selectors.voice_get(user=neighbour, pk=public.pk) == public
    assert selectors.author_label(user=neighbour, voice=public) == "A resident"
    assert selectors.author_label(user=world.users["secretary"], voice=public) == "resident"
    with pytest.raises(NotFound):
        selectors.voice_get(user=neighbour, pk=private.pk)
    assert list(selectors.voice_wall(user=neighbour, compound=world.compound_a)) == [public]
    assert list(selectors.voice_wall(user=world.users["stranger"], compound=world.compound_a)) == []
    s.me_too_add(actor=neighbour, voice=public)
    with pytest.raises(NotAllowed):
        s.voice_rate(actor=neighbour, voice=public, score=Score.SATISFIED)


def test_other_compound_is_out_of_reach(world: Any) -> None:
    voice = VoiceFactory.create(compound=world.compound_b, is_public=True)
    for role in ALL_ROLES:
        user = world.users[role] or AnonymousUser()
        visible = selectors.voices_visible(user=user).filter(pk=voice.pk).exists()
        expected = role in {"sub_district_supervisor", "district_supervisor", "superuser"}
        assert visible == expected, role
        with pytest.raises(NotAllowed) if role != "superuser" else nullcontext():
            s.voice_accept(actor=user, voice=voice)


def test_queue_lists_what_each_sees(world: Any, submit: Any) -> None:
    u, o = world.users, world.orgs
    mine = submit()
    sent = submit()
    s.voice_dispatch(actor=u["secretary"], voice=sent, organization=o["police"])
    assert set(selectors.voice_queue(user=u["customer_service"])) == {mine, sent}
    assert list(selectors.voice_queue(user=u["officer"])) == [sent]
    assert list(selectors.voice_queue(user=u["lawyer"])) == []
    assert list(selectors.voice_queue(user=u["secretary"], organization_id=o["police"].pk)) == [sent]
    assert set(selectors.voices_of_author(user=u["resident"])) == {mine, sent}
