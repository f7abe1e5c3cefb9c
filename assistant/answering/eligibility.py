"""Criteria (assistant/profiles/criteria.py) checked against what the asker says of themselves.

Each criterion gives a `Check`: met, failed, or to check (None) when the asker's facts do not tell. An
exception replaces its dimension's general limit only when its condition holds for the asker: a
creation period the asker's creation year falls in, or words of the asker's case ("innovation de
rupture"); a condition the asker denies ("pas de rupture", "innovation incrémentale", "pas dans la
biotech") does not hold, one they do not mention leaves the criterion to check. A partner rule binds
only whom it names (an ETI), an exclusion fails only a form or activity the asker gives. No "oui"
comes from a criterion that is not in a cited sentence.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from assistant.profiles.criteria import APPLICANT, describe_limit, plain, within
from assistant.profiles.model import Criterion
from assistant.question.analysis import AskerFacts
from assistant.text.french import analyze
from assistant.wording import message

EXCEPTION_WORDS = 2  # words an exception's condition must share with the asker's case (or half of them)
# A word of the asker's that denies a condition's word: "innovation incrémentale" is no "innovation de rupture".
CONTRARY = {"ruptur": {"incremental", "increment", "classiqu"}, "valid": {"valide"}}
GENERIC_WORDS = set(analyze("start-up startup entreprise entreprises société projet projets les des encore toujours "
                            "aussi déjà vraiment demander demande aide aides peux peut boite boîte portent"))
REQUIRING_WORDS = set(analyze("il faut doit doivent avoir être proposer disposer compter"))  # a requirement's verbs
FORM_WORDS = set(analyze("entreprises individuelles micro-entreprise auto-entrepreneur SCI SAS SASU SARL EURL associations "
                         "sociétés civiles")) - GENERIC_WORDS  # the words of legal forms, beside activities
ORDER = ("age", "staff", "turnover", "budget", "legal_form", "partner", "place", "other")
BIG = {"eti", "grand"}  # stems of the categories that staff alone tells (ETI, grandes entreprises)
ETI_STAFF = Decimal(250)


@dataclass
class Check:
    criterion: Criterion
    dimension: str  # a Dimension of assistant/profiles/model.py
    phrase: str  # how the lead states the criterion, in the question's language
    passed: bool | None  # None: the asker's facts do not tell
    fact: str = ""  # the asker's fact it was compared with, as the lead shows it
    candidate: object = None  # the sentence an extractive lead cites for it (assistant/answering/extractive/criteria.py)
    # A failed limit's exception that the asker's case rules out (`exception_holds` False: "innovation
    # incrémentale", created in 2012) or does not tell (None): the lead names it beside the "non".
    exception: Criterion | None = None
    exception_holds: bool | None = None
    exception_phrase: str = ""
    exception_candidate: object = None


def check_criteria(criteria: list[Criterion], facts: AskerFacts, negated: frozenset[str], language: str,
                   today: datetime.date | None = None) -> list[Check]:
    """Every criterion the asker can be checked against, the deciding ones first (failed, then by ORDER)."""
    today = today or datetime.date.today()
    words = set(facts.words_stemmed) - GENERIC_WORDS
    general = [c for c in criteria if c.condition is None]
    exceptions = [c for c in criteria if c.condition is not None]
    checks = []
    for criterion in general:
        check = _check(criterion, facts, words, negated, language)
        if check is None:
            continue
        if check.passed is False or check.passed is None and _value(facts, criterion.dimension) is None:
            better = _exception(criterion, exceptions, facts, words, negated, language, today)
            check = better or check
            if check.passed is False and better is None:
                _note_exception(check, exceptions, facts, words, negated, language, today)
        checks.append(check)
    distinct: dict[tuple, Check] = {}
    for check in checks:  # the same criterion read twice (two sentences saying it) counts once
        distinct.setdefault((check.dimension, check.phrase), check)
    return sorted(distinct.values(), key=lambda c: (c.passed is not False, ORDER.index(c.dimension),
                                                    not APPLICANT.search(c.criterion.fact.text)))


def _check(criterion: Criterion, facts: AskerFacts, words: set[str], negated: frozenset[str], language: str) -> Check | None:
    dimension = criterion.dimension
    if dimension in ("age", "staff", "turnover", "budget"):
        value = _value(facts, dimension)
        limits = [criterion, *criterion.alternatives]
        met = [limit for limit in limits if value is not None and within(value, limit.bound, limit.low, limit.high)]
        shown = met[0] if met else criterion  # "moins de 250 salariés" for a PME of 120, of the sentence's three limits
        return Check(criterion, dimension, describe_limit(shown, language), None if value is None else bool(met),
                     fact_text(value, dimension, language))
    if dimension == "legal_form":
        given = set(analyze(facts.legal_form or ""))
        listed = [term for term in criterion.terms if not shared_words(set(analyze(term)) - GENERIC_WORDS, set(negated))
                  and _excludes(set(analyze(term)), given, words - negated)]  # "ni SCI ni EI": none
        if not listed:
            return None  # an exclusion the asker's form or activity does not touch
        return Check(criterion, dimension, f"« {criterion.phrase} »", False, facts.legal_form or ", ".join(listed))
    if dimension == "partner":
        if not _binds(criterion, facts, words):
            return None  # a rule for whom it names (ETI, research organisations), not for the asker
        passed = facts.partner_sme if criterion.terms else None
        return Check(criterion, dimension, f"« {criterion.phrase} »", passed,
                     message(language, "fact_no_partner") if passed is False else "")
    if dimension == "place":
        return Check(criterion, dimension, criterion.phrase, True if facts.in_region else None,
                     facts.place or "")
    required = set(criterion.terms) - GENERIC_WORDS - REQUIRING_WORDS
    denied = required & negated
    if denied:  # "doivent proposer une innovation forte" and "pas d'innovation particulière", "pas encore de bilan"
        return Check(criterion, dimension, criterion.phrase, False, message(language, "fact_denied"))
    told = shared_words(required, set(facts.told_stemmed) - negated)
    if required and told >= EXCEPTION_WORDS and told / len(required) >= 0.5:
        # what the story tells before it asks meets it: "avec deux bilans" for "disposer de deux bilans de 12 mois"
        return Check(criterion, dimension, criterion.phrase, True, message(language, "fact_told"))
    return Check(criterion, dimension, criterion.phrase, None)


def _excludes(term: set[str], given: set[str], words: set[str]) -> bool:
    """Whether an excluded form or activity is the asker's: a legal form only when it is the form they
    give (a SAS is no SCI, whatever else the question names), an activity when they name it."""
    if given and term - GENERIC_WORDS and term - GENERIC_WORDS <= FORM_WORDS:
        return term - GENERIC_WORDS <= given
    return bool(given and term <= given | words or shared_words(term - GENERIC_WORDS, words))


def _binds(criterion: Criterion, facts: AskerFacts, words: set[str]) -> bool:
    """Whether a rule for some applicants (`applies_to`) is for the asker: they name themselves so, or
    their staff makes them an ETI or a large company."""
    for who in criterion.applies_to:
        terms = set(analyze(who)) - GENERIC_WORDS
        if terms and terms <= words or BIG & terms and facts.staff is not None and facts.staff >= ETI_STAFF:
            return True
    return False


def _exception(general: Criterion, exceptions: list[Criterion], facts: AskerFacts, words: set[str], negated: frozenset[str],
               language: str, today: datetime.date) -> Check | None:
    """The exception of the same dimension that lets the asker in, when its condition holds (or may)."""
    value = _value(facts, general.dimension)
    best = None
    for exception in (e for e in exceptions if e.dimension == general.dimension):
        holds = condition_holds(exception, facts, words, negated, today)
        if holds is False or holds is None and value is not None:
            continue  # the general rule decides unless the asker's case is the exception's
        met = None if value is None else within(value, general.bound, exception.low, exception.high)
        if holds is None and not met:
            continue
        # The asker's case is the exception's: its limit decides, met or not ("moins de 7 ans" for a biotech of 9).
        check = Check(exception, general.dimension, describe_limit(exception, language, bound=general.bound), met,
                      fact_text(value, general.dimension, language))
        if best is None or check.passed is True and best.passed is not True:
            best = check
    return best


def _note_exception(check: Check, exceptions: list[Criterion], facts: AskerFacts, words: set[str], negated: frozenset[str],
                    language: str, today: datetime.date) -> None:
    """The exception of a failed limit's dimension, and whether it leaves the asker out (their case is
    not the exception's, or they are past its limit too): the "non" then says why the exception does
    not save them, or that it might."""
    value = _value(facts, check.dimension)
    for exception in (e for e in exceptions if e.dimension == check.dimension):
        past = value is not None and not within(value, check.criterion.bound, exception.low, exception.high)
        check.exception = exception
        check.exception_holds = False if past else condition_holds(exception, facts, words, negated, today)
        check.exception_phrase = describe_limit(exception, language, bound=check.criterion.bound)
        return


def condition_holds(exception: Criterion, facts: AskerFacts, words: set[str], negated: frozenset[str],
                    today: datetime.date) -> bool | None:
    """True when the asker's case meets an exception's condition, False when it denies it, None when it does not tell."""
    condition = exception.condition
    if condition.created_from is not None:
        year = facts.creation_year or (today.year - int(facts.age_years) if facts.age_years is not None else None)
        return None if year is None else condition.created_from <= year <= condition.created_to
    terms = set(condition.terms) - GENERIC_WORDS
    if shared_words(terms, set(negated)) or any(CONTRARY.get(t, set()) & words for t in terms):
        return False  # "pas dans la biotech", "not in biotech" (a shortened word counts), "incrémentale"
    shared = shared_words(terms, words - negated)
    if shared >= EXCEPTION_WORDS or terms and shared / len(terms) >= 0.5:
        return True
    return None


def shared_words(these: set[str], those: set[str]) -> int:
    """Words in common, a shortened one counting: "biotech" is "biotechnologies"."""
    return sum(any(a == b or min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)) for b in those)
               for a in these)


def _value(facts: AskerFacts, dimension: str) -> Decimal | None:
    return {"age": facts.age_years, "staff": facts.staff, "turnover": facts.turnover, "budget": facts.budget}.get(dimension)


def fact_text(value: Decimal | None, dimension: str, language: str) -> str:
    if value is None:
        return ""
    unit = message(language, f"fact_unit_{dimension}")
    return f"{plain(value)} {unit}".strip()
