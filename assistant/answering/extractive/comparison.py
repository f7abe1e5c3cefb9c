"""The lead of a comparison ("START'OC PROcess ou Start-up Industrie de demain : quelle limite d'âge ?"):
one figure per programme named, from each one's profile, both in the lead, each cited.

What is compared follows what is asked: an age or size limit (the general criterion of that dimension),
an amount (the envelope), a rate; a comparison that asks for no figure compares definitions.
"""

import re
from collections.abc import Callable

from assistant.answering.extractive.candidates import Candidate
from assistant.answering.extractive.clauses import quoted_clause
from assistant.answering.extractive.lead import Lead, Segment
from assistant.profiles.catalogue import Programmes
from assistant.profiles.criteria import describe_limit
from assistant.profiles.model import Amount, Fact, Profile
from assistant.question.analysis import QuestionAnalysis
from assistant.text.figures import amounts, figure_span
from assistant.wording import message

DEFINITION_CHARS = 120  # each side of a comparison of definitions, in a few words


def comparison_lead(analysis: QuestionAnalysis, programmes: Programmes,
                    cite: Callable[[Fact], Candidate | None]) -> Lead | None:
    """Both sides, or None when a side has nothing of the kind asked (the usual lead answers then)."""
    sides = []
    for subject in analysis.compared:
        profile = programmes.of(subject.source, subject.name)
        if profile is None:
            return None
        text, candidate = _side(analysis, profile, cite) or (message(analysis.language, "compared_absent"), None)
        sides.append((profile, text, candidate))
    if all(candidate is None for _, _, candidate in sides):
        return None
    colon = " :" if analysis.language == "fr" else ":"
    segments = [Segment(("" if n == 0 else " ; ") + f"{profile.name}{colon} {text}", candidate)
                for n, (profile, text, candidate) in enumerate(sides)]
    segments.append(Segment("."))
    evidence = list({c.key: c for _, _, c in sides if c is not None}.values())
    return Lead(segments, evidence, kind="comparison", why=f"comparison of {len(sides)}",
                inline={c.key: c.text for c in evidence})


GRANT = re.compile(r"\b(subvention|prêt|pret|aide|avance|va de|accorde|montant|loan|grant)\b", re.IGNORECASE)


def _before(amount: Amount) -> str:
    """The words before an amount in its sentence (what it is: "une subvention de", "le prêt va de")."""
    at = amount.fact.text.find(amount.text)
    return amount.fact.text[max(0, at - 40):at] if at >= 0 else ""


def _stated(amount: Amount) -> str:
    """An amount with what the sentence says it is ("subvention de 20 000 €", "sur 5 ans dont 1 an de différé")."""
    at = amount.fact.text.find(amount.text)
    quantity = next((q for q in amounts(amount.fact.text) if q.span[0] == at), None) if at >= 0 else None
    return figure_span(amount.fact.text, quantity) if quantity is not None else amount.text


def _side(analysis: QuestionAnalysis, profile: Profile, cite) -> tuple[str, Candidate] | None:
    language = analysis.language
    aspect = analysis.intent
    if aspect == "duration":
        term = next((a for a in profile.amounts if a.role == "term" and cite(a.fact)), None)
        return (_stated(term), cite(term.fact)) if term else None
    if aspect == "limit" or aspect == "comparison" and analysis.cues.limit_kinds:
        dimension = "staff" if analysis.cues.limit_kinds == ("count",) else "age"
        criterion = next((c for c in profile.criteria if c.dimension == dimension and c.condition is None and cite(c.fact)), None)
        return (describe_limit(criterion, language), cite(criterion.fact)) if criterion else None
    if aspect == "amount":
        if analysis.cues.expenses:  # "quel montant de dépenses": the project's budget the criteria set
            budget = next((c for c in profile.criteria if c.dimension == "budget" and cite(c.fact)), None)
            if budget is not None:
                return describe_limit(budget, language), cite(budget.fact)
        given = [a for a in profile.amounts if a.role in ("amount", "ceiling") and cite(a.fact) and GRANT.search(_before(a))]
        # What one applicant gets (a loan's range, a grant), unless the envelope is asked.
        chosen = profile.total if analysis.cues.total or not given else min(given, key=lambda a: a.low == a.high)
        chosen = chosen or next((a for a in profile.amounts if a.role in ("amount", "ceiling") and cite(a.fact)), None)
        return (_stated(chosen), cite(chosen.fact)) if chosen is not None and cite(chosen.fact) else None
    if aspect == "rate":
        rate = next((a for a in profile.amounts if a.role == "rate" and cite(a.fact)), None)
        return (rate.text, cite(rate.fact)) if rate else None
    if aspect in ("comparison", "definition", "other"):
        # What tells two programmes apart: their amounts and rates, else what each one is.
        figures = sorted((a for a in profile.amounts if a.role in ("amount", "ceiling", "rate") and cite(a.fact)),
                         key=lambda a: a.low == a.high)[:2]  # a loan's range ("10 000 à 300 000 €") before a total
        if figures:
            same = [a for a in figures if a.fact.chunk_id == figures[0].fact.chunk_id and a.fact.start == figures[0].fact.start]
            return ", ".join(a.text for a in same), cite(figures[0].fact)
        if profile.definition is not None and cite(profile.definition):
            return f"« {quoted_clause(profile.definition.text, limit=DEFINITION_CHARS)} »", cite(profile.definition)
    return None
