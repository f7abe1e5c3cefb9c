"""The nouns of the domain: what flows from corpus to answer."""

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class SourceDocument:
    """A corpus file read into plain text; chunk offsets point into `text`."""

    source: str  # path relative to the corpus directory
    title: str
    text: str
    date: str | None = None  # ISO date (YYYY-MM-DD or YYYY-MM) when the file says
    kind: str | None = None  # announcement, programme, ...
    url: str | None = None
    publisher: str | None = None
    status: str | None = None
    as_of: str | None = None  # ISO date the document's facts were last checked, when it says


@dataclass(frozen=True)
class Chunk:
    id: str  # content hash: same text at the same place -> same id
    source: str
    title: str
    section: str  # breadcrumb below the title, "" at top level
    text: str  # exactly source_text[start:end]
    start: int
    end: int
    date: str | None = None
    kind: str | None = None
    url: str | None = None
    publisher: str | None = None
    status: str | None = None
    as_of: str | None = None

    @property
    def breadcrumb(self) -> str:
        return " > ".join(p for p in (self.title, self.section) if p)

    def embedding_text(self) -> str:
        """What the dense and lexical indexes see: the text under its breadcrumb."""
        return f"{self.breadcrumb}\n{self.text}"


@dataclass
class Passage:
    """A retrieved chunk with its scores (higher is better)."""

    chunk: Chunk
    score: float
    lexical: float = 0.0
    dense: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)


class Message(BaseModel):
    role: str = Field(pattern="^(user|assistant)$")
    content: str


class Citation(BaseModel):
    n: int
    source: str = Field(description="path of the document, relative to the corpus")
    title: str
    section: str = ""
    date: str | None = None
    url: str | None = None
    text: str = Field(description="the exact passage text, as in the document")
    quotes: list[str] = Field(default_factory=list, description="sentences of `text` the answer quotes")
    score: float = 0.0

    @classmethod
    def of(cls, n: int, chunk: Chunk, score: float = 0.0, quotes: list[str] | None = None) -> "Citation":
        return cls(n=n, source=chunk.source, title=chunk.title, section=chunk.section, date=chunk.date,
                   url=chunk.url, text=chunk.text, quotes=quotes or [], score=round(score, 4))


class PassageTrace(BaseModel):
    """One passage retrieval considered for the question, with the scores that ranked it."""

    rank: int = Field(description="1 = best fused score")
    chunk_id: str
    source: str
    title: str
    section: str = ""
    lexical: float = Field(description="BM25 score of the expanded query")
    dense: float = Field(description="cosine similarity of the query and passage vectors, on the scale of assistant/retrieval/embeddings.py SIMILARITY_SCALE")
    fused: float = Field(description="the hybrid score passages are ranked by")
    given: bool = Field(description="passed to the answerer (the first `retrieve_k`)")

    @classmethod
    def of(cls, rank: int, passage: Passage, given: bool) -> "PassageTrace":
        chunk = passage.chunk
        return cls(rank=rank, chunk_id=chunk.id, source=chunk.source, title=chunk.title, section=chunk.section,
                   lexical=round(passage.lexical, 4), dense=round(passage.dense, 4), fused=round(passage.score, 4),
                   given=given)


class SentenceTrace(BaseModel):
    """A candidate sentence the answerer weighed."""

    passage: int = Field(description="rank of its passage among the given ones (1-based)")
    start: int = Field(description="offset of the sentence in the passage text")
    end: int
    text: str
    first_stage: float = Field(description="the hand-weighted score that orders candidates first")
    probability: float = Field(description="the sentence ranker's probability that it holds the answer")
    chosen: bool = False
    why: str = Field(default="", description="why it was quoted or left out")
    features: dict[str, float] = Field(default_factory=dict, description="the ranker's input features")


class Decision(BaseModel):
    """What the answerer decided, and on what evidence."""

    answerer: str
    abstained: bool = False
    reason: str = Field(default="", description="why it abstained, fell back, or answered")
    evidence: float | None = Field(default=None, description="the evidence score compared with the threshold")
    threshold: float | None = None
    sentences: list[SentenceTrace] = Field(default_factory=list)


class Provenance(BaseModel):
    """How an answer was made: what was searched, what was found, what the answerer decided."""

    query: str = Field(description="the text searched: the question, plus the conversation for a follow-up")
    context: str = Field(default="", description="the earlier questions a follow-up was read with")
    retrieve_k: int = Field(description="passages given to the answerer")
    analysis: dict = Field(default_factory=dict, description="what the answerers read in the question: language, "
                           "intent, aspects, subject, the asker's facts, cues (assistant/question/analysis.py summary)")
    passages: list[PassageTrace] = Field(default_factory=list, description="best first, beyond retrieve_k too")
    decision: Decision | None = None


class ProgrammeFit(BaseModel):
    """One programme of a matching answer ("à quoi ai-je droit ?"): how the asker's facts fit it."""

    name: str
    source: str = Field(description="the programme's document, as in citations")
    fit: Literal["eligible", "check", "not_eligible", "closed"] = Field(
        description="likely eligible; to check (what is unknown is in `reason`); not eligible (the criterion "
                    "that fails is in `reason`); closed")
    reason: str = Field(default="", description="the deciding criterion, or what to check, in the answer's language")


class Answer(BaseModel):
    question: str
    lead: str | None = Field(
        default=None, description="the sentence that answers, in the question's language, with its markers"
    )
    short_answer: str | None = Field(
        default=None, description="the span the lead states (an amount, a date, a name), verbatim from a cited sentence"
    )
    verdict: Literal["yes", "no", "unsure"] | None = Field(
        default=None, description="for a yes/no question: the verdict the lead gives"
    )
    programmes: list[ProgrammeFit] = Field(
        default_factory=list, description="for a matching question: each programme checked against the asker's facts"
    )
    answer: str = Field(description="the whole answer: the lead, then the quoted evidence, with markers [1], [2]")
    abstained: bool = False
    citations: list[Citation] = Field(default_factory=list)
    answerer: str = "extractive"
    language: str = "fr"
    query: str | None = Field(default=None, description="the question as searched, after condensing a follow-up")
    latency_ms: float = 0.0
    notice: str | None = Field(
        default=None, description="what the reader should know about how this answer was made (the search by "
        "meaning unavailable: keyword search alone); also the answer's last paragraph")
    provenance: Provenance | None = Field(
        default=None, description="how the answer was made (API: only when the request asks for it)"
    )
