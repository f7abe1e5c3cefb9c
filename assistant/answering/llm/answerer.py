"""The optional generative answerer: an LLM phrases the answer, a deterministic check vets it.

Any OpenAI-compatible server works (Ollama, vLLM, llama.cpp server, a hosted API) through
LangChain's `ChatOpenAI`; with only a GGUF path, a local xllamacpp server is started once per
process (assistant/answering/llm/local_model.py). The prompt is assistant/answering/llm/prompt.py; the check between the
model and the user is assistant/answering/llm/grounding.py.

Three jobs are the extractive answerer's: the **evidence gate** (when it abstains, the LLM is not
asked: the passages do not hold the answer), the **lead** (the model is told, with the question's
analysis, the verdict or figure the extractive lead found, and a draft that opens with another
verdict or states another figure is refused) and the **fallback** (its answer is returned on any
timeout, backend error or failed check, with the reason in `Answer.answerer`). See docs/llm.md.
"""

import logging
import threading
import time
from collections.abc import Iterator

from assistant.answering.base import Finished
from assistant.answering.llm.grounding import agrees_with_lead, check_answer, grounded_answer
from assistant.answering.llm.prompt import build_messages
from assistant.models import Answer, Passage
from assistant.question.analysis import QuestionAnalysis
from assistant.settings import Settings

log = logging.getLogger(__name__)


class LLMUnavailable(RuntimeError):
    """No LLM is configured, or the local one could not start."""


class LLMStream:
    """The draft text as the model writes it; once iteration ends, `answer` is the checked Answer.

        stream = answerer.stream(question, analysis, passages)
        for piece in stream:       # unchecked draft: show it as such
            show(piece)
        stream.answer              # the LLM answer if it passed the check, else the fallback

    `answer` finishes the generation first if the caller stopped iterating early. `gated` is the
    evidence gate's (extractive) answer: its verdict and short answer go into the prompt, and the
    draft must agree with them.
    """

    def __init__(self, answerer: "LLMAnswerer", question: str, passages: list[Passage], language: str, fallback: Answer,
                 analysis: QuestionAnalysis | None = None, gated: Answer | None = None):
        self._answerer = answerer
        self.question, self.passages, self.language, self.fallback = question, passages, language, fallback
        self.analysis, self.gated = analysis, gated
        self.draft = ""
        self.reason: str | None = None  # why the fallback was used
        self.output_tokens: int | None = None
        self.seconds = 0.0
        self.first_piece_s: float | None = None
        self._answer: Answer | None = None
        self._pieces = self._generate()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        return next(self._pieces)

    @property
    def answer(self) -> Answer:
        for _ in self._pieces:
            pass
        if self._answer is None:  # the generator was closed before it finished
            self._fall_back("generation interrupted")
        return self._answer

    def _generate(self) -> Iterator[str]:
        import openai

        settings = self._answerer.settings
        started = time.perf_counter()
        try:
            chat = self._answerer.chat_model()
            messages = build_messages(self.question, self.passages, self.language, self.analysis, self.gated)
            for chunk in chat.stream(messages):
                if chunk.usage_metadata:
                    self.output_tokens = chunk.usage_metadata.get("output_tokens")
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if piece:
                    if self.first_piece_s is None:
                        self.first_piece_s = time.perf_counter() - started
                    self.draft += piece
                    yield piece
                # The client's timeout bounds each read; this bounds a server that trickles tokens.
                if time.perf_counter() - started > settings.llm_timeout_s:
                    raise TimeoutError
        except (TimeoutError, openai.APITimeoutError):
            self._fall_back(f"timeout after {settings.llm_timeout_s:g} s")
        except Exception as error:  # noqa: BLE001 - any backend failure: the extractive answer is still good
            detail = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
            self._fall_back(f"{type(error).__name__}: {detail}" if detail else type(error).__name__)
        else:
            check = check_answer(self.draft, self.passages)
            agreement = agrees_with_lead(self.draft, self.gated) if check.ok else check
            if agreement.ok:
                self._answer = grounded_answer(self.question, self.draft, self.passages, check, self.language,
                                               f"llm:{self._answerer.model_label}", self.gated)
                # The evidence behind it is the gate's; the decision is the model's.
                self._answer.provenance = self.fallback.provenance.model_copy(deep=True) if self.fallback.provenance else None
                if self._answer.provenance and self._answer.provenance.decision:
                    self._answer.provenance.decision.answerer = self._answer.answerer
                    self._answer.provenance.decision.reason = (
                        "answered by the LLM; its draft passed the check and agrees with the extractive lead")
            else:
                self._fall_back(agreement.reason)
        finally:
            self.seconds = time.perf_counter() - started

    def _fall_back(self, reason: str) -> None:
        self.reason = reason
        log.info("LLM answer not used (%s): the extractive answer is returned", reason)
        self._answer = self.fallback.model_copy(update={"answerer": f"{self.fallback.answerer} (llm fallback: {reason})"})
        if self._answer.provenance and self._answer.provenance.decision:
            self._answer.provenance = self._answer.provenance.model_copy(deep=True)
            self._answer.provenance.decision.reason += f"; the LLM's draft was not used: {reason}"


class LLMAnswerer:
    """Phrases an answer from the passages with an LLM, behind an evidence gate, with a fallback."""

    name = "llm"

    def __init__(self, settings: Settings, evidence_gate, fallback):
        self.settings = settings
        self.evidence_gate = evidence_gate  # an Answerer: when it abstains, so does this one, unasked
        self.fallback = fallback  # an Answerer: its answer replaces a draft that fails the check
        self._chat = None
        self._lock = threading.Lock()
        self.local_server = None  # the xllamacpp server, when this answerer started one
        self.last_stream: LLMStream | None = None  # the latest generation, for diagnostics

    @property
    def model_label(self) -> str:
        if not self.settings.llm_base_url and self.settings.llm_gguf_path and self.settings.llm_model == "local":
            return self.settings.llm_gguf_path.stem
        return self.settings.llm_model

    def chat_model(self):
        """The LangChain chat model, created on first use (starting the local server if needed)."""
        with self._lock:
            if self._chat is None:
                from langchain_openai import ChatOpenAI

                base_url = self.settings.llm_base_url
                if not base_url:
                    if not self.settings.llm_gguf_path:
                        raise LLMUnavailable("no LLM configured: set ASSISTANT_LLM_BASE_URL or ASSISTANT_LLM_GGUF_PATH")
                    from assistant.answering.llm.local_model import shared_server

                    self.local_server = shared_server(self.settings.llm_gguf_path)
                    base_url = self.local_server.base_url
                self._chat = ChatOpenAI(
                    base_url=base_url,
                    model=self.settings.llm_model,
                    api_key=self.settings.llm_api_key,
                    timeout=self.settings.llm_timeout_s,
                    max_tokens=self.settings.llm_max_tokens,
                    temperature=0,
                    max_retries=0,  # the extractive fallback is ready: waiting for retries only delays the user
                    stream_usage=True,
                )
            return self._chat

    def stream(self, question: str, analysis: QuestionAnalysis, passages: list[Passage]):
        """An LLMStream, or the gate's abstention as a finished stream (no LLM call)."""
        gated = self.evidence_gate.answer(question, analysis, passages)
        if gated.abstained:
            return Finished(gated)
        fallback = gated if self.fallback is self.evidence_gate else self.fallback.answer(question, analysis, passages)
        self.last_stream = LLMStream(self, question, passages, analysis.language, fallback, analysis=analysis, gated=gated)
        return self.last_stream

    def answer(self, question: str, analysis: QuestionAnalysis, passages: list[Passage]) -> Answer:
        return self.stream(question, analysis, passages).answer
