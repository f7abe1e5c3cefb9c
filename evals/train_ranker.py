"""Train the extractive answerer's sentence ranker on a SQuAD-format file (PIAF).

    python -m evals.train_ranker --squad ../shared/external/piaf/piaf-v1.0.json

Questions of even-numbered articles train gradient-boosted trees (does this candidate sentence
hold the gold answer?); odd-numbered articles are held out, here and in `python -m evals --squad`.
Writes assistant/answering/extractive/sentence_ranker.json, which is reviewed and committed like code.
"""

import argparse
import json
from pathlib import Path

import numpy as np

from assistant.answering.extractive.candidates import RANKER_FEATURES
from assistant.answering.extractive.sentence_ranker import MODEL_PATH, SentenceRanker, export_trees
from assistant.assistant import Assistant
from assistant.settings import Settings
from evals.metrics import contains
from evals.paths import squad_corpus_dir
from evals.runner import with_eval_index
from evals.squad import held_out, load_squad

TREES = {"max_iter": 100, "learning_rate": 0.1, "max_leaf_nodes": 15, "random_state": 0}


def candidate_table(assistant: Assistant, questions) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per question: the features of its candidate sentences, as `ask` computed them (read from the
    answer's provenance), and which of them hold the gold span."""
    table = []
    for question in questions:
        sentences = assistant.ask(question.question).provenance.decision.sentences
        if sentences:
            features = np.array([[s.features[name] for name in RANKER_FEATURES] for s in sentences])
            labels = np.array([contains(s.text, question.answer) for s in sentences])
            table.append((features, labels))
    return table


def top1(table, score) -> float:
    """Share of questions whose highest-scored sentence holds the gold span."""
    return float(np.mean([labels[int(np.argmax(score(features)))] for features, labels in table]))


def main(argv: list[str] | None = None) -> int:
    from sklearn import __version__ as sklearn_version
    from sklearn.ensemble import HistGradientBoostingClassifier

    parser = argparse.ArgumentParser(prog="python -m evals.train_ranker", description=__doc__)
    parser.add_argument("--squad", type=Path, required=True)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    corpus = squad_corpus_dir(args.squad)
    questions = load_squad(args.squad, corpus)
    assistant = Assistant(with_eval_index(Settings(corpus_dir=corpus)))
    train = candidate_table(assistant, [q for q in questions if not held_out(q)])
    test = candidate_table(assistant, [q for q in questions if held_out(q)])
    model = HistGradientBoostingClassifier(**TREES).fit(np.vstack([f for f, _ in train]), np.concatenate([l for _, l in train]))
    metadata = {
        "trained_on": f"{args.squad.name}, questions of even-numbered articles ({len(train)} with candidates)",
        "scikit_learn": sklearn_version,
        "parameters": TREES,
    }
    exported = export_trees(model, RANKER_FEATURES, metadata)
    args.output.write_text(json.dumps(exported, separators=(",", ":")) + "\n", encoding="utf-8")
    ranker = SentenceRanker(exported)
    base = RANKER_FEATURES.index("base")
    print(f"top-1 sentence holds the gold span, held-out articles ({len(test)} questions): "
          f"first stage {top1(test, lambda f: f[:, base]):.3f}, ranker {top1(test, ranker.probabilities):.3f}")
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
