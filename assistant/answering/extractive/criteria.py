"""Eligibility criteria of the sentences a lead cites, checked against what the asker says.

The criteria come from the programme's profile (assistant/profiles/, every criterion of its documents)
when the question's subject has one, else from the sentences about the subject; either way they are
read by assistant/profiles/criteria.py and checked by assistant/answering/eligibility.py, and each
check keeps the candidate sentence the lead cites for it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from assistant.answering.eligibility import Check, check_criteria
from assistant.answering.extractive.candidates import Candidate
from assistant.profiles.criteria import read_criteria
from assistant.profiles.model import Fact, Profile
from assistant.question.analysis import QuestionAnalysis
from assistant.text.french import without_attribution

CONSIDERED = 12  # candidate sentences (likeliest first) read for criteria


@dataclass
class Judgement:
    checks: list[Check]


def judge(analysis: QuestionAnalysis, about: list[Candidate], profile: Profile | None = None,
          cite: Callable[[Fact], Candidate | None] | None = None) -> Judgement | None:
    """The criteria of `profile` (each cited through `cite`), or of the sentences about the subject,
    checked against the asker's facts; None when there is no criterion."""
    if profile is not None and cite is not None and profile.criteria:
        criteria = [c for c in profile.criteria if cite(c.fact) is not None]
        cited = {id(c): cite(c.fact) for c in criteria}
    else:
        criteria, cited = [], {}
        for candidate in about[:CONSIDERED]:
            fact = Fact(text=candidate.text, source="", chunk_id="", start=candidate.start, end=candidate.end)
            for criterion in read_criteria(without_attribution(candidate.text), fact):
                criteria.append(criterion)
                cited[id(criterion)] = candidate
    checks = check_criteria(criteria, analysis.facts, analysis.cues.negated, analysis.language)
    for check in checks:
        check.candidate = cited[id(check.criterion)]
        if check.exception is not None:
            check.exception_candidate = cited.get(id(check.exception))
    checks = [c for c in checks if c.dimension != "other" or len(c.phrase) > 10]
    return Judgement(checks) if checks else None
