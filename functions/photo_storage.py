"""The blob store of a functions app: created from Settings once per process, kept on app.state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from functions.edge_app import edge_state
from shared.blob_storage import BlobStorage, create_blob_storage


def get_blob_storage(request: Request) -> BlobStorage:
    store: BlobStorage | None = getattr(request.app.state, "blob_storage", None)
    if store is None:
        store = create_blob_storage(edge_state(request).settings)
        request.app.state.blob_storage = store
    return store


BlobStorageDep = Annotated[BlobStorage, Depends(get_blob_storage)]
