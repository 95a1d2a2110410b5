"""Uploaded images: the real type from the first bytes, and nothing but the picture in what we keep.

The type comes from magic bytes only (a `.jpg` name or a Content-Type header proves nothing).
Metadata is removed by decoding the picture with Pillow and encoding it again with no metadata at all:
no EXIF (wherever a format keeps it: JPEG APP1, PNG `eXIf`, WebP `EXIF`, HEIF items), no XMP, IPTC,
text chunks or comments, and only the first picture of a multi-picture file (an MPO's second JPEG,
anything appended after the first image). The EXIF orientation is applied to the pixels first, so a
photo taken sideways stays upright. HEIC/HEIF (decoded by pillow-heif) is stored as JPEG, which every
browser can show on the call page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# Phone cameras take 12-50 megapixels; more than this from a 10 MB file is a decompression bomb.
MAX_IMAGE_PIXELS = 50_000_000

register_heif_opener()  # lets Pillow open HEIC/HEIF
# Pillow's own guard at our limit too (it warns above it and refuses at twice it, before decoding).
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
JPEG_QUALITY = 90
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"avif"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


class ImageError(ValueError):
    """Not an image we accept, or a file too damaged to clean; the message is safe to show."""


@dataclass(frozen=True)
class ImageType:
    name: str
    content_type: str
    extension: str


JPEG = ImageType("jpeg", "image/jpeg", "jpg")
PNG = ImageType("png", "image/png", "png")
WEBP = ImageType("webp", "image/webp", "webp")
HEIC = ImageType("heic", "image/heic", "heic")
HEIF = ImageType("heif", "image/heif", "heif")

# What Pillow must find in a file of each detected type (an MPO is a JPEG with more pictures after it).
_PILLOW_FORMATS = {JPEG: {"JPEG", "MPO"}, PNG: {"PNG"}, WEBP: {"WEBP"}, HEIC: {"HEIF"}, HEIF: {"HEIF", "AVIF"}}


@dataclass(frozen=True)
class CleanImage:
    """The picture re-encoded without metadata, and the type it is stored as."""

    data: bytes
    image_type: ImageType


def detect_image_type(head: bytes) -> ImageType | None:
    """The image type from the first bytes (at least 32 are needed), or None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
        if brands & _HEIC_BRANDS:
            return HEIC
        if head[8:12] in _HEIF_BRANDS or brands & {b"mif1", b"msf1"}:
            return HEIF
    return None


def display_name(filename: str | None) -> str:
    """A client's file name made safe to show: no folders, odd characters or absurd length."""
    if not filename:
        return ""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _SAFE_NAME.sub("_", base).strip(" .")
    return cleaned[:100]


def remove_metadata(data: bytes, image_type: ImageType) -> CleanImage:
    """The first picture of the file, upright, re-encoded with no metadata (blocking: run it in a thread)."""
    picture, kept = _decode(data, image_type)
    if image_type == PNG:
        return CleanImage(_encode(picture, "PNG", **kept), PNG)
    if image_type == WEBP:
        return CleanImage(_encode(picture, "WEBP", quality=JPEG_QUALITY, **kept), WEBP)
    if picture.mode not in ("RGB", "L", "CMYK"):
        picture = picture.convert("RGB")
    kept.pop("transparency", None)
    return CleanImage(_encode(picture, "JPEG", quality=JPEG_QUALITY, **kept), JPEG)


def gps_entry_count(data: bytes) -> int:
    """How many GPS entries the EXIF of every picture in the file holds, as Pillow reads them (0: none)."""
    try:
        with Image.open(BytesIO(data)) as image:
            total = 0
            for frame in range(getattr(image, "n_frames", 1)):
                image.seek(frame)
                total += len(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))
            return total
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageError(f"not an image Pillow can read: {error}") from error


def _decode(data: bytes, image_type: ImageType) -> tuple[Image.Image, dict[str, Any]]:
    """The upright first picture with no metadata left on it, and what to keep of its info (colour)."""
    try:
        with Image.open(BytesIO(data)) as opened:
            if opened.format not in _PILLOW_FORMATS[image_type]:
                raise ImageError(f"the file starts like {image_type.name} but is not one")
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise ImageError(f"the picture has more than {MAX_IMAGE_PIXELS // 1_000_000} megapixels")
            opened.seek(0)
            opened.load()
            upright = ImageOps.exif_transpose(opened)
    except Image.DecompressionBombError as error:
        raise ImageError("the picture has far too many pixels") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
        if isinstance(error, ImageError):
            raise
        raise ImageError(f"the {image_type.name.upper()} file is damaged or truncated") from error
    # Only how to show the colours travels on: the ICC profile and PNG/WebP transparency.
    kept = {key: upright.info[key] for key in ("icc_profile", "transparency") if upright.info.get(key) is not None}
    upright.info.clear()  # nothing else read from the file travels on, not even by a save default
    return upright, kept


def _encode(picture: Image.Image, image_format: str, **options: Any) -> bytes:
    output = BytesIO()
    picture.save(output, image_format, **options)
    return output.getvalue()
