"""What the eval scores: a system answers a question and shows its sources. Ours is the real
`Assistant.ask` (what the UI calls); the baselines (evals/baselines.py) answer the same way."""

import time
from dataclasses import dataclass, field

from assistant.assistant import TRACE_DEPTH, Assistant
from assistant.models import Provenance
from assistant.settings import Settings
from evals.metrics import unique

# Passages of the answer's provenance that rank documents for recall@k / MRR (documents, not chunks, are ranked).
RANK_DEPTH = TRACE_DEPTH


@dataclass
class Response:
    answer: str
    abstained: bool
    cited: list[str]  # texts shown as sources (citation passages), where facts must appear for "support"
    ranked: list[str]  # documents, best first: citations first, then the retriever's ranking
    latency_ms: float
    citations: list[dict] = field(default_factory=list)
    query: str | None = None
    provenance: Provenance | None = None  # ours: how the answer was made
    lead: str | None = None  # the sentence that answers (Answer.lead); baselines state none
    short_answer: str | None = None  # the span the lead states (Answer.short_answer)
    verdict: str | None = None  # "yes", "no" or "unsure" for a yes/no question (Answer.verdict)
    # A matching answer's programmes (Answer.programmes as dicts: name, source, fit, reason); baselines list none.
    programmes: list[dict] = field(default_factory=list)


class OurAssistant:
    """The assistant as users get it, for one configuration of settings; scored from what its
    answer records of how it was made (Answer.provenance), never by searching again. Given an
    `assistant`, that one answers (the console evaluates the one serving)."""

    def __init__(self, settings: Settings, name: str = "ours", assistant: Assistant | None = None):
        self.name = name
        self.settings = settings
        self.assistant = assistant or Assistant(settings)

    def respond(self, question: str, history: list[dict]) -> Response:
        started = time.perf_counter()
        answer = self.assistant.ask(question, history)
        latency = (time.perf_counter() - started) * 1000
        # An abstention cites the contact sheet, not a retrieved answer: it does not count as ranking.
        cited_sources = [] if answer.abstained else [c.source for c in answer.citations]
        considered = [p.source for p in answer.provenance.passages[:RANK_DEPTH]]
        return Response(
            answer=answer.answer,
            abstained=answer.abstained,
            cited=[] if answer.abstained else [c.text for c in answer.citations],
            ranked=unique(cited_sources + considered),
            latency_ms=latency,
            citations=[c.model_dump() for c in answer.citations],
            query=answer.query,
            provenance=answer.provenance,
            lead=answer.lead,
            short_answer=answer.short_answer,
            verdict=answer.verdict,
            programmes=[p.model_dump() for p in answer.programmes],
        )
