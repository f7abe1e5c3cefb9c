"""Candidate sentences and their features: every quotable sentence of the retrieved passages, scored
first by a hand-weighted sum (SENTENCE_WEIGHTS), then described for the sentence ranker
(RANKER_FEATURES), which says how likely each one holds the answer."""

import itertools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from assistant.models import Passage
from assistant.question.analysis import QuestionAnalysis
from assistant.retrieval.expansion import term_groups
from assistant.text.figures import has_amount, has_date, has_number
from assistant.text.french import analyze, normalize, split_sentences
from assistant.text.instructions import is_order

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
# Second stage: the sentence ranker (assistant/answering/extractive/sentence_ranker.py) reads these features.
RANKER_FEATURES = [*SENTENCE_WEIGHTS, "log_length", "base", "share_of_best", "gap_to_best", "same_passage_as_best",
                   "best_margin", "best_matched", "strong_before", "strong_after"]
MIN_SENTENCE_CHARS = 15  # shorter "sentences" are headings' debris and list bullets, never an answer
LONG_SENTENCE_CHARS = 400  # above this a sentence is usually a paragraph the splitter could not cut
CONTEXT_WEIGHT = 0.5  # a follow-up's earlier question counts half as much as the question itself
TITLE_COVERAGE = 0.5  # words found only in the heading count half in the evidence for answering
NOVEL_CAP = 10  # "novel" saturates at this many words the question does not have
STRONG_NEIGHBOUR = 0.75  # a neighbour within this share of the best first-stage score is "strong"
ADJACENT_GAP = 5  # characters between two sentences that are next to each other (spaces, a newline)


@dataclass
class Candidate:
    passage_index: int
    start: int  # offsets into the chunk text
    end: int
    text: str
    base: float  # first-stage score
    coverage: float  # the share of the question's word weight the sentence (and its heading) holds
    score: float = 0.0  # the ranker's probability that the sentence holds the answer
    features: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, int, int]:
        """Which sentence this is: (passage, start, end). Stable across `dataclasses.replace`, which
        makes a new candidate for the same sentence (a new score, a clause of its text)."""
        return (self.passage_index, self.start, self.end)


class CandidateFinder:
    """Weighs question words by their rarity in the index (BM25's idf) and scores sentences."""

    def __init__(self, document_frequency, vocabulary, documents: int):
        self._df = document_frequency  # term -> number of chunks containing it
        self.vocabulary = vocabulary
        self._documents = max(documents, 1)

    def idf(self, term: str) -> float:
        return math.log(1 + (self._documents - self._df(term) + 0.5) / (self._df(term) + 0.5))

    def _group_idf(self, group) -> float:
        return min(self.idf(t) for t in group.terms if self._df(t))

    def candidates(self, analysis: QuestionAnalysis, passages: list[Passage]) -> list[Candidate]:
        """Every quotable sentence of the passages with its features, in first-stage order."""
        question, context = analysis.question, analysis.context
        groups = [(g, CONTEXT_WEIGHT) for g in term_groups(context, self.vocabulary)]
        groups += [(g, 1.0) for g in term_groups(question, self.vocabulary)]
        # A question word the corpus never uses weighs as much as the rarest word: it is evidence against.
        weights = [(g.terms, factor * (self._group_idf(g) if g.known else self.idf(""))) for g, factor in groups]
        total = sum(w for _, w in weights)
        if not total:
            return []
        question_terms = set().union(*(alternatives for alternatives, _ in weights))
        question_pairs = _pairs(analyze(f"{context} {question}"))
        question_words = set(analysis.normalized.split())
        best_passage = max((p.score for p in passages), default=1.0) or 1.0
        candidates = []
        for index, passage in enumerate(passages):
            chunk = passage.chunk
            heading_terms = set(analyze(chunk.breadcrumb))
            spans = split_sentences(chunk.text)
            stems = [analyze(chunk.text[a:b]) for a, b in spans]
            for position, (start, end) in enumerate(spans):
                text = chunk.text[start:end]
                if len(text) < MIN_SENTENCE_CHARS or is_order(text):  # an order to the assistant is data, never evidence
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
                    "novel": min(len(terms - question_terms), NOVEL_CAP) / NOVEL_CAP,
                    "amount": analysis.wants("amount") and has_amount(text),
                    "date": analysis.wants("date") and has_date(text),
                    "count": analysis.wants("count") and has_number(text),
                    "name": analysis.wants("name") and _new_names(text, question_words),
                    "long": len(text) > LONG_SENTENCE_CHARS,
                }
                base = sum(SENTENCE_WEIGHTS[name] * float(value) for name, value in features.items())
                coverage = matched + TITLE_COVERAGE * titled
                candidates.append(Candidate(index, start, end, text, base, coverage, features=features))
        candidates.sort(key=lambda c: -c.base)
        return candidates


def sentence_features(candidates: list[Candidate]) -> np.ndarray:
    """The ranker's features (RANKER_FEATURES) for candidates in first-stage order: each sentence's
    own features, how far it is behind the first-stage best, and whether a strong sentence stands
    right before or after it (the answer often follows the sentence that restates the question).
    Scores, not ranks: near-ties in the first stage must not decide."""
    best = candidates[0]
    second = candidates[1] if len(candidates) > 1 else None
    previous: dict[tuple, Candidate] = {}  # key -> the sentence right before it in the same passage
    following: dict[tuple, Candidate] = {}
    for before, after in itertools.pairwise(sorted(candidates, key=lambda c: (c.passage_index, c.start))):
        if adjacent(before, after):
            following[before.key], previous[after.key] = after, before
    strong = STRONG_NEIGHBOUR * best.base
    rows = []
    for c in candidates:
        before, after = previous.get(c.key), following.get(c.key)
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


def adjacent(before: Candidate, after: Candidate) -> bool:
    """`after` is the sentence right after `before` in the same passage."""
    return before.passage_index == after.passage_index and 0 <= after.start - before.end < ADJACENT_GAP


def _pairs(stems: list[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(stems))


def _new_names(text: str, question_words: set[str]) -> bool:
    """A capitalised word inside the sentence that the question does not contain (a name, a place)."""
    return any(normalize(name) not in question_words for name in CAPITALISED.findall(text))
