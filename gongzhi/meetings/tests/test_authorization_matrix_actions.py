"""Authorization matrix of the action-item pages: every role of the world × every page and every form.

Staff of any organization reach the staff list, the export and the bulk upload (rows are checked item by item);
conveners (secretary, community staff, the superuser) create, edit, link voices and cancel; the responsible
organization (A's property company; the department for its item) records progress and adds sub-items; a
public item is read by the compound's staff and residents, a private one by the community side, supervisors
and the responsible organization; the resident whose voice a done item answers rates it. An item one may not
see is a 404, a page one may see but not use is a 403, the anonymous visitor gets the log-in page; a refused
form changes nothing.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from gongzhi.accounts.roles import OrgKind
from gongzhi.meetings import services as s
from gongzhi.meetings.models import ActionItem, ActionPhoto, ActionStatus
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.testing.world import ALL_ROLES, STAFF_ROLES
from gongzhi.voices.tests.photo_files import image_bytes

from .helpers import meetings_state

pytestmark = pytest.mark.django_db

CONVENERS = {"secretary", "community_staff", "superuser"}
COMMUNITY_SIDE = CONVENERS | {"grid_worker"}
PROPERTY = {"property_manager", "customer_service", "technician", "finance"}
SUPERVISORS = {"sub_district_supervisor", "district_supervisor"}
COMPOUND_STAFF = COMMUNITY_SIDE | PROPERTY | SUPERVISORS | {"representative"}
STAFF = set(STAFF_ROLES) | {"superuser"}
LOGGED_IN = set(ALL_ROLES) - {"anonymous"}
PUBLIC_READERS = COMPOUND_STAFF | {"resident"}
PRIVATE_READERS = COMMUNITY_SIDE | SUPERVISORS | PROPERTY


def _expected(role: str, allowed: set[str], visible: set[str], ok: int = 200, seen: int = 403) -> int:
    """``ok`` for the allowed, 403 (``seen``) for those who see the object but may not use it, 404 for the rest;
    the anonymous visitor is sent to log in."""
    if role == "anonymous":
        return 302
    if role in allowed:
        return ok
    return seen if role in visible else 404


def _due(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改清单"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("整改清单.xlsx", out.getvalue())


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reaches_exactly_its_action_pages(
    world: Any, client_for: Any, action: Callable[..., ActionItem], django_capture_on_commit_callbacks: Any, role: str
) -> None:
    # given a public and a private item of compound A, and a photo of the public one
    public, private = action(title="公开事项"), action(title="内部事项", is_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        s.action_progress_update(
            actor=world.users["technician"],
            item=public,
            note="开工",
            photos_before=[SimpleUploadedFile("before.jpg", image_bytes())],
        )
    photo = ActionPhoto.objects.get()
    client = client_for(world.users[role])
    a = world.compound_a.code
    pages: dict[str, tuple[str, set[str], set[str]]] = {
        "list": (reverse("meetings:actions"), STAFF, LOGGED_IN),
        "new": (reverse("meetings:action_new"), CONVENERS, LOGGED_IN),
        "export": (reverse("meetings:actions_export"), STAFF, LOGGED_IN),
        "import": (reverse("meetings:actions_import"), STAFF, LOGGED_IN),
        "public list": (reverse("meetings:actions_public", args=[a]), PUBLIC_READERS, LOGGED_IN),
        "public item": (reverse("meetings:action_detail", args=[public.pk]), PUBLIC_READERS, PUBLIC_READERS),
        "private item": (reverse("meetings:action_detail", args=[private.pk]), PRIVATE_READERS, PRIVATE_READERS),
        "edit": (reverse("meetings:action_edit", args=[public.pk]), CONVENERS, PUBLIC_READERS),
        "edit private": (reverse("meetings:action_edit", args=[private.pk]), CONVENERS, PRIVATE_READERS),
    }
    # when the role opens every page
    got = {name: client.get(url).status_code for name, (url, _a, _v) in pages.items()}
    # then it gets exactly the pages its role allows
    expected = {name: _expected(role, allowed, visible) for name, (_u, allowed, visible) in pages.items()}
    assert got == expected
    # the photo: those who see the item get it; no one else learns it exists
    photo_url = reverse("meetings:action_photo", args=[public.pk, photo.pk])
    assert client.get(photo_url).status_code == _expected(role, PUBLIC_READERS, set())


def _forms(
    world: Any, action: Callable[..., ActionItem]
) -> dict[str, tuple[str, dict[str, Any], Callable[[str], int]]]:
    """Each form with fresh objects: (url, data, the expected status for a role)."""
    orgs, users = world.orgs, world.users
    voice = VoiceFactory.create(compound=world.compound_a, author=users["resident"])
    rated = action(title="已完成", voice_ids=[voice.pk])
    s.action_progress_update(actor=users["property_manager"], item=rated, status=ActionStatus.DONE)
    department = action(title="部门事项", responsible_organization=orgs[OrgKind.DEPARTMENT])
    private = action(title="内部事项", is_public=False)
    items = {name: action(title=name) for name in ("update", "cancel", "edit", "sub", "voices", "bulk")}
    link_voice = VoiceFactory.create(compound=world.compound_a)
    return {
        "update": (
            reverse("meetings:action_update", args=[items["update"].pk]),
            {"progress": "10", "note": "开工"},
            lambda r: _expected(r, CONVENERS | PROPERTY, PUBLIC_READERS, ok=302),
        ),
        "update private": (
            reverse("meetings:action_update", args=[private.pk]),
            {"progress": "10"},
            lambda r: _expected(r, CONVENERS | PROPERTY, PRIVATE_READERS, ok=302),
        ),
        "update department": (
            reverse("meetings:action_update", args=[department.pk]),
            {"note": "已对接"},
            lambda r: _expected(r, CONVENERS | {"liaison"}, PUBLIC_READERS | {"liaison"}, ok=302),
        ),
        # the property company is not offered "cancelled": its form is refused (400)
        "cancel": (
            reverse("meetings:action_update", args=[items["cancel"].pk]),
            {"status": "cancelled", "reason": "不再需要"},
            lambda r: 400 if r in PROPERTY else _expected(r, CONVENERS, PUBLIC_READERS, ok=302),
        ),
        "edit": (
            reverse("meetings:action_edit", args=[items["edit"].pk]),
            {
                "title": "改过的标题",
                "responsible_organization": orgs[OrgKind.PROPERTY].pk,
                "due_on": _due(20).isoformat(),
                "weight": "1",
                "is_public": "on",
            },
            lambda r: _expected(r, CONVENERS, PUBLIC_READERS, ok=302),
        ),
        "sub-item": (
            reverse("meetings:action_sub_item_add", args=[items["sub"].pk]),
            {"title": "子项", "due_on": _due(5).isoformat(), "weight": "2"},
            lambda r: _expected(r, CONVENERS | PROPERTY, PUBLIC_READERS, ok=302),
        ),
        "link voices": (
            reverse("meetings:action_voices_link", args=[items["voices"].pk]),
            {"voices": str(link_voice.pk)},
            lambda r: _expected(r, CONVENERS, PUBLIC_READERS, ok=302),
        ),
        "rate": (
            reverse("meetings:action_rate", args=[rated.pk]),
            {"score": "satisfied"},
            lambda r: _expected(r, {"resident"}, PUBLIC_READERS, ok=302),
        ),
        "new": (
            reverse("meetings:action_new"),
            {
                "compound": world.compound_a.code,
                "title": "新事项",
                "responsible_organization": orgs[OrgKind.PROPERTY].pk,
                "due_on": _due(9).isoformat(),
                "is_public": "on",
            },
            lambda r: _expected(r, CONVENERS, LOGGED_IN, ok=302),
        ),
        # the preview is a dry run: allowed rows preview (200), others list a refusal per row (400)
        "bulk preview": (
            reverse("meetings:actions_import"),
            {"file": [["No.", "Progress (%)"], [items["bulk"].pk, 30]]},
            lambda r: 200 if r in CONVENERS | PROPERTY else (400 if r in STAFF else _expected(r, set(), LOGGED_IN)),
        ),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_may_use_exactly_its_action_forms(
    world: Any, client_for: Any, action: Callable[..., ActionItem], role: str
) -> None:
    forms = _forms(world, action)
    client = client_for(world.users[role])
    got: dict[str, int] = {}
    changed: dict[str, bool] = {}
    for name, (url, data, _expected_status) in forms.items():
        if "file" in data:
            data = {"file": _xlsx(data["file"])}
        before = meetings_state()
        response = client.post(url, data)
        got[name] = response.status_code
        changed[name] = meetings_state() != before
        if response.status_code == 302 and role != "anonymous":
            assert "/accounts/login/" not in response["Location"]
    expected = {name: check(role) for name, (_u, _d, check) in forms.items()}
    assert got == expected
    # only the successful posts changed anything (the preview never does)
    assert changed == {name: got[name] == 302 and role != "anonymous" for name in forms}
