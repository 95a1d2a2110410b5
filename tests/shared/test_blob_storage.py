"""Blob storage: the local folder and a real S3 server (SeaweedFS: signatures and expiry enforced)."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import httpx
import pytest

from shared.blob_storage import (
    BlobNotFound,
    InvalidBlobKey,
    LocalBlobStorage,
    S3BlobStorage,
    create_blob_storage,
    s3_client,
    validate_key,
)
from shared.settings import load_settings
from tests.s3_server import S3Server

JPEG_BYTES = (Path(__file__).parents[1] / "fixtures" / "images" / "python.jpg").read_bytes()


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "/etc/passwd", "calls/../../x", "calls//x", "", "a/./b", "calls/x\\y", "calls/x y", "~root"],
)
def test_keys_that_could_escape_are_refused(key: str) -> None:
    # GIVEN a hostile key WHEN validated THEN it is refused
    with pytest.raises(InvalidBlobKey):
        validate_key(key)


async def test_local_storage_round_trip_and_delete(tmp_path: Path) -> None:
    # GIVEN a local store
    store = LocalBlobStorage(root=tmp_path / "blobs")
    key = "calls/abc/photos/p1.jpg"
    # WHEN a blob is put
    await store.put(key, JPEG_BYTES, content_type="image/jpeg")
    # THEN it reads back, lies under the root, and its URL is the local route
    assert await store.get(key) == JPEG_BYTES
    assert (tmp_path / "blobs" / key).read_bytes() == JPEG_BYTES
    assert await store.url_for(key) == "/blobs/calls/abc/photos/p1.jpg"
    # WHEN deleted THEN it is gone
    await store.delete(key)
    with pytest.raises(BlobNotFound):
        await store.get(key)


async def test_local_storage_never_writes_outside_its_root(tmp_path: Path) -> None:
    # GIVEN a local store under tmp/blobs
    store = LocalBlobStorage(root=tmp_path / "blobs")
    # WHEN a traversal key is used THEN it is refused and nothing is written beside the root
    with pytest.raises(InvalidBlobKey):
        await store.put("../outside.jpg", b"x", content_type="image/jpeg")
    assert not (tmp_path / "outside.jpg").exists()


def test_default_settings_give_a_local_store_under_the_data_dir(tmp_path: Path) -> None:
    # GIVEN the embedded default WHEN the store is created THEN it is the local folder
    store = create_blob_storage(load_settings(BUDDYHELPS_DATA_DIR=str(tmp_path)))
    assert isinstance(store, LocalBlobStorage)
    assert store.root == tmp_path / "blobs"


@pytest.fixture
def bucket(seaweedfs: S3Server) -> str:
    name = "photos-" + secrets.token_hex(4)
    client = s3_client(
        region="us-east-1",
        endpoint_url=seaweedfs.endpoint_url,
        access_key_id=seaweedfs.access_key,
        secret_access_key=seaweedfs.secret_key,
    )
    client.create_bucket(Bucket=name)
    return name


async def test_s3_store_from_settings_round_trips_and_presigns(seaweedfs: S3Server, bucket: str) -> None:
    # GIVEN settings choosing S3 on the SeaweedFS server
    settings = load_settings(
        BLOB_BACKEND="s3",
        S3_BUCKET=bucket,
        S3_ENDPOINT_URL=seaweedfs.endpoint_url,
        S3_ACCESS_KEY_ID=seaweedfs.access_key,
        S3_SECRET_ACCESS_KEY=seaweedfs.secret_key,
    )
    store = create_blob_storage(settings)
    assert isinstance(store, S3BlobStorage)
    key = "calls/c1/photos/p1.jpg"
    # WHEN a photo is stored
    await store.put(key, JPEG_BYTES, content_type="image/jpeg")
    # THEN it reads back, and a browser can GET it through the presigned URL with its type
    assert await store.get(key) == JPEG_BYTES
    url = await store.url_for(key, expires_s=300)
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == JPEG_BYTES
    assert response.headers["content-type"] == "image/jpeg"
    # WHEN deleted THEN it is gone
    await store.delete(key)
    with pytest.raises(BlobNotFound):
        await store.get(key)


async def test_s3_presigned_urls_refuse_tampering_wrong_secret_and_expiry(seaweedfs: S3Server, bucket: str) -> None:
    # GIVEN a stored photo
    good = S3BlobStorage(
        bucket=bucket,
        client=s3_client(
            region="us-east-1",
            endpoint_url=seaweedfs.endpoint_url,
            access_key_id=seaweedfs.access_key,
            secret_access_key=seaweedfs.secret_key,
        ),
    )
    forger = S3BlobStorage(
        bucket=bucket,
        client=s3_client(
            region="us-east-1",
            endpoint_url=seaweedfs.endpoint_url,
            access_key_id=seaweedfs.access_key,
            secret_access_key="not-the-secret-key-at-all-000000000",
        ),
    )
    await good.put("calls/c2/photos/a.jpg", JPEG_BYTES, content_type="image/jpeg")
    await good.put("calls/c2/photos/b.jpg", b"other", content_type="image/jpeg")
    url = await good.url_for("calls/c2/photos/a.jpg", expires_s=1)
    async with httpx.AsyncClient() as client:
        # WHEN the key in a valid URL is swapped for another photo's THEN refused
        tampered = await client.get(url.replace("/a.jpg", "/b.jpg"))
        # WHEN the URL was signed with the wrong secret THEN refused
        forged = await client.get(await forger.url_for("calls/c2/photos/a.jpg"))
        # WHEN the URL has expired THEN refused
        await asyncio.sleep(2.2)
        expired = await client.get(url)
    assert tampered.status_code == 403
    assert forged.status_code == 403
    assert expired.status_code == 403
