"""Uploaded images: the real type from the first bytes, and no location left in what we keep.

The type comes from magic bytes only (a `.jpg` name or a Content-Type header proves nothing).
Location is removed without re-encoding the picture:
- JPEG: XMP and IPTC segments (which may hold location) are dropped, and in the EXIF block the GPS
  directory is blanked in place (entries and the values they point to zeroed, count set to 0), so
  orientation and the rest of EXIF keep working.
- PNG (`eXIf` chunk), WebP (`EXIF` chunk) and HEIC/HEIF (the EXIF item): the GPS directory is
  blanked in place, which changes no length, so no container offsets need rewriting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_IMAGE_BYTES = 10 * 1024 * 1024
_GPS_IFD_TAG = 0x8825
# Bytes per value of each TIFF field type (1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, ...).
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"avif"}
_EXIF_TIFF = re.compile(rb"Exif\x00\x00(?=II\x2a\x00|MM\x00\x2a)")
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


def remove_location(data: bytes, image_type: ImageType) -> bytes:
    """The same image without location metadata (see the module docstring for each format)."""
    if image_type == JPEG:
        return _clean_jpeg(data)
    buffer = bytearray(data)
    for match in _EXIF_TIFF.finditer(data):
        _blank_gps(buffer, match.end(), len(buffer))
    return bytes(buffer)


def gps_entry_count(data: bytes) -> int:
    """How many GPS entries the image's EXIF holds (0 when none): what a photo viewer could map."""
    total = 0
    for match in _EXIF_TIFF.finditer(data):
        tiff = _Tiff(bytearray(data), match.end(), len(data))
        gps = tiff.gps_ifd_offset()
        if gps is not None and tiff.fits(gps, 2):
            total += tiff.u16(gps)
    return total


def _clean_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise ImageError("not a JPEG file")
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            raise ImageError("the JPEG file is damaged")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xDA, 0xD9):  # start of scan / end of image: the rest is picture data
            out += data[pos:]
            return bytes(out)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            out += data[pos : pos + 2]
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise ImageError("the JPEG file is damaged")
        payload = data[pos + 4 : end]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            segment = bytearray(data[pos:end])
            _blank_gps(segment, 10, len(segment))
            out += segment
        elif not (marker == 0xE1 or marker == 0xED):  # other APP1 (XMP) and APP13 (IPTC) are dropped
            out += data[pos:end]
        pos = end
    raise ImageError("the JPEG file is truncated")


class _Tiff:
    """Bounds-checked reads and writes inside one TIFF structure (EXIF) held in a buffer."""

    def __init__(self, buffer: bytearray, start: int, end: int) -> None:
        self.buffer = buffer
        self.start = start
        self.end = end
        marker = bytes(buffer[start : start + 2])
        self.order: Literal["little", "big"] | None = (
            "little" if marker == b"II" else "big" if marker == b"MM" else None
        )

    def fits(self, offset: int, size: int) -> bool:
        return offset >= 0 and size >= 0 and self.start + offset + size <= self.end

    def u16(self, offset: int) -> int:
        assert self.order is not None
        return int.from_bytes(self.buffer[self.start + offset : self.start + offset + 2], self.order)

    def u32(self, offset: int) -> int:
        assert self.order is not None
        return int.from_bytes(self.buffer[self.start + offset : self.start + offset + 4], self.order)

    def zero(self, offset: int, size: int) -> None:
        if self.fits(offset, size):
            self.buffer[self.start + offset : self.start + offset + size] = bytes(size)

    def gps_ifd_offset(self) -> int | None:
        if self.order is None or not self.fits(4, 4):
            return None
        ifd0 = self.u32(4)
        if not self.fits(ifd0, 2):
            return None
        for index in range(self.u16(ifd0)):
            entry = ifd0 + 2 + 12 * index
            if not self.fits(entry, 12):
                return None
            if self.u16(entry) == _GPS_IFD_TAG:
                return self.u32(entry + 8)
        return None


def _blank_gps(buffer: bytearray, start: int, end: int) -> None:
    tiff = _Tiff(buffer, start, end)
    gps = tiff.gps_ifd_offset()
    if gps is None or not tiff.fits(gps, 2):
        return
    for index in range(tiff.u16(gps)):
        entry = gps + 2 + 12 * index
        if not tiff.fits(entry, 12):
            break
        size = _TYPE_SIZES.get(tiff.u16(entry + 2), 1) * tiff.u32(entry + 4)
        if size > 4:
            tiff.zero(tiff.u32(entry + 8), size)
        tiff.zero(entry, 12)
    tiff.zero(gps, 2)
