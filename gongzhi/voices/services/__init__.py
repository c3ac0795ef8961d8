"""Writes for residents' voices (DESIGN rule 1): keyword-only, atomic, each with its audit event."""

from .policy import deadline_hours, deadline_policy_set, route_for, routing_rule_set
from .reads import voice_view_record
from .residents import REOPEN_WINDOW, voice_close_expired, voice_rate, voice_reopen, voice_withdraw
from .submit import me_too_add, voice_create, voice_submit
from .workflow import (
    praise_acknowledge,
    voice_accept,
    voice_assign_joint,
    voice_dispatch,
    voice_merge,
    voice_note_add,
    voice_reject,
    voice_reply,
    voice_resolve,
)

__all__ = [
    "REOPEN_WINDOW",
    "deadline_hours",
    "deadline_policy_set",
    "me_too_add",
    "praise_acknowledge",
    "route_for",
    "routing_rule_set",
    "voice_accept",
    "voice_assign_joint",
    "voice_close_expired",
    "voice_create",
    "voice_dispatch",
    "voice_merge",
    "voice_note_add",
    "voice_rate",
    "voice_reject",
    "voice_reopen",
    "voice_reply",
    "voice_resolve",
    "voice_submit",
    "voice_view_record",
    "voice_withdraw",
]
