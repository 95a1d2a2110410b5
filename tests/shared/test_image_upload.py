"""Image type by magic bytes and metadata removal (Pillow re-encodes), on real image files of each kind."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shared.image_upload import (
    HEIC,
    JPEG,
    PNG,
    WEBP,
    ImageError,
    detect_image_type,
    display_name,
    gps_entry_count,
    remove_metadata,
)
from tests.image_samples import (
    JPEG_BYTES,
    LATITUDE_RATIONALS,
    PHOTO_KINDS,
    PNG_BYTES,
    WEBP_BYTES,
    gps_read_back,
    heic_with_location,
    jpeg_with_location,
    photo_with_gps,
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


@pytest.mark.parametrize("kind", PHOTO_KINDS)
def test_no_location_survives_in_any_kind_of_photo(kind: str) -> None:
    # GIVEN a real photo of this kind whose EXIF holds a location (Pillow reads it back)
    original = photo_with_gps(kind)
    image_type = detect_image_type(original[:32])
    assert image_type is not None
    assert any(gps for gps in gps_read_back(original))
    # WHEN cleaned
    cleaned = remove_metadata(original, image_type)
    # THEN Pillow finds no location in any picture of the result, and there is one picture only
    assert gps_read_back(cleaned.data) == [{}]
    assert gps_entry_count(cleaned.data) == 0
    with Image.open(io.BytesIO(cleaned.data)) as picture:
        # AND the photo was turned upright (orientation 6 applied), since the orientation tag is gone too
        # (HEIF rotates with its own `irot` box, which the decoder applies; EXIF orientation is ignored there)
        assert picture.size == ((64, 48) if kind == "heic" else (48, 64))
        assert picture.getexif() == {}
        assert picture.format == ("JPEG" if cleaned.image_type == JPEG else cleaned.image_type.name.upper())


def test_heic_is_stored_as_jpeg_every_browser_shows() -> None:
    cleaned = remove_metadata(photo_with_gps("heic"), HEIC)
    assert cleaned.image_type == JPEG
    assert detect_image_type(cleaned.data[:32]) == JPEG


def test_the_second_picture_of_a_multi_picture_jpeg_is_dropped() -> None:
    # GIVEN a JPEG followed by a second JPEG (an MPO, as some phones write)
    original = photo_with_gps("mpo")
    assert original.count(b"\xff\xd8\xff") >= 2
    # WHEN cleaned THEN only the first picture's pixels remain, red not blue
    cleaned = remove_metadata(original, JPEG)
    with Image.open(io.BytesIO(cleaned.data)) as picture:
        assert getattr(picture, "n_frames", 1) == 1
        red, _, blue = picture.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        assert red > 150 > blue


def test_hand_made_exif_and_xmp_in_a_real_jpeg_are_gone() -> None:
    # GIVEN a real JPEG with an EXIF block (latitude) and an XMP packet (latitude) inserted by hand
    original = jpeg_with_location()
    assert gps_entry_count(original) == 2
    # WHEN cleaned THEN neither the EXIF values nor the XMP text remain
    cleaned = remove_metadata(original, JPEG).data
    assert LATITUDE_RATIONALS not in cleaned
    assert b"GPSLatitude" not in cleaned
    assert b"xmpmeta" not in cleaned


def test_png_and_webp_keep_their_type() -> None:
    assert remove_metadata(PNG_BYTES, PNG).image_type == PNG
    assert remove_metadata(WEBP_BYTES, WEBP).image_type == WEBP


@pytest.mark.parametrize(
    "damaged",
    [
        b"\xff\xd8\xff\xe0\x00",
        b"\xff\xd8\xff\xe1\xff\xff" + b"\0" * 10,
        b"\xff\xd8\x00\x00",
        JPEG_BYTES[: len(JPEG_BYTES) // 2],
        heic_with_location(),  # HEIC-shaped bytes with no picture in them
    ],
    ids=["header-only", "bad-segment", "no-marker", "truncated", "heic-without-picture"],
)
def test_damaged_files_are_refused_with_a_reason(damaged: bytes) -> None:
    # GIVEN a truncated or corrupt file WHEN cleaned THEN a clear ImageError, not a crash
    image_type = detect_image_type(damaged[:32]) or JPEG
    with pytest.raises(ImageError, match=r"damaged|truncated|not one"):
        remove_metadata(damaged, image_type)


def test_a_file_pillow_reads_as_another_format_than_its_first_bytes_is_refused() -> None:
    with pytest.raises(ImageError, match="starts like webp but is not one"):
        remove_metadata(PNG_BYTES, WEBP)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    # GIVEN a 12 kB PNG of 10,000 x 10,000 pixels
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")
    # WHEN cleaned THEN refused for its size in pixels
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(ImageError, match="megapixels"):
        remove_metadata(bomb.getvalue(), PNG)


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
