"""What a question asks, read once before retrieval: its language, the conversation a follow-up
refers to, the query to search, and the kinds of answer it wants (an amount, a date, a name...).

Every answerer receives the same `QuestionAnalysis`, and it is recorded in the answer's provenance.
"""

import re
from dataclasses import dataclass, field

from assistant.condense import conversation_context
from assistant.french import detect_language
from assistant.models import Message

# What kind of answer the question wants; each flag turns on one sentence feature of the answerer.
ASKS = {
    "amount": re.compile(
        r"\b(combien|montant|budget|dot[ée]|financ|taux|somme|co[uû]t|how much|amount|funding|prêt|pret|subvention"
        r"|aide maximale|plafond)",
        re.IGNORECASE,
    ),
    "date": re.compile(
        r"\b(quand|date|depuis|jusqu|ann[ée]e|d[ée]lai|when|since|until|year|encore|toujours|still|ouvert|open"
        r"|en vigueur)",
        re.IGNORECASE,
    ),
    "count": re.compile(r"\b(combien|nombre|how many)\b", re.IGNORECASE),
    "name": re.compile(r"(^|\W)(qui|o[ùu]|who|where|quel nom|comment s'appell?e)\b", re.IGNORECASE),
}


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str  # as validated: stripped, within the length limit
    language: str  # "fr" or "en": the language of the answer
    context: str = ""  # the earlier user questions a follow-up refers to, "" for a standalone question
    asks: frozenset[str] = field(default_factory=frozenset)  # keys of ASKS found in the question
    history: tuple[Message, ...] = ()

    @property
    def query(self) -> str:
        """What retrieval searches: the question, then the conversation it refers to."""
        return f"{self.question} {self.context}".strip()

    def wants(self, kind: str) -> bool:
        return kind in self.asks


def analyze_question(question: str, history: list[Message] | tuple[Message, ...] = ()) -> QuestionAnalysis:
    """The analysis of a validated question and its (already trimmed) history."""
    history = tuple(history)
    return QuestionAnalysis(
        question=question,
        language=detect_language(question),
        context=conversation_context(question, list(history)),
        asks=frozenset(kind for kind, pattern in ASKS.items() if pattern.search(question)),
        history=history,
    )
