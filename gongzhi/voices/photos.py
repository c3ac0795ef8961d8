"""Voice photos: checked by what the bytes are (never by the file name), re-encoded, and read back in scope.

A photo is accepted when Pillow recognises its content as JPEG, PNG or WebP (HEIC only when the
``pillow-heif`` plugin is installed; otherwise it is refused with a clear message), it is at most
``VOICE_PHOTO_MAX_BYTES`` long and has at most ``VOICE_PHOTO_MAX_PIXELS`` pixels — a decompression bomb (a
small file declaring a huge picture) is refused from its header, before a pixel is decoded. What is stored is
a new JPEG: the EXIF orientation applied, then every piece of metadata (EXIF with the GPS location, XMP, ICC,
comments) left behind, at most ``VOICE_PHOTO_MAX_SIDE`` pixels on its longer side, with a thumbnail beside it.

Photos are private: they are never served as static files, only by ``voices:photo`` to those who may see the
voice (``photo_get``).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import DomainError, NotFound

from .models import PhotoStage, Status, Voice, VoicePhoto
from .rules import may_view_voice

FIELD = "photos"
FORMATS = ("JPEG", "PNG", "WEBP")
# ISO base media "ftyp" brands of HEIC / HEIF pictures (what iPhones take by default).
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
JPEG_QUALITY = 85
THUMB_QUALITY = 80
# Neighbours see photos of public voices only while the voice is on the wall.
OFF_THE_WALL = frozenset({Status.REJECTED, Status.MERGED, Status.WITHDRAWN})


def max_bytes() -> int:
    return int(getattr(settings, "VOICE_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "VOICE_PHOTO_MAX_PIXELS", 40_000_000))


def max_side() -> int:
    return int(getattr(settings, "VOICE_PHOTO_MAX_SIDE", 2048))


def thumb_side() -> int:
    return int(getattr(settings, "VOICE_PHOTO_THUMB_SIDE", 480))


@cache
def heif_supported() -> bool:
    """True when the optional ``pillow-heif`` plugin is installed (it then opens HEIC for Pillow)."""
    try:
        plugin: Any = importlib.import_module("pillow_heif")
    except ImportError:
        return False
    plugin.register_heif_opener()
    return True


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked photo, re-encoded: the JPEG to store, its thumbnail and its size in pixels."""

    data: bytes
    thumb: bytes
    width: int
    height: int


def thumb_name(name: str) -> str:
    """The stored thumbnail's name beside the photo: ``voices/1/abc.jpg`` → ``voices/1/abc_thumb.jpg``."""
    base, _ext = os.path.splitext(name)
    return f"{base}_thumb.jpg"


def _label(upload: Any, position: int) -> str:
    name = os.path.basename(str(getattr(upload, "name", "") or ""))
    return name[:60] if name else _("Photo %(n)d") % {"n": position}


def _refuse(message: str, code: str) -> DomainError:
    return DomainError(message, field=FIELD, code=code)


def _read(upload: Any, label: str) -> bytes:
    limit = max_bytes()

    def too_large(size: int) -> DomainError:
        return _refuse(
            _("%(name)s is too large (%(size).1f MB): a photo may be at most %(max)d MB.")
            % {"name": label, "size": size / 1024 / 1024, "max": limit // (1024 * 1024)},
            "photo_too_large",
        )

    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise too_large(size)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:  # the declared size was wrong: never read more than the limit
        raise too_large(len(data))
    if not data:
        raise _refuse(_("%(name)s is empty.") % {"name": label}, "photo_empty")
    return bytes(data)


def _check_pixels(size: tuple[int, int], label: str) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise _refuse(_("%(name)s could not be read as a photo.") % {"name": label}, "photo_unreadable")
    if width * height > max_pixels():
        raise _refuse(
            _("%(name)s is too big a picture (%(mp)d megapixels): at most %(max)d megapixels.")
            % {"name": label, "mp": width * height // 1_000_000, "max": max_pixels() // 1_000_000},
            "photo_too_many_pixels",
        )


def _rgb(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency goes onto white (a JPEG has none)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _upright(image: Image.Image) -> Image.Image:
    """The picture turned as the camera meant (EXIF orientation); as it is when that EXIF cannot be read."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a damaged EXIF block must not refuse an otherwise good photo
        return image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def photo_prepare(upload: Any, *, position: int = 1) -> PreparedPhoto:
    """Check one uploaded file by its content and re-encode it; a clear ``DomainError`` (field ``photos``) if not.

    Nothing is written anywhere: the result is bytes in memory.
    """
    label = _label(upload, position)
    data = _read(upload, label)
    formats = (*FORMATS, "HEIF") if heif_supported() else FORMATS
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS and not heif_supported():
        raise _refuse(
            _("%(name)s is a HEIC photo, which cannot be read here: choose a JPEG, PNG or WebP photo.")
            % {"name": label},
            "photo_heic",
        )
    not_a_photo = _("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": label}
    try:
        with Image.open(BytesIO(data), formats=formats) as probe:
            _check_pixels(probe.size, label)
            probe.verify()
        image = Image.open(BytesIO(data), formats=formats)
        _check_pixels(image.size, label)
        if image.format == "JPEG":
            image.draft("RGB", (max_side(), max_side()))  # decode big JPEGs at a reduced scale: faster, less memory
        image.load()
        upright = _upright(image)
        rgb = _rgb(upright)
        rgb.thumbnail((max_side(), max_side()), Image.Resampling.LANCZOS)
        # A new image holds the pixels and nothing else: no EXIF (GPS), XMP, ICC profile or comment survives.
        clean = Image.new("RGB", rgb.size)
        clean.paste(rgb)
        thumb = clean.copy()
        thumb.thumbnail((thumb_side(), thumb_side()), Image.Resampling.LANCZOS)
        return PreparedPhoto(
            data=_jpeg(clean, JPEG_QUALITY), thumb=_jpeg(thumb, THUMB_QUALITY), width=clean.width, height=clean.height
        )
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(
            _("%(name)s is too big a picture: at most %(max)d megapixels.")
            % {"name": label, "max": max_pixels() // 1_000_000},
            "photo_too_many_pixels",
        ) from exc
    except UnidentifiedImageError as exc:
        raise _refuse(not_a_photo, "photo_not_image") from exc
    except Exception as exc:  # a damaged or hostile file can make a decoder fail in many ways
        raise _refuse(
            _("%(name)s could not be read: it is damaged or not a JPEG, PNG or WebP photo.") % {"name": label},
            "photo_unreadable",
        ) from exc


def photos_prepare(files: Sequence[Any], *, already: int = 0) -> list[PreparedPhoto]:
    """Check and re-encode several uploads; more than ``VoicePhoto.MAX_PER_VOICE`` in all is refused first."""
    if already + len(files) > VoicePhoto.MAX_PER_VOICE:
        raise too_many(already=already, adding=len(files))
    return [f if isinstance(f, PreparedPhoto) else photo_prepare(f, position=i) for i, f in enumerate(files, 1)]


def too_many(*, already: int, adding: int) -> DomainError:
    if already:
        message = _("At most %(max)d photos: this voice has %(n)d already, and you added %(k)d.") % {
            "max": VoicePhoto.MAX_PER_VOICE,
            "n": already,
            "k": adding,
        }
    else:
        message = _("At most %(max)d photos (you chose %(k)d).") % {"max": VoicePhoto.MAX_PER_VOICE, "k": adding}
    return _refuse(message, "photo_too_many")


# --- Reading ---------------------------------------------------------------------------------------------------


def photo_get(*, user: Any, voice_pk: int, photo_id: int) -> VoicePhoto:
    """One photo of a voice the user may see; else ``NotFound`` (the same answer whether or not it exists).

    The author, staff in scope and assigned organizations see every photo; a neighbour sees the photos of a
    public voice of their compound while it is on the wall (not rejected, merged or withdrawn).
    """
    from .selectors import voice_get

    voice: Voice = voice_get(user=user, pk=voice_pk)  # NotFound unless the user may open the voice
    if not may_view_voice(user, voice) and (not voice.is_public or voice.status in OFF_THE_WALL):
        raise NotFound(_("No such photo."))
    photo = VoicePhoto.objects.filter(community_id=voice.community_id, voice=voice, pk=photo_id).first()
    if photo is None:
        raise NotFound(_("No such photo."))
    return photo


def photos_by_stage(voice: Voice) -> dict[str, list[VoicePhoto]]:
    """The voice's photos, oldest first, by stage (``raised`` / ``resolved``); call only once the voice is visible."""
    result: dict[str, list[VoicePhoto]] = {PhotoStage.RAISED: [], PhotoStage.RESOLVED: []}
    for photo in VoicePhoto.objects.filter(community_id=voice.community_id, voice=voice).order_by("created_at", "pk"):
        result.setdefault(photo.stage, []).append(photo)
    return result
