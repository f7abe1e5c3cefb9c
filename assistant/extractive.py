"""The default answerer: quotes the sentences of the retrieved passages that answer the question.

Offline, no model beyond retrieval, and it cannot state a figure that is not in a cited passage:
every word of substance in its answer is a verbatim quote with its marker.
"""

import itertools
import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.french import analyze, normalize, split_sentences
from assistant.models import Answer, Citation, Passage
from assistant.query import term_groups
from assistant.sentence_ranker import load_ranker
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
# First stage: a weighted sum of these features, set by hand on evals/qa.jsonl, orders the sentences.
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
# Second stage: the sentence ranker (assistant/sentence_ranker.py) reads these features and the
# sentence's place in the first-stage order, and says how likely the sentence holds the answer.
RANKER_FEATURES = [*SENTENCE_WEIGHTS, "log_length", "base", "share_of_best", "gap_to_best", "same_passage_as_best",
                   "best_margin", "best_matched", "strong_before", "strong_after"]
# Quotes: the likeliest sentence, then every sentence whose likelihood per character quoted is above
# PER_CHAR (each quote costs QUOTE_OVERHEAD characters of markup), within MAX_ANSWER_CHARS.
PER_CHAR = 0.00027
QUOTE_OVERHEAD = 30
MAX_ANSWER_CHARS = 800


@dataclass
class Candidate:
    passage_index: int
    start: int  # offsets into the chunk text
    end: int
    text: str
    base: float  # first-stage score
    coverage: float
    score: float = 0.0  # the ranker's probability that the sentence holds the answer
    features: dict = field(default_factory=dict)


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
        # Whether to answer at all is judged on the first-stage best sentence (calibrated on evals/qa.jsonl).
        first = max(candidates, key=lambda c: c.base, default=None)
        if not chosen or self.evidence(first, passages) < self.abstain_threshold:
            return Answer(question=question, answer="", abstained=True, language=language)
        if NOT_DOCUMENTED.search(first.text):
            # The documents themselves say they do not know: quote that, and count it as not answering.
            answer = self._compose(question, passages, [first], language)
            answer.abstained = True
            return answer
        return self._compose(question, passages, chosen, language)

    @staticmethod
    def evidence(best: "Candidate", passages: list[Passage]) -> float:
        """How well the sources answer: word coverage of the best sentence, plus the best dense
        similarity, which carries paraphrases and English questions. Calibrated on evals/qa.jsonl."""
        return best.coverage + 0.8 * max((p.dense for p in passages), default=0.0)

    def rank_sentences(self, question: str, passages: list[Passage], context: str = "") -> list[Candidate]:
        """The candidate sentences, likeliest to hold the answer first."""
        candidates = self.candidates(question, passages, context)
        if candidates:
            for candidate, p in zip(candidates, load_ranker().probabilities(sentence_features(candidates))):
                candidate.score = float(p)
            candidates.sort(key=lambda c: -c.score)
        return candidates

    def candidates(self, question: str, passages: list[Passage], context: str = "") -> list[Candidate]:
        """Every quotable sentence of the passages with its features, in first-stage order."""
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
                base = sum(SENTENCE_WEIGHTS[name] * float(value) for name, value in features.items())
                # The evidence for abstaining is the plain word coverage of the sentence and its heading.
                candidates.append(Candidate(index, start, end, text, base, matched + 0.5 * titled, features=features))
        candidates.sort(key=lambda c: -c.base)
        return candidates

    def _choose(self, candidates: list[Candidate]) -> list[Candidate]:
        """The likeliest sentence, then those whose likelihood is worth the characters they add."""
        chosen: list[Candidate] = []
        for candidate in candidates:
            if chosen and candidate.score < PER_CHAR * (len(candidate.text) + QUOTE_OVERHEAD):
                continue
            if sum(len(c.text) for c in chosen) + len(candidate.text) > MAX_ANSWER_CHARS and chosen:
                continue
            if not any(_overlaps(candidate.text, c.text) for c in chosen):
                chosen.append(candidate)
        return chosen

    def _compose(self, question: str, passages: list[Passage], chosen: list[Candidate], language: str) -> Answer:
        # Sources in the order of their likeliest sentence; each source's quotes in reading order.
        first = {}
        for order, candidate in enumerate(chosen):
            first.setdefault(candidate.passage_index, order)
        chosen = _join_adjacent(sorted(chosen, key=lambda c: (first[c.passage_index], c.start)), passages)
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


def sentence_features(candidates: list[Candidate]) -> np.ndarray:
    """The ranker's features (RANKER_FEATURES) for candidates in first-stage order: each sentence's
    own features, how far it is behind the first-stage best, and whether a strong sentence stands
    right before or after it (the answer often follows the sentence that restates the question).
    Scores, not ranks: near-ties in the first stage must not decide."""
    best = candidates[0]
    second = candidates[1] if len(candidates) > 1 else None
    previous: dict[int, Candidate] = {}  # id -> the sentence right before it in the same passage
    following: dict[int, Candidate] = {}
    for before, after in itertools.pairwise(sorted(candidates, key=lambda c: (c.passage_index, c.start))):
        if _adjacent(before, after):
            following[id(before)], previous[id(after)] = after, before
    strong = 0.75 * best.base
    rows = []
    for c in candidates:
        before, after = previous.get(id(c)), following.get(id(c))
        relative = {
            "log_length": math.log1p(len(c.text)),
            "base": c.base,
            "share_of_best": c.base / best.base if best.base else 0.0,
            "gap_to_best": best.base - c.base,
            "same_passage_as_best": c.passage_index == best.passage_index,
            "best_margin": best.base - (second.base if second else 0.0),
            "best_matched": best.features["matched"],
            "strong_before": before is not None and before.base >= strong,
            "strong_after": after is not None and after.base >= strong,
        }
        values = {**c.features, **relative}
        rows.append([float(values[name]) for name in RANKER_FEATURES])
    return np.array(rows)


def _question_types(question: str) -> dict[str, bool]:
    return {
        "amount": bool(ASKS_AMOUNT.search(question)),
        "date": bool(ASKS_DATE.search(question)),
        "count": bool(ASKS_COUNT.search(question)),
        "name": bool(ASKS_NAME.search(question)),
    }


def _pairs(stems: list[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(stems))


def _new_names(text: str, question_words: set[str]) -> bool:
    """A capitalised word inside the sentence that the question does not contain (a name, a place)."""
    return any(normalize(name) not in question_words for name in CAPITALISED.findall(text))


def _adjacent(before: Candidate, after: Candidate) -> bool:
    """`after` is the sentence right after `before` in the same passage."""
    return before.passage_index == after.passage_index and 0 <= after.start - before.end < 5


def _join_adjacent(chosen: list[Candidate], passages: list[Passage]) -> list[Candidate]:
    """Consecutive sentences of one paragraph make a single quote (list items stay apart)."""
    joined: list[Candidate] = []
    for candidate in chosen:
        last = joined[-1] if joined else None
        text = passages[candidate.passage_index].chunk.text
        if last and _adjacent(last, candidate) and "\n" not in text[last.end : candidate.start]:
            joined[-1] = replace(last, end=candidate.end, text=text[last.start : candidate.end])
        else:
            joined.append(candidate)
    return joined


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
        found = tuple(sorted({m.group().replace(" ", "").replace("\u202f", "") for m in AMOUNT.finditer(candidate.text)}))
        if found:
            amounts[(chunk.source, chunk.date)] = found
    return len(amounts) >= 2 and len(set(amounts.values())) >= 2 and len({d for _, d in amounts}) >= 2
