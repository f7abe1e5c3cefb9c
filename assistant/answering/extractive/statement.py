"""A lead that quotes, said as an answer: « clause » [1], selon la fiche « X » (date). becomes
"Clause [1]." and "Selon la fiche « X » (date) [1]." goes to the evidence, below it.

The clause stays the document's exact words (its marker says whose); only the guillemets and the
attribution leave the lead. The evidence then quotes what the lead does not already say: a sentence
the lead states a clause of is quoted for the rest of it, or not at all (`unsaid`).
"""

import re
from dataclasses import dataclass, replace

from assistant.answering.extractive.candidates import Candidate
from assistant.wording import message

# The documents' language: a lead in another (English) keeps their clause in quotes, its attribution after it.
DOCUMENTS_LANGUAGE = "fr"
QUOTATION = re.compile(r"^(?P<prefix>.*?)« (?P<clause>.+) »$", re.DOTALL)
# What is left of a sentence once the lead's clause is taken out is quoted when it says this much.
MIN_REST_CHARS = 25
EDGES = " \t\n,;:.–-"


@dataclass
class Statement:
    """A clause of `candidate` the lead states, and who says it ("selon la fiche « X » (date)")."""

    candidate: Candidate
    clause: str
    said_by: str


def as_statement(lead, language: str) -> tuple[list, list[Statement]]:
    """The lead's segments with each quotation followed by its attribution said as a statement, and
    the statements made (empty when the lead quotes nothing: a figure's lead is left as it is)."""
    if language != DOCUMENTS_LANGUAGE:
        return list(lead.segments), []
    opening = message(language, "lead_according", source="")
    segments, statements = [], []
    items = list(lead.segments)
    i = 0
    while i < len(items):
        segment = items[i]
        after = items[i + 1] if i + 1 < len(items) else None
        quotation = QUOTATION.match(segment.text) if segment.candidate is not None else None
        if (quotation and quotation["clause"].strip(EDGES) in segment.candidate.text and after is not None
                and after.candidate is None and after.text.startswith(opening)):
            clause = quotation["clause"].strip(EDGES)
            said_by = after.text[2:].rstrip(" .")  # ", selon X (date)." -> "selon X (date)"
            segments.append(replace(segment, text=quotation["prefix"] + clause))
            if after.text.rstrip().endswith("."):
                segments.append(replace(after, text="."))
            statements.append(Statement(segment.candidate, clause, said_by))
            i += 2
            continue
        segments.append(segment)
        i += 1
    return segments, statements


def attribution_line(statements: list[Statement], number_of) -> str:
    """"Selon la fiche « X » (date) [1]." for each statement of the lead, its source's marker after it."""
    said = []
    for statement in statements:
        line = f"{statement.said_by} [{number_of(statement.candidate)}]"
        if line not in said:
            said.append(line)
    return " ".join(f"{line[:1].upper()}{line[1:]}." for line in said)


def unsaid(candidate: Candidate, statements: list[Statement]) -> tuple[list[Candidate], list[Candidate]]:
    """The clauses of `candidate` the lead states, and the parts of it left to quote (each an exact span
    of the passage, long enough to say something); the candidate itself when the lead says none of it."""
    for statement in statements:
        if statement.candidate.passage_index != candidate.passage_index:
            continue
        at = candidate.text.find(statement.clause)
        if at < 0:
            continue
        stated = _part(candidate, at, at + len(statement.clause))
        rest = [_part(candidate, start, end) for start, end in ((0, at), (at + len(statement.clause), len(candidate.text)))]
        return [stated], [part for part in rest if part is not None and len(part.text) >= MIN_REST_CHARS]
    return [], [candidate]


def _part(candidate: Candidate, start: int, end: int) -> Candidate | None:
    """candidate.text[start:end] without the spaces and punctuation at its edges, as a candidate."""
    text = candidate.text[start:end]
    left = len(text) - len(text.lstrip(EDGES))
    text = text.strip(EDGES)
    if not text:
        return None
    begin = candidate.start + start + left
    return replace(candidate, start=begin, end=begin + len(text), text=text)
