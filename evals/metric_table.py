"""Every figure the evals report, defined once: `METRICS`, one `Metric` per figure.

A metric scores each question (`per_question(question, response)`; None = does not apply to that
question) and `aggregate`s the values that apply, per group of questions (every category and "all" for
the Q&A set; "all" and "held-out" for SQuAD-format sets). The same entry gives the report its table rows
and definitions, the summary line its words and the chart its bars: adding a metric is adding an entry.
The "parity" set is the figures the English parity (evals/parity.py) compares between an English question
and its French translation; the "paraphrase" set, those of the paraphrase pass (evals/paraphrases.py), whose
questions are rewrites that carry their original's response.

Questions are `EvalQuestion` (evals/dataset.py) or `SquadQuestion` (evals/squad.py); both give
`sources` and `out_of_scope`, so ranking metrics serve both sets.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from evals.metrics import (
    compared_figures,
    contains,
    contradicting_figures,
    exact_match,
    facts_present,
    groups_found,
    listed_programmes,
    mean,
    opening_verdict,
    opposite_verdict,
    percentile,
    precision_recall,
    programme_precision,
    programme_recall,
    recall_at_k,
    reciprocal_rank,
    span_f1,
)
from evals.systems import Response

Kind = Literal["ratio", "count", "ms"]
SETS = ("qa", "squad", "parity", "paraphrase")


@dataclass(frozen=True)
class Metric:
    """One figure: how a question is scored, how scores add up, and how the report shows it.

    `line` maps a set to this metric's words in that set's summary line, a format string with `{value}`
    (its figure over all questions), `{held_out}` (over the held-out group) and `{all[name]}` /
    `{held[name]}` (another metric's figure, for words that read two figures together); the parity line
    gets `{en}` and `{fr}`, the figure over the English questions and over their French translations.
    The paraphrase line also gets each style's figure by its name (`{casual}`, `{english}`, `{story}`).
    `chart` names the sets whose chart shows it. Metrics that share a `definition` share one bullet.
    """

    name: str  # key in summaries and results.json
    title: str
    kind: Kind
    per_question: Callable[[Any, Response], Any]
    aggregate: Callable[[list], float]  # over the per-question values that are not None
    definition: str
    sets: tuple[str, ...] = ("qa",)
    per_category: bool = True  # qa: a table per category too (else overall only)
    line: Mapping[str, str] = field(default_factory=dict)
    chart: tuple[str, ...] = ()


def metrics_for(kind: str) -> list[Metric]:
    """The metrics of a set ("qa" or "squad"), in table order."""
    if kind not in SETS:
        raise ValueError(f"unknown set kind {kind!r} (one of {', '.join(SETS)})")
    return [metric for metric in METRICS if kind in metric.sets]


def score(question, response: Response, kind: str) -> dict:
    """Every metric of the set on one answer: {metric name: value, None where it does not apply}."""
    return {metric.name: metric.per_question(question, response) for metric in metrics_for(kind)}


def summarize(scores: list[dict], kind: str) -> dict:
    """The aggregates of a group of scored questions, and how many questions it has."""
    summary = {"questions": len(scores)}
    for metric in metrics_for(kind):
        summary[metric.name] = metric.aggregate([s[metric.name] for s in scores if s.get(metric.name) is not None])
    return summary


# --- aggregates ---------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return percentile(values, 50)


def p95(values: list[float]) -> float:
    return percentile(values, 95)


def total(values: list) -> float:
    return sum(values)


def precision(pairs: list[tuple[bool, bool]]) -> float:
    """Of (predicted, actual) pairs: the precision of the positive class (nan when none is predicted)."""
    return precision_recall([p for p, _ in pairs], [a for _, a in pairs])[0]


def recall(pairs: list[tuple[bool, bool]]) -> float:
    """Of (predicted, actual) pairs: the recall of the positive class (nan when none is actual)."""
    return precision_recall([p for p, _ in pairs], [a for _, a in pairs])[1]


# --- per question -------------------------------------------------------------------------------------


def answer_accuracy(question, response: Response) -> bool:
    if question.out_of_scope:
        return response.abstained
    return not response.abstained and facts_present(response.answer, question.facts)


def lead_accuracy(question, response: Response) -> bool | None:
    if question.out_of_scope:
        return None
    return not response.abstained and response.lead is not None and facts_present(response.lead, question.facts)


def verdicts_given(response: Response) -> set[str]:
    """The verdicts an answer gives: the one its lead (else its text) opens with, and Answer.verdict."""
    return {v for v in (opening_verdict(response.lead or response.answer), response.verdict) if v}


def verdict_accuracy(question, response: Response) -> bool | None:
    if question.verdict is None:
        return None
    return not response.abstained and verdicts_given(response) == {question.verdict}


def has_gold(question) -> bool:
    return not question.out_of_scope and bool(question.facts or question.verdict)


def contradictions(question, response: Response) -> list[str]:
    """What an answer states against the gold: the opposite verdict, or figures of the gold's kinds of
    which none agrees with it. The figures are its short answer's and, for a question without a gold
    verdict, its lead's: a yes/no lead quotes several criteria (an age, a share of capital) beside the
    one the gold names. Empty for an abstention, and no figure is held against an answer that says the
    sources do not settle it: it is not confident."""
    if response.abstained or not has_gold(question):
        return []
    wrong = []
    given = verdicts_given(response)
    if opposite_verdict(question.verdict, given):
        wrong.append(f"verdict {'/'.join(sorted(given))} (gold {question.verdict})")
    if "unsure" in given:
        return wrong
    gold = [q for group in question.facts for alternative in group for q in compared_figures(alternative)]
    stated = compared_figures(response.short_answer) + (compared_figures(response.lead) if question.verdict is None else [])
    figures = contradicting_figures(stated, gold, asked=compared_figures(question.question))
    return wrong + [f"figure « {q.text} »" for q in dict.fromkeys(figures)]


def confidently_wrong(question, response: Response) -> bool | None:
    if not has_gold(question):
        return None
    return bool(contradictions(question, response))


def matching_gold(question) -> list[str] | None:
    programmes = getattr(question, "programmes", None)
    return list(programmes.expected) if programmes else None


def matching_precision(question, response: Response) -> float | None:
    expected = matching_gold(question)
    if expected is None:
        return None
    return 0.0 if response.abstained else programme_precision(listed_programmes(response.programmes), expected)


def matching_recall(question, response: Response) -> float | None:
    expected = matching_gold(question)
    if expected is None:
        return None
    return 0.0 if response.abstained else programme_recall(listed_programmes(response.programmes), expected)


def both_sides(question, response: Response) -> bool | None:
    """A comparison's lead states a fact of each side (one fact group per side)."""
    return lead_accuracy(question, response) if question.category == "comparison" else None


def pair_difference(question, original: Response, rewrite: Response) -> list[str]:
    """How a rewrite's response differs from its original's: abstaining on one side only, other gold
    fact groups in the lead, other verdicts; [] when they agree."""
    if original.abstained or rewrite.abstained:
        return [] if original.abstained == rewrite.abstained else [
            "abstained, the original answered" if rewrite.abstained else "answered, the original abstained"]
    differences = []
    theirs, ours = (groups_found(r.lead or "", question.facts) for r in (original, rewrite))
    if ours != theirs:
        differences.append(f"lead facts {sum(ours)}/{len(ours)}, the original's {sum(theirs)}/{len(theirs)}")
    theirs, ours = verdicts_given(original), verdicts_given(rewrite)
    if ours != theirs:
        differences.append(f"verdict {'/'.join(sorted(ours)) or 'none'}, the original's {'/'.join(sorted(theirs)) or 'none'}")
    return differences


def paraphrase_agreement(question, response: Response) -> bool | None:
    """A rewrite (evals/paraphrases.py) agrees with its original's response."""
    original = getattr(question, "original", None)
    return None if original is None else not pair_difference(question, original, response)


def citation_support(question, response: Response) -> bool | None:
    if question.out_of_scope:
        return None
    return not response.abstained and facts_present("\n\n".join(response.cited), question.facts)


def recall_of(k: int) -> Callable[[Any, Response], float | None]:
    def recall_at(question, response: Response) -> float | None:
        if question.out_of_scope or not question.sources:
            return None
        return recall_at_k(response.ranked, question.sources, k)

    return recall_at


def rank_of_expected(question, response: Response) -> float | None:
    if question.out_of_scope or not question.sources:
        return None
    return reciprocal_rank(response.ranked, question.sources)


def abstention(question, response: Response) -> tuple[bool, bool]:
    """(abstained, should have): positive = out of scope."""
    return response.abstained, question.out_of_scope


def false_abstention(question, response: Response) -> bool | None:
    return None if question.out_of_scope else response.abstained


def abstained(question, response: Response) -> bool:
    return response.abstained


def gold_in_answer(question, response: Response) -> bool:
    return not response.abstained and contains(response.answer, question.answer)


def short_answer_of(response: Response) -> str | None:
    return None if response.abstained else response.short_answer


def short_exact_match(question, response: Response) -> float:
    return exact_match(short_answer_of(response), question.answer)


def short_f1(question, response: Response) -> float:
    return span_f1(short_answer_of(response), question.answer)


def answer_chars(question, response: Response) -> int:
    return len(response.answer)


def latency_ms(question, response: Response) -> float:
    return response.latency_ms


# --- the table ----------------------------------------------------------------------------------------

MATCH_FORM = (
    "compared in the shared French normal form (`assistant.text.french.normalize`: lowercase, elisions, accents "
    "folded; plus all whitespace and non-breaking spaces as one space, digit groups joined and units "
    "tightened, `assistant.text.figures`)"
)
RANKING = (
    "documents are ranked by the answer's citations first (the passages the answer quotes, in order; none "
    "when it abstains), then the documents of the retriever's ranked passages for the same query (the "
    "condensed query for a follow-up), duplicates removed. recall@k = share of the expected documents in the "
    "first k; MRR = 1 / rank of the first expected document. In-scope questions with expected sources; on a "
    "SQuAD-format set the one expected document is the gold paragraph. Baselines rank the documents of their "
    "own retrieved chunks."
)
SPAN_FORM = (
    "SQuAD's normalisation adapted to French: the match form (lowercase, accents folded, elisions such as "
    "l' and d' dropped, digit groups joined), punctuation removed (€ and % kept), the articles le, la, les, "
    "un, une, des, du, de dropped, whitespace collapsed. No short answer (None, or an abstention) scores 0; "
    "the baselines, which extract no span, offer the first sentence of their best chunk, a reference for "
    "what quoting a whole sentence scores"
)
ABSTENTION = (
    "positive = should abstain = out-of-scope. Baselines never abstain, so their precision is undefined (—) "
    "and their recall 0."
)
CONFIDENTLY_WRONG = (
    "a count, not a share, target 0 on every set: in-scope questions with a gold (facts or a verdict) that the "
    "answer does not abstain on and contradicts: (a) the gold verdict is yes or no and the answer gives the other "
    "(the verdicts as verdict accuracy reads them; \"unsure\" contradicts nothing), or (b) the amounts, percents, "
    "durations and counts it states (`assistant.text.figures.amounts`: those of its short answer and, on a "
    "question without a gold verdict, of its lead; a yes/no lead quotes several criteria) include some of a kind "
    "and unit a gold fact has, and none of them agrees with a gold figure (the same value, or one a gold range "
    "reaches: \"50 000 €\" agrees with \"10 000 à 50 000 €\", \"10 000 à 50 000 €\" not with \"20 000 €\"; the "
    "bound is not compared; years and dates are not read; a figure the question states is the asker's and is left "
    "out; an answer that opens with \"the sources do not settle it\" commits to no figure). \"Confidently wrong "
    "(ours)\" lists them."
)
MATCHING = (
    "on matching questions (their `programmes` gold): the programmes the answer lists as fitting "
    "(`Answer.programmes` with fit eligible or check, by document) against the expected ones. Precision = "
    "listed and expected / listed (an excluded programme listed is not expected, so it lowers precision; "
    "nothing listed or an abstention is 0), recall = listed and expected / expected; the mean over the "
    "questions. A system that lists no programmes (the baselines) scores 0."
)
LATENCY = (
    "wall-clock time of the call a user waits for (`Assistant.ask`; the baselines' search), after one untimed "
    "warm-up question."
)


def recall_metric(k: int, sets: tuple[str, ...], line: Mapping[str, str] | None = None,
                  chart: tuple[str, ...] = ()) -> Metric:
    return Metric(f"recall@{k}", f"Retrieval recall@{k}", "ratio", recall_of(k), mean, RANKING, sets=sets,
                  line=line or {}, chart=chart)


METRICS: tuple[Metric, ...] = (
    Metric("accuracy", "Answer accuracy", "ratio", answer_accuracy, mean,
           f"every fact group of the question has one of its accepted alternatives in the answer text, "
           f"{MATCH_FORM}. An answer that abstains is wrong, except for out-of-scope questions, where "
           "accuracy = abstained.",
           sets=("qa", "parity", "paraphrase"),
           line={"qa": "accuracy {value}", "parity": "EN accuracy {en} vs FR {fr}"}, chart=("qa",)),
    Metric("lead_accuracy", "Lead accuracy", "ratio", lead_accuracy, mean,
           "the same fact matching in the answer's lead only (`Answer.lead`, the sentence that answers), "
           "in-scope questions only. An abstention or an answer without a lead is a miss: a system that "
           "states no lead (the baselines) scores 0.",
           sets=("qa", "parity", "paraphrase"), line={"qa": "lead {value}"}),
    Metric("verdict_accuracy", "Verdict accuracy (yes/no questions)", "ratio", verdict_accuracy, mean,
           "on the questions whose eval record has a `verdict` (oui/yes, non/no, unsure), right when the "
           "verdicts the answer gives are all the expected one: the verdict its lead opens with (else its text: "
           "\"Oui\"/\"Yes\", \"Non\"/\"No\", \"Les sources ne permettent pas de trancher\"/\"The sources "
           "do not settle\"; none when the opposite word follows within the first four words, as in \"Oui et "
           "non\"), and `Answer.verdict` when set. An abstention, or an answer that gives no verdict, is a "
           "miss; — when no question has a verdict.",
           per_category=False, line={"qa": "verdict {value}"}, sets=("qa", "paraphrase")),
    Metric("support", "Citation support", "ratio", citation_support, mean,
           "the same facts appear in the texts the system shows as its sources (our citations' passages; "
           "for the baselines, the 4 chunks they retrieved). In-scope questions only.",
           line={"qa": "support {value}"}),
    recall_metric(1, ("qa", "squad", "parity"), {"squad": "R@1 {value}", "parity": "R@1 {en} vs {fr}"},
                  chart=("squad",)),
    recall_metric(3, ("qa",)),
    recall_metric(5, ("qa", "squad"), {"qa": "R@5 {value}", "squad": "R@5 {value}"}, chart=("squad",)),
    Metric("mrr", "MRR", "ratio", rank_of_expected, mean, RANKING, sets=("qa", "squad", "parity"),
           line={"squad": "MRR {value}"}, chart=("squad",)),
    Metric("contains_answer", "Answer contains gold span", "ratio", gold_in_answer, mean,
           "the gold answer span is inside the answer text, both in the shared French normal form, not inside "
           "a longer word or number. An abstention counts as a miss.",
           sets=("squad",), line={"squad": "answer contains gold {value} (held-out articles {held_out})"},
           chart=("squad",)),
    Metric("short_em", "Short answer exact match", "ratio", short_exact_match, mean,
           f"SQuAD's exact match of `Answer.short_answer` (the span the lead states) against the gold span, "
           f"both in {SPAN_FORM}.",
           sets=("squad",),
           line={"squad": "short answer EM {value} F1 {all[short_f1]} (held-out {held_out} / {held[short_f1]})"}),
    Metric("short_f1", "Short answer F1", "ratio", short_f1, mean,
           "SQuAD's token F1 (the overlap of tokens, counted with multiplicity) of the same spans, normalised "
           "as for exact match; no short answer scores 0, and the baselines offer the same first sentence.",
           sets=("squad",), chart=("squad",)),
    Metric("abstention_precision", "Abstention precision", "ratio", abstention, precision, ABSTENTION,
           per_category=False, line={"qa": "abstention P {value} R {all[abstention_recall]}"}),
    Metric("abstention_recall", "Abstention recall", "ratio", abstention, recall, ABSTENTION, per_category=False),
    Metric("paraphrase_agreement", "Paraphrase agreement", "ratio", paraphrase_agreement, mean,
           "on the paraphrase set (evals/paraphrases.jsonl: each question of the set rewritten casual, in English "
           "and as a story), a rewrite agrees with its original when both abstain, or both answer with the "
           "same gold fact groups found in their leads (matched as for lead accuracy, group by group) and the "
           "same verdicts (as verdict accuracy reads them). Agreement is consistency, not correctness: two "
           "answers wrong the same way agree.",
           sets=("paraphrase",),
           line={"paraphrase": "agreement {value} (casual {casual}, english {english}, story {story})"}),
    Metric("confidently_wrong", "Confidently wrong (a lead figure or verdict against the gold)", "count",
           confidently_wrong, total, CONFIDENTLY_WRONG, sets=("qa", "parity", "paraphrase"),
           line={"qa": "confidently wrong {value}", "paraphrase": "confidently wrong {value}"}),
    Metric("matching_precision", "Matching precision (programmes listed)", "ratio", matching_precision, mean,
           MATCHING, per_category=False, line={"qa": "matching P {value} R {all[matching_recall]}"}),
    Metric("matching_recall", "Matching recall (programmes expected)", "ratio", matching_recall, mean, MATCHING,
           per_category=False),
    Metric("comparison_both_sides", "Comparison: both sides in the lead", "ratio", both_sides, mean,
           "on comparison questions (one fact group per side compared), the share whose lead has a fact of "
           "every group, matched as for lead accuracy.",
           per_category=False, line={"qa": "both sides {value}"}),
    Metric("false_abstentions", "False abstentions (in-scope questions that abstained)", "count",
           false_abstention, total, "a count, not a share; \"Misses of ours\" lists them."),
    Metric("abstention_rate", "Abstained", "ratio", abstained, mean,
           "share of the questions the system abstained on, right or wrong (every SQuAD question is answered by "
           "its paragraph; in the English parity, both sides hold the same out-of-scope questions).",
           sets=("squad", "parity")),
    Metric("median_answer_chars", "Median answer length (chars)", "count", answer_chars, median,
           "median characters of the answer text shown to the user, abstentions included (the refusal is what "
           "the user reads); the baselines' answer is their best chunk.",
           sets=("qa", "squad"), line={"qa": "median {value} chars", "squad": "median answer {value} chars"}),
    Metric("latency_p50_ms", "Latency p50 (ms)", "ms", latency_ms, median, LATENCY, sets=("qa", "squad"),
           line={"qa": "p50 {value} ms", "squad": "p50 {value} ms"}),
    Metric("latency_p95_ms", "Latency p95 (ms)", "ms", latency_ms, p95, LATENCY, sets=("qa", "squad")),
)
