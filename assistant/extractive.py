"""The default answerer: quotes the sentences of the retrieved passages that answer the question.

Offline, no model beyond retrieval, and it cannot state a figure that is not in a cited passage:
every word of substance in its answer is a verbatim quote with its marker.
"""

import math
import re
from dataclasses import dataclass, field

from assistant.french import analyze, normalize, split_sentences
from assistant.models import Answer, Citation, Passage
from assistant.query import term_groups
from assistant.wording import human_date, message, source_label

NUMBER = re.compile(r"\d")
AMOUNT = re.compile(
    r"(?:\d[\d  ,.]*\s?(?:à|-|et)\s?)?\d[\d  ,.]*\s?(?:M€|k€|€|%|millions?|milliards?|euros?)", re.IGNORECASE
)
YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
MONTH = re.compile(
    r"\b(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)\b",
    re.IGNORECASE,
)
ASKS_AMOUNT = re.compile(
    r"\b(combien|montant|budget|dot[ée]|financ|taux|somme|co[uû]t|how much|amount|funding|prêt|pret|subvention|aide maximale|plafond)",
    re.IGNORECASE,
)
ASKS_DATE = re.compile(
    r"\b(quand|date|depuis|jusqu|ann[ée]e|d[ée]lai|when|since|until|year|encore|toujours|still|ouvert|open|en vigueur)",
    re.IGNORECASE,
)
ASKS_COUNT = re.compile(r"\b(combien|nombre|how many)\b", re.IGNORECASE)
# A document sentence addressed to an AI is data, not an instruction: it is never quoted as an answer.
INSTRUCTION_LIKE = re.compile(
    r"(ignore[rz]?|disregard|oublie[rz]?)\b.{0,40}\b(instructions?|consignes?|r[èe]gles|prompt)", re.IGNORECASE
)
# Sentences in which a document says it does not know ("les sources ne précisent pas ...").
NOT_DOCUMENTED = re.compile(
    r"\b(ne (pr[ée]cisent|donnent|indiquent|d[ée]crivent|mentionnent) (pas|ni)|aucune source (consult[ée]e )?ne|"
    r"n'(indiquent|ont) pas|non (trouv[ée]|relev[ée])s? (de|d')|pas de (page|source) officielle)",
    re.IGNORECASE,
)
ASKS_NAME = re.compile(r"(^|\W)(qui|o[ùu]|who|where|quel nom|comment s'appell?e)\b", re.IGNORECASE)
CAPITALISED = re.compile(r"(?<=\w[ ,;:(«])[A-ZÀ-Þ][\w'’-]+")
# Sentence scoring: a weighted sum of these features, set by hand on evals/qa.jsonl. A listwise fit
# on PIAF (`python -m evals.fit_sentences`) gains ~2 pts on PIAF but loses ~2 on our own questions.
SENTENCE_WEIGHTS = {
    "matched": 1.0,
    "titled": 0.5,
    "nearby": 0.0,
    "passage": 0.3,
    "rank": 0.0,
    "pairs": 0.0,
    "novel": 0.0,
    "amount": 0.15,
    "date": 0.1,
    "count": 0.0,
    "name": 0.0,
    "long": -0.05,
}
MAX_QUOTES = 3
SECOND_RATIO = 0.75  # a second sentence nearly as good as the first is quoted too
COMPLEMENT_RATIO = 0.5  # or, down to half as good, if it brings question words the first lacks
COMPLEMENT_SHARE = 0.2
MAX_ANSWER_CHARS = 800


@dataclass
class Candidate:
    passage_index: int
    start: int  # offsets into the chunk text
    end: int
    text: str
    score: float
    coverage: float
    features: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)  # question word -> its share of the question, when the sentence has it


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, document_frequency, vocabulary, documents: int, abstain_threshold: float):
        self._df = document_frequency  # term -> number of chunks containing it
        self.vocabulary = vocabulary
        self._documents = max(documents, 1)
        self.abstain_threshold = abstain_threshold

    def _group_idf(self, group) -> float:
        return min(self.idf(t) for t in group.terms if self._df(t))

    def idf(self, term: str) -> float:
        return math.log(1 + (self._documents - self._df(term) + 0.5) / (self._df(term) + 0.5))

    def answer(self, question: str, passages: list[Passage], language: str, context: str = "") -> Answer:
        candidates = self.rank_sentences(question, passages, context)
        chosen = self._choose(candidates)
        if not chosen or self.evidence(chosen[0], passages) < self.abstain_threshold:
            return Answer(question=question, answer="", abstained=True, language=language)
        answer = self._compose(question, passages, chosen[:1] if NOT_DOCUMENTED.search(chosen[0].text) else chosen, language)
        # The documents themselves say they do not know: quote that, and count it as not answering.
        answer.abstained = bool(NOT_DOCUMENTED.search(chosen[0].text))
        return answer

    @staticmethod
    def evidence(best: "Candidate", passages: list[Passage]) -> float:
        """How well the sources answer: word coverage of the best sentence, plus the best dense
        similarity, which carries paraphrases and English questions. Calibrated on evals/qa.jsonl."""
        return best.coverage + 0.8 * max((p.dense for p in passages), default=0.0)

    def rank_sentences(self, question: str, passages: list[Passage], context: str = "") -> list[Candidate]:
        groups = [(g, 0.5) for g in term_groups(context, self.vocabulary)] + [(g, 1.0) for g in term_groups(question, self.vocabulary)]
        # A question word the corpus never uses weighs as much as the rarest word: it is evidence against.
        weights = [(g.terms, factor * (self._group_idf(g) if g.known else self.idf(""))) for g, factor in groups]
        total = sum(w for _, w in weights)
        if not total:
            return []
        asked = _question_types(question)
        question_terms = set().union(*(alternatives for alternatives, _ in weights))
        question_pairs = _pairs(analyze(f"{context} {question}"))
        question_words = set(normalize(question).split())
        best_passage = max((p.score for p in passages), default=1.0) or 1.0
        candidates = []
        for index, passage in enumerate(passages):
            chunk = passage.chunk
            heading_terms = set(analyze(chunk.breadcrumb))
            spans = split_sentences(chunk.text)
            stems = [analyze(chunk.text[a:b]) for a, b in spans]
            for position, (start, end) in enumerate(spans):
                text = chunk.text[start:end]
                if len(text) < 15 or INSTRUCTION_LIKE.search(text):
                    continue
                terms = set(stems[position])
                around = set().union(*map(set, stems[max(position - 1, 0) : position + 2]))
                matched = sum(w for alternatives, w in weights if alternatives & terms) / total
                titled = sum(w for alts, w in weights if alts & heading_terms and not alts & terms) / total
                nearby = sum(w for alts, w in weights if alts & around and not alts & terms) / total
                features = {
                    "matched": matched,
                    "titled": titled,
                    "nearby": nearby,
                    "passage": passage.score / best_passage,
                    "rank": 1.0 / (1 + index),
                    "pairs": len(question_pairs & _pairs(stems[position])) / max(len(question_pairs), 1),
                    "novel": min(len(terms - question_terms), 10) / 10,
                    "amount": asked["amount"] and bool(AMOUNT.search(text)),
                    "date": asked["date"] and bool(YEAR.search(text) or MONTH.search(text)),
                    "count": asked["count"] and bool(NUMBER.search(text)),
                    "name": asked["name"] and _new_names(text, question_words),
                    "long": len(text) > 400,
                }
                score = sum(SENTENCE_WEIGHTS[name] * float(value) for name, value in features.items())
                # The evidence for abstaining stays the plain word coverage of the sentence and its heading.
                found = {i: w / total for i, (alts, w) in enumerate(weights) if alts & terms}
                candidates.append(Candidate(index, start, end, text, score, matched + 0.5 * titled, features, found))
        candidates.sort(key=lambda c: -c.score)
        return candidates

    def _choose(self, candidates: list[Candidate]) -> list[Candidate]:
        """The best sentence and the one right after it (it often completes it: +2.6 pts of gold
        answers on PIAF), then one that is nearly as good or that answers a part of the question
        the others leave out ("montant et durée", a second fact)."""
        if not candidates:
            return []
        best = candidates[0]
        chosen = [best]
        following = min(
            (c for c in candidates if c.passage_index == best.passage_index and 0 <= c.start - best.end < 5),
            key=lambda c: c.start,
            default=None,
        )
        if following is not None and len(best.text) + len(following.text) <= MAX_ANSWER_CHARS:
            chosen.append(following)
        for other in candidates[1:]:
            if len(chosen) >= MAX_QUOTES or other.score < COMPLEMENT_RATIO * best.score:
                break
            if other in chosen or sum(len(c.text) for c in chosen) + len(other.text) > MAX_ANSWER_CHARS:
                continue
            if any(_overlaps(other.text, c.text) for c in chosen):
                continue
            adds = sum(w for g, w in other.groups.items() if not any(g in c.groups for c in chosen))
            if other.score >= SECOND_RATIO * best.score or adds >= COMPLEMENT_SHARE:
                chosen.append(other)
        return chosen

    def _compose(self, question: str, passages: list[Passage], chosen: list[Candidate], language: str) -> Answer:
        citations: list[Citation] = []
        numbers: dict[int, int] = {}  # passage index -> citation number
        for candidate in chosen:
            if candidate.passage_index not in numbers:
                passage = passages[candidate.passage_index]
                numbers[candidate.passage_index] = len(citations) + 1
                citations.append(Citation.of(len(citations) + 1, passage.chunk, passage.score))
            citations[numbers[candidate.passage_index] - 1].quotes.append(candidate.text)
        lines = []
        for source_group in _group_by_document(chosen, passages):
            chunk = passages[source_group[0].passage_index].chunk
            intro = message(
                language,
                "according",
                source=source_label(chunk.kind, chunk.title, language),
                date=human_date(chunk.date, language),
            )
            quotes = " ".join(f"« {c.text} » [{numbers[c.passage_index]}]" for c in source_group)
            lines.append(f"{intro} {quotes}")
        if _disagree(chosen, passages):
            lines.append(message(language, "disagree"))
        return Answer(question=question, answer="\n\n".join(lines), citations=citations, language=language)


def _question_types(question: str) -> dict[str, bool]:
    return {
        "amount": bool(ASKS_AMOUNT.search(question)),
        "date": bool(ASKS_DATE.search(question)),
        "count": bool(ASKS_COUNT.search(question)),
        "name": bool(ASKS_NAME.search(question)),
    }


def _pairs(stems: list[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:]))


def _new_names(text: str, question_words: set[str]) -> bool:
    """A capitalised word inside the sentence that the question does not contain (a name, a place)."""
    return any(normalize(name) not in question_words for name in CAPITALISED.findall(text))




def _group_by_document(chosen: list[Candidate], passages: list[Passage]) -> list[list[Candidate]]:
    groups: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        groups.setdefault(passages[candidate.passage_index].chunk.source, []).append(candidate)
    return list(groups.values())


def _overlaps(a: str, b: str) -> bool:
    ta, tb = set(analyze(a)), set(analyze(b))
    return bool(ta) and len(ta & tb) / len(ta) > 0.8


def _disagree(chosen: list[Candidate], passages: list[Passage]) -> bool:
    """Two documents with different dates quoting different amounts for the same question."""
    amounts = {}
    for candidate in chosen:
        chunk = passages[candidate.passage_index].chunk
        found = tuple(sorted(set(m.group().replace(" ", "").replace("\u202f", "") for m in AMOUNT.finditer(candidate.text))))
        if found:
            amounts[(chunk.source, chunk.date)] = found
    return len(amounts) >= 2 and len(set(amounts.values())) >= 2 and len({d for _, d in amounts}) >= 2
