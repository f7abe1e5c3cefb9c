"""Deterministic scores: fact matching in the shared French normal form, ranking metrics, percentiles."""

import math
import re

from assistant.french import normalize

WHITESPACE = re.compile(r"\s+")
DIGIT_GROUP = re.compile(r"(?<=\d)[ .,](?=\d{3}\b)")  # 3 500, 3.500, 3,500 -> 3500
BEFORE_UNIT = re.compile(r"(?<=\d) (?=[%€])")  # 10 % -> 10%
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})


def match_form(text: str) -> str:
    """Lowercase, accents folded, elisions dropped (assistant.french.normalize), all spaces (nbsp
    included) as one space, digit groups joined: the form in which facts are looked for."""
    text = normalize(text.translate(APOSTROPHES))
    text = WHITESPACE.sub(" ", text).strip()
    text = DIGIT_GROUP.sub("", text)
    return BEFORE_UNIT.sub("", text)


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
