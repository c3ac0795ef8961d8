"""Writes of the activities app (keyword-only, typed, atomic, audited)."""

from .activities import (
    activity_cancel,
    activity_create,
    activity_hold,
    activity_photos_add,
    activity_publish,
    activity_update,
    attendance_mark,
    checkin_rotate,
    checkin_scan,
    feedback_give,
    signup_cancel,
    signup_create,
)
from .care import (
    ItemInput,
    care_request,
    care_set_status,
    care_task_add,
    care_task_set_active,
    care_tasks_ensure,
    care_visit_record,
)

__all__ = [
    "ItemInput",
    "activity_cancel",
    "activity_create",
    "activity_hold",
    "activity_photos_add",
    "activity_publish",
    "activity_update",
    "attendance_mark",
    "care_request",
    "care_set_status",
    "care_task_add",
    "care_task_set_active",
    "care_tasks_ensure",
    "care_visit_record",
    "checkin_rotate",
    "checkin_scan",
    "feedback_give",
    "signup_cancel",
    "signup_create",
]
