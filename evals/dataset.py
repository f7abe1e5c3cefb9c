"""The eval set, one JSON object per line:

{"id": "q001", "question": "...", "fr": "..." (optional: the French translation of an English question,
 for the English parity comparison, evals/parity.py), "history": [{"role": "user", "content": "..."}, ...] (optional),
 "reference": "...", "facts": [["2 à 5 M€", "2 et 5 millions"], ["juillet 2024"]] (every group needed,
 one alternative per group enough; [] out of scope), "sources": ["annonces/....md"] (relative to the
 corpus; [] out of scope), "category": one of CATEGORIES,
 "verdict": "oui" | "non" | "yes" | "no" | "unsure" (optional: a yes/no question's expected verdict)}
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from evals.metrics import normal_verdict

# Questions the documents cannot answer: out of scope, or a figure asked of an entity that has none.
ABSTAIN_CATEGORIES = ("out-of-scope", "absent-amount")
CATEGORIES = (
    "factual", "paraphrase", "multi-fact", "follow-up", "english", "date-status", "conflict", "out-of-scope",
    "eligibility", "definition", "status", "total-vs-parts", "follow-up-switch", "absent-amount",
)
DEFAULT_SET = Path(__file__).resolve().parent / "qa.jsonl"


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    category: str
    facts: list[list[str]] = field(default_factory=list)  # groups of accepted alternatives, all required
    sources: list[str] = field(default_factory=list)  # expected documents, relative to the corpus
    reference: str = ""
    history: list[dict] = field(default_factory=list)
    verdict: str | None = None  # "yes", "no" or "unsure" (normalised from oui/non) for a yes/no question
    translation: str | None = None  # an English question's French translation (the "fr" field)

    @property
    def out_of_scope(self) -> bool:
        """The documents do not hold the answer: the right answer is an abstention."""
        return self.category in ABSTAIN_CATEGORIES

    def record(self) -> dict:
        """What results.json keeps of the question (the LLM judge reads `reference`)."""
        record = {"question": self.question, "category": self.category, "reference": self.reference}
        return (record | ({"verdict": self.verdict} if self.verdict else {})
                | ({"fr": self.translation} if self.translation else {}))


def load_questions(path: Path) -> list[EvalQuestion]:
    questions, seen = [], set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            question = EvalQuestion(
                id=str(raw["id"]),
                question=raw["question"],
                category=raw["category"],
                facts=[list(group) for group in raw.get("facts") or []],
                sources=list(raw.get("sources") or []),
                reference=raw.get("reference", ""),
                history=list(raw.get("history") or []),
                verdict=normal_verdict(raw["verdict"]) if raw.get("verdict") else None,
                translation=raw.get("fr") or None,
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as error:
            raise ValueError(f"{path}:{number}: not a valid eval question ({error})") from error
        if question.category not in CATEGORIES:
            raise ValueError(f"{path}:{number}: unknown category {question.category!r} (one of {', '.join(CATEGORIES)})")
        if question.id in seen:
            raise ValueError(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    return questions
