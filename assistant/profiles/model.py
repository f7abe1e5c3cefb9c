"""What the corpus says about one programme as a whole, every field with the sentence that says it.

A `Profile` is built at index time (assistant/profiles/builder.py) from the programme's own document
and the sentences of other documents that name it; it is stored in the index state, served by
`GET /api/programmes` and shown in the console. The answerers read it to check an asker's facts
against every criterion of a programme ("à quoi ai-je droit ?"), not only the retrieved sentences.
"""

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Dimension = Literal["age", "staff", "turnover", "budget", "legal_form", "partner", "place", "other"]


class Fact(BaseModel):
    """A sentence of the corpus, where it is: what makes a field citable."""

    text: str
    source: str
    chunk_id: str
    start: int = Field(description="offset of the sentence in the chunk's text")
    end: int
    date: str | None = None
    section: str = ""


class Amount(BaseModel):
    """A figure of the programme's money: its envelope, a part of it, a ceiling, a rate."""

    role: Literal["total", "part", "ceiling", "minimum", "rate", "amount", "term"]  # term: a loan's or project's duration
    text: str = Field(description="the figure as written: « 60 M€ sur la période 2024-2028 »")
    kind: str  # amount, percent, duration
    low: Decimal
    high: Decimal
    bound: str | None = None
    years: list[int] = Field(default_factory=list, description="the period it covers, when the sentence says")
    fact: Fact


class Condition(BaseModel):
    """When an exception applies: words of the asker's case ("innovation de rupture"), or a creation
    period ("créées entre 2013 et fin 2022")."""

    text: str = Field(description="as the sentence writes it")
    terms: list[str] = Field(default_factory=list, description="its content terms, stemmed")
    created_from: int | None = None
    created_to: int | None = None


class Criterion(BaseModel):
    """A condition to benefit: a bounded figure of one dimension, an exclusion, a requirement.

    `low`/`high`/`bound` as assistant/text/figures.py reads them; `alternatives` are other limits of
    the same sentence the asker may meet instead ("moins de 50 salariés … moins de 250 salariés").
    An exception (`condition` set) replaces the general limit of its dimension when its condition
    holds for the asker.
    """

    dimension: Dimension
    phrase: str = Field(description="the limit as the sentence writes it: « moins de 8 ans »; for an exception, "
                        "the exception itself: « portée à 5 ans pour les start-up qui … »")
    figure: str = Field(default="", description="the bounded figure as written: « moins de 8 ans », « 5 ans »")
    unit: str = ""
    low: Decimal | None = None
    high: Decimal | None = None
    bound: str | None = None
    alternatives: list["Criterion"] = Field(default_factory=list, description="other limits of the sentence, any one of which suffices")
    condition: Condition | None = None
    terms: list[str] = Field(default_factory=list, description="excluded forms or activities, required partners")
    applies_to: list[str] = Field(default_factory=list, description="whom a partner rule binds: ETI, grandes entreprises")
    fact: Fact


class Profile(BaseModel):
    """One programme, as the corpus describes it."""

    name: str
    source: str = Field(description="its own document")
    aliases: list[str] = Field(default_factory=list)
    kind: str | None = None
    date: str | None = None
    status: str | None = Field(default=None, description="active, closed or unknown (the document's front matter)")
    definition: Fact | None = None
    audience: list[Fact] = Field(default_factory=list, description="whom it is for")
    amounts: list[Amount] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    status_fact: Fact | None = None
    contact: Fact | None = None

    @property
    def total(self) -> Amount | None:
        """The envelope: the largest total of the newest source (rivals stay in `amounts`)."""
        totals = [a for a in self.amounts if a.role == "total"]
        return max(totals, key=lambda a: (a.fact.date or "", a.high), default=None)
