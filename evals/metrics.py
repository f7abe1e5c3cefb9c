"""Deterministic scores on plain values: fact matching in the shared French normal form, SQuAD-style
span matching, yes/no verdicts read from an answer's opening, figures that contradict the gold,
programmes listed against expected ones, ranking metrics, aggregates.

Pure functions only; evals/metric_table.py binds them to questions and responses."""

import math
import re
import unicodedata
from collections import Counter

from assistant.answering.llm.grounding import opening_verdict as grounding_verdict
from assistant.text.figures import Quantity, amounts, join_digit_groups, same_value, tight_units
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
    return all(groups_found(text, facts))


def groups_found(text: str, facts: list[list[str]]) -> tuple[bool, ...]:
    """For each group of accepted alternatives, whether one of them is in `text`: which gold facts a
    text states (two answers agree on facts when their tuples are equal)."""
    return tuple(any(contains(text, alternative) for alternative in group) for group in facts)


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


def opposite_verdict(expected: str | None, given: set[str]) -> bool:
    """A yes where the gold says no, or a no where it says yes ("unsure" contradicts neither way)."""
    other = {"yes": "no", "no": "yes"}.get(expected or "")
    return other is not None and other in given


# --- figures: a stated number against the gold's --------------------------------------------------------

# What a figure question asks, and what a lead can get wrong: years and dates are left out (a lead often
# dates its source), and so are names.
COMPARED_KINDS = ("amount", "percent", "duration", "count")


def compared_figures(text: str | None) -> list[Quantity]:
    """The amounts, percents, durations and counts `text` states (assistant.text.figures.amounts)."""
    return [q for q in amounts(text or "") if q.kind in COMPARED_KINDS]


def agrees(stated: Quantity, gold: Quantity) -> bool:
    """Same kind and unit, and the same value, or a value the gold's range reaches: "50 000 €" is within
    "10 000 à 50 000 €", "2 à 5 M€" shares an end with "5 M€", "moins de 8 ans" is "8 ans" (the bound is not
    compared). "10 000 à 50 000 €" is not "20 000 €" (a range around a value is another figure), and
    "24 mois" is not "2 ans" (durations keep the unit written)."""
    if (stated.kind, stated.unit) != (gold.kind, gold.unit):
        return False
    if stated.low == stated.high:
        return gold.low <= stated.low <= gold.high
    return bool({stated.low, stated.high} & {gold.low, gold.high})


def contradicting_figures(stated: list[Quantity], gold: list[Quantity], asked: list[Quantity] = ()) -> list[Quantity]:
    """The stated figures that contradict the gold: for each kind and unit the gold has, the stated
    figures of that kind and unit when none of them agrees with a gold figure. A figure the
    question itself gives (`asked`: "ma biotech a 9 ans") is the asker's, not an answer, and is left
    out. [] when the text states no figure of the gold's kinds, or one of them agrees."""
    stated = [q for q in stated if not any(same_value(q, a) for a in asked)]
    wrong = []
    for kind, unit in dict.fromkeys((g.kind, g.unit) for g in gold):
        same_kind = [q for q in stated if (q.kind, q.unit) == (kind, unit)]
        if same_kind and not any(agrees(q, g) for q in same_kind for g in gold):
            wrong += same_kind
    return wrong


# --- matching: programmes listed against the expected ones ---------------------------------------------

LISTED_FITS = ("eligible", "check")  # what a matching answer offers the asker; not_eligible and closed are not


def listed_programmes(programmes: list[dict]) -> list[str]:
    """The documents of the programmes an answer lists as fitting (eligible, or to check)."""
    return unique(p["source"] for p in programmes if p.get("fit") in LISTED_FITS)


def programme_precision(listed: list[str], expected: list[str]) -> float:
    """Share of the listed programmes that are expected; an excluded one listed is simply not expected.
    Nothing listed is 0: an answer that offers nothing has matched nothing."""
    return len(set(listed) & set(expected)) / len(set(listed)) if listed else 0.0


def programme_recall(listed: list[str], expected: list[str]) -> float:
    """Share of the expected programmes that are listed (nan when none is expected)."""
    return len(set(listed) & set(expected)) / len(set(expected)) if expected else float("nan")


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
