"""`Assistant.ask(question, history) -> Answer`: the one entry point every front end uses."""

import threading
from functools import cached_property
import time
from collections.abc import Iterator

from assistant.condense import conversation_context
from assistant.extractive import ExtractiveAnswerer
from assistant.french import detect_language, split_sentences
from assistant.indexer import build_index
from assistant.models import Answer, Citation, Message
from assistant.retrieval import Retriever
from assistant.settings import Settings, get_settings
from assistant.wording import message

RETRIEVE_K = 8


class InvalidQuestion(ValueError):
    """The question cannot be asked as it is; the message says why, in the user's language."""


class Assistant:
    def __init__(self, settings: Settings | None = None, log=print):
        self.settings = settings or get_settings()
        self._log = log
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None
        self._answerer = None
        self._generative = None

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                from assistant.index_state import IndexState

                if IndexState.load(self.settings.index_dir) is None:
                    self._log(f"No index in {self.settings.index_dir}: building it from {self.settings.corpus_dir}...")
                    self._log(build_index(self.settings).summary())
                self._retriever = Retriever.open(self.settings)
            return self._retriever

    @property
    def extractive(self) -> ExtractiveAnswerer:
        if self._answerer is None:
            lexical = self.retriever.lexical
            self._answerer = ExtractiveAnswerer(
                lexical.document_frequency, lexical.vocabulary, len(self.retriever), self.settings.abstain_threshold
            )
        return self._answerer

    @property
    def generative(self):
        """The optional LLM answerer (assistant/llm.py); it falls back to the extractive answer."""
        if self._generative is None:
            from assistant.llm import LLMAnswerer

            self._generative = LLMAnswerer(self.settings)
        return self._generative

    def validate(self, question: str, history: list[Message] | None = None) -> str:
        question = (question or "").strip()
        language = detect_language(question)
        if not question:
            raise InvalidQuestion(message(language, "empty"))
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestion(
                message(language, "too_long", length=len(question), limit=self.settings.max_question_chars)
            )
        return question

    def ask(self, question: str, history: list[Message] | list[dict] | None = None) -> Answer:
        *_, answer = self.ask_stream(question, history)
        return answer

    def ask_stream(self, question: str, history: list[Message] | list[dict] | None = None) -> Iterator[str | Answer]:
        """Like `ask`, for front ends that stream: yields the LLM's unchecked draft pieces (str), if an
        LLM answers, then the final Answer. Show the pieces as a draft; replace them with the Answer."""
        started = time.perf_counter()
        question = self.validate(question)
        history = [m if isinstance(m, Message) else Message(**m) for m in (history or [])]
        history = history[-2 * self.settings.max_history_turns :]
        language = detect_language(question)
        context = conversation_context(question, history)
        query = f"{question} {context}".strip()
        passages = self.retriever.search(query, k=RETRIEVE_K)
        answer = self.extractive.answer(question, passages, language, context=context)
        if not answer.abstained and self.settings.answerer == "llm":
            stream = self.generative.stream(question, passages, language, fallback=answer)
            yield from stream
            answer = stream.answer
        if answer.abstained:
            answer = self._abstain(question, language, said=answer)
        answer.query = query if context else None
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        yield answer

    @cached_property
    def _coverage(self):
        """What the documents cover and who to contact, for refusals (computed once: a scan of every chunk)."""
        chunks = self.retriever.state.chunks
        titles = sorted({c.title for c in chunks if c.kind == "programme"})[:8]
        contact = next((c for c in chunks if c.source == self.settings.contact_document), None) or next(
            (c for c in chunks if "contact" in c.section.lower()), None
        )
        return titles, contact

    def _abstain(self, question: str, language: str, said: Answer) -> Answer:
        """A polite refusal, what the documents cover and who to contact; if a document says it
        does not know, that quote comes first."""
        titles, contact = self._coverage
        lines = [said.answer] if said.citations else [message(language, "abstain")]
        citations = list(said.citations)
        if titles and not said.citations:
            lines.append(message(language, "covers", titles=", ".join(titles)))
        if contact is not None and all(c.source != contact.source for c in citations):
            quote = next((contact.text[a:b] for a, b in split_sentences(contact.text)), contact.text)
            n = len(citations) + 1
            citations.append(Citation.of(n, contact, quotes=[quote]))
            lines.append(message(language, "contact", quote=quote, n=n))
        return Answer(question=question, answer="\n\n".join(lines), abstained=True, citations=citations, language=language)
