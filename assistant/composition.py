"""The extractive answer's text: per source, "D'après <source> (<date>) :" and its verbatim quotes
with their markers; a notice when dated sources quote different amounts."""

from assistant.candidates import Candidate
from assistant.figures import amount_key
from assistant.models import Answer, Citation, Passage
from assistant.quotes import join_adjacent
from assistant.wording import human_date, message, source_label


def compose(question: str, passages: list[Passage], chosen: list[Candidate], language: str, lead=None) -> Answer:
    """Sources in the order of their likeliest sentence; each source's quotes in reading order.
    With a `lead` (assistant/lead.py), it opens the answer, and its markers name the quotes' citations."""
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
    if disagree(chosen, passages):
        lines.append(message(language, "disagree"))
    answer = Answer(question=question, answer="\n\n".join(lines), citations=citations, language=language)
    if lead is not None:
        answer.lead = lead.render(lambda candidate: numbers[candidate.passage_index])
        answer.short_answer, answer.verdict = lead.short_answer, lead.verdict
        answer.answer = f"{answer.lead}\n\n{answer.answer}" if answer.answer else answer.lead
    return answer


def disagree(chosen: list[Candidate], passages: list[Passage]) -> bool:
    """Two documents with different dates quoting different amounts (as values: 5 M€ = 5 000 000 €)."""
    amounts: dict[tuple, set] = {}
    for candidate in chosen:
        chunk = passages[candidate.passage_index].chunk
        found = amount_key(candidate.text)
        if found:
            amounts.setdefault((chunk.source, chunk.date), set()).update(found)
    values = {frozenset(v) for v in amounts.values()}
    return len(amounts) >= 2 and len(values) >= 2 and len({date for _, date in amounts}) >= 2


def _group_by_document(chosen: list[Candidate], passages: list[Passage]) -> list[list[Candidate]]:
    groups: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        groups.setdefault(passages[candidate.passage_index].chunk.source, []).append(candidate)
    return list(groups.values())
