"""The intent of a question no pattern of INTENTS names, from the labelled phrasings it is nearest to.

People type "il a été voté quand le pass occitanie" or "ça marche encore ce truc ?": no rule of
assistant/question/analysis.py says "date" or "status", but the question's embedding (the one
retrieval computes anyway, cached) sits near examples that do. The examples (intent_examples.json,
per language) are embedded once per process (before serving: `warm`); a question takes the intent most of its `K` nearest
examples share, when the nearest is at least `MIN_SIMILARITY` similar and that intent leads the next
by `MARGIN`; otherwise it stays "other" (the likeliest sentence answers it). A figure is never asked
this way (FIGURES): a lead that states a figure must come from words that ask for it, since a date or
an amount picked for a question that did not ask it is a confidently wrong answer.
"""

import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).with_name("intent_examples.json")
K = 3
MIN_SIMILARITY = 0.90  # cosine, multilingual-e5-small query to query: out-of-scope questions reach 0.87
MARGIN = 0.01
FIGURES = {"amount", "date", "count", "rate", "duration"}  # what a near example never decides


_VECTORS: dict[tuple[str, str], np.ndarray] = {}  # (embedding space, examples file) -> the examples' vectors
_EMBEDDING = threading.Lock()


class NearestIntent:
    """`embed`: a query embedding (the retriever's, so the question is embedded once), None while the
    embedder is unavailable (the question then stays "other"); `space` names it, so the examples are
    embedded once per process and model, on the first question that needs them."""

    def __init__(self, embed: Callable[[str], list[float] | None], space: str, path: Path = EXAMPLES):
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.embed = embed
        self.labels: list[tuple[str, str]] = []  # (language, intent)
        self._texts = []
        for language in ("fr", "en"):
            for intent, phrasings in raw[language].items():
                for text in phrasings:
                    self.labels.append((language, intent))
                    self._texts.append(text)
        self._key = (space, str(path))

    @property
    def _vectors(self) -> np.ndarray | None:
        if self._key not in _VECTORS:
            with _EMBEDDING:  # by one thread: 20 questions arriving at once embedded them 20 times (~2 s of CPU each)
                if self._key not in _VECTORS:
                    vectors = []
                    for text in self._texts:
                        if (vector := self.embed(text)) is None:  # the embedder is unavailable: not now
                            return None
                        vectors.append(vector)
                    _VECTORS[self._key] = _unit(np.array(vectors, dtype=np.float32))
        return _VECTORS[self._key]

    def warm(self) -> None:
        """Embed the examples now (the server does before it serves), not on the first question that needs them."""
        self._vectors

    def intent(self, question: str, language: str) -> tuple[str, float]:
        """(intent, similarity of the nearest example), or ("other", similarity) when none is near enough."""
        embedded = self.embed(question)
        examples = self._vectors if embedded is not None else None
        if examples is None or len(embedded) != examples.shape[1]:
            return "other", 0.0
        vector = _unit(np.asarray(embedded, dtype=np.float32)[None, :])[0]
        similarity = examples @ vector
        order = [i for i in np.argsort(-similarity) if self.labels[i][0] == language][:K]
        if not order or similarity[order[0]] < MIN_SIMILARITY:
            return "other", float(similarity[order[0]]) if order else 0.0
        votes = Counter(self.labels[i][1] for i in order)
        best, count = votes.most_common(1)[0]
        best_similarity = max(similarity[i] for i in order if self.labels[i][1] == best)
        others = [similarity[i] for i in order if self.labels[i][1] != best]
        if count < 2 and others and best_similarity - max(others) < MARGIN:
            return "other", float(similarity[order[0]])
        return ("other" if best in FIGURES else best), float(best_similarity)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
