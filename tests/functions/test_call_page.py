"""GET /c/{call_id} and GET /blobs/{key}: the owner's call page and local photo serving."""

from __future__ import annotations

import io
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from functions.local_app import create_local_app
from shared.blob_storage import s3_client
from shared.database import Database
from shared.repositories.businesses import Business
from shared.repositories.photos import list_photos
from shared.settings import Settings
from tests.functions.conftest import CALLER, make_report, post_report
from tests.functions.test_photo_upload import reported_call
from tests.image_samples import JPEG_BYTES, PNG_BYTES
from tests.s3_server import S3Server, S3ServerUnavailable, start_moto

JSON = {"Accept": "application/json"}


async def test_call_page_shows_what_the_owner_needs(client: httpx.AsyncClient, settings: Settings) -> None:
    # GIVEN a reported emergency call
    answer = (await post_report(client, settings, make_report())).json()
    # WHEN the owner opens the link from the SMS
    response = await client.get(f"/c/{answer['call_id']}")
    # THEN the page shows the business, urgency, caller, problem, place, tap-to-call and the transcript
    assert response.status_code == 200
    html = response.text
    assert "Rapid Rooter Plumbing" in html
    assert 'data-testid="urgency">EMERGENCY<' in html
    assert "Maria Lopez" in html
    assert "Burst pipe under the kitchen sink" in html
    assert "12 Oak Street" in html
    assert f'href="tel:{CALLER}"' in html
    assert "a pipe burst under my kitchen sink" in html
    assert "No photos yet" in html
    # AND times are in the business's timezone (America/Chicago), and the page is never indexed or cached
    assert " CST" in html or " CDT" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert "no-store" in response.headers["cache-control"]


async def test_caller_words_are_escaped(client: httpx.AsyncClient, settings: Settings) -> None:
    # GIVEN a transcript with markup in it WHEN the page renders THEN it is text, not HTML
    report = make_report()
    hostile = report.transcript[1].model_copy(update={"text": "<script>alert('x')</script>"})
    answer = (await post_report(client, settings, report.model_copy(update={"transcript": [hostile]}))).json()
    html = (await client.get(f"/c/{answer['call_id']}")).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


async def test_unknown_call_is_a_404_page(client: httpx.AsyncClient) -> None:
    # GIVEN an id nobody was given WHEN opened THEN a 404 page, not indexed
    response = await client.get("/c/" + secrets.token_urlsafe(16))
    assert response.status_code == 404
    assert "Call not found" in response.text
    assert response.headers["x-robots-tag"].startswith("noindex")


async def test_uploaded_photos_appear_and_are_served_with_their_type(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a call whose caller uploaded a JPEG and a PNG
    call_id, token = await reported_call(client, settings, db)
    files = [("photos", ("sink.jpg", JPEG_BYTES, "image/jpeg")), ("photos", ("pipe.png", PNG_BYTES, "image/png"))]
    assert (await client.post(f"/photo/{token}", files=files, headers=JSON)).json()["stored"] == 2
    # WHEN the owner opens the call page
    html = (await client.get(f"/c/{call_id}")).text
    # THEN both are shown as thumbnails linking to the full photo, and each URL serves the bytes
    assert "Photos (2)" in html
    for photo in await list_photos(db, call_id):
        url = f"/blobs/{photo.blob_key}"
        assert f'<a href="{url}"' in html
        assert f'<img src="{url}"' in html
        served = await client.get(url)
        assert served.status_code == 200
        assert served.headers["content-type"] == photo.content_type
        # (the bytes stored: the upload re-encoded without metadata, the same picture)
        assert served.content == (settings.blob_dir / photo.blob_key).read_bytes()
        original = JPEG_BYTES if photo.content_type == "image/jpeg" else PNG_BYTES
        assert Image.open(io.BytesIO(served.content)).size == Image.open(io.BytesIO(original)).size


@pytest.mark.parametrize(
    "path",
    ["/blobs/../data/buddyhelps.db", "/blobs/%2e%2e/buddyhelps.db", "/blobs/calls/x/photos/planted.jpg", "/blobs/"],
)
async def test_blob_route_serves_only_photos_that_exist(
    client: httpx.AsyncClient, settings: Settings, path: str
) -> None:
    # GIVEN a file planted in the blob folder without a photo row, and the database beside it
    planted = settings.blob_dir / "calls" / "x" / "photos" / "planted.jpg"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(JPEG_BYTES)
    # WHEN fetched, directly or by climbing out THEN 404
    response = await client.get(path)
    assert response.status_code == 404


@pytest.fixture(scope="module")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    try:
        server = start_moto(tmp_path_factory.mktemp("moto"))
    except S3ServerUnavailable as error:
        pytest.skip(f"moto S3 server unavailable: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def s3_client_app(
    settings: Settings, business: Business, moto_s3: S3Server
) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    bucket = "photos-" + secrets.token_hex(4)
    s3_settings = settings.model_copy(
        update={
            "blob_backend": "s3",
            "s3_bucket": bucket,
            "s3_endpoint_url": moto_s3.endpoint_url,
            "s3_access_key_id": moto_s3.access_key,
            "s3_secret_access_key": moto_s3.secret_key,
        }
    )
    s3_client(
        region="us-east-1",
        endpoint_url=moto_s3.endpoint_url,
        access_key_id=moto_s3.access_key,
        secret_access_key=moto_s3.secret_key,
    ).create_bucket(Bucket=bucket)
    app = create_local_app(s3_settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://functions.test") as client:
        yield client, s3_settings
    await app.state.edge.close()


async def test_with_s3_the_page_links_presigned_urls_that_work(
    s3_client_app: tuple[httpx.AsyncClient, Settings], db: Database, tmp_path: Path
) -> None:
    # GIVEN S3 blob storage and a photo uploaded for a call
    client, s3_settings = s3_client_app
    call_id, token = await reported_call(client, s3_settings, db)
    assert (await client.post(f"/photo/{token}", files={"photos": ("a.jpg", JPEG_BYTES)}, headers=JSON)).is_success
    # WHEN the call page renders
    html = (await client.get(f"/c/{call_id}")).text
    # THEN the photo links to a presigned S3 URL that a browser can fetch, and nothing went to the local folder
    [photo] = await list_photos(db, call_id)
    start = html.index('<img src="') + len('<img src="')
    url = html[start : html.index('"', start)].replace("&amp;", "&")
    assert url.startswith(s3_settings.s3_endpoint_url or "")
    assert "X-Amz-Signature=" in url
    async with httpx.AsyncClient() as browser:
        fetched = await browser.get(url)
    assert fetched.status_code == 200
    assert Image.open(io.BytesIO(fetched.content)).size == Image.open(io.BytesIO(JPEG_BYTES)).size
    assert photo.blob_key in url
    assert not s3_settings.blob_dir.exists()
