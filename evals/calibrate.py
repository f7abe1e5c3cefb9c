"""`python -m evals.calibrate`: the abstention threshold swept on evals/qa.jsonl (never on heldout).

Two runs of ours answer every question, with the threshold at 0 (abstains only without a candidate
sentence) and at 10 (abstains unless the subject's own document vouches for the lead); an answer
does not depend on the threshold, so the scores at any threshold t follow exactly: a question
abstains at t when it did at 0, or when it did at 10 and its evidence is below t.
"""

import argparse
import sys
from pathlib import Path

from assistant.settings import Settings
from evals.dataset import DEFAULT_SET, load_questions
from evals.metric_table import score, summarize
from evals.runner import answer_all, with_eval_index
from evals.systems import OurAssistant

SHOWN = ("accuracy", "lead_accuracy", "verdict_accuracy", "support", "recall@1", "abstention_precision",
         "abstention_recall")


def sweep(settings: Settings, questions: list, thresholds: list[float]) -> list[tuple[float, dict]]:
    runs = {}
    for bound in (0.0, 10.0):
        system = OurAssistant(settings.model_copy(update={"abstain_threshold": bound}))
        responses = answer_all(system, questions)
        runs[bound] = (responses, [score(q, r, "qa") for q, r in zip(questions, responses)])
    (low, low_scores), (high, high_scores) = runs[0.0], runs[10.0]
    rows = []
    for t in thresholds:
        scores = []
        for i, response in enumerate(low):
            evidence = response.provenance.decision.evidence if response.provenance and response.provenance.decision else None
            abstains = response.abstained or (high[i].abstained and evidence is not None and evidence < t)
            scores.append(high_scores[i] if abstains and not response.abstained else low_scores[i])
        rows.append((t, summarize(scores, "qa")))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.calibrate", description=__doc__)
    p.add_argument("--set", type=Path, default=DEFAULT_SET)
    p.add_argument("--embedding-model")
    p.add_argument("--thresholds", type=float, nargs="+",
                   default=[round(0.3 + 0.025 * i, 3) for i in range(17)])
    args = p.parse_args(argv)
    overrides = {"embedding_model": args.embedding_model} if args.embedding_model else {}
    settings = with_eval_index(Settings(**overrides))
    rows = sweep(settings, load_questions(args.set), args.thresholds)
    print("| threshold | " + " | ".join(SHOWN) + " |\n" + "|---" * (len(SHOWN) + 1) + "|")
    for t, figures in rows:
        print(f"| {t:g} | " + " | ".join(f"{figures[k]:.3f}" for k in SHOWN) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
