"""A real phone-sized Chromium uploads two photos at /photo/{token}, then the owner sees them at /c/{call_id}."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.database import Database
from shared.image_upload import gps_entry_count
from shared.repositories.photo_tokens import create_photo_token
from shared.repositories.photos import list_photos
from shared.settings import Settings
from tests.functions.conftest import ServedApp, make_report, post_report
from tests.image_samples import PNG_BYTES, jpeg_with_location

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture
async def phone(tmp_path: Path) -> AsyncIterator[Any]:
    """A Chromium context the size of a phone, with touch, on a fresh profile."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian chromium is not installed (scripts/system_deps.sh installs it)")
    try:
        from playwright.async_api import async_playwright
    except ImportError as error:
        pytest.skip(f"playwright is not installed: {error}")
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        try:
            yield context
        finally:
            await context.close()


async def test_caller_uploads_two_photos_and_owner_sees_both(
    phone: Any, served_functions: ServedApp, settings: Settings, db: Database
) -> None:
    # GIVEN the functions app on a loopback port and a reported call with its photo link
    await served_functions.start()
    async with httpx.AsyncClient(base_url=served_functions.base_url) as client:
        answer = (await post_report(client, settings, make_report())).json()
    call_id = answer["call_id"]
    token = (await create_photo_token(db, call_id=call_id, now=datetime.now(UTC))).token  # the SMS's is not kept
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # WHEN the caller opens the link on a phone and picks two photos (one with GPS in it)
    page = await phone.new_page()
    await page.goto(f"{served_functions.base_url}/photo/{token}")
    await page.screenshot(path=str(SCREENSHOTS / "photo_upload_page.png"), full_page=True)
    await page.set_input_files(
        "#photos",
        [
            {"name": "sink.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_location()},
            {"name": "pipe.png", "mimeType": "image/png", "buffer": PNG_BYTES},
        ],
    )
    await page.click("#send")
    # THEN the page shows the progress bar full and a thank-you message
    await page.wait_for_selector(".status.done", timeout=15_000)
    assert await page.text_content("#status") == "Thank you! 2 photos sent to Rapid Rooter Plumbing."
    assert await page.eval_on_selector("#progress", "bar => bar.value") == 100
    await page.screenshot(path=str(SCREENSHOTS / "photo_upload_done.png"), full_page=True)

    # WHEN the owner opens the call page on their phone
    await page.goto(f"{served_functions.base_url}/c/{call_id}")
    # THEN both photos are displayed (loaded, not broken), with the emergency badge and tap-to-call
    # (the photos load lazily: each is scrolled into view, then the network goes quiet; wait_for_function
    # would need eval, which the page's CSP forbids whenever its first check fails)
    for photo in await page.locator(".photos img").all():
        await photo.scroll_into_view_if_needed()
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate("[...document.images].length === 2 && [...document.images].every(i => i.complete)")
    widths = await page.eval_on_selector_all(".photos img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 2
    assert all(width > 0 for width in widths)
    assert await page.text_content("[data-testid=urgency]") == "EMERGENCY"
    assert await page.get_attribute("a.call-button", "href") == "tel:+15555550123"
    await page.screenshot(path=str(SCREENSHOTS / "call_page.png"), full_page=True)
    # AND the stored JPEG carries no location
    photos = await list_photos(db, call_id)
    jpeg = next(p for p in photos if p.content_type == "image/jpeg")
    assert gps_entry_count((settings.blob_dir / jpeg.blob_key).read_bytes()) == 0
