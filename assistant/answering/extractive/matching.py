"""The lead of a matching question ("à quoi ai-je droit ?", "which programmes fit …?"): every programme
whose profile states criteria, checked against the asker's facts (assistant/answering/eligibility.py),
in four groups: likely eligible, to check (with what to check), not eligible (with the criterion that
fails), closed; then the contact. Each programme is cited by the sentence that decides its group.

Programmes come in the order retrieval ranks their documents for the question, so "for AI startups"
puts the programmes that speak of it first. A group holds at most `PER_GROUP` programmes.
"""

import re
from collections.abc import Callable

from assistant.answering.eligibility import Check, check_criteria
from assistant.answering.extractive.candidates import Candidate
from assistant.answering.extractive.lead import Lead, Segment
from assistant.models import Passage, ProgrammeFit
from assistant.profiles.catalogue import Programmes
from assistant.profiles.criteria import APPLICANT
from assistant.profiles.model import Fact, Profile
from assistant.question.analysis import QuestionAnalysis
from assistant.text.french import ATTRIBUTION, analyze
from assistant.wording import message

PER_GROUP = 4
CITED_CHARS = 110
FRENCH_ALONGSIDE = re.compile(r" \(« [^»]*» ?\)")
REASON_CHARS = 60  # what to check or what fails, in a few words
INNOVATION = set(analyze("innovation innovant innovante innovation"))


def matching_lead(analysis: QuestionAnalysis, programmes: Programmes, passages: list[Passage],
                  cite: Callable[[Fact], Candidate | None]) -> Lead | None:
    """The programmes by fit, each cited (`cite`: a profile's sentence as a candidate of `passages`), or
    None when no programme can be checked."""
    language = analysis.language
    rank = {}
    for n, passage in enumerate(p for p in passages if p.score > 0):  # retrieved, not added from the profiles
        rank.setdefault(passage.chunk.source, n)
    fits: list[tuple[ProgrammeFit, Candidate | None]] = []
    for profile in sorted(programmes.matchable(), key=lambda p: rank.get(p.source, len(passages))):
        fit = _fit(profile, analysis, cite)
        if fit is not None:
            fits.append(fit)
    if not fits:
        return None
    segments = [Segment(_opening(analysis, language))]
    evidence: list[Candidate] = []
    for group in ("eligible", "check", "not_eligible", "closed"):
        members = [(f, c) for f, c in fits if f.fit == group][:PER_GROUP]
        if not members:
            continue
        segments.append(Segment(f" {message(language, 'match_' + group)} "))
        for n, (fit, candidate) in enumerate(members):
            reason = f" ({fit.reason})" if fit.reason and group != "eligible" else ""
            segments.append(Segment(("" if n == 0 else ", ") + fit.name + reason, candidate))
            if candidate is not None:
                evidence.append(candidate)
        segments.append(Segment(" ;"))
    segments[-1].text = "."
    contact = next((p.contact for p in programmes if p.contact and "AD'OCC" in p.contact.text), None)
    contact_candidate = cite(contact) if contact else None
    if contact_candidate is not None:
        segments.append(Segment(f" {message(language, 'match_contact')}", contact_candidate))
        segments.append(Segment("."))
        evidence.append(contact_candidate)
    distinct = list({c.key: c for c in evidence}.values())
    return Lead(segments, distinct, kind="matching", why=f"matching: {len(fits)} programmes",
                inline={c.key: _cited_part(c.text) for c in distinct}, programmes=[f for f, _ in fits])


def _cited_part(sentence: str) -> str:
    """What a citation quotes of a deciding sentence: verbatim, without its "Selon X," opening, cut at a
    clause boundary past CITED_CHARS (a matching answer cites many sentences and must stay short)."""
    opening = ATTRIBUTION.match(sentence)
    text = sentence[opening.end():] if opening else sentence
    if len(text) > CITED_CHARS:
        cut = max(text.rfind(mark, 0, CITED_CHARS) for mark in (", ", " ; ", " : "))
        text = text[:cut] if cut > CITED_CHARS // 2 else text
    return text


def _fit(profile: Profile, analysis: QuestionAnalysis, cite) -> tuple[ProgrammeFit, Candidate | None] | None:
    language = analysis.language
    if profile.status == "closed":
        fact = profile.status_fact or profile.definition
        return ProgrammeFit(name=profile.name, source=profile.source, fit="closed"), cite(fact) if fact else None
    if INNOVATION & analysis.cues.negated and profile.definition is not None \
            and INNOVATION & set(analyze(f"{profile.name} {profile.definition.text}")):
        # "pas d'innovation particulière": a programme for innovation projects is not for the asker
        return (ProgrammeFit(name=profile.name, source=profile.source, fit="not_eligible",
                             reason=message(language, "match_no_innovation")), cite(profile.definition))
    checks = [c for c in check_criteria(profile.criteria, analysis.facts, analysis.cues.negated, language)
              if cite(c.criterion.fact) is not None]
    if not checks:
        return None
    failed = [c for c in checks if c.passed is False]
    unknown = [c for c in checks if c.passed is None]
    # A size or age not given, or a requirement on the applicant ("doivent proposer une innovation de rupture").
    measured = [c for c in unknown if c.dimension != "other" or APPLICANT.search(c.criterion.fact.text)]
    if failed:
        fit, deciding = "not_eligible", failed[0]
    elif any(c.passed for c in checks) and not measured:
        fit, deciding = "eligible", next(c for c in checks if c.passed)
    else:
        fit, deciding = "check", (measured or unknown)[0]
    reason = _reason(deciding, language) if fit != "eligible" else ""
    return ProgrammeFit(name=profile.name, source=profile.source, fit=fit, reason=reason), cite(deciding.criterion.fact)


def _reason(check: Check, language: str) -> str:
    phrase = FRENCH_ALONGSIDE.sub("", check.phrase)  # an English reason without the French it translates
    text = message(language, f"criterion_{check.dimension}", phrase=phrase).strip("« »")
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS].rsplit(" ", 1)[0] + " …"


def _opening(analysis: QuestionAnalysis, language: str) -> str:
    facts = analysis.facts
    told = [f"{v} {message(language, 'fact_unit_' + d)}" for d, v in (("age", facts.age_years), ("staff", facts.staff))
            if v is not None]
    told += [facts.legal_form] if facts.legal_form else []
    return message(language, "match_opening", facts=", ".join(told)) if told else message(language, "match_opening_bare")
