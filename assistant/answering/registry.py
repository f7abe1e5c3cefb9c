"""The table of answerers that `ASSISTANT_ANSWERER` chooses from.

Adding an answerer is one module with a factory `(settings, extractive) -> Answerer` and one entry
in ANSWERERS. The factory receives the extractive answerer because every answerer may use it: the
LLM answerer asks it first (evidence gate) and returns its answer when the draft fails (fallback).
"""

from collections.abc import Callable

from assistant.answering.base import Answerer
from assistant.answering.extractive.answerer import ExtractiveAnswerer
from assistant.answering.llm.answerer import LLMAnswerer
from assistant.settings import Settings, UnknownName


def _llm(settings: Settings, extractive: ExtractiveAnswerer) -> Answerer:
    return LLMAnswerer(settings, evidence_gate=extractive, fallback=extractive)


Factory = Callable[[Settings, ExtractiveAnswerer], Answerer]

ANSWERERS: dict[str, Factory] = {
    "extractive": lambda settings, extractive: extractive,
    "llm": _llm,
}


def answerer_factory(name: str) -> Factory:
    """The factory `name` stands for; `UnknownName`, listing the names, when there is none."""
    try:
        return ANSWERERS[name]
    except KeyError:
        raise UnknownName("answerer", name, ANSWERERS) from None


def make_answerer(name: str, settings: Settings, extractive: ExtractiveAnswerer) -> Answerer:
    return answerer_factory(name)(settings, extractive)
