"""Image type by magic bytes and location removal, on real image files."""

from __future__ import annotations

import pytest

from shared.image_upload import (
    HEIC,
    JPEG,
    PNG,
    WEBP,
    ImageError,
    detect_image_type,
    display_name,
    gps_entry_count,
    remove_location,
)
from tests.image_samples import (
    JPEG_BYTES,
    LATITUDE_RATIONALS,
    PNG_BYTES,
    WEBP_BYTES,
    exif_payload,
    heic_with_location,
    jpeg_with_location,
)


def test_real_images_are_recognised_by_their_bytes() -> None:
    # GIVEN real JPEG, PNG, WebP files and a HEIC header WHEN their first bytes are checked
    # THEN each is recognised with the right content type
    assert detect_image_type(JPEG_BYTES[:32]) == JPEG
    assert detect_image_type(PNG_BYTES[:32]) == PNG
    assert detect_image_type(WEBP_BYTES[:32]) == WEBP
    assert detect_image_type(heic_with_location()[:32]) == HEIC
    assert JPEG.content_type == "image/jpeg"


@pytest.mark.parametrize(
    "head",
    [b"%PDF-1.7\n" + b"x" * 30, b"<html><script>alert(1)</script>", b"GIF89a" + b"\x00" * 30, b"", b"MZ\x90\x00"],
)
def test_non_images_are_not_recognised_whatever_their_name(head: bytes) -> None:
    # GIVEN a PDF, HTML, a GIF, nothing, an executable WHEN checked THEN not an accepted image
    assert detect_image_type(head) is None


def test_jpeg_location_is_removed_and_orientation_kept() -> None:
    # GIVEN a JPEG whose EXIF and XMP both hold a latitude
    original = jpeg_with_location()
    assert gps_entry_count(original) == 2
    assert LATITUDE_RATIONALS in original
    # WHEN cleaned
    cleaned = remove_location(original, JPEG)
    # THEN no GPS entry, no latitude bytes and no XMP remain; orientation and the picture data do
    assert gps_entry_count(cleaned) == 0
    assert LATITUDE_RATIONALS not in cleaned
    assert b"GPSLatitude" not in cleaned
    assert b"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06" in cleaned  # Orientation = 6, big-endian entry
    assert cleaned.endswith(JPEG_BYTES[-200:])
    assert detect_image_type(cleaned) == JPEG


def test_jpeg_without_metadata_is_unchanged() -> None:
    # GIVEN a JPEG with no EXIF WHEN cleaned THEN byte-identical
    assert remove_location(JPEG_BYTES, JPEG) == JPEG_BYTES


def test_heic_location_is_blanked_in_place() -> None:
    # GIVEN a HEIC whose EXIF item holds a latitude WHEN cleaned
    original = heic_with_location()
    cleaned = remove_location(original, HEIC)
    # THEN same length (no container offsets move), and no location left
    assert len(cleaned) == len(original)
    assert gps_entry_count(original) == 2
    assert gps_entry_count(cleaned) == 0
    assert LATITUDE_RATIONALS not in cleaned


def test_png_exif_chunk_location_is_blanked() -> None:
    # GIVEN a PNG with an eXIf chunk inserted before IEND
    png = PNG_BYTES[:-12] + len(exif_payload()).to_bytes(4, "big") + b"eXIf" + exif_payload() + b"\0\0\0\0"
    png += PNG_BYTES[-12:]
    # WHEN cleaned THEN the latitude is gone
    assert LATITUDE_RATIONALS not in remove_location(png, PNG)


@pytest.mark.parametrize(
    "damaged", [b"\xff\xd8\xff\xe0\x00", b"\xff\xd8\xff\xe1\xff\xff" + b"\0" * 10, b"\xff\xd8\x00\x00"]
)
def test_damaged_jpeg_is_refused_with_a_reason(damaged: bytes) -> None:
    # GIVEN a truncated or corrupt JPEG WHEN cleaned THEN a clear ImageError, not a crash
    with pytest.raises(ImageError):
        remove_location(damaged, JPEG)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\leak.jpg", "leak.jpg"),
        ("<script>.jpg", "_script_.jpg"),
        ("..", ""),
        (None, ""),
        ("a" * 300 + ".jpg", "a" * 100),
    ],
)
def test_client_file_names_are_made_safe_to_show(given: str | None, shown: str) -> None:
    # GIVEN a client-supplied name WHEN cleaned for display THEN no folders or markup survive
    assert display_name(given) == shown
