"""English parity: an English question should find what its French translation finds.

Every question of the set that carries a translation (its "fr" field, evals/dataset.py) is asked of the
same system twice, as written and in French, with the same history and the same expected facts and
sources; both answers are scored with the metric table's "parity" metrics (evals/metric_table.py) and
aggregated per language. A pair is worse in English when English loses on a judged figure and wins on none.
"""

from dataclasses import replace

from evals.dataset import EvalQuestion
from evals.metric_table import score, summarize
from evals.runner import answer_all, log, response_record

KIND = "parity"
LANGUAGES = ("en", "fr")
# Abstaining is judged through accuracy (wrong in scope, right out of scope), so it is shown, not judged.
JUDGED = ("accuracy", "lead_accuracy", "recall@1")


def translated(questions: list[EvalQuestion]) -> tuple[list[EvalQuestion], list[EvalQuestion]]:
    """The questions that have a translation, and the same questions asked in their translation."""
    english = [q for q in questions if q.translation]
    return english, [replace(q, question=q.translation, translation=None) for q in english]


def run_parity(system, questions: list[EvalQuestion]) -> dict:
    """`system` on the translated questions in both languages: figures per language, and one record per pair."""
    sides = dict(zip(LANGUAGES, translated(questions)))
    log(f"{system.name}: English parity, {len(sides['en'])} pairs")
    responses = {lang: answer_all(system, asked) for lang, asked in sides.items()}
    scores = {lang: [score(q, r, KIND) for q, r in zip(sides[lang], responses[lang])] for lang in LANGUAGES}
    pairs = []
    for i, question in enumerate(sides["en"]):
        pair = {lang: response_record(responses[lang][i], scores[lang][i], with_citations=False) | {
            "question": sides[lang][i].question} for lang in LANGUAGES}
        pairs.append({"id": question.id, "category": question.category, **pair,
                      "english": difference(scores["en"][i], scores["fr"][i])})
    return {
        "system": system.name,
        "pairs": len(pairs),
        "judged": list(JUDGED),
        "summary": {lang: summarize(scores[lang], KIND) for lang in LANGUAGES},
        "english": {verdict: sum(p["english"] == verdict for p in pairs) for verdict in ("worse", "better", "mixed")},
        "per_pair": pairs,
    }


def difference(english: dict, french: dict) -> str:
    """How English fares against French on the judged figures: "worse", "better", "mixed" or "same"."""
    lost = any(below(english[name], french[name]) for name in JUDGED)
    won = any(below(french[name], english[name]) for name in JUDGED)
    return {(True, False): "worse", (False, True): "better", (True, True): "mixed"}.get((lost, won), "same")


def below(value, other) -> bool:
    return value is not None and other is not None and value < other
