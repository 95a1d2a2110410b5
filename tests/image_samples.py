"""Real small images (from CPython's test data, PSF licence) and EXIF blocks with a location in them."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any

IMAGES = Path(__file__).parent / "fixtures" / "images"
JPEG_BYTES = (IMAGES / "python.jpg").read_bytes()
PNG_BYTES = (IMAGES / "python.png").read_bytes()
WEBP_BYTES = (IMAGES / "python.webp").read_bytes()

# 40°26'46.32"N as EXIF rationals: bytes that must not survive cleaning.
LATITUDE_RATIONALS = struct.pack(">6I", 40, 1, 26, 1, 4632, 100)
ORIENTATION_RIGHT_TOP = 6


def exif_tiff_with_location() -> bytes:
    """A big-endian TIFF block: IFD0 (orientation + GPS pointer) and a GPS IFD (latitude ref + value)."""
    header = b"MM\x00\x2a" + struct.pack(">I", 8)
    ifd0 = struct.pack(">H", 2)
    ifd0 += struct.pack(">HHIHH", 0x0112, 3, 1, ORIENTATION_RIGHT_TOP, 0)
    ifd0 += struct.pack(">HHII", 0x8825, 4, 1, 38)
    ifd0 += struct.pack(">I", 0)
    gps = struct.pack(">H", 2)
    gps += struct.pack(">HHI", 0x0001, 2, 2) + b"N\x00\x00\x00"
    gps += struct.pack(">HHII", 0x0002, 5, 3, 68)
    gps += struct.pack(">I", 0)
    return header + ifd0 + gps + LATITUDE_RATIONALS


def exif_payload() -> bytes:
    return b"Exif\x00\x00" + exif_tiff_with_location()


def jpeg_with_location() -> bytes:
    """The sample JPEG with an EXIF APP1 (location) and an XMP APP1 inserted after SOI."""
    exif = exif_payload()
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    xmp_body = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>40,26.772N</exif:GPSLatitude></x:xmpmeta>"
    xmp = b"\xff\xe1" + struct.pack(">H", len(xmp_body) + 2) + xmp_body
    return JPEG_BYTES[:2] + app1 + xmp + JPEG_BYTES[2:]


def heic_with_location() -> bytes:
    """A HEIC-shaped file: ftyp box (brand heic) then an EXIF item payload as HEIF stores it."""
    ftyp_body = b"heic" + struct.pack(">I", 0) + b"mif1heic"
    ftyp = struct.pack(">I", 8 + len(ftyp_body)) + b"ftyp" + ftyp_body
    item = struct.pack(">I", 6) + exif_payload()
    mdat = struct.pack(">I", 8 + len(item)) + b"mdat" + item
    return ftyp + mdat


# Photos as phones write them, made by Pillow itself: each kind keeps its EXIF where its format says.
GPS_LATITUDE = (40.0, 26.0, 46.32)
PHOTO_KINDS = ("jpeg", "png-exif-chunk", "webp", "mpo", "heic")


def _exif_with_gps() -> Any:
    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = ORIENTATION_RIGHT_TOP
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (79.0, 58.0, 56.0)
    return exif


def photo_with_gps(kind: str, *, size: tuple[int, int] = (64, 48)) -> bytes:
    """A real file of `kind` (see PHOTO_KINDS) whose EXIF holds a location and orientation 6.

    png-exif-chunk: an `eXIf` chunk as the PNG spec defines it (raw TIFF, no "Exif" prefix);
    webp: the RIFF `EXIF` chunk; mpo: a JPEG followed by a second JPEG, both with the location.
    """
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    picture = Image.new("RGB", size, (200, 40, 30))
    output = io.BytesIO()
    if kind == "mpo":
        second = Image.new("RGB", size, (30, 40, 200))
        picture.save(output, "MPO", save_all=True, append_images=[second], exif=_exif_with_gps())
    else:
        image_format = {"jpeg": "JPEG", "png-exif-chunk": "PNG", "webp": "WEBP", "heic": "HEIF"}[kind]
        picture.save(output, image_format, exif=_exif_with_gps())
    return output.getvalue()


def gps_read_back(data: bytes) -> list[dict[int, Any]]:
    """The GPS directory of every picture in the file, as Pillow reads it ({} where there is none)."""
    from PIL import ExifTags, Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    with Image.open(io.BytesIO(data)) as image:
        found = []
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            found.append(dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo)))
        return found
