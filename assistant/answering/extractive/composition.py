"""The extractive answer's text.

With a lead (assistant/answering/extractive/lead.py): the lead, then its evidence as verbatim quotes with their markers,
each without the "Selon X (date)," opening the lead has already said (a quote is still an exact
span of the passage); a quote from a document the lead does not name carries its title and date.
A French lead that quotes a clause says it as a statement, its "Selon la fiche « X » (date) [n]."
on the next line, and the evidence quotes only the rest of that sentence (statement.py).
Without one: per source, "D'après <source> (<date>) :" and its quotes. Either way, a notice when
dated sources quote different amounts and the lead does not already give both.
"""

from dataclasses import replace

from assistant.answering.extractive.candidates import Candidate
from assistant.answering.extractive.clauses import ATTRIBUTION, clause_around
from assistant.answering.extractive.quotes import join_adjacent
from assistant.answering.extractive.statement import as_statement, attribution_line, unsaid
from assistant.models import Answer, Citation, Passage
from assistant.question.subjects import short_title
from assistant.text.figures import amounts, disagree
from assistant.wording import human_date, message, source_label


def compose(question: str, passages: list[Passage], chosen: list[Candidate], language: str, lead=None) -> Answer:
    """Sources in the order of their likeliest sentence; each source's quotes in reading order."""
    if lead is not None:
        return compose_with_lead(question, passages, chosen, language, lead)
    first: dict[int, int] = {}
    for order, candidate in enumerate(chosen):
        first.setdefault(candidate.passage_index, order)
    chosen = join_adjacent(sorted(chosen, key=lambda c: (first[c.passage_index], c.start)), passages)
    citations: list[Citation] = []
    numbers: dict[int, int] = {}  # passage index -> citation number
    for candidate in chosen:
        if candidate.passage_index not in numbers:
            passage = passages[candidate.passage_index]
            numbers[candidate.passage_index] = len(citations) + 1
            citations.append(Citation.of(len(citations) + 1, passage.chunk, passage.score))
        citations[numbers[candidate.passage_index] - 1].quotes.append(candidate.text)
    lines = []
    for source_group in _group_by_document(chosen, passages):
        chunk = passages[source_group[0].passage_index].chunk
        intro = message(
            language,
            "according",
            source=source_label(chunk.kind, chunk.title, language),
            date=human_date(chunk.date, language),
        )
        quotes = " ".join(f"« {c.text} » [{numbers[c.passage_index]}]" for c in source_group)
        lines.append(f"{intro} {quotes}")
    if sources_disagree(chosen, passages):
        lines.append(message(language, "disagree"))
    return Answer(question=question, answer="\n\n".join(lines), citations=citations, language=language)


def compose_with_lead(question: str, passages: list[Passage], evidence: list[Candidate], language: str, lead) -> Answer:
    """The lead, then its evidence: the lead's sentences first, each quote in reading order per source.
    A lead that quotes is said as a statement, its attribution below it (statement.py), and the
    evidence quotes only what the lead does not already say."""
    keys = {c.key for c in evidence}
    evidence = evidence + [s.candidate for s in lead.segments  # every sentence the lead cites is a citation
                           if s.candidate is not None and s.candidate.key not in keys and not keys.add(s.candidate.key)]
    segments, statements = as_statement(lead, language)
    lead = replace(lead, segments=segments)
    first: dict[int, int] = {}
    for order, candidate in enumerate(evidence):
        first.setdefault(candidate.passage_index, order)
    inline = [replace(c, text=lead.inline[c.key]) for c in evidence if c.key in lead.inline]  # quoted by the lead
    rest = [c for c in evidence if c.key not in lead.inline]
    quoted, stated = [], []  # stated: the clauses the lead says of a sentence quoted after it, still cited
    for candidate in join_adjacent(sorted(rest, key=lambda c: (first[c.passage_index], c.start)), passages):
        said, left = unsaid(candidate, statements)
        stated += said
        quoted += [_quotable(part, lead.short_answer) for part in left]
    citations: list[Citation] = []
    numbers: dict[int, int] = {}
    for candidate in inline + stated + quoted:
        if candidate.passage_index not in numbers:
            passage = passages[candidate.passage_index]
            numbers[candidate.passage_index] = len(citations) + 1
            citations.append(Citation.of(len(citations) + 1, passage.chunk, passage.score))
        citations[numbers[candidate.passage_index] - 1].quotes.append(candidate.text)
    text = lead.render(lambda candidate: numbers[candidate.passage_index])
    in_lead = {numbers[s.candidate.passage_index] for s in lead.segments if s.candidate is not None}
    pieces = []
    for candidate in quoted:
        n = numbers[candidate.passage_index]
        piece = f"« {candidate.text} » [{n}]"
        if n not in in_lead:  # a source the lead does not name: its title and date
            chunk = passages[candidate.passage_index].chunk
            piece += f" ({source_label(chunk.kind, short_title(chunk.title), language)}, {human_date(chunk.date, language)})"
        pieces.append(piece)
    said_by = attribution_line(statements, lambda candidate: numbers[candidate.passage_index])
    lines = [text] + [line for line in (said_by, " ".join(pieces)) if line]
    shown_both = sum(s.candidate is not None for s in lead.segments) >= 2
    if not shown_both and sources_disagree(stated + quoted, passages):
        lines.append(message(language, "disagree"))
    return Answer(question=question, lead=text, short_answer=lead.short_answer, verdict=lead.verdict,
                  answer="\n\n".join(lines), citations=citations, language=language, programmes=lead.programmes)


def _quotable(candidate: Candidate, key: str | None) -> Candidate:
    """The sentence from after its "Selon X (date)," opening, and for a long one the clause holding
    `key` (the lead's figure) or its first clause: still an exact span of the passage."""
    text, start = candidate.text, 0
    opening = ATTRIBUTION.match(text)
    if opening and opening.end() < len(text) - 20:
        text, start = text[opening.end():], opening.end()
    at = text.find(key) if key else -1
    left, right = clause_around(text, at, at + len(key)) if at >= 0 else clause_around(text, 0, 0)
    text, start = text[left:right], start + left
    return replace(candidate, start=candidate.start + start, end=candidate.start + start + len(text), text=text)


def sources_disagree(chosen: list[Candidate], passages: list[Passage]) -> bool:
    """The quoted sentences' documents disagree on an amount (assistant/text/figures.py `disagree`)."""
    quoted: dict[tuple[str, str | None], list] = {}
    for candidate in chosen:
        chunk = passages[candidate.passage_index].chunk
        quoted.setdefault((chunk.source, chunk.date), []).extend(amounts(candidate.text))
    return disagree(quoted)


def _group_by_document(chosen: list[Candidate], passages: list[Passage]) -> list[list[Candidate]]:
    groups: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        groups.setdefault(passages[candidate.passage_index].chunk.source, []).append(candidate)
    return list(groups.values())
