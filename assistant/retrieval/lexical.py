"""BM25 over the French analyser's terms, as a sparse matrix: one column slice per query term."""

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse

from assistant.text.french import analyze

# The textbook BM25 parameters (docs/retrieval.md has the k1/b sweep on PIAF).
K1, B = 1.2, 0.75
# Bump when assistant/text/french.py `analyze` changes what terms a text gives: the stored weights are
# per term, so an index built with another analyser is rebuilt (`build_index`, no re-embedding).
ANALYSER_VERSION = 1
# A fixed text through the analyser: catches an analyser change whose version was not bumped.
_PROBE = "La Région Occitanie a voté jusqu'à 2,5 M€ d'aides aux start-up innovantes (PME, ETI) en 2024 : qu'en est-il ?"


def parameters(k1: float | None = None, b: float | None = None) -> dict:
    """What the stored BM25 weights depend on besides the texts: k1, b and the analyser."""
    return {
        "k1": K1 if k1 is None else float(k1),
        "b": B if b is None else float(b),
        "analyser": ANALYSER_VERSION,
        "analyser_probe": hashlib.sha1(" ".join(analyze(_PROBE)).encode()).hexdigest()[:12],
    }


class LexicalIndex:
    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int], parameters: dict | None = None):
        self.weights = weights  # documents x terms, BM25 weight of each term in each document
        self.vocabulary = vocabulary
        self.parameters = parameters  # k1, b, analyser the weights were computed with (None: unknown)
        # Documents per term: stored weights are > 0 exactly where the term occurs.
        self._frequencies = np.diff(sparse.csc_matrix(weights).indptr)

    @classmethod
    def build(cls, texts: list[str], k1: float | None = None, b: float | None = None) -> "LexicalIndex":
        k1 = K1 if k1 is None else k1
        b = B if b is None else b
        vocabulary: dict[str, int] = {}
        rows, cols, counts = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            terms = Counter(analyze(text))
            lengths[row] = sum(terms.values())
            for term, count in terms.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(count)
        shape = (len(texts), max(len(vocabulary), 1))
        tf = sparse.csr_matrix((np.array(counts, dtype=np.float32), (rows, cols)), shape=shape)
        df = np.bincount(np.array(cols, dtype=np.int64), minlength=shape[1]).astype(np.float32)
        idf = np.log(1.0 + (len(texts) - df + 0.5) / (df + 0.5))
        norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1.0)) if len(texts) else lengths
        tf = tf.tocoo()
        values = tf.data * (k1 + 1) / (tf.data + norm[tf.row]) * idf[tf.col]
        weights = sparse.csc_matrix((values.astype(np.float32), (tf.row, tf.col)), shape=shape)
        return cls(weights, vocabulary, parameters(k1, b))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (0 where no term matches)."""
        columns = [self.vocabulary[t] for t in analyze(query) if t in self.vocabulary]
        if not columns:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        return np.asarray(self.weights[:, columns].sum(axis=1)).ravel()

    def document_frequency(self, term: str) -> int:
        column = self.vocabulary.get(term)
        return int(self._frequencies[column]) if column is not None else 0

    def save(self, path: Path) -> None:
        sparse.save_npz(path, self.weights.tocsr(), compressed=False)
        path.with_suffix(".vocab.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False))

    @classmethod
    def load(cls, path: Path, parameters: dict | None = None) -> "LexicalIndex":
        weights = sparse.load_npz(path).tocsc()
        vocabulary = json.loads(path.with_suffix(".vocab.json").read_text())
        return cls(weights, vocabulary, parameters)
