"""The helpers every app's services share: clean text and state moves refuse bad input clearly."""

from __future__ import annotations

import pytest

from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.core.services import require, status_move, text_clean
from gongzhi.estates.models import BindingStatus, HouseBinding


def test_text_is_stripped_and_kept_within_its_length():
    # given text with spaces around it; when cleaned; then the spaces go and the words stay
    assert text_clean("  修好了  ", field="note", max_length=10) == "修好了"


@pytest.mark.parametrize(
    ("text", "required", "code"), [("", True, "required"), ("   ", True, "required"), ("x" * 11, False, "too_long")]
)
def test_missing_or_too_long_text_is_an_error_on_its_field(text, required, code):
    # when bad text is cleaned; then a DomainError names the field and why
    with pytest.raises(DomainError) as caught:
        text_clean(text, field="note", max_length=10, required=required)
    assert caught.value.field == "note" and caught.value.code == code


def test_optional_text_may_be_empty():
    assert text_clean(None, field="note", max_length=10, required=False) == ""


def test_a_state_moves_only_along_its_transitions():
    # given a pending binding and its transitions
    binding = HouseBinding(status=BindingStatus.PENDING)
    transitions: dict[str, frozenset[str]] = {"pending": frozenset({"approved"})}
    # when it moves to an allowed state; then it says where it was
    assert status_move(binding, BindingStatus.APPROVED, transitions=transitions, labels=BindingStatus) == "pending"
    assert binding.status == BindingStatus.APPROVED
    # and a move the table does not allow is a Conflict that changes nothing
    with pytest.raises(Conflict):
        status_move(binding, BindingStatus.PENDING, transitions=transitions, labels=BindingStatus)
    assert binding.status == BindingStatus.APPROVED


def test_require_refuses_with_the_message():
    require(True, "ok")
    with pytest.raises(NotAllowed, match="不行"):
        require(False, "不行")
