"""The gallery and visit photos are served only to those who see the activity or the care plan; what people
type is shown escaped."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.activities import services as s
from gongzhi.activities.models import Activity, ActivityPhoto, CareVisitPhoto

pytestmark = pytest.mark.django_db


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "green").save(out, "JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")


def test_gallery_photos_are_served_to_those_who_see_the_activity(
    world: Any,
    client_for: Callable[..., Any],
    organise: Callable[..., Activity],
    django_capture_on_commit_callbacks: Any,
) -> None:
    activity = organise()
    with django_capture_on_commit_callbacks(execute=True):
        s.activity_photos_add(actor=world.users["secretary"], activity=activity, photos=[_jpeg()])
    photo = ActivityPhoto.objects.get()
    url = reverse("activities:photo", args=[photo.pk])
    seen = client_for(world.users["resident"]).get(url, {"size": "thumb"})
    assert seen.status_code == 200 and seen["Content-Type"] == "image/jpeg"
    assert client_for(world.users["stranger"]).get(url).status_code == 404
    page = client_for(world.users["resident"]).get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert url in page


def test_visit_photos_are_served_to_the_owner_and_care_staff_only(
    world: Any, client_for: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    tasks = s.care_tasks_ensure(world.compound_a)
    plan = s.care_request(actor=world.users["resident"], house=world.house_a, schedule="weekly", tasks=tasks[:1])
    with django_capture_on_commit_callbacks(execute=True):
        s.care_visit_record(
            actor=world.users["technician"],
            plan=plan,
            visited_on=timezone.localdate(),
            items=[s.ItemInput(task_name=tasks[0].name, done=True)],
            note="<script>alert('x')</script>",
            problem="<img src=x onerror=alert(1)>",
            photos=[_jpeg()],
        )
    url = reverse("activities:care_photo", args=[CareVisitPhoto.objects.get().pk])
    assert client_for(world.users["resident"]).get(url).status_code == 200
    assert client_for(world.users["customer_service"]).get(url).status_code == 200
    for role in ("secretary", "representative", "applicant", "stranger"):
        assert client_for(world.users[role]).get(url).status_code == 404, role
    log = client_for(world.users["resident"]).get(reverse("activities:care_plan", args=[plan.pk])).content.decode()
    assert "<script>alert" not in log and "&lt;script&gt;" in log
    assert "<img src=x" not in log and "&lt;img src=x" in log


def test_a_fake_photo_on_a_visit_is_refused_and_nothing_is_recorded(world: Any) -> None:
    from .helpers import state

    tasks = s.care_tasks_ensure(world.compound_a)
    plan = s.care_request(actor=world.users["resident"], house=world.house_a, schedule="weekly", tasks=tasks[:1])
    before = state()
    fake = SimpleUploadedFile("leak.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    with pytest.raises(s.activities.DomainError) as refused:
        s.care_visit_record(
            actor=world.users["technician"],
            plan=plan,
            visited_on=timezone.localdate(),
            items=[s.ItemInput(task_name=tasks[0].name, done=True)],
            photos=[fake],
        )
    assert refused.value.field == "photos"
    assert state() == before
