"""Fit the extractive answerer's sentence weights on a SQuAD-format training split.

    python -m evals.fit_sentences --squad ../shared/external/piaf/piaf-v1.0.json

Questions of even-numbered articles train a logistic regression (does this sentence contain the
gold answer?), odd-numbered articles test it: top-1 sentence accuracy before and after. The printed
weights go into `SENTENCE_WEIGHTS` in assistant/extractive.py by hand, so every change is reviewed.
"""

import argparse
from pathlib import Path

import numpy as np

from assistant.assistant import RETRIEVE_K, Assistant
from assistant.extractive import SENTENCE_WEIGHTS
from assistant.settings import Settings
from evals.metrics import contains
from evals.runner import squad_corpus_dir, with_eval_index
from evals.squad import load_squad

FEATURES = list(SENTENCE_WEIGHTS)


def candidate_table(assistant: Assistant, questions) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per question: the feature matrix of its candidate sentences and which contain the gold span."""
    table = []
    for question in questions:
        passages = assistant.retriever.search(question.question, k=RETRIEVE_K)
        candidates = assistant.extractive.rank_sentences(question.question, passages)
        if candidates:
            features = np.array([[float(c.features[name]) for name in FEATURES] for c in candidates])
            labels = np.array([contains(c.text, question.answer) for c in candidates])
            table.append((features, labels))
    return table


def fit_listwise(table, start: np.ndarray, steps: int = 1500, rate: float = 2.0, l2: float = 1e-3) -> np.ndarray:
    """Softmax over each question's candidates, maximising the probability of the gold sentences
    (what ranking needs: the gold sentence first, not every sentence classified well)."""
    weights = start.astype(float).copy()
    usable = [(f, l) for f, l in table if l.any()]
    for _ in range(steps):
        gradient = l2 * weights
        for features, labels in usable:
            scores = features @ weights
            p = np.exp(scores - scores.max())
            p /= p.sum()
            gold = p * labels
            gradient -= (gold / gold.sum()) @ features - p @ features
        weights -= rate * gradient / len(usable)
    return weights


def top1(table, weights: np.ndarray) -> float:
    return float(np.mean([labels[int(np.argmax(features @ weights))] for features, labels in table]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fit_sentences", description=__doc__)
    parser.add_argument("--squad", type=Path, required=True)
    args = parser.parse_args(argv)
    corpus = squad_corpus_dir(args.squad)
    questions = load_squad(args.squad, corpus)
    settings = with_eval_index(Settings(corpus_dir=corpus))
    assistant = Assistant(settings, log=lambda _: None)
    train = candidate_table(assistant, [q for q in questions if int(q.source[:3]) % 2 == 0])
    test = candidate_table(assistant, [q for q in questions if int(q.source[:3]) % 2 == 1])
    fitted = fit_listwise(train, start=np.array([SENTENCE_WEIGHTS[name] for name in FEATURES]))
    fitted = fitted / abs(fitted[FEATURES.index("matched")])  # "matched" keeps weight 1
    current = np.array([SENTENCE_WEIGHTS[name] for name in FEATURES])
    print(f"top-1 sentence holds the gold span, test split: current {top1(test, current):.3f}, fitted {top1(test, fitted):.3f}"
          f" (train {top1(train, current):.3f} -> {top1(train, fitted):.3f}; {len(train)}/{len(test)} questions)")
    print("SENTENCE_WEIGHTS = {")
    for name, weight in zip(FEATURES, fitted):
        print(f'    "{name}": {weight:.3f},')
    print("}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
