"""Thumbs up / down on answers, kept in SQLite (`data_dir/feedback.sqlite3`) and exported as CSV.

The store never receives the client's IP address: callers pass only what the feedback is about.
"""

import csv
import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Iterable, Literal, TextIO

COLUMNS = ("id", "created_at", "rating", "reason", "comment", "question", "answer", "citations", "answerer")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    reason TEXT,
    comment TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    answerer TEXT
)
"""

# A cell starting with one of these runs as a formula when the CSV is opened in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class FeedbackStore:
    """Thread-safe by construction: each call opens its own connection; WAL lets readers and one
    writer (the server, the CLI export) work at the same time."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        if not self._ready:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(SCHEMA)
            connection.commit()
            self._ready = True
        return connection

    def add(
        self,
        rating: Literal["up", "down"],
        question: str,
        answer: str,
        citations: Iterable[dict] = (),
        answerer: str | None = None,
        reason: str | None = None,
        comment: str | None = None,
    ) -> int:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        created_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        cited = json.dumps(list(citations), ensure_ascii=False)
        row = (created_at, rating, reason, comment, question, answer, cited, answerer)
        with closing(self._connect()) as connection, connection:
            cursor = connection.execute(
                "INSERT INTO feedback (created_at, rating, reason, comment, question, answer, citations, answerer)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid)

    def rows(self) -> list[dict]:
        with closing(self._connect()) as connection:
            connection.row_factory = sqlite3.Row
            return [dict(r) for r in connection.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")]

    def __len__(self) -> int:
        with closing(self._connect()) as connection:
            return connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]

    def export_csv(self, handle: TextIO) -> int:
        """Write every row (header first) and return the number of rows; cells that a spreadsheet
        would run as formulas are prefixed with a quote."""
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        rows = self.rows()
        for row in rows:
            writer.writerow([_inert(row[c]) for c in COLUMNS])
        return len(rows)


def _inert(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
