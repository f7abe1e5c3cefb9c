"""Chroma access: an embedded `PersistentClient` in the index directory, or a Chroma server by URL.

A `VectorStore` reaches its client and collection on first use, so a Chroma server that is down does
not stop the app from starting (the question path calls it through assistant/retrieval/dependency.py).
"""

import re
import threading
from collections.abc import Callable
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.retrieval.embeddings import usable
from assistant.settings import Settings

ADD_BATCH = 512
# HNSW search breadth. Chroma's default (100) misses true neighbours (2% of PIAF queries within
# the top 10, 80% within the top 100 that retrieval asks for) and the misses differ from one
# process to the next, so rankings were not reproducible. With 500 the top 100 is exact on PIAF.
SEARCH_EF = 500
# A Chroma server's requests give up after this long (its client waits forever by default): the bound
# on a call that indexing makes (512 vectors at a time) and on the thread a frozen server holds.
HTTP_TIMEOUT_S = 30


def chroma_client(settings: Settings):
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        client = chromadb.HttpClient(
            host=url.hostname or "localhost", port=url.port or 8000, ssl=url.scheme == "https", settings=chroma_settings
        )
        session = getattr(getattr(client, "_server", None), "_session", None)  # chromadb's httpx client: no timeout
        if session is not None:
            session.timeout = httpx.Timeout(HTTP_TIMEOUT_S, connect=5)
        return client
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


def collection_name(model: str, index_dir_name: str = "") -> str:
    """One collection per embedding model, so a model change never mixes vector spaces."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", f"chunks-{model}").strip("-._")
    return slug[:60] if len(slug) >= 3 else f"chunks-{slug}"


class VectorStore:
    def __init__(self, client, name: str, connect: Callable[[], object] | None = None):
        """`client`, or `connect` to make it on first use (`VectorStore.connect`)."""
        self._client = client
        self._connect = connect
        self.name = name
        self._collection = None
        self._lock = threading.Lock()

    @classmethod
    def connect(cls, settings: Settings, name: str) -> "VectorStore":
        """The collection `name` of the settings' Chroma, reached on first use."""
        return cls(None, name, connect=lambda: chroma_client(settings))

    @property
    def client(self):
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    @property
    def collection(self):
        if self._collection is None:
            client = self.client
            with self._lock:
                if self._collection is None:
                    # embedding_function=None: chromadb's default would download a model; we always pass vectors.
                    collection = client.get_or_create_collection(self.name, embedding_function=None,
                                                                 metadata={"hnsw:space": "cosine"})
                    hnsw = (collection.configuration or {}).get("hnsw") or {}
                    if hnsw.get("ef_search") != SEARCH_EF:
                        collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
                    self._collection = collection
        return self._collection

    def existing(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 1000):
            found.update(self.collection.get(ids=ids[i : i + 1000], include=[])["ids"])
        return found

    def dimension(self) -> int | None:
        """The length of the stored vectors; None while the collection is empty (its first vector sets it)."""
        found = self.collection.get(limit=1, include=["embeddings"])["embeddings"]
        return len(found[0]) if found is not None and len(found) else None

    def all_ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def vectors(self, batch: int = 1000):
        """Every stored vector, `batch` at a time (lists of floats): read, never embedded again."""
        offset = 0
        while True:
            found = self.collection.get(limit=batch, offset=offset, include=["embeddings"])["embeddings"]
            if found is None or not len(found):
                return
            yield found
            offset += len(found)

    def add(self, ids: list[str], vectors: list[list[float]], sources: list[str]) -> None:
        for i in range(0, len(ids), ADD_BATCH):
            self.collection.upsert(
                ids=ids[i : i + ADD_BATCH],
                embeddings=vectors[i : i + ADD_BATCH],
                metadatas=[{"source": s} for s in sources[i : i + ADD_BATCH]],
            )

    def copy_to(self, other: "VectorStore", ids: list[str]) -> int:
        """Copy the vectors stored for `ids` into `other`, without embedding them again; returns how many.
        A vector no check would accept now (all zeros, NaN: stored before vectors were checked) is left
        behind, so the run embeds its chunk again."""
        copied = 0
        for i in range(0, len(ids), 1000):
            found = self.collection.get(ids=ids[i : i + 1000], include=["embeddings", "metadatas"])
            kept = [n for n, vector in enumerate(found["embeddings"] if found["ids"] else [])
                    if usable(np.asarray(vector), None)]
            if kept:
                other.add([found["ids"][n] for n in kept], [found["embeddings"][n] for n in kept],
                          [found["metadatas"][n]["source"] for n in kept])
                copied += len(kept)
        return copied

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i : i + 1000])

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        """(id, cosine similarity), best first: `n` at most (Chroma returns what the collection holds when it
        holds fewer, none when it is empty). No `count()` first: Chroma's binding keeps the GIL through it,
        which under 20 concurrent questions was a fifth of the server's Python time (docs/benchmarks.md)."""
        result = self.collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0])]

    def drop(self) -> None:
        self.client.delete_collection(self.name)
