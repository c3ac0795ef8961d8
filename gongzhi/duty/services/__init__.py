"""The duty services: every write of the app (keyword-only, atomic, audited)."""

from .posts import calendar_day_add, calendar_day_remove, post_create, post_update, rosters_generate
from .roster import (
    assignment_create,
    assignment_remove,
    check_in,
    check_out,
    kind_counts,
    place_leave,
    place_take,
    swap_accept,
    swap_decline,
    swap_propose,
    swap_withdraw,
)
from .volunteers import volunteer_add, volunteer_apply, volunteer_set_status, volunteer_update

__all__ = [
    "assignment_create",
    "assignment_remove",
    "calendar_day_add",
    "calendar_day_remove",
    "check_in",
    "check_out",
    "kind_counts",
    "place_leave",
    "place_take",
    "post_create",
    "post_update",
    "rosters_generate",
    "swap_accept",
    "swap_decline",
    "swap_propose",
    "swap_withdraw",
    "volunteer_add",
    "volunteer_apply",
    "volunteer_set_status",
    "volunteer_update",
]
