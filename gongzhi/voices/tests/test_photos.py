"""Voice photos: checked by content, re-encoded without metadata, at most nine, private to those who may see the
voice; bad files get a clear error and change nothing (no voice, no row, no file)."""

from __future__ import annotations

import importlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import Resolver404, clear_url_caches, resolve, reverse
from PIL import Image

from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.testing.voices_factories import category
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices import services as s
from gongzhi.voices.models import LocationKind, PhotoStage, Status, Voice, VoiceEvent, VoicePhoto
from gongzhi.voices.photos import heif_supported, photo_prepare, thumb_name
from gongzhi.voices.services.photos import photos_attach, voice_resolve_with_photos

from .photo_files import (
    GPS_IFD,
    image_bytes,
    jpeg_upload,
    jpeg_with_gps,
    media_root,
    png_declaring,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]

MB = 1024 * 1024


def _noisy_jpeg() -> bytes:
    out = BytesIO()
    Image.effect_noise((400, 300), 80).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def _state(root: Path) -> dict[str, Any]:
    """Everything a refused submission must leave as it was: voices, their timeline and photos, the audit of
    changes, and the files on disk."""
    return {
        "voices": sorted(Voice.objects.values_list("pk", "status", "reply")),
        "events": VoiceEvent.objects.count(),
        "photos": sorted(VoicePhoto.objects.values_list("pk", "image")),
        "audit": list(AuditEvent.objects.exclude(verb__in=["voice.view", "access.denied"]).values_list("verb")),
        "files": stored_files(root),
    }


def _post_new(client: Any, world: Any, photos: list[Any], **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "compound": world.compound_a.pk,
        "kind": "repair",
        "text": "3栋电梯坏了，停了两天",
        "category": "",
        "location_kind": LocationKind.PUBLIC_AREA,
        "is_public": "on",
        "idempotency_key": "k-photos",
        "photos": photos,
    }
    data.update(overrides)
    return client.post(reverse("voices:new"), data)


@pytest.fixture
def resident(world: Any, client_for: Any) -> Any:
    category("其他")
    return client_for(world.users["resident"])


def _error_text(response: Any) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error" role="alert"' in html
    return html


# --- Bad files: a clear error, nothing changed --------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (
            lambda: upload(b"%PDF-1.4 this is not a photo at all", name="receipt.jpg"),
            "is not a JPEG, PNG or WebP photo",
        ),
        (lambda: upload(image_bytes("GIF"), name="anim.jpg"), "is not a JPEG, PNG or WebP photo"),
        (lambda: upload(_noisy_jpeg()[:3000], name="cut.jpg"), "could not be read"),
        (lambda: upload(b"", name="empty.jpg"), "is empty"),
        (lambda: upload(png_declaring(100_000, 100_000), name="bomb.png"), "megapixels"),  # Pillow's own limit
        (lambda: upload(png_declaring(8_000, 8_000), name="big.png"), "64 megapixels"),  # under Pillow's, over ours
    ],
    ids=["not-an-image", "gif", "truncated", "empty", "bomb", "too-many-pixels"],
)
def test_a_bad_photo_refuses_the_voice_with_a_clear_error_and_changes_nothing(
    world, resident, media_root, django_capture_on_commit_callbacks, make, needle
):
    # given the resident's good photo and one bad file
    before = _state(media_root)
    # when they raise a voice with both
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_new(resident, world, [jpeg_upload("good.jpg"), make()])
    # then the form says what is wrong with which file, and nothing was saved
    assert needle in _error_text(response)
    assert _state(media_root) == before


def test_a_50_mb_photo_is_refused_as_too_large(world, resident, media_root, django_capture_on_commit_callbacks):
    # given a 50 MB file (made here, never kept in the repository)
    big = upload(b"\xff\xd8\xff\xe0" + b"\0" * (50 * MB), name="huge.jpg")
    before = _state(media_root)
    # when it is sent with a voice
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_new(resident, world, [big])
    # then the resident is told the size and the limit, and nothing was saved
    html = _error_text(response)
    assert "huge.jpg is too large (50.0 MB): a photo may be at most 10 MB." in html
    assert _state(media_root) == before


def test_a_tenth_photo_is_refused(world, resident, media_root, django_capture_on_commit_callbacks):
    # given ten photos
    before = _state(media_root)
    # when they are sent with one voice
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_new(resident, world, [jpeg_upload(f"p{i}.jpg") for i in range(10)])
    # then at most nine is said, and nothing was saved
    assert "At most 9 photos (you chose 10)." in _error_text(response)
    assert _state(media_root) == before


def test_a_tenth_photo_added_later_is_refused(world, submit, media_root, django_capture_on_commit_callbacks):
    # given a voice raised with nine photos
    with django_capture_on_commit_callbacks(execute=True):
        voice = submit(photos=[jpeg_upload(f"p{i}.jpg") for i in range(9)])
    assert voice.photos.count() == 9 and len(stored_files(media_root)) == 18  # each with its thumbnail
    before = _state(media_root)
    # when the author adds a tenth
    with pytest.raises(DomainError) as refused, django_capture_on_commit_callbacks(execute=True):
        photos_attach(actor=world.users["resident"], voice=voice, files=[jpeg_upload()], stage=PhotoStage.RAISED)
    # then it is refused and nothing changed
    assert refused.value.field == "photos" and "has 9 already" in refused.value.message
    assert _state(media_root) == before


def test_script_in_the_file_name_and_text_is_shown_escaped(world, resident, media_root):
    # given a file named like a script, which is not an image, and script in the text
    bad = upload(b"<img src=x onerror=alert(1)>", name="<img src=x onerror=alert(1)>.jpg")
    # when they are sent
    response = _post_new(resident, world, [bad], text="<script>alert('x')</script>电梯坏了")
    # then the page shows both as text, never as markup
    html = _error_text(response)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg is not a JPEG, PNG or WebP photo." in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;电梯坏了</textarea>" in html
    assert Voice.objects.count() == 0


@pytest.mark.skipif(heif_supported(), reason="pillow-heif is installed: HEIC photos are read")
def test_a_heic_photo_is_refused_with_a_clear_message_when_it_cannot_be_read():
    # given the start of an iPhone HEIC file
    heic = upload(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\0" * 64, name="IMG_0001.HEIC")
    # when it is checked, then the resident is told what to choose instead
    with pytest.raises(DomainError) as refused:
        photo_prepare(heic)
    assert refused.value.code == "photo_heic" and "HEIC" in refused.value.message


# --- What is stored -----------------------------------------------------------------------------------------


def test_exif_and_gps_are_stripped_and_the_orientation_is_applied(
    world, resident, media_root, django_capture_on_commit_callbacks
):
    # given a 64×48 photo whose EXIF holds a GPS location, a camera make, "rotate 90°" and a comment
    original = jpeg_with_gps(size=(64, 48), orientation=6)
    with Image.open(BytesIO(original)) as check:
        assert check.getexif().get_ifd(GPS_IFD)  # the location really is in it
    # when the resident raises a voice with it
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_new(resident, world, [upload(original, name="IMG_20240501.jpg")])
    assert response.status_code == 302
    photo = VoicePhoto.objects.get()
    stored = (media_root / photo.image.name).read_bytes()
    # then the stored JPEG carries no EXIF (no GPS, no make), no comment, under a random name, upright
    with Image.open(BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info and "comment" not in image.info and "icc_profile" not in image.info
        assert image.size == (48, 64)  # turned as the camera meant
    assert b"Exif" not in stored and b"GongzhiCam" not in stored and b"secret comment" not in stored
    assert "IMG_20240501" not in photo.image.name and photo.image.name.endswith(".jpg")
    assert (photo.width, photo.height, photo.size) == (48, 64, len(stored))
    assert photo.stage == PhotoStage.RAISED and photo.uploaded_by == world.users["resident"]
    assert (media_root / thumb_name(photo.image.name)).is_file()
    assert AuditEvent.objects.filter(verb="voice.photos_add", object_id=str(photo.voice_id)).count() == 1


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0), size=(30, 20)), (30, 20)),
        (image_bytes("WEBP", size=(40, 40)), (40, 40)),
        (image_bytes("JPEG", mode="CMYK", color=(0, 0, 0, 0), size=(20, 10)), (20, 10)),
        (image_bytes("PNG", mode="L", color=128, size=(3000, 1000)), (2048, 683)),
    ],
    ids=["transparent-png", "webp", "cmyk-jpeg", "big-grey-png"],
)
def test_accepted_formats_become_rgb_jpegs_of_at_most_2048_pixels(data, size):
    # given a PNG, WebP or JPEG photo; when it is prepared
    prepared = photo_prepare(upload(data, name="x.bin"))
    # then it is an RGB JPEG no larger than 2048 px, with a thumbnail of at most 480 px
    with Image.open(BytesIO(prepared.data)) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", size)
    with Image.open(BytesIO(prepared.thumb)) as thumb:
        assert max(thumb.size) <= 480
    if size == (30, 20):  # transparency became white, not black
        with Image.open(BytesIO(prepared.data)) as image:
            pixel = image.getpixel((5, 5))
            assert isinstance(pixel, tuple) and min(pixel) > 240


# --- Files and transactions ---------------------------------------------------------------------------------


def test_files_are_written_only_when_the_transaction_commits(
    world, submit, media_root, django_capture_on_commit_callbacks
):
    # given a voice
    voice = submit()
    # when photos are attached inside a transaction that then fails
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        photos_attach(actor=world.users["resident"], voice=voice, files=[jpeg_upload()], stage=PhotoStage.RAISED)
        raise RuntimeError("something later in the same transaction failed")
    # then neither a row nor a file is left
    assert VoicePhoto.objects.count() == 0 and stored_files(media_root) == []


def test_resolving_with_photos_is_all_or_nothing(world, submit, media_root, django_capture_on_commit_callbacks):
    # given a voice already resolved
    voice = submit()
    s.voice_resolve(actor=world.users["secretary"], voice=voice, reply="已修好")
    before = _state(media_root)
    # when staff resolve it again with photos
    with pytest.raises(Conflict), django_capture_on_commit_callbacks(execute=True):
        voice_resolve_with_photos(actor=world.users["secretary"], voice=voice, reply="再次", photos=[jpeg_upload()])
    # then the conflict changes nothing: no photo row, no file
    assert _state(media_root) == before


def test_a_file_that_cannot_be_written_leaves_no_row(
    world, submit, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given a MEDIA_ROOT that cannot hold files (it is a file itself)
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    settings.MEDIA_ROOT = blocker
    # when a voice is raised with a photo and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        voice = submit(photos=[jpeg_upload()])
    # then the voice stands, and no row points at a file that does not exist
    assert Voice.objects.filter(pk=voice.pk).exists() and VoicePhoto.objects.count() == 0


def test_only_the_author_adds_raised_photos_and_only_handlers_add_resolution_photos(world, submit):
    voice = submit()
    for who, stage in (("secretary", PhotoStage.RAISED), ("resident", PhotoStage.RESOLVED), ("stranger", "raised")):
        with pytest.raises(NotAllowed):
            photos_attach(actor=world.users[who], voice=voice, files=[jpeg_upload()], stage=stage)
    assert VoicePhoto.objects.count() == 0


# --- Who sees them ------------------------------------------------------------------------------------------


VIEWERS = {
    "secretary",
    "grid_worker",
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "liaison",  # staff of the department the voice is dispatched to
    "sub_district_supervisor",
    "district_supervisor",
    "superuser",
    "resident",  # the author
}


@pytest.fixture
def private_photo(world, submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        voice = submit(is_public=False, photos=[jpeg_upload()])
    s.voice_dispatch(actor=world.users["secretary"], voice=voice, organization=world.orgs["department"])
    return voice.photos.get()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_photos_of_a_private_voice_are_served_only_to_those_who_see_the_voice(world, client_for, private_photo, role):
    # given a private voice with a photo, dispatched to a department
    url = reverse("voices:photo", args=[private_photo.voice_id, private_photo.pk])
    # when each role asks for the photo and its thumbnail
    for suffix in ("", "?size=thumb"):
        response = client_for(world.users[role]).get(url + suffix)
        # then those who see the voice get a JPEG, kept privately; anyone else gets nothing
        if role in VIEWERS:
            assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
            assert "private" in response["Cache-Control"]
            body = b"".join(response.streaming_content)
            assert body.startswith(b"\xff\xd8")
        elif role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404


def test_a_neighbour_sees_photos_of_a_public_voice_while_it_is_on_the_wall(
    world, client_for, submit, django_capture_on_commit_callbacks
):
    # given a public voice with a photo and a neighbour (approved in compound A)
    with django_capture_on_commit_callbacks(execute=True):
        voice = submit(is_public=True, photos=[jpeg_upload()])
    neighbour = world.users["applicant"]
    HouseBinding.objects.filter(user=neighbour).update(status=BindingStatus.APPROVED)
    url = reverse("voices:photo", args=[voice.pk, voice.photos.get().pk])
    # then the neighbour sees the photo and its thumbnail, which is smaller
    full = client_for(neighbour).get(url)
    thumb = client_for(neighbour).get(url + "?size=thumb")
    assert full.status_code == 200 and thumb.status_code == 200
    # when the author withdraws it, then it is off the wall: the neighbour no longer gets it, the author does
    s.voice_withdraw(actor=world.users["resident"], voice=voice)
    assert client_for(neighbour).get(url).status_code == 404
    assert client_for(world.users["resident"]).get(url).status_code == 200


def test_a_photo_id_of_another_voice_is_not_found(world, client_for, submit, django_capture_on_commit_callbacks):
    # given two voices of the author, one with a photo
    with django_capture_on_commit_callbacks(execute=True):
        with_photo = submit(photos=[jpeg_upload()])
    other = submit(text="另一件事")
    # when the photo is asked for under the other voice, then it is not found
    url = reverse("voices:photo", args=[other.pk, with_photo.photos.get().pk])
    assert client_for(world.users["resident"]).get(url).status_code == 404


def test_thumbnails_are_at_most_480_pixels(world, client_for, submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        voice = submit(photos=[upload(image_bytes("JPEG", size=(1600, 1200)))])
    url = reverse("voices:photo", args=[voice.pk, voice.photos.get().pk])
    client = client_for(world.users["resident"])
    with Image.open(BytesIO(b"".join(client.get(url).streaming_content))) as full:
        assert full.size == (1600, 1200)
    with Image.open(BytesIO(b"".join(client.get(url + "?size=thumb").streaming_content))) as thumb:
        assert thumb.size == (480, 360)


def test_no_url_serves_media_root_even_with_debug_on(settings):
    # given DEBUG on, as on a developer's machine
    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        # then no route reaches the private uploads (photos, ledgers) as files
        with pytest.raises(Resolver404):
            resolve("/media/voices/1/abc.jpg")
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_the_photos_of_a_voice_show_on_its_page_and_resolution_photos_with_the_reply(
    world, client_for, submit, django_capture_on_commit_callbacks
):
    # given a voice raised with two photos, resolved with one
    with django_capture_on_commit_callbacks(execute=True):
        voice = submit(photos=[jpeg_upload("a.jpg"), jpeg_upload("b.jpg")])
        voice_resolve_with_photos(
            actor=world.users["secretary"], voice=voice, reply="已修好", photos=[jpeg_upload("fixed.jpg")]
        )
    voice.refresh_from_db()
    raised = list(voice.photos.filter(stage=PhotoStage.RAISED))
    resolved = voice.photos.get(stage=PhotoStage.RESOLVED)
    assert voice.status == Status.RESOLVED and resolved.created_at == voice.resolved_at
    # when the author opens it
    html = client_for(world.users["resident"]).get(reverse("voices:detail", args=[voice.pk])).content.decode()
    # then the thumbnails of all three are on the page, the resolution's inside the official reply
    for photo in [*raised, resolved]:
        assert reverse("voices:photo", args=[voice.pk, photo.pk]) + "?size=thumb" in html
    reply = html[html.index('class="card official-reply"') :]
    assert reverse("voices:photo", args=[voice.pk, resolved.pk]) in reply
    assert reverse("voices:photo", args=[voice.pk, raised[0].pk]) not in reply
