"""How likely a candidate sentence holds the answer: small gradient-boosted trees, run with numpy.

`python -m evals.train_ranker` fits them with scikit-learn on the PIAF questions of even-numbered
articles and writes `sentence_ranker.json` beside this module; the odd-numbered articles stay
held out for `python -m evals --squad`. Nothing but numpy is needed at run time.
"""

import json
import math
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).with_name("sentence_ranker.json")


class SentenceRanker:
    def __init__(self, model: dict):
        self.features: list[str] = model["features"]
        self.metadata: dict = model.get("metadata", {})
        self._baseline = float(model["baseline"])
        trees = model["trees"]
        width = max(len(tree["value"]) for tree in trees)

        def padded(key, fill, dtype):
            return np.array([tree[key] + [fill] * (width - len(tree[key])) for tree in trees], dtype=dtype)

        self._feature = padded("feature", 0, np.int64)
        self._threshold = padded("threshold", 0.0, np.float64)
        self._left = padded("left", 0, np.int64)
        self._right = padded("right", 0, np.int64)
        self._leaf = padded("leaf", True, bool)
        self._value = padded("value", 0.0, np.float64)
        self._depth = max(tree["depth"] for tree in trees)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "SentenceRanker":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(the sentence holds the answer) for each row of features (in `self.features` order)."""
        rows = np.asarray(rows, dtype=np.float64)
        trees = np.arange(len(self._feature))[:, None]
        node = np.zeros((len(self._feature), len(rows)), dtype=np.int64)
        columns = np.arange(len(rows))[None, :]
        for _ in range(self._depth):
            values = rows[columns, self._feature[trees, node]]
            step = np.where(values <= self._threshold[trees, node], self._left[trees, node], self._right[trees, node])
            node = np.where(self._leaf[trees, node], node, step)
        raw = self._baseline + self._value[trees, node].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-raw))


def export_trees(model, features: list[str], metadata: dict) -> dict:
    """The JSON form (what SentenceRanker reads) of a fitted binary HistGradientBoostingClassifier."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({
            "feature": nodes["feature_idx"].tolist(),
            "threshold": nodes["num_threshold"].tolist(),
            "left": nodes["left"].tolist(),
            "right": nodes["right"].tolist(),
            "leaf": nodes["is_leaf"].astype(bool).tolist(),
            "value": nodes["value"].tolist(),
            "depth": int(nodes["depth"].max()),
        })
    baseline = float(np.ravel(model._baseline_prediction)[0])
    assert math.isfinite(baseline)
    return {"features": features, "baseline": baseline, "trees": trees, "metadata": metadata}


