"""The answerer role: `answer(question, analysis, passages) -> Answer`, optionally streaming.

The answerers themselves are in `extractive/` and `llm/`; `registry.py` names them for `ASSISTANT_ANSWERER`.
"""

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from assistant.models import Answer, Passage
from assistant.question.analysis import QuestionAnalysis


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
