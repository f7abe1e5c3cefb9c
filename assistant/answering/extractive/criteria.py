"""Eligibility criteria read from cited sentences, checked against what the asker says.

A criterion is a bounded figure in a condition sentence ("doivent avoir moins de 8 ans", "de moins
de 50 salariés", "chiffre d'affaires inférieur à 10 M€") or an exclusion ("les SCI et les entreprises
individuelles sont exclues"). An exception ("portée à 7 ans pour les start-up des biotechnologies")
replaces the limit when the question shares its words. A criterion the asker's facts do not cover
is "to check", never met: no "oui" comes from a criterion that is not in a cited sentence.

Limits: one limit per dimension and sentence; written-out numbers ("deux bilans") and criteria
without figures other than exclusions are only listed as "to check".
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.answering.extractive.candidates import Candidate
from assistant.answering.extractive.clauses import quoted_clause, without_attribution
from assistant.question.analysis import QuestionAnalysis
from assistant.text.figures import Quantity, amounts, figure_span
from assistant.text.french import analyze, negated_terms
from assistant.wording import message

CONSIDERED = 12  # candidate sentences (likeliest first) read for criteria
CONDITION = re.compile(
    r"\b(doi(?:t|vent)|s'adresse|s’adresse|destin[ée]e?s? aux|r[ée]serv|exclu|[ée]ligible|ouvert aux|peuvent|peut b[ée]n[ée]ficier|limite"
    r"|must|required|open to|eligib|condition|crit[èe]re)",
    re.IGNORECASE,
)
EXCEPTION_WORDS = 2  # words an exception's beneficiaries must share with the asker's case (or half of them)
EXCEPTION_CHARS = 70  # an exception quoted in a lead: its first words
APPLICANT = re.compile(r"\b(qui demande\w*|candidat\w*|b[ée]n[ée]ficiaires?|doi(?:t|vent) (avoir|proposer|compter|disposer|être))",
                       re.IGNORECASE)
FUNDING = re.compile(r"\b(dot[ée]e?s?|dotation|budget|enveloppe|financ\w*|M€)", re.IGNORECASE)
EXCLUDED = re.compile(r"\bexclu", re.IGNORECASE)
EXCEPTION = re.compile(r"\bport[ée]e? [àa]\b.*?\bpour (?:les|la|le|l')\s*(?P<who>[^,.;]+)", re.IGNORECASE)
TURNOVER = re.compile(r"chiffre d.affaires|\bCA\b|turnover", re.IGNORECASE)
# Words an exception's beneficiaries share with any question: they do not make it apply to the asker.
GENERIC_WORDS = set(analyze("start-up startup entreprise entreprises société projet projets les des encore toujours "
                            "aussi déjà vraiment demander demande aide aides peux peut boite boîte"))
FRENCH_BOUNDS = {"<": "moins de", "<=": "au plus", ">": "plus de", ">=": "au moins", "~": "environ"}
ENGLISH_BOUNDS = {"<": "less than", "<=": "at most", ">": "more than", ">=": "at least", "~": "about"}
ENGLISH_UNITS = {"an": "years", "mois": "months", "salarié": "employees", "employé": "employees", "€": "€"}


@dataclass
class Check:
    candidate: Candidate
    dimension: str  # age, staff, turnover, legal_form, other
    phrase: str  # how the lead states the criterion, in the question's language
    passed: bool | None  # None: the asker's facts do not tell
    fact: str = ""  # the asker's fact it was compared with


@dataclass
class Judgement:
    checks: list[Check]


def judge(analysis: QuestionAnalysis, about: list[Candidate]) -> Judgement | None:
    """The criteria of the sentences about the subject, each checked against the asker's facts."""
    facts, language = analysis.facts, analysis.language
    subject_terms = set(analyze(analysis.subject.name)) if analysis.subject else set()
    asker_words = set(analysis.stems) - GENERIC_WORDS - subject_terms - analysis.cues.negated  # "pas dans la biotech"
    checks: list[Check] = []
    exceptions: dict[str, tuple[Candidate, Quantity]] = {}
    for candidate in about[:CONSIDERED]:
        if not CONDITION.search(candidate.text):
            continue
        exception = EXCEPTION.search(candidate.text)
        if exception:
            who = exception.group("who")
            beneficiaries = set(analyze(who)) - GENERIC_WORDS - negated_terms(who)
            shared = _shared_words(beneficiaries, asker_words)
            # It applies when the asker's case shares most of its words, or two of them ("innovation de rupture").
            shared = shared if shared >= EXCEPTION_WORDS or beneficiaries and shared / len(beneficiaries) >= 0.5 else 0
            for quantity in amounts(candidate.text):
                dimension = _dimension(quantity, candidate.text)
                # The exception that shares most words with the asker's case applies.
                if dimension and shared and shared > exceptions.get(dimension, (None, None, 0))[2]:
                    exceptions[dimension] = (candidate, quantity, shared)
            continue
        excluded = EXCLUDED.search(candidate.text)
        if excluded:
            if facts.legal_form and set(analyze(facts.legal_form)) <= set(analyze(candidate.text)):
                checks.append(Check(candidate, "legal_form", f"« {quoted_clause(candidate.text)} »", False, facts.legal_form))
            else:  # "sont exclus … les professions libérales" and "je suis kiné en libéral"
                listed = set(analyze(candidate.text)) - subject_terms - GENERIC_WORDS
                shared = [w for w in asker_words if _shared_words({w}, listed)]
                if shared:
                    checks.append(Check(candidate, "legal_form", f"« {quoted_clause(candidate.text)} »", False,
                                        ", ".join(sorted(shared))))
            continue
        bounded = [(q, _dimension(q, candidate.text)) for q in amounts(candidate.text, written_out=True)]
        bounded = [(q, d) for q, d in bounded if d and (q.bound in ("<", "<=", ">", ">=") or q.low != q.high)]
        if not bounded:
            if not FUNDING.search(candidate.text):  # "doit être doté de 2 à 5 M€": the scheme's money, not a condition
                checks.append(Check(candidate, "other", _requirement(candidate.text), None))
            continue
        by_dimension: dict[str, list[Quantity]] = {}
        for quantity, dimension in bounded:
            by_dimension.setdefault(dimension, []).append(quantity)
        for dimension, limits in by_dimension.items():
            # Several limits of one dimension in a sentence are alternatives ("petites entreprises (moins
            # de 50 salariés), PME (moins de 250 salariés)"): the asker meets the criterion by meeting one.
            value = _fact(facts, dimension)
            met = [q for q in limits if value is not None and _within(value, q)]
            shown = met[0] if met else limits[0]
            checks.append(Check(candidate, dimension, describe(candidate.text, shown, language),
                                None if value is None else bool(met), _fact_text(value, dimension, language)))
    for check in checks:  # an exception that applies to the asker replaces the general limit
        if check.dimension in exceptions:
            candidate, quantity, _ = exceptions[check.dimension]
            general = next(q for q in amounts(check.candidate.text, written_out=True) if _dimension(q, check.candidate.text) == check.dimension)
            limit = Quantity(quantity.text, quantity.kind, quantity.unit, quantity.low, quantity.high, general.bound,
                             quantity.span)
            value = _fact(facts, check.dimension)
            exception = EXCEPTION.search(candidate.text)
            check.candidate = candidate
            told = exception.group(0).strip()
            told = told if len(told) <= EXCEPTION_CHARS else told[:EXCEPTION_CHARS].rsplit(" ", 1)[0] + " …"
            check.phrase = f"{describe(candidate.text, limit, language)} ({told})"
            check.passed = None if value is None else _within(value, limit)
    checks = [c for c in checks if c.dimension != "other" or len(c.phrase) > 10]
    distinct = {}
    for check in checks:  # the same criterion read twice (two sentences saying it) counts once
        distinct.setdefault((check.dimension, check.phrase), check)
    # What to check next: a condition on the applicant ("les entreprises qui demandent … doivent") first.
    checks = sorted(distinct.values(), key=lambda c: c.dimension == "other" and not APPLICANT.search(c.candidate.text))
    return Judgement(checks) if checks else None


def _shared_words(these: set[str], those: set[str]) -> int:
    """Words in common, a shortened one counting: "biotech" is "biotechnologies"."""
    return sum(any(a == b or min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)) for b in those)
               for a in these)


def describe(text: str, quantity: Quantity, language: str) -> str:
    """The limit as the sentence writes it ("moins de 8 ans"), or in English ("less than 8 years")."""
    if language != "en":
        span = figure_span(text, quantity)
        if quantity.bound and span == quantity.text and not span.lower().startswith(tuple(FRENCH_BOUNDS.values())):
            span = f"{FRENCH_BOUNDS.get(quantity.bound, '')} {span}".strip()  # an exception ("portée à 7 ans") keeps the rule's bound
        return span
    unit = ENGLISH_UNITS.get(quantity.unit, quantity.unit)
    value = f"{_plain(quantity.low)}-{_plain(quantity.high)}" if quantity.low != quantity.high else _plain(quantity.high)
    english = f"{ENGLISH_BOUNDS.get(quantity.bound, '')} {value} {unit}".strip()
    return f"{english} (« {describe(text, quantity, 'fr')} »)"  # and as the French source writes it


def _dimension(quantity: Quantity, text: str) -> str | None:
    if quantity.kind == "duration" and quantity.unit == "an":
        return "age"
    if quantity.kind == "count" and quantity.unit in ("salarié", "employé"):
        return "staff"
    if quantity.kind == "amount" and TURNOVER.search(text[max(0, quantity.span[0] - 50):quantity.span[0]]):
        return "turnover"
    return None


def _fact(facts, dimension: str) -> Decimal | None:
    return {"age": facts.age_years, "staff": facts.staff, "turnover": facts.turnover}.get(dimension)


def _within(value: Decimal, limit: Quantity) -> bool:
    if limit.bound == "<":
        return value < limit.high
    if limit.bound == "<=":
        return value <= limit.high
    if limit.bound == ">":
        return value > limit.low
    if limit.bound == ">=":
        return value >= limit.low
    return limit.low <= value <= limit.high


def _fact_text(value: Decimal | None, dimension: str, language: str) -> str:
    if value is None:
        return ""
    unit = message(language, f"fact_unit_{dimension}")
    return f"{_plain(value)} {unit}".strip()


def _plain(value: Decimal) -> str:
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value}"
    return text.replace(",", "\u202f")


def _requirement(text: str) -> str:
    """What a condition sentence requires, from its verb on ("doivent proposer …" -> "proposer …")."""
    text = without_attribution(text)
    match = re.search(r"\b(?:doi(?:t|vent)|must)\s+", text, re.IGNORECASE)
    rest = f"il faut {text[match.end():]}" if match else text
    rest = rest.strip().rstrip(".")
    return rest if len(rest) <= 110 else rest[:110].rsplit(" ", 1)[0] + " …"
