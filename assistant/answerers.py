"""The answerer role: `answer(question, analysis, passages) -> Answer`, optionally streaming, and the
table of answerers that `ASSISTANT_ANSWERER` chooses from.

Adding an answerer is one module with a factory `(settings, extractive) -> Answerer` and one entry
in ANSWERERS. The factory receives the extractive answerer because every answerer may use it: the
LLM answerer asks it first (evidence gate) and returns its answer when the draft fails (fallback).
"""

from collections.abc import Callable, Iterator
from typing import Protocol, runtime_checkable

from assistant.analysis import QuestionAnalysis
from assistant.extractive import ExtractiveAnswerer
from assistant.models import Answer, Passage
from assistant.settings import Settings


@runtime_checkable
class Answerer(Protocol):
    name: str

    def answer(self, question: str, analysis: QuestionAnalysis, passages: list[Passage]) -> Answer:
        """The answer from these passages only; `abstained` when they do not hold it."""
        ...


class AnswerStream(Protocol):
    """Draft pieces (str) as they are produced; `answer` is the final Answer once iteration ends."""

    def __iter__(self) -> Iterator[str]: ...

    @property
    def answer(self) -> Answer: ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    def stream(self, question: str, analysis: QuestionAnalysis, passages: list[Passage]) -> AnswerStream: ...


class Finished:
    """The stream of an answerer that produces its whole answer at once: no draft, then the answer."""

    def __init__(self, answer: Answer):
        self.answer = answer

    def __iter__(self) -> Iterator[str]:
        return iter(())


def stream(answerer: Answerer, question: str, analysis: QuestionAnalysis, passages: list[Passage]) -> AnswerStream:
    if isinstance(answerer, StreamingAnswerer):
        return answerer.stream(question, analysis, passages)
    return Finished(answerer.answer(question, analysis, passages))


def _llm(settings: Settings, extractive: ExtractiveAnswerer) -> Answerer:
    from assistant.llm import LLMAnswerer

    return LLMAnswerer(settings, evidence_gate=extractive, fallback=extractive)


ANSWERERS: dict[str, Callable[[Settings, ExtractiveAnswerer], Answerer]] = {
    "extractive": lambda settings, extractive: extractive,
    "llm": _llm,
}


class UnknownAnswerer(ValueError):
    pass


def make_answerer(name: str, settings: Settings, extractive: ExtractiveAnswerer) -> Answerer:
    try:
        factory = ANSWERERS[name]
    except KeyError:
        raise UnknownAnswerer(f"unknown answerer {name!r}: one of {', '.join(ANSWERERS)}") from None
    return factory(settings, extractive)
