"""Fixtures for shared/ tests: a real S3 server (SeaweedFS) on loopback, started once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.s3_server import S3Server, S3ServerUnavailable, start_seaweedfs


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    try:
        server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    except S3ServerUnavailable as error:
        pytest.skip(f"SeaweedFS S3 server unavailable: {error}")
    try:
        yield server
    finally:
        server.stop()
