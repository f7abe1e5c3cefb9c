"""Hybrid retrieval: BM25 (French analyser) and dense (Chroma) scores, fused (assistant/retrieval/fusion.py),
then secondary documents (our synthesis sheets) weighted behind primary ones.

The lexical index is in memory; the dense search needs the query's vector (an embeddings server, when
one is set) and the vector store (a Chroma server, when one is set). Each server is called through a
`Dependency` (assistant/retrieval/dependency.py): with a deadline, and skipped for a few seconds after
a failure. When either is down, slow or wrong, the passages come from the lexical index alone and
`hybrid` says why (the answer carries a notice; /api/health lists the problem).
"""

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.models import Passage
from assistant.retrieval.dependency import Dependency, Unavailable
from assistant.retrieval.embeddings import PassageCache, checked_vectors, load_embeddings, similarity_scale
from assistant.retrieval.expansion import expanded_query
from assistant.retrieval.fusion import Fusion, fusion
from assistant.retrieval.index_state import IndexState
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.vectorstore import VectorStore, collection_name
from assistant.settings import Settings

CANDIDATES = 50  # best lexical passages fused with the dense search's 2 x CANDIDATES nearest
PROBE = "sonde de disponibilité"  # embedded by /api/health to see whether a failed embeddings server is back


class IndexMissing(Exception):
    pass


@dataclass
class Retriever:
    """Loaded once per process (`open` builds every part from the index); `search` is the hot path."""

    state: IndexState
    store: VectorStore
    settings: Settings
    lexical: LexicalIndex
    embeddings: Embeddings  # the index's model, for the query's vector
    similarity: tuple[float, float]  # (slope, intercept): the model's cosine on the answerer's scale
    fuse: Fusion  # settings.fusion
    positions: dict[str, int]  # chunk id -> its position in state.chunks
    by_source: dict[str, list[int]]  # document source -> the positions of its chunks
    embedder: Dependency  # the embeddings server (remote when settings.embeddings_url is set)
    vectors: Dependency  # the Chroma server (remote when settings.chroma_url is set)
    _dimension: int | None = None  # the stored vectors' length, read on the first dense search

    @classmethod
    def open(cls, settings: Settings) -> "Retriever":
        state = IndexState.load(settings.index_dir)
        if state is None:
            raise IndexMissing(f"no index in {settings.index_dir}: run `python -m assistant index`")
        by_source: dict[str, list[int]] = {}
        for position, chunk in enumerate(state.chunks):
            by_source.setdefault(chunk.source, []).append(position)
        return cls(
            state=state,
            store=VectorStore.connect(settings, state.collection or collection_name(state.model)),
            settings=settings,
            lexical=state.load_lexical(settings.index_dir),
            embeddings=load_embeddings(state.model, settings),
            similarity=similarity_scale(state.model),
            fuse=fusion(settings.fusion),
            positions={c.id: i for i, c in enumerate(state.chunks)},
            by_source=by_source,
            embedder=Dependency("embeddings server", settings.dependency_timeout_s, settings.dependency_retry_s,
                                remote=bool(settings.embeddings_url)),
            vectors=Dependency("vector store", settings.dependency_timeout_s, settings.dependency_retry_s,
                               remote=bool(settings.chroma_url)),
        )

    def __len__(self) -> int:
        return len(self.state.chunks)

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list[Passage]:
        """Top-k passages for `query`; mode 'lexical' or 'dense' for baselines and diagnostics."""
        return self.hybrid(query, k, mode)[0]

    def hybrid(self, query: str, k: int | None = None, mode: str = "hybrid") -> tuple[list[Passage], str | None]:
        """`search`'s passages, and why the dense search is missing from them (None when it is not)."""
        k = k or self.settings.top_k
        if not self.state.chunks:
            return [], None
        lexical, dense, missing = self._signals(query, with_dense=mode != "lexical")
        return self._ranked(lexical, dense, k, mode), missing

    def _ranked(self, lexical: np.ndarray, dense: dict[int, float], k: int, mode: str) -> list[Passage]:
        if mode == "dense":
            ranked = sorted(dense.items(), key=lambda item: -item[1])[:k]
            return [self._passage(i, s, lexical[i], s) for i, s in ranked]
        if mode == "lexical":
            return [self._passage(i, float(lexical[i]), lexical[i], 0.0)
                    for i in _top(lexical, CANDIDATES)[:k] if lexical[i] > 0]
        ranked = self.rank(lexical, dense)[:k]
        return [self._passage(i, s, lexical[i], dense.get(i, 0.0)) for i, s in ranked]

    def signals(self, query: str, with_dense: bool = True) -> tuple[np.ndarray, dict[int, float]]:
        """BM25 of every chunk (on the expanded query) and the cosine of the dense search's nearest chunks
        (none when a server it needs is unavailable)."""
        lexical, dense, _ = self._signals(query, with_dense)
        return lexical, dense

    def _signals(self, query: str, with_dense: bool) -> tuple[np.ndarray, dict[int, float], str | None]:
        lexical = self.lexical.scores(expanded_query(query, self.lexical.vocabulary))
        dense: dict[int, float] = {}
        if not with_dense:
            return lexical, dense, None
        try:
            vector = self.embedder.call(self._query_vector, query, self._index_dimension())
            nearest = self.vectors.call(self.store.query, vector, CANDIDATES * 2)
        except Unavailable as error:
            return lexical, {}, str(error)
        for chunk_id, similarity in nearest:
            position = self.positions.get(chunk_id)  # vectors of an uncommitted run are ignored
            if position is not None:
                dense[position] = similarity
        return lexical, dense, None

    def query_vector(self, text: str) -> list[float] | None:
        """The query embedding of `text`, or None while the embeddings server is unavailable or wrong
        (the vector store being down is no reason to go without it: the question's intent reads it)."""
        try:
            dimension = self._index_dimension()
        except Unavailable:
            dimension = None
        try:
            return self.embedder.call(self._query_vector, text, dimension)
        except Unavailable:
            return None

    def _query_vector(self, text: str, dimension: int | None) -> list[float]:
        if isinstance(self.embeddings, PassageCache):  # checked against the index's dimension, and kept only then
            return self.embeddings.embed_query(text, dimension)
        return checked_vectors([self.embeddings.embed_query(text)], 1, dimension, "the embedder")[0].tolist()

    def _probe_embedder(self) -> None:
        """A vector from the embedder itself (not a cached one), checked as a question's is."""
        inner = getattr(self.embeddings, "inner", self.embeddings)
        checked_vectors([inner.embed_query(PROBE)], 1, self._dimension, "the embedder")

    def _index_dimension(self) -> int | None:
        """The stored vectors' length, read once (a collection's dimension never changes), so that a query
        vector of another length is refused as the embedder's fault; Unavailable if the store is."""
        if self._dimension is None:
            self._dimension = self.vectors.call(self.store.dimension)
        return self._dimension

    def problems(self) -> list[str]:
        """What keeps the dense search from answering, one line each (for /api/health). A server that
        failed is probed again once its retry delay has passed, so health recovers without questions."""
        found = []
        for dependency, probe in ((self.embedder, self._probe_embedder), (self.vectors, lambda: self.store.collection.count())):
            if dependency.problem() is not None:
                try:
                    dependency.call(probe)
                except Unavailable:
                    pass
            found += [p for p in [dependency.problem()] if p]
        return found

    def rank(self, lexical: np.ndarray, dense: dict[int, float], fuse: Fusion | None = None, dense_weight: float | None = None,
             secondary_weight: float | None = None) -> list[tuple[int, float]]:
        """(position, fused score), best first, over the BM25 top candidates and the dense hits; the
        fusion and weights default to the settings' (evals pass others to refit them)."""
        fuse = fuse or self.fuse
        dense_weight = self.settings.dense_weight if dense_weight is None else dense_weight
        secondary_weight = self.settings.secondary_weight if secondary_weight is None else secondary_weight
        candidates = sorted(set(_top(lexical, CANDIDATES)) | set(dense))
        fused = fuse(candidates, lexical, dense, dense_weight)
        for i in fused:  # our own synthesis sheets rank behind a primary source that says as much
            if self.state.chunks[i].kind in self.settings.secondary_kinds:
                fused[i] *= secondary_weight
        return sorted(fused.items(), key=lambda item: -item[1])

    def within(self, query: str, source: str, k: int, exclude: set[str] = frozenset()) -> list[Passage]:
        """The best `k` passages of one document for `query`, by BM25 alone (scaled as the fusion
        scales it, with no dense score), leaving out the chunk ids in `exclude`."""
        positions = [i for i in self.by_source.get(source, []) if self.state.chunks[i].id not in exclude]
        if not positions:
            return []
        lexical = self.lexical.scores(expanded_query(query, self.lexical.vocabulary))
        top = float(lexical.max()) or 1.0
        factor = self.settings.secondary_weight if self.state.chunks[positions[0]].kind in self.settings.secondary_kinds else 1.0
        best = sorted(positions, key=lambda i: -float(lexical[i]))[:k]
        return [self._passage(i, factor * (1 - self.settings.dense_weight) * float(lexical[i]) / top, lexical[i], 0.0)
                for i in best]

    def passages_of(self, chunk_ids: list[str], exclude: set[str] = frozenset()) -> list[Passage]:
        """The chunks `chunk_ids` as passages with no score (a profile's sentences an answer cites), in
        that order, once each, leaving out those in `exclude`."""
        positions = [self.positions[i] for i in dict.fromkeys(chunk_ids) if i in self.positions and i not in exclude]
        return [self._passage(i, 0.0, 0.0, 0.0) for i in positions]

    def _passage(self, position: int, score: float, lexical: float, dense: float) -> Passage:
        """`dense` is put on the similarity scale the answerer is calibrated on (0 stays 0: no dense hit)."""
        slope, intercept = self.similarity
        dense = max(0.0, slope * dense + intercept) if dense else 0.0
        return Passage(chunk=self.state.chunks[position], score=float(score), lexical=float(lexical), dense=float(dense))


def _top(scores: np.ndarray, n: int) -> list[int]:
    if n >= len(scores):
        order = np.argsort(-scores, kind="stable")
    else:
        part = np.argpartition(-scores, n)[:n]
        order = part[np.argsort(-scores[part], kind="stable")]
    return [int(i) for i in order]
