"""Hybrid retrieval: BM25 (French analyser) and dense (Chroma) scores, fused (assistant/retrieval/fusion.py),
then secondary documents (our synthesis sheets) weighted behind primary ones."""

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.models import Passage
from assistant.retrieval.embeddings import load_embeddings, similarity_scale
from assistant.retrieval.expansion import expanded_query
from assistant.retrieval.fusion import Fusion, fusion
from assistant.retrieval.index_state import IndexState
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.vectorstore import VectorStore, chroma_client, collection_name
from assistant.settings import Settings

CANDIDATES = 50  # best lexical passages fused with the dense search's 2 x CANDIDATES nearest


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
            store=VectorStore(chroma_client(settings), state.collection or collection_name(state.model)),
            settings=settings,
            lexical=state.load_lexical(settings.index_dir),
            embeddings=load_embeddings(state.model, settings),
            similarity=similarity_scale(state.model),
            fuse=fusion(settings.fusion),
            positions={c.id: i for i, c in enumerate(state.chunks)},
            by_source=by_source,
        )

    def __len__(self) -> int:
        return len(self.state.chunks)

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list[Passage]:
        """Top-k passages for `query`; mode 'lexical' or 'dense' for baselines and diagnostics."""
        k = k or self.settings.top_k
        if not self.state.chunks:
            return []
        lexical, dense = self.signals(query, with_dense=mode != "lexical")
        if mode == "dense":
            ranked = sorted(dense.items(), key=lambda item: -item[1])[:k]
            return [self._passage(i, s, lexical[i], s) for i, s in ranked]
        if mode == "lexical":
            return [self._passage(i, float(lexical[i]), lexical[i], 0.0)
                    for i in _top(lexical, CANDIDATES)[:k] if lexical[i] > 0]
        ranked = self.rank(lexical, dense)[:k]
        return [self._passage(i, s, lexical[i], dense.get(i, 0.0)) for i, s in ranked]

    def signals(self, query: str, with_dense: bool = True) -> tuple[np.ndarray, dict[int, float]]:
        """BM25 of every chunk (on the expanded query) and the cosine of the dense search's nearest chunks."""
        lexical = self.lexical.scores(expanded_query(query, self.lexical.vocabulary))
        dense: dict[int, float] = {}
        if with_dense:
            vector = self.embeddings.embed_query(query)
            for chunk_id, similarity in self.store.query(vector, CANDIDATES * 2):
                position = self.positions.get(chunk_id)  # vectors of an uncommitted run are ignored
                if position is not None:
                    dense[position] = similarity
        return lexical, dense

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
