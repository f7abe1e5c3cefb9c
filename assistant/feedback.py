"""Thumbs up / down on answers, kept in the store (assistant/store.py) and exported as CSV.

The store never receives the client's IP address: callers pass only what the feedback is about.
"""

from pathlib import Path
from typing import Iterable, Literal, TextIO

from assistant.store import FEEDBACK_COLUMNS as COLUMNS  # noqa: F401 - the export's columns, re-exported
from assistant.store import Store, csv_text


class FeedbackStore:
    """The feedback half of a `Store`; built from a Store, or from a SQLite file path."""

    def __init__(self, store: Store | Path | str):
        self.store = store if isinstance(store, Store) else Store(f"sqlite:///{Path(store).resolve()}")
        self.path = self.store.path

    def add(
        self,
        rating: Literal["up", "down"],
        question: str,
        answer: str,
        citations: Iterable[dict] = (),
        answerer: str | None = None,
        reason: str | None = None,
        comment: str | None = None,
        question_id: int | None = None,
    ) -> int:
        return self.store.add_feedback(rating, question, answer, citations, answerer, reason, comment, question_id)

    def rows(self) -> list[dict]:
        return self.store.feedback_rows()

    def __len__(self) -> int:
        return self.store.count_feedback()

    def export_csv(self, handle: TextIO) -> int:
        """Write every row (a BOM, then the header) and return the number of rows; cells that a
        spreadsheet would run as formulas are prefixed with a quote."""
        rows = self.rows()
        handle.write(csv_text(COLUMNS, rows))
        return len(rows)
