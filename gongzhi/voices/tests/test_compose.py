"""Raising a voice on one phone screen: photos, the house and building pickers, praise of an organization and a
person, the category and look-alikes offered while typing (scoped), and staff resolving with photos."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.accounts.roles import OrgKind, Role
from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.notifications.models import Notification
from gongzhi.testing.factories import OrganizationFactory, UserFactory, member
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices import services as s
from gongzhi.voices.models import Kind, LocationKind, PhotoStage, Status, Voice, VoicePhoto

from .photo_files import image_bytes, jpeg_upload, media_root, stored_files, upload

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]


@pytest.fixture
def resident(world: Any, client_for: Any) -> Any:
    category("其他")
    return client_for(world.users["resident"])


def _data(world: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "compound": world.compound_a.pk,
        "kind": Kind.REPAIR,
        "text": "3栋电梯坏了，停了两天",
        "category": "",
        "location_kind": LocationKind.PUBLIC_AREA,
        "house": "",
        "building": "",
        "praised_organization": "",
        "praised_user": "",
        "is_public": "on",
        "idempotency_key": "k-compose",
    }
    data.update(overrides)
    return data


def _hints(client: Any, world: Any, text: str, compound: Any = None) -> str:
    compound_id = (compound or world.compound_a).pk
    response = client.post(
        reverse("voices:compose_hints"), {"compound": compound_id, "text": text}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    return str(response.content.decode())


# --- The form -----------------------------------------------------------------------------------------------


def test_the_form_offers_photos_pickers_and_live_hints(world, resident):
    # when the resident opens the form
    html = resident.get(reverse("voices:new")).content.decode()
    # then it takes several photos from the album, one from the camera, and sends them as multipart
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="photos" accept="image/*" data-max-files="9" multiple' in html
    assert 'accept="image/*" capture="environment"' in html
    # it shows the house and the building pickers (the script hides the one that does not fit), praise pickers
    assert 'name="house"' in html and 'name="building"' in html and 'name="praised_organization"' in html
    assert 'class="pick pick-house"' in html and 'class="pick pick-building"' in html
    # their only house and its building are preselected; "a public area" is the default place
    assert f'<option value="{world.house_a.pk}" selected>' in html
    assert f'<option value="{world.house_a.building_id}" selected>' in html
    assert 'name="location_kind" value="public_area" id="id_location_kind_2" required checked>' in html
    # the text asks for hints while typing, debounced
    assert f'hx-post="{reverse("voices:compose_hints")}"' in html
    assert 'hx-trigger="input changed delay:500ms"' in html
    assert "js/voices-compose.js" in html


def test_a_voice_with_photos_about_my_house(world, resident, media_root, django_capture_on_commit_callbacks):
    # when the resident raises a voice about their house with two photos
    data = _data(world, location_kind=LocationKind.OWN_HOUSE, house=world.house_a.pk)
    data["photos"] = [jpeg_upload("a.jpg"), upload(image_bytes("PNG"), name="b.png", content_type="image/png")]
    with django_capture_on_commit_callbacks(execute=True):
        response = resident.post(reverse("voices:new"), data)
    # then it is saved with both photos (and their thumbnails on disk)
    voice = Voice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("voices:detail", args=[voice.pk])
    assert voice.house == world.house_a and voice.building == world.house_a.building
    assert voice.photos.filter(stage=PhotoStage.RAISED).count() == 2
    assert len(stored_files(media_root)) == 4
    # and the same submission again (a double tap) adds neither a voice nor photos
    data["photos"] = [jpeg_upload("a.jpg")]
    with django_capture_on_commit_callbacks(execute=True):
        resident.post(reverse("voices:new"), data)
    assert Voice.objects.count() == 1 and VoicePhoto.objects.count() == 2


def test_a_voice_about_a_building(world, resident):
    building = world.house_a.building
    response = resident.post(
        reverse("voices:new"), _data(world, location_kind=LocationKind.BUILDING, building=building.pk)
    )
    assert response.status_code == 302 and Voice.objects.get().building == building


def test_after_an_error_the_resident_is_asked_to_choose_photos_again(world, resident, media_root):
    # when the form comes back with an error although photos were chosen
    data = _data(world, text="")
    data["photos"] = [jpeg_upload()]
    html = resident.post(reverse("voices:new"), data).content.decode()
    # then it says the photos must be chosen again, and nothing was saved
    assert "Please choose your photos again" in html
    assert Voice.objects.count() == 0 and stored_files(media_root) == []


# --- Praise -------------------------------------------------------------------------------------------------


def test_praise_of_a_person_goes_to_their_organization_and_tells_them(
    world, resident, django_capture_on_commit_callbacks
):
    # given the property company's technician
    technician = world.users["technician"]
    company = world.orgs[OrgKind.PROPERTY]
    # when the resident praises them by name
    data = _data(world, kind=Kind.PRAISE, text="感谢王师傅修好了水管", praised_organization=company.pk)
    data["praised_user"] = technician.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = resident.post(reverse("voices:new"), data)
    # then the praise is routed to the company, and the person is told as well as its staff
    voice = Voice.objects.get()
    assert response.status_code == 302
    assert voice.praised_organization == company and voice.praised_user == technician
    assert voice.lead_organization == company
    assert Notification.objects.filter(recipient=technician, dedup_key=f"voice:{voice.pk}:praise:person").exists()
    assert Notification.objects.filter(recipient=world.users["property_manager"], verb="voice.praise").exists()


@pytest.mark.parametrize("case", ["person-of-another-organization", "organization-far-away", "person-without-org"])
def test_bad_praise_is_refused_and_nothing_is_saved(world, resident, case):
    company = world.orgs[OrgKind.PROPERTY]
    data = _data(world, kind=Kind.PRAISE, text="感谢")
    if case == "person-of-another-organization":
        data.update(praised_organization=company.pk, praised_user=world.users["secretary"].pk)
    elif case == "organization-far-away":
        data.update(praised_organization=OrganizationFactory.create(kind=OrgKind.PROPERTY, name="别处物业").pk)
    else:
        data.update(praised_user=world.users["technician"].pk)
    response = resident.post(reverse("voices:new"), data)
    assert response.status_code == 200 and 'class="error" role="alert"' in response.content.decode()
    assert Voice.objects.count() == 0


def test_the_service_refuses_a_praised_person_outside_the_organization(world, submit):
    from gongzhi.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        submit(
            kind=Kind.PRAISE,
            text="感谢",
            praised_organization=world.orgs[OrgKind.POLICE],
            praised_user=world.users["technician"],
        )
    assert refused.value.field == "praised_user" and Voice.objects.count() == 0


def test_the_people_of_the_praised_organization_are_offered_by_name_only(world, resident):
    # given the property company (three staff) and an organization that does not serve the compound
    company = world.orgs[OrgKind.PROPERTY]
    elsewhere = OrganizationFactory.create(kind=OrgKind.PROPERTY, name="别处物业")
    member(UserFactory.create(name="外人"), elsewhere, Role.TECHNICIAN)
    url = reverse("voices:praise_people")
    # when the resident picks the company
    html = resident.get(url, {"praised_organization": company.pk}, headers={"HX-Request": "true"}).content.decode()
    # then its staff are offered by name, without phone numbers
    assert 'id="praise-person"' in html
    for role in ("property_manager", "customer_service", "technician", "finance"):
        assert world.users[role].name in html
    assert world.users["secretary"].name not in html and world.users["technician"].phone not in html
    # and an organization that does not serve their compound offers nobody
    assert "外人" not in resident.get(url, {"praised_organization": elsewhere.pk}).content.decode()


def test_without_javascript_the_people_are_listed_by_reposting_the_form(world, resident):
    company = world.orgs[OrgKind.PROPERTY]
    data = _data(world, kind=Kind.PRAISE, praised_organization=company.pk, suggest="people")
    html = resident.post(reverse("voices:new"), data).content.decode()
    assert world.users["technician"].name in html and Voice.objects.count() == 0


# --- Live hints: the category and look-alikes, within what the resident may see ----------------------------


def test_hints_offer_open_public_look_alikes_and_the_category(world, resident, client_for):
    # given, in compound A, an open public voice about the lift by a neighbour, a private one by a neighbour,
    # a closed public one, and one in compound B
    repair = category("设施维修")
    repair.keywords = "电梯 维修"
    repair.save()
    neighbour_public = VoiceFactory.create(compound=world.compound_a, text="3栋电梯又坏了", is_public=True)
    neighbour_private = VoiceFactory.create(compound=world.compound_a, text="3栋电梯坏了很久", is_public=False)
    closed = VoiceFactory.create(compound=world.compound_a, text="3栋电梯坏了", is_public=True, status=Status.CLOSED)
    other_compound = VoiceFactory.create(compound=world.compound_b, text="3栋电梯坏了", is_public=True)
    # when the resident types about the lift
    html = _hints(resident, world, "3栋电梯坏了")
    # then the open public voice is offered with "me too"; the suggested category comes along
    assert neighbour_public.text in html
    assert f'hx-post="{reverse("voices:me_too", args=[neighbour_public.pk])}"' in html
    assert 'id="category-suggestion"' in html and f'data-category="{repair.pk}"' in html and "设施维修" in html
    # and never a neighbour's private voice, a closed one, or one of another compound
    for hidden in (neighbour_private, closed, other_compound):
        assert reverse("voices:me_too", args=[hidden.pk]) not in html
    assert neighbour_private.text not in html


def test_hints_offer_my_own_open_private_voice_to_open_not_to_join(world, resident):
    mine = VoiceFactory.create(
        compound=world.compound_a, author=world.users["resident"], text="3栋电梯坏了", is_public=False
    )
    html = _hints(resident, world, "3栋电梯坏了两天")
    assert reverse("voices:detail", args=[mine.pk]) in html
    assert reverse("voices:me_too", args=[mine.pk]) not in html


def test_hints_for_a_compound_i_do_not_live_in_offer_nothing(world, resident):
    VoiceFactory.create(compound=world.compound_b, text="3栋电梯坏了", is_public=True)
    html = _hints(resident, world, "3栋电梯坏了", compound=world.compound_b)
    assert "me-too" not in html and "电梯" not in html


def test_hints_need_a_log_in(world, client_for):
    response = client_for(None).post(reverse("voices:compose_hints"), {"compound": world.compound_a.pk, "text": "电梯"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_short_text_gets_no_hints_and_a_flood_gets_an_empty_answer(world, resident):
    # given a public voice about the lift
    VoiceFactory.create(compound=world.compound_a, text="电梯坏了", is_public=True)
    # when a resident has typed only two characters, then nothing is offered yet
    assert "电梯坏了" not in _hints(resident, world, "电梯")
    # when they send 120 hints in one minute (the clock held still: the limit counts per clock minute)
    with time_machine.travel("2026-11-28 10:00:30 +0800", tick=False):
        for _ in range(120):
            resident.post(reverse("voices:compose_hints"), {"compound": world.compound_a.pk, "text": "电梯坏了啊"})
        response = resident.post(
            reverse("voices:compose_hints"), {"compound": world.compound_a.pk, "text": "电梯坏了啊"}
        )
    # then the next one gets an empty answer
    assert response.status_code == 204


def test_me_too_from_the_hints_goes_to_the_voice_joined(world, client_for):
    # given a neighbour's public voice and an approved resident typing the same thing
    voice = VoiceFactory.create(compound=world.compound_a, text="3栋电梯坏了", is_public=True)
    client = client_for(world.users["resident"])
    # when they say "me too" from the live hints
    response = client.post(reverse("voices:me_too", args=[voice.pk]), headers={"HX-Request": "true"})
    # then they have joined it and the page goes to that voice
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("voices:detail", args=[voice.pk])
    assert Voice.objects.get(pk=voice.pk).me_too_count == 1


def test_without_javascript_look_alikes_come_with_the_suggestion(world, resident):
    voice = VoiceFactory.create(compound=world.compound_a, text="3栋电梯坏了", is_public=True)
    html = resident.post(reverse("voices:new"), _data(world, suggest="1")).content.decode()
    assert reverse("voices:me_too", args=[voice.pk]) in html and 'name="next" value="detail"' in html
    assert Voice.objects.count() == 1


# --- Staff resolve with photos; the wall --------------------------------------------------------------------


def test_staff_resolve_with_photos_and_the_author_sees_them(
    world, client_for, submit, media_root, django_capture_on_commit_callbacks
):
    # given an accepted voice
    voice = submit()
    s.voice_accept(actor=world.users["secretary"], voice=voice)
    staff = client_for(world.users["secretary"])
    assert 'enctype="multipart/form-data"' in staff.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    # when staff resolve it with a reply and two photos
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("voices:resolve", args=[voice.pk]),
            {"reply": "已更换零件", "photos": [jpeg_upload("1.jpg"), jpeg_upload("2.jpg")]},
        )
    # then it is resolved with the photos, which the author sees with the reply
    assert response.status_code == 302
    voice.refresh_from_db()
    photos = list(voice.photos.filter(stage=PhotoStage.RESOLVED))
    assert voice.status == Status.RESOLVED and len(photos) == 2
    html = client_for(world.users["resident"]).get(reverse("voices:detail", args=[voice.pk])).content.decode()
    for photo in photos:
        assert reverse("voices:photo", args=[voice.pk, photo.pk]) in html


def test_resolving_with_a_bad_photo_changes_nothing(world, client_for, submit, media_root):
    voice = submit()
    s.voice_accept(actor=world.users["secretary"], voice=voice)
    events = voice.events.count()
    response = client_for(world.users["secretary"]).post(
        reverse("voices:resolve", args=[voice.pk]),
        {"reply": "已更换零件", "photos": [upload(b"not an image", name="x.jpg")]},
    )
    assert response.status_code == 200 and "x.jpg is not a JPEG, PNG or WebP photo." in response.content.decode()
    voice.refresh_from_db()
    assert voice.status == Status.ACCEPTED and voice.reply == "" and voice.events.count() == events
    assert VoicePhoto.objects.count() == 0 and stored_files(media_root) == []


def test_the_wall_shows_thumbnails_of_public_voices_only(world, client_for, submit, django_capture_on_commit_callbacks):
    # given a public and a private voice of 王大妈, each with a photo, and a neighbour
    author = world.users["resident"]
    author.name = "王大妈"
    author.save()
    with django_capture_on_commit_callbacks(execute=True):
        public = submit(text="路灯坏了", photos=[jpeg_upload()])
        private = submit(text="我家的事", is_public=False, photos=[jpeg_upload()])
    neighbour = world.users["applicant"]
    HouseBinding.objects.filter(user=neighbour).update(status=BindingStatus.APPROVED)
    # when the neighbour opens the wall
    html = client_for(neighbour).get(reverse("voices:wall", args=["aaa"])).content.decode()
    # then the public voice's thumbnail is there, without the author's name; the private one's is not
    assert reverse("voices:photo", args=[public.pk, public.photos.get().pk]) + "?size=thumb" in html
    assert reverse("voices:photo", args=[private.pk, private.photos.get().pk]) not in html
    assert "王大妈" not in html


def test_the_wall_with_photos_runs_a_constant_number_of_queries(world, client_for):
    client = client_for(world.users["resident"])
    path = reverse("voices:wall", args=["aaa"])

    def add(n: int) -> None:
        for voice in VoiceFactory.create_batch(n, compound=world.compound_a, is_public=True):
            for i in range(2):
                VoicePhoto.objects.create(
                    community_id=voice.community_id,
                    voice=voice,
                    image=f"voices/{voice.community_id}/x{voice.pk}-{i}.jpg",
                    created_at=voice.submitted_at,
                )

    def queries() -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    few = queries()
    add(20)
    assert queries() == few
