"""`python -m evals.rerank`: a measured second stage - a passage ranker over the first stage's top
documents - against the first stage alone. Not shipped unless it wins on held-out PIAF articles and
on our sets (docs/retrieval.md has the verdict).

Features of a candidate document (its best chunk in the fused ranking): fused score over the best,
its rank, BM25 over the best, cosine minus the best, its dense rank, share of the query's terms in
the title/breadcrumb, idf share of the query's terms in the chunk (rare-term coverage), and the
most query terms within one window of PROXIMITY terms. Gradient-boosted trees (scikit-learn, as
evals/train_ranker.py) are fitted on PIAF's even-numbered articles and run with numpy
(`assistant.answering.extractive.sentence_ranker.SentenceRanker` reads the exported trees).
"""

import argparse
import math
import sys

import numpy as np

from assistant.answering.extractive.sentence_ranker import SentenceRanker, export_trees
from assistant.settings import Settings
from assistant.text.french import analyze
from evals.metrics import mean, recall_at_k, reciprocal_rank
from evals.retrieval import GROUPS, PIAF, cases_for
from evals.train_ranker import TREES

DEPTH = 20  # candidate documents re-ranked per question
PROXIMITY = 12
FEATURES = ["fused", "rank", "bm25", "dense_gap", "dense_rank", "title", "rare", "proximity"]


def candidates(retriever, case) -> list[tuple[str, list[float]]]:
    """(document, features) for the first stage's top DEPTH documents, in its order."""
    ranked = retriever.rank(case.lexical, case.dense)
    dense_order = {i: r for r, i in enumerate(sorted(case.dense, key=lambda i: -case.dense[i]), 1)}
    best_fused = (ranked[0][1] if ranked else 0.0) or 1.0
    best_bm25 = float(case.lexical.max()) or 1.0
    best_dense = max(case.dense.values(), default=0.0)
    terms = list(dict.fromkeys(analyze(case.query)))
    idf = {t: math.log(1 + len(retriever) / (1 + retriever.lexical.document_frequency(t))) for t in terms}
    total_idf = sum(idf.values()) or 1.0
    seen, out = set(), []
    for position, fused in ranked:
        chunk = retriever.state.chunks[position]
        if chunk.source in seen:
            continue
        seen.add(chunk.source)
        words = analyze(chunk.embedding_text())
        present = set(words)
        title = set(analyze(chunk.breadcrumb))
        wanted = set(terms)
        window = max((len(wanted & set(words[i : i + PROXIMITY])) for i in range(max(len(words) - PROXIMITY + 1, 1))),
                     default=0)
        out.append((chunk.source, [
            fused / best_fused, len(out) + 1, float(case.lexical[position]) / best_bm25,
            case.dense.get(position, best_dense - 1.0) - best_dense, dense_order.get(position, 101),
            len(wanted & title) / max(len(wanted), 1), sum(idf[t] for t in terms if t in present) / total_idf,
            window / max(len(wanted), 1),
        ]))
        if len(out) == DEPTH:
            break
    return out


def figures(rankings: list[tuple[str, list[str], list[str]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, list[float]]] = {}
    for group, ranked, expected in rankings:
        g = out.setdefault(group, {"R@1": [], "R@5": [], "MRR": []})
        g["R@1"].append(recall_at_k(ranked, expected, 1))
        g["R@5"].append(recall_at_k(ranked, expected, 5))
        g["MRR"].append(reciprocal_rank(ranked[:10], expected))
    return {group: {k: mean(v) for k, v in m.items()} for group, m in out.items()}


def main(argv: list[str] | None = None) -> int:
    from sklearn.ensemble import HistGradientBoostingClassifier

    p = argparse.ArgumentParser(prog="python -m evals.rerank", description=__doc__)
    p.add_argument("--embedding-model")
    args = p.parse_args(argv)
    settings = Settings(**({"embedding_model": args.embedding_model} if args.embedding_model else {}))
    piaf, ours, cases = cases_for(settings, PIAF.resolve())
    table = []
    for case in cases:
        retriever = piaf if case.group.startswith("PIAF") else ours
        table.append((case, candidates(retriever, case)))
    rows = [(f, source in case.expected) for case, found in table if case.group == GROUPS[0] for source, f in found]
    model = HistGradientBoostingClassifier(**TREES).fit(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]))
    ranker = SentenceRanker(export_trees(model, FEATURES, {"trained_on": "PIAF even-numbered articles"}))
    first, second = [], []
    for case, found in table:
        if not found:
            continue
        sources = [s for s, _ in found]
        p_hold = ranker.probabilities(np.array([f for _, f in found]))
        first.append((case.group, sources, case.expected))
        second.append((case.group, [sources[i] for i in np.argsort(-p_hold, kind="stable")], case.expected))
    before, after = figures(first), figures(second)
    print("| | " + " | ".join(f"{g} R@1 / R@5 / MRR" for g in GROUPS) + " |\n" + "|---" * (len(GROUPS) + 1) + "|")
    for name, f in (("first stage (fusion)", before), ("+ passage ranker", after)):
        print(f"| {name} | " + " | ".join(" / ".join(f"{f[g][k]:.3f}" for k in ("R@1", "R@5", "MRR")) for g in GROUPS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
