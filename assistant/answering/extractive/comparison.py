"""The lead of a comparison ("START'OC PROcess ou Start-up Industrie de demain : quelle limite d'âge ?"):
one figure per programme named, from each one's profile, both in the lead, each cited.

What is compared follows what is asked: an age or size limit (the general criterion of that dimension),
an amount (the envelope), a rate; a comparison that asks for no figure compares definitions.
"""

from collections.abc import Callable

from assistant.answering.extractive.candidates import Candidate
from assistant.answering.extractive.clauses import quoted_clause
from assistant.answering.extractive.lead import Lead, Segment
from assistant.profiles.catalogue import Programmes
from assistant.profiles.criteria import describe_limit
from assistant.profiles.model import Fact, Profile
from assistant.question.analysis import QuestionAnalysis
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


def _side(analysis: QuestionAnalysis, profile: Profile, cite) -> tuple[str, Candidate] | None:
    language = analysis.language
    aspect = analysis.intent
    if aspect in ("limit", "duration") or aspect == "comparison" and analysis.cues.limit_kinds:
        dimension = "staff" if analysis.cues.limit_kinds == ("count",) else "age"
        criterion = next((c for c in profile.criteria if c.dimension == dimension and c.condition is None and cite(c.fact)), None)
        return (describe_limit(criterion, language), cite(criterion.fact)) if criterion else None
    if aspect == "amount":
        total = profile.total or next((a for a in profile.amounts if a.role in ("amount", "ceiling") and cite(a.fact)), None)
        return (total.text, cite(total.fact)) if total is not None and cite(total.fact) else None
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
