"""Fusion: one score per candidate passage from its lexical (BM25) and dense (cosine) scores.

Each mode is a small pure function `(candidates, lexical, dense, dense_weight) -> {position: score}`;
`ASSISTANT_FUSION` names one, and an unknown name is refused with the list of valid ones.
"""

from collections.abc import Callable

import numpy as np

from assistant.settings import UnknownName

# Reciprocal rank fusion's constant (Cormack, Clarke & Büttcher, SIGIR 2009).
RRF_K = 60

Fusion = Callable[[list[int], np.ndarray, dict[int, float], float], dict[int, float]]


def weighted(candidates: list[int], lexical: np.ndarray, dense: dict[int, float], dense_weight: float) -> dict[int, float]:
    """BM25 divided by the best candidate's, dense min-max scaled over the dense hits, summed with
    weights `1 - dense_weight` and `dense_weight`; a passage the dense search did not return gets 0
    for dense. The default: it beats RRF and either score alone on PIAF (docs/retrieval.md)."""
    top_lexical = float(lexical[candidates].max()) or 1.0
    dense_values = np.array(list(dense.values())) if dense else np.zeros(1)
    low, high = float(dense_values.min()), float(dense_values.max())
    span = (high - low) or 1.0
    return {
        i: (1 - dense_weight) * float(lexical[i]) / top_lexical
        + dense_weight * ((dense[i] - low) / span if i in dense else 0.0)
        for i in candidates
    }


def reciprocal_rank(candidates: list[int], lexical: np.ndarray, dense: dict[int, float], dense_weight: float) -> dict[int, float]:
    """Sum of 1 / (RRF_K + rank) over the two rankings, each weighted as in `weighted` (Cormack et al. 2009)."""
    by_lexical = sorted(candidates, key=lambda i: -float(lexical[i]))
    lexical_rank = {i: r for r, i in enumerate(by_lexical, 1) if lexical[i] > 0}
    dense_rank = {i: r for r, i in enumerate(sorted(dense, key=lambda i: -dense[i]), 1)}
    return {
        i: (1 - dense_weight) * (1 / (RRF_K + lexical_rank[i]) if i in lexical_rank else 0.0)
        + dense_weight * (1 / (RRF_K + dense_rank[i]) if i in dense_rank else 0.0)
        for i in candidates
    }


def zscore(candidates: list[int], lexical: np.ndarray, dense: dict[int, float], dense_weight: float) -> dict[int, float]:
    """Each score standardised over the candidates (a passage the dense search did not return takes
    the lowest dense hit's), summed with the weights of `weighted`, then squeezed into (0, 1) by a
    logistic so `Passage.score` keeps the scale of the other modes (Montague & Aslam's CombSUM on
    z-scores, CIKM 2001)."""
    bm25 = np.array([float(lexical[i]) for i in candidates])
    floor = min(dense.values()) if dense else 0.0
    cosine = np.array([dense.get(i, floor) for i in candidates])
    combined = (1 - dense_weight) * _standard(bm25) + dense_weight * _standard(cosine)
    return {i: float(1 / (1 + np.exp(-value))) for i, value in zip(candidates, combined)}


def _standard(values: np.ndarray) -> np.ndarray:
    spread = float(values.std()) or 1.0
    return (values - float(values.mean())) / spread


MODES: dict[str, Fusion] = {"weighted": weighted, "rrf": reciprocal_rank, "zscore": zscore}


def fusion(name: str) -> Fusion:
    try:
        return MODES[name]
    except KeyError:
        raise UnknownName("fusion", name, MODES) from None
