"""Where photos and call recordings live: a local folder in the embedded default, an S3 bucket in production.

One small async interface (`put`, `get`, `url_for`, `delete`; `put_file`, `size` and `read_range` for
recordings, which are too big to hold whole); keys are always built by our code
(`calls/photos/{random}.{ext}`, `calls/recordings/{random}.wav`) and checked again here, so no key can climb out of the
folder or name an absolute path. boto3 is blocking: its calls run in a worker thread.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from shared.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
MAX_KEY_LENGTH = 512
DEFAULT_URL_EXPIRY_S = 3600


class BlobNotFound(LookupError):
    """No blob under that key."""


class InvalidBlobKey(ValueError):
    """A key that could escape the storage root or is not one of ours."""


def validate_key(key: str) -> str:
    """Return the key unchanged, or raise InvalidBlobKey (no `..`, no absolute path, no odd characters)."""
    if not key or len(key) > MAX_KEY_LENGTH or not _KEY.match(key) or ".." in key.split("/"):
        raise InvalidBlobKey(f"invalid blob key: {key[:60]!r}")
    if any(part in {".", ".."} for part in key.split("/")):
        raise InvalidBlobKey(f"invalid blob key: {key[:60]!r}")
    return key


class BlobStorage(Protocol):
    async def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def url_for(self, key: str, *, expires_s: int = DEFAULT_URL_EXPIRY_S) -> str:
        """A URL a browser can GET the blob from (presigned for S3)."""
        ...

    async def delete(self, key: str) -> None: ...

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        """Store a local file without reading it into memory (S3: a managed, multipart upload)."""
        ...

    async def size(self, key: str) -> int:
        """The blob's length in bytes; BlobNotFound when there is none."""
        ...

    async def read_range(self, key: str, *, start: int, length: int) -> bytes:
        """Up to `length` bytes from `start` (fewer at the end of the blob)."""
        ...


class LocalBlobStorage:
    """Blobs as files under `root`; served by the functions app at `{url_prefix}/{key}`."""

    def __init__(self, *, root: Path, url_prefix: str = "/blobs") -> None:
        self.root = root
        self.url_prefix = url_prefix.rstrip("/")

    def path_for(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise InvalidBlobKey(f"invalid blob key: {key[:60]!r}")
        return path

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        await asyncio.to_thread(_write_atomically, self.path_for(key), data)

    async def get(self, key: str) -> bytes:
        path = self.path_for(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as error:
            raise BlobNotFound(key) from error

    async def url_for(self, key: str, *, expires_s: int = DEFAULT_URL_EXPIRY_S) -> str:
        return f"{self.url_prefix}/{validate_key(key)}"

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_for(key).unlink, missing_ok=True)

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        await asyncio.to_thread(_copy_atomically, path, self.path_for(key))

    async def size(self, key: str) -> int:
        try:
            return (await asyncio.to_thread(self.path_for(key).stat)).st_size
        except FileNotFoundError as error:
            raise BlobNotFound(key) from error

    async def read_range(self, key: str, *, start: int, length: int) -> bytes:
        try:
            return await asyncio.to_thread(_read_range, self.path_for(key), start, length)
        except FileNotFoundError as error:
            raise BlobNotFound(key) from error


def _read_range(path: Path, start: int, length: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(start)
        return handle.read(length)


def _copy_atomically(source: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    shutil.copyfile(source, temporary)
    temporary.replace(path)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


class S3BlobStorage:
    """Blobs in one S3 bucket (or any S3-compatible server via the client's endpoint)."""

    def __init__(self, *, bucket: str, client: S3Client) -> None:
        self.bucket = bucket
        self._client = client

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        await asyncio.to_thread(
            self._client.put_object, Bucket=self.bucket, Key=validate_key(key), Body=data, ContentType=content_type
        )

    async def get(self, key: str) -> bytes:
        try:
            response = await asyncio.to_thread(self._client.get_object, Bucket=self.bucket, Key=validate_key(key))
        except self._client.exceptions.NoSuchKey as error:
            raise BlobNotFound(key) from error
        body: bytes = await asyncio.to_thread(response["Body"].read)
        return body

    async def url_for(self, key: str, *, expires_s: int = DEFAULT_URL_EXPIRY_S) -> str:
        url: str = await asyncio.to_thread(
            self._client.generate_presigned_url,
            "get_object",
            Params={"Bucket": self.bucket, "Key": validate_key(key)},
            ExpiresIn=expires_s,
        )
        return url

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=validate_key(key))

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        await asyncio.to_thread(
            self._client.upload_file,
            str(path),
            self.bucket,
            validate_key(key),
            ExtraArgs={"ContentType": content_type},
        )

    async def size(self, key: str) -> int:
        from botocore.exceptions import ClientError

        try:
            head = await asyncio.to_thread(self._client.head_object, Bucket=self.bucket, Key=validate_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                raise BlobNotFound(key) from error
            raise
        return int(head["ContentLength"])

    async def read_range(self, key: str, *, start: int, length: int) -> bytes:
        if length <= 0:
            return b""
        try:
            response = await asyncio.to_thread(
                self._client.get_object,
                Bucket=self.bucket,
                Key=validate_key(key),
                Range=f"bytes={start}-{start + length - 1}",
            )
        except self._client.exceptions.NoSuchKey as error:
            raise BlobNotFound(key) from error
        body: bytes = await asyncio.to_thread(response["Body"].read)
        return body


def s3_client(
    *,
    region: str,
    endpoint_url: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> S3Client:
    """A SigV4 S3 client; path-style addressing when an endpoint is given (SeaweedFS, moto, R2)."""
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {"signature_version": "s3v4", "retries": {"max_attempts": 3, "mode": "standard"}}
    if endpoint_url:
        options["s3"] = {"addressing_style": "path"}
    client: S3Client = boto3.client(
        "s3",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=Config(**options),
    )
    return client


def create_blob_storage(settings: Settings) -> BlobStorage:
    if settings.blob_backend == "s3":
        if not settings.s3_bucket:
            raise ValueError("BLOB_BACKEND=s3 needs S3_BUCKET")
        client = s3_client(
            region=settings.aws_region,
            endpoint_url=settings.s3_endpoint_url,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
        return S3BlobStorage(bucket=settings.s3_bucket, client=client)
    return LocalBlobStorage(root=settings.blob_dir)
