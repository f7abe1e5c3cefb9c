"""The nouns of the domain: what flows from corpus to answer."""

from dataclasses import dataclass, field

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


class Answer(BaseModel):
    question: str
    answer: str = Field(description="answer text with inline markers [1], [2] naming citations")
    abstained: bool = False
    citations: list[Citation] = Field(default_factory=list)
    answerer: str = "extractive"
    language: str = "fr"
    query: str | None = Field(default=None, description="the question as searched, after condensing a follow-up")
    latency_ms: float = 0.0
