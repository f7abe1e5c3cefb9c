"""The deterministic gate between an LLM and the user.

`check_answer` accepts a draft only if it cites at least one given passage, every [n] names one,
and every figure in it is in the passages it cites (text, date, title, section), compared as
values (assistant/figures.py: "5 M€" = "5 000 000 €"). `grounded_answer` turns an accepted draft
into an Answer whose citations quote the sentences holding its figures.
"""

import re
from dataclasses import dataclass, field

from assistant.figures import MARKER, figures
from assistant.french import split_sentences
from assistant.models import Answer, Citation, Passage


def passage_values(passage: Passage) -> set:
    """The values a passage supports: its figures, its date, title and section ("5 M€" supports 5 M€ and 5)."""
    chunk = passage.chunk
    values: set = set()
    for source in (chunk.text, chunk.date or "", chunk.title, chunk.section):
        for figure in figures(source):
            values |= figure.values | figure.raw
    return values


def cited_numbers(text: str) -> list[int]:
    """Passage numbers cited in `text`, in order of first appearance."""
    seen: list[int] = []
    for marker in MARKER.finditer(text):
        for n in re.split(r"\s*[,;]\s*", marker.group(1)):
            if int(n) not in seen:
                seen.append(int(n))
    return seen


@dataclass
class Check:
    ok: bool
    reason: str = ""
    cited: list[int] = field(default_factory=list)  # 1-based passage numbers, first appearance first


def check_answer(text: str, passages: list[Passage]) -> Check:
    """The deterministic gate between the model and the user.

    Accepts an answer only if it cites at least one passage, every [n] names one of the
    `passages` given, and every number in it is in the passages it cites (text, date, title).
    """
    if not re.search(r"\w", MARKER.sub("", text)):
        return Check(False, "empty answer")
    cited = cited_numbers(text)
    if not cited:
        return Check(False, "no [n] citation marker")
    unknown = [n for n in cited if not 1 <= n <= len(passages)]
    if unknown:
        return Check(False, f"cites [{unknown[0]}] but only {len(passages)} passages were given", cited)
    supported: set = set()
    for n in cited:
        supported |= passage_values(passages[n - 1])
    for figure in figures(text):
        if not figure.values & supported:
            return Check(False, f"« {figure.text} » is not in the cited passages", cited)
    return Check(True, "", cited)


def renumber(text: str, cited: list[int]) -> str:
    """Rewrite markers so the first cited passage is [1], the next [2]...; "[2, 5]" becomes "[1][2]"."""
    new = {old: i for i, old in enumerate(cited, 1)}
    return MARKER.sub(
        lambda m: "".join(f"[{new[int(n)]}]" for n in re.split(r"\s*[,;]\s*", m.group(1))), text
    )


def grounded_answer(question: str, text: str, passages: list[Passage], check: Check, language: str, answerer: str) -> Answer:
    """The checked LLM text as an Answer: cited passages renumbered, quotes = their sentences holding the figures."""
    stated = set().union(*(f.values for f in figures(text)))
    citations = []
    for new, old in enumerate(check.cited, 1):
        chunk = passages[old - 1].chunk
        quotes = []
        for start, end in split_sentences(chunk.text):
            sentence = chunk.text[start:end]
            if any((f.values | f.raw) & stated for f in figures(sentence)):
                quotes.append(sentence)
        citations.append(Citation.of(new, chunk, passages[old - 1].score, quotes))
    return Answer(question=question, answer=renumber(text.strip(), check.cited), citations=citations,
                  answerer=answerer, language=language)
