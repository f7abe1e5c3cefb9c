"""Which ranked sentences to quote: the likeliest one, then those worth the characters they add."""

from dataclasses import replace

from assistant.answering.extractive.candidates import Candidate, adjacent
from assistant.models import Passage
from assistant.text.french import analyze

# Every sentence whose likelihood per character quoted is above PER_CHAR (each quote costs
# QUOTE_OVERHEAD characters of markup), within MAX_ANSWER_CHARS (docs/answers.md: the trade-off).
PER_CHAR = 0.00027
QUOTE_OVERHEAD = 30
MAX_ANSWER_CHARS = 800
# A sentence sharing more than this share of its words with a quoted one would repeat it.
REPEATS = 0.8


def choose(candidates: list[Candidate]) -> list[tuple[Candidate, str]]:
    """Each candidate, likeliest first, with why it is quoted or left out; quoted ones say "quoted"."""
    chosen: list[Candidate] = []
    decisions = []
    for candidate in candidates:
        if not chosen:
            why = "quoted: the likeliest sentence"
        elif candidate.score < PER_CHAR * (len(candidate.text) + QUOTE_OVERHEAD):
            why = "left out: not likely enough for its length"
        elif sum(len(c.text) for c in chosen) + len(candidate.text) > MAX_ANSWER_CHARS:
            why = f"left out: the answer would pass {MAX_ANSWER_CHARS} characters"
        elif any(overlaps(candidate.text, c.text) for c in chosen):
            why = "left out: repeats a quoted sentence"
        else:
            why = "quoted: likely enough for its length"
        if why.startswith("quoted"):
            chosen.append(candidate)
        decisions.append((candidate, why))
    return decisions


def quoted(decisions: list[tuple[Candidate, str]]) -> list[Candidate]:
    return [candidate for candidate, why in decisions if why.startswith("quoted")]


def join_adjacent(chosen: list[Candidate], passages: list[Passage]) -> list[Candidate]:
    """Consecutive sentences of one paragraph make a single quote (list items stay apart)."""
    joined: list[Candidate] = []
    for candidate in chosen:
        last = joined[-1] if joined else None
        text = passages[candidate.passage_index].chunk.text
        if last and adjacent(last, candidate) and "\n" not in text[last.end : candidate.start]:
            joined[-1] = replace(last, end=candidate.end, text=text[last.start : candidate.end])
        else:
            joined.append(candidate)
    return joined


def overlaps(a: str, b: str) -> bool:
    ta, tb = set(analyze(a)), set(analyze(b))
    return bool(ta) and len(ta & tb) / len(ta) > REPEATS
