"""Deterministic scores on plain values: fact matching in the shared French normal form, SQuAD-style
span matching, yes/no verdicts read from an answer's opening, ranking metrics, aggregates.

Pure functions only; evals/metric_table.py binds them to questions and responses."""

import math
import re
import unicodedata
from collections import Counter

from assistant.answering.llm.grounding import opening_verdict as grounding_verdict
from assistant.text.figures import join_digit_groups, tight_units
from assistant.text.french import normalize

WHITESPACE = re.compile(r"\s+")
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})


def match_form(text: str) -> str:
    """Lowercase, accents folded, elisions dropped (assistant.text.french.normalize), all spaces (nbsp
    included) as one space, digit groups joined and units tightened (assistant.text.figures): the form in
    which facts are looked for."""
    text = normalize(text.translate(APOSTROPHES))
    text = WHITESPACE.sub(" ", text).strip()
    return tight_units(join_digit_groups(text))


def contains(text: str, phrase: str) -> bool:
    """`phrase` occurs in `text` in match form, not inside a longer word or number ("5 M€" is not in "15 M€")."""
    needle = match_form(phrase)
    if not needle:
        return False
    pattern = (r"(?<![^\W_])" if needle[0].isalnum() else "") + re.escape(needle)
    pattern += r"(?![^\W_])" if needle[-1].isalnum() else ""
    return re.search(pattern, match_form(text)) is not None


def facts_present(text: str, facts: list[list[str]]) -> bool:
    """Every group of accepted alternatives has at least one alternative in `text`."""
    return all(any(contains(text, alternative) for alternative in group) for group in facts)


def unique(items) -> list:
    return list(dict.fromkeys(items))


# --- spans: SQuAD's exact match and F1, adapted to French --------------------------------------------

# SQuAD's official script drops English articles; these are the French ones. The elided "l'" and "d'"
# are already gone with every other elision (assistant.text.french.normalize).
FRENCH_ARTICLES = frozenset(["le", "la", "les", "un", "une", "des", "du", "de"])


def span_tokens(text: str) -> list[str]:
    """SQuAD's normalisation in French: match form (lowercase, accents folded, elisions dropped, digit
    groups joined), punctuation removed (symbols such as € and % kept), French articles dropped."""
    text = "".join(" " if unicodedata.category(c).startswith("P") else c for c in match_form(text))
    return [token for token in text.split() if token not in FRENCH_ARTICLES]


def exact_match(predicted: str | None, gold: str) -> float:
    """1.0 when both spans normalise to the same tokens; a missing span (None) is 0."""
    if predicted is None:
        return 0.0
    return float(span_tokens(predicted) == span_tokens(gold))


def span_f1(predicted: str | None, gold: str) -> float:
    """Harmonic mean of token precision and recall, tokens counted with multiplicity (SQuAD's F1);
    a missing span (None) is 0; two spans empty after normalisation are equal (1.0)."""
    if predicted is None:
        return 0.0
    ours, theirs = span_tokens(predicted), span_tokens(gold)
    if not ours or not theirs:
        return float(ours == theirs)
    common = sum((Counter(ours) & Counter(theirs)).values())
    if not common:
        return 0.0
    precision, recall = common / len(ours), common / len(theirs)
    return 2 * precision * recall / (precision + recall)


# --- verdicts: the yes / no / unsure an answer opens with ---------------------------------------------

VERDICTS = {"oui": "yes", "yes": "yes", "non": "no", "no": "no", "unsure": "unsure"}
def normal_verdict(value: str) -> str:
    """"oui"/"yes" -> "yes", "non"/"no" -> "no", "unsure" -> "unsure"; anything else is refused."""
    key = value.strip().lower()
    if key not in VERDICTS:
        raise ValueError(f"unknown verdict {value!r} (one of {', '.join(VERDICTS)})")
    return VERDICTS[key]


def opening_verdict(text: str | None) -> str | None:
    """The verdict the first words of `text` state, read as the LLM check reads it (one definition:
    assistant/answering/llm/grounding.py): "yes" (Oui, Yes), "no" (Non, No), "unsure" (Les sources ne permettent pas
    de trancher; "Oui pour l'âge … ; reste à vérifier" opens with yes); None for none or "Oui et non"."""
    return grounding_verdict(text) if text else None


# --- ranking ------------------------------------------------------------------------------------------


def recall_at_k(ranked: list[str], expected: list[str], k: int) -> float:
    """Share of the expected documents found among the first k ranked documents."""
    if not expected:
        return float("nan")
    top = set(ranked[:k])
    return sum(source in top for source in expected) / len(expected)


def reciprocal_rank(ranked: list[str], expected: list[str]) -> float:
    """1 / rank of the first expected document (0 when none is ranked)."""
    for rank, source in enumerate(ranked, 1):
        if source in expected:
            return 1.0 / rank
    return 0.0


# --- aggregates ---------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values) -> float:
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(values) / len(values) if values else float("nan")


def precision_recall(predicted: list[bool], actual: list[bool]) -> tuple[float, float]:
    """Precision and recall of the positive class (nan when undefined: nothing predicted / no positive)."""
    true_positives = sum(p and a for p, a in zip(predicted, actual))
    predicted_positives, actual_positives = sum(predicted), sum(actual)
    precision = true_positives / predicted_positives if predicted_positives else float("nan")
    recall = true_positives / actual_positives if actual_positives else float("nan")
    return precision, recall
