"""What the eval scores: a system answers a question and shows its sources. Ours is the real
`Assistant.ask` (what the UI calls); the baselines (evals/baselines.py) answer the same way."""

import time
from dataclasses import dataclass, field

from assistant.assistant import Assistant
from assistant.condense import conversation_context
from assistant.models import Message
from assistant.settings import Settings
from evals.metrics import unique

# Chunks read from the retriever to rank documents for recall@k / MRR (documents, not chunks, are ranked).
RANK_DEPTH = 20


@dataclass
class Response:
    answer: str
    abstained: bool
    cited: list[str]  # texts shown as sources (citation passages), where facts must appear for "support"
    ranked: list[str]  # documents, best first: citations first, then the retriever's ranking
    latency_ms: float
    citations: list[dict] = field(default_factory=list)
    query: str | None = None


class OurAssistant:
    """The assistant as users get it, for one configuration of settings."""

    def __init__(self, settings: Settings, name: str = "ours"):
        self.name = name
        self.settings = settings
        self.assistant = Assistant(settings, log=lambda _: None)
        self._memo = None

    def respond(self, question: str, history: list[dict]) -> Response:
        retriever = self.assistant.retriever
        if self._memo is None:
            self._memo = retriever.embeddings = LastQueryMemo(retriever.embeddings)
        self._memo.forget()  # ask always embeds afresh; only the untimed ranking search below reuses it
        started = time.perf_counter()
        answer = self.assistant.ask(question, history)
        latency = (time.perf_counter() - started) * 1000
        # An abstention cites the contact sheet, not a retrieved answer: it does not count as ranking.
        cited_sources = [] if answer.abstained else [c.source for c in answer.citations]
        passages = retriever.search(answer.query or question.strip(), k=RANK_DEPTH)  # the query ask searched
        return Response(
            answer=answer.answer,
            abstained=answer.abstained,
            cited=[] if answer.abstained else [c.text for c in answer.citations],
            ranked=unique(cited_sources + [p.chunk.source for p in passages]),
            latency_ms=latency,
            citations=[c.model_dump() for c in answer.citations],
            query=answer.query,
        )


def search_query(question: str, history: list[dict]) -> str:
    """The query `Assistant.ask` searches with: the question and the conversation it refers to."""
    question = question.strip()
    return f"{question} {conversation_context(question, [Message(**m) for m in history])}".strip()


class LastQueryMemo:
    """Remembers the last query vector, so the ranking search after `ask` does not embed it twice."""

    def __init__(self, embeddings):
        self._embeddings = embeddings
        self._last: tuple[str, list[float]] | None = None

    def forget(self) -> None:
        self._last = None

    def embed_query(self, text: str) -> list[float]:
        if self._last is None or self._last[0] != text:
            self._last = (text, self._embeddings.embed_query(text))
        return self._last[1]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embeddings.embed_documents(texts)
