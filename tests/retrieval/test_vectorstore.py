"""`VectorStore.query` asks Chroma for `n` neighbours without counting the collection first: a collection
holding fewer gives what it holds, an empty one gives none (real embedded Chroma)."""

import numpy as np

from assistant.retrieval.vectorstore import VectorStore
from tests.helpers import make_settings


def test_query_asks_more_than_stored_and_an_empty_collection(tmp_path):
    store = VectorStore.connect(make_settings(tmp_path), "chunks-test")
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(7, 16)).astype(np.float32)
    query = vectors[3] + 0.01
    assert store.query(query.tolist(), 100) == []  # empty: no error, no neighbour

    store.add([f"c{i}" for i in range(7)], vectors.tolist(), ["doc.md"] * 7)
    found = store.query(query.tolist(), 100)
    assert len(found) == 7  # all it holds, not an error for asking 100
    assert found[0][0] == "c3" and found[0][1] > 0.99  # nearest first, as a cosine
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert len(store.query(query.tolist(), 3)) == 3
