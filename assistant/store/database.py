"""One store for what the assistant records: feedback, the question log and evaluation runs, through
SQLAlchemy. SQLite (WAL) in the data directory by default; `ASSISTANT_DATABASE_URL=postgresql://...`
when several app instances share one database.

The schema is versioned by the `schema_version` table. A new database is created at the latest
version; an older one runs the migrations from its version, under a lock (PostgreSQL: an advisory
lock; SQLite: BEGIN IMMEDIATE), so instances starting together upgrade it once. Version 0 is the
`feedback` table of `data/feedback.sqlite3` as written before this store: its rows are kept. Version 3
(`_from_v2_console_review`) adds tables only: what each logged question was answered, the console's
evaluation set of answers marked wrong, and the gaps it dismissed. Version 4 (`_from_v3`) makes question ids
64 bits on PostgreSQL: they are drawn when a question is answered (assistant/store/question_log.py).

Nothing here can hold a client's address or a user id: callers pass only what was asked and answered,
and questions, feedback comments and reasons are masked (assistant/store/masking.py) before they are
written. No text reaches the database with a character it refuses (NUL, lone surrogates): they are
dropped first (`storable`), in what is written and in the filters the console sends.
"""

import csv
import datetime as dt
import io
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.types import TypeDecorator

from assistant.store.masking import masked, storable

log = logging.getLogger("assistant.store.database")

# Kept from before the question log: an existing deployment's feedback file is upgraded in place.
DATABASE_FILE = "feedback.sqlite3"
PURGE_EVERY_S = 3600  # on write, old questions are purged at most once an hour (and once at start)
WAL_ATTEMPTS = 40  # tries to switch a SQLite file to WAL while another connection holds it (~40 s at most)
MIGRATION_LOCK = 130_013  # PostgreSQL advisory lock key held while the schema is upgraded
# How long a call waits for the database before it fails: SQLite's wait for another writer's lock, and
# PostgreSQL's wait to connect, for a row lock and for a connection of the pool. A statement may run
# longer (a console export), up to STATEMENT_TIMEOUT_S. None of it is on the answer's path, which never
# waits for the store (assistant/store/question_log.py).
DATABASE_TIMEOUT_S = 2
STATEMENT_TIMEOUT_S = 60

# A cell starting with one of these runs as a formula when the CSV is opened in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

FEEDBACK_COLUMNS = ("id", "created_at", "rating", "reason", "comment", "question", "answer", "citations", "answerer",
                    "question_id")
QUESTION_COLUMNS = ("id", "asked_at", "question", "language", "abstained", "lead", "sources", "latency_ms", "answerer",
                    "rating", "reason")
# The headers an operator reads in a spreadsheet (the columns keep their English names in the store).
HEADERS = {"id": "N°", "created_at": "Date", "asked_at": "Posée le", "rating": "Avis", "reason": "Motif",
           "comment": "Commentaire", "question": "Question", "answer": "Réponse", "citations": "Citations",
           "answerer": "Répondeur", "question_id": "N° de la question", "language": "Langue",
           "abstained": "Sans réponse", "lead": "Réponse (en-tête)", "sources": "Sources citées",
           "latency_ms": "Durée (ms)"}
SOURCES_AT = QUESTION_COLUMNS.index("sources")  # the one exported column that is not in the questions table
EXPORT_BATCH = 1000  # rows an export reads per query
# A French spreadsheet splits on ";" (its "," is the decimal mark); the CLI can ask for ",".
DELIMITER = ";"


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime, stored naive in UTC so SQLite and PostgreSQL compare it the same way."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


# A logged question's id is drawn when it is answered, before it is written (assistant/store/question_log.py),
# so it needs 64 bits on PostgreSQL; SQLite's INTEGER PRIMARY KEY is 64 bits already.
QuestionId = BigInteger().with_variant(Integer, "sqlite")

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

# The columns of version 0 keep their types (created_at is ISO text): old rows read as new ones.
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),
    Column("rating", Text, nullable=False),
    Column("reason", Text),
    Column("comment", Text),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False, server_default="[]"),
    Column("answerer", Text),
    # The logged question the thumbs are about; set to NULL when that question is purged.
    Column("question_id", QuestionId, index=True),
)

questions = Table(
    "questions",
    metadata,
    Column("id", QuestionId, primary_key=True, autoincrement=True),
    Column("asked_at", UTCDateTime, nullable=False, index=True),
    Column("question", Text, nullable=False),
    Column("language", String(8), nullable=False),
    Column("abstained", Boolean, nullable=False),
    Column("lead", Text),
    Column("latency_ms", Float, nullable=False),
    Column("answerer", String(50), nullable=False),
    # The latest thumbs given to this question (a user may change their mind), kept here by add_feedback
    # so that the console filters on a column instead of grouping the feedback table on every page.
    Column("rating", String(4)),
    Column("reason", Text),
)
# The console lists newest first (by id) under one filter: each index serves one filter and the order.
QUESTION_INDEXES = (
    Index("ix_questions_abstained_id", questions.c.abstained, questions.c.id),
    Index("ix_questions_rating_id", questions.c.rating, questions.c.id),
)

# One row per document a logged answer cited, for the console's source filter and citation counts.
question_sources = Table(
    "question_sources",
    metadata,
    Column("question_id", QuestionId, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    # Covers the source filter and the citation counts without reading the table.
    Index("ix_question_sources_source_question", "source", "question_id"),
)

eval_runs = Table(
    "eval_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("set_name", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("error", Text),
    Column("summary", JSON, nullable=False),
    Column("results", JSON, nullable=False),
)

# Console sessions are signed cookies that any instance can check (assistant/console/auth.py); a logout
# writes the session's id here until it would have expired anyway, so no instance accepts it again.
revoked_sessions = Table(
    "revoked_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

# What a logged question was answered, as shown then (version 3): the answer's text, its citations
# and a compact provenance (compact_provenance), for the console's "open a question". Rows logged
# before version 3 have none.
question_answers = Table(
    "question_answers",
    metadata,
    Column("question_id", QuestionId, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("answer", Text, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("provenance", JSON),
)

# The console's own evaluation set (version 3): answers an operator marked wrong, with what was expected.
# Kept past the question log's retention (question_id is then only a reminder of where it came from).
review_questions = Table(
    "review_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("question_id", QuestionId),
    Column("question", Text, nullable=False),
    Column("reference", Text, nullable=False, server_default=""),
    Column("facts", Text, nullable=False, server_default=""),
    Column("sources", Text, nullable=False, server_default=""),
    Column("must_abstain", Boolean, nullable=False, server_default=text("false")),
)

# Wordings of "Ce qui manque" an operator dismissed (version 3), in the console's normal form
# (assistant/console/gaps.py `normal`): their questions are no longer grouped.
dismissed_gaps = Table(
    "dismissed_gaps",
    metadata,
    Column("wording", Text, primary_key=True),
    Column("dismissed_at", UTCDateTime, nullable=False),
)


def _from_v0(connection: Connection) -> None:
    """Version 0 -> 1: the feedback table links to the question log; the other tables are created."""
    names = inspect(connection).get_table_names()
    if "feedback" in names and "question_id" not in {c["name"] for c in inspect(connection).get_columns("feedback")}:
        connection.execute(text("ALTER TABLE feedback ADD COLUMN question_id INTEGER"))
        connection.execute(text("CREATE INDEX ix_feedback_question_id ON feedback (question_id)"))
    metadata.create_all(connection, checkfirst=True)


def _from_v1(connection: Connection) -> None:
    """Version 1 -> 2: the console's revoked sessions."""
    revoked_sessions.create(connection, checkfirst=True)


def _from_v2_console_review(connection: Connection) -> None:
    """Version 2 -> 3 (issue 21, the console's review): what each question was answered, the
    answers marked wrong (the console's evaluation set), the dismissed gaps. New tables only."""
    for table in (question_answers, review_questions, dismissed_gaps):
        table.create(connection, checkfirst=True)


def _from_v3(connection: Connection) -> None:
    """Version 3 -> 4: question ids of 64 bits on PostgreSQL (they are drawn before the row is written)."""
    if connection.dialect.name == "postgresql":
        for table, column in (("questions", "id"), ("question_sources", "question_id"), ("feedback", "question_id"),
                              ("question_answers", "question_id"), ("review_questions", "question_id")):
            connection.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE BIGINT"))


def _from_v4(connection: Connection) -> None:
    """Version 4 -> 5, the console at 100,000 questions: each question carries its latest rating and
    reason (filled from the feedback table), and indexes serve the console's filters."""
    present = {c["name"] for c in inspect(connection).get_columns("questions")}
    if "rating" in present:  # created at this version by _from_v0
        return
    connection.execute(text("ALTER TABLE questions ADD COLUMN rating VARCHAR(4)"))
    connection.execute(text("ALTER TABLE questions ADD COLUMN reason TEXT"))
    for column in ("rating", "reason"):
        connection.execute(text(
            f"UPDATE questions SET {column} = (SELECT f.{column} FROM feedback f WHERE f.question_id = questions.id"
            " ORDER BY f.id DESC LIMIT 1) WHERE id IN (SELECT question_id FROM feedback)"))
    connection.execute(text("DROP INDEX IF EXISTS ix_question_sources_source"))
    for index in (*QUESTION_INDEXES, *question_sources.indexes):
        index.create(connection, checkfirst=True)


# MIGRATIONS[n] upgrades version n to n + 1; a new database is created at len(MIGRATIONS).
MIGRATIONS = (_from_v0, _from_v1, _from_v2_console_review, _from_v3, _from_v4)
VERSION = len(MIGRATIONS)


def database_url(settings) -> str:
    """ASSISTANT_DATABASE_URL, or the SQLite file in the data directory."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(Path(settings.data_dir) / DATABASE_FILE).resolve()}"


class Store:
    """Thread-safe: every call takes its own pooled connection and transaction."""

    def __init__(self, url: str, question_log: bool = True, retention_days: int = 90):
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not SQLAlchemy's default psycopg2
        self.url = parsed
        self.question_log = question_log
        self.retention_days = retention_days
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.path = Path(parsed.database) if self.sqlite and parsed.database else None
        if self.sqlite:
            self.engine = create_engine(parsed, connect_args={"timeout": DATABASE_TIMEOUT_S})
            _sqlite_transactions(self.engine)
        else:
            timeouts = f"-c lock_timeout={DATABASE_TIMEOUT_S * 1000} -c statement_timeout={STATEMENT_TIMEOUT_S * 1000}"
            # tcp_user_timeout: a server that stops acknowledging (a network partition) fails the call in 10 s
            self.engine = create_engine(parsed, pool_pre_ping=True, pool_timeout=DATABASE_TIMEOUT_S, connect_args={
                "connect_timeout": DATABASE_TIMEOUT_S, "options": timeouts, "tcp_user_timeout": 10_000})
        self._ready = False
        self._lock = threading.Lock()
        self._last_purge = 0.0

    @classmethod
    def from_settings(cls, settings) -> "Store":
        return cls(database_url(settings), question_log=settings.question_log, retention_days=settings.retention_days)

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        self.engine.dispose()

    # Schema

    def _ensure_schema(self) -> None:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self._upgrade()
                    self._ready = True

    def _read(self):
        """A read transaction on a database at the latest schema version."""
        self._ensure_schema()
        return self.engine.begin()

    @contextmanager
    def _write(self):
        """A write transaction; on SQLite it takes the write lock first (BEGIN IMMEDIATE), so two
        writers wait for each other instead of one failing when it upgrades a read."""
        self._ensure_schema()
        with self.engine.connect() as connection:
            if self.sqlite:
                connection.execution_options(sqlite_immediate=True)
            with connection.begin():
                yield connection

    def version(self) -> int:
        with self._read() as connection:
            return connection.execute(select(schema_version.c.version)).scalar_one()

    def _upgrade(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = self.engine.connect()
        if self.sqlite:
            connection = connection.execution_options(sqlite_immediate=True)
        with connection, connection.begin():
            if not self.sqlite:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            names = set(inspect(connection).get_table_names())
            if "schema_version" in names:
                current = connection.execute(select(schema_version.c.version)).scalar_one()
            elif "feedback" in names:
                current = 0
            else:
                metadata.create_all(connection)
                connection.execute(insert(schema_version).values(version=VERSION))
                log.info("Created the store's tables (schema version %d) in %r.", VERSION, self)
                return
            if current > VERSION:
                raise RuntimeError(f"{self!r} has schema version {current}; this code knows up to {VERSION}")
            for number in range(current, VERSION):
                MIGRATIONS[number](connection)
                log.info("Upgraded the store %r from schema version %d to %d.", self, number, number + 1)
            if "schema_version" in names:
                connection.execute(update(schema_version).values(version=VERSION))
            else:
                schema_version.create(connection, checkfirst=True)
                connection.execute(insert(schema_version).values(version=VERSION))

    # Feedback

    def add_feedback(self, rating, question, answer, citations: Iterable[dict] = (), answerer=None,
                     reason=None, comment=None, question_id=None) -> int:
        """Store a thumbs up or down. `question_id` links it to the logged question only when that
        question exists and is the same text (a forged or purged id is dropped, the rating kept)."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        question = masked(question)
        row = {
            "created_at": now_utc().isoformat(timespec="seconds"),
            "rating": rating,
            "reason": masked(reason),
            "comment": masked(comment),
            "question": question,
            "answer": storable(answer),
            "citations": storable(json.dumps(list(citations), ensure_ascii=False)),
            "answerer": storable(answerer),
        }
        with self._write() as connection:
            if question_id is not None:
                logged = connection.execute(select(questions.c.question).where(questions.c.id == question_id))
                if logged.scalar_one_or_none() != question:
                    log.warning("Feedback names question %s, which is not logged with this text: stored unlinked.",
                                question_id)
                    question_id = None
            row["question_id"] = question_id
            feedback_id = connection.execute(insert(feedback).values(**row)).inserted_primary_key[0]
            if question_id is not None:  # the latest rating is the question's (a user may change their mind)
                connection.execute(update(questions).where(questions.c.id == question_id)
                                   .values(rating=rating, reason=row["reason"]))
            return feedback_id

    def feedback_rows(self) -> list[dict]:
        with self._read() as connection:
            rows = connection.execute(select(*(feedback.c[c] for c in FEEDBACK_COLUMNS)).order_by(feedback.c.id))
            return [dict(r._mapping) for r in rows]

    def count_feedback(self) -> int:
        with self._read() as connection:
            return connection.execute(select(func.count()).select_from(feedback)).scalar_one()

    def feedback_csv(self, delimiter: str = DELIMITER) -> Iterator[bytes]:
        """The feedback as CSV, in the order it was given, in pieces: EXPORT_BATCH rows read at a time."""
        def batches() -> Iterator[list[tuple]]:
            after = 0
            while True:
                query = (select(*(feedback.c[c] for c in FEEDBACK_COLUMNS)).where(feedback.c.id > after)
                         .order_by(feedback.c.id).limit(EXPORT_BATCH))
                with self._read() as connection:
                    rows = connection.execute(query).all()
                if not rows:
                    return
                yield rows
                after = rows[-1].id

        return csv_chunks(FEEDBACK_COLUMNS, batches(), delimiter)

    def export_feedback_csv(self, delimiter: str = DELIMITER) -> bytes:
        return b"".join(self.feedback_csv(delimiter))

    # Question log

    def log_question(self, question: str, language: str, abstained: bool, lead: str | None,
                     sources: list[str], latency_ms: float, answerer: str, answer: str | None = None,
                     citations: list[dict] | None = None, provenance: dict | None = None,
                     question_id: int | None = None, asked_at: dt.datetime | None = None) -> int | None:
        """Log an answered question, masked; None when the log is off. With `answer`, what was shown
        is kept too: its text, `citations` and `provenance` (JSON-ready; the caller masks what a person
        wrote in it). `question_id` and `asked_at`, when given, are the id and time drawn when it was
        answered (the row may be written later). Purges old questions at most once an hour."""
        if not self.question_log:
            return None
        self._purge_when_due()
        with self._write() as connection:
            row, sources, answers = _question_rows(dict(
                question=question, language=language, abstained=abstained, lead=lead, sources=sources,
                latency_ms=latency_ms, answerer=answerer, answer=answer, citations=citations,
                provenance=provenance, question_id=question_id, asked_at=asked_at))
            question_id = connection.execute(insert(questions).values(**row)).inserted_primary_key[0]
            if sources:
                connection.execute(insert(question_sources), [s | {"question_id": question_id} for s in sources])
            if answers:
                connection.execute(insert(question_answers).values(**answers[0], question_id=question_id))
            return question_id

    def log_questions(self, rows: list[dict]) -> list[int]:
        """`log_question` for several questions in one transaction, each with its `question_id` (the
        question log's writer, with rows waiting): three statements for them all, one commit. If one
        row fails, none is written (IntegrityError for an id already there: the caller logs them one by one)."""
        if not self.question_log or not rows:
            return []
        if any(row.get("question_id") is None for row in rows):
            raise ValueError("log_questions writes questions whose ids are drawn: each row needs its question_id")
        self._purge_when_due()
        made = [_question_rows(row) for row in rows]
        with self._write() as connection:
            connection.execute(insert(questions), [row for row, _, _ in made])
            if sources := [s | {"question_id": row["id"]} for row, cited, _ in made for s in cited]:
                connection.execute(insert(question_sources), sources)
            if answers := [a | {"question_id": row["id"]} for row, _, shown in made for a in shown]:
                connection.execute(insert(question_answers), answers)
        return [row["id"] for row, _, _ in made]

    def _purge_when_due(self) -> None:
        if time.monotonic() - self._last_purge >= PURGE_EVERY_S or not self._last_purge:
            self.purge()

    def question(self, question_id: int) -> dict | None:
        """One logged question with what it was answered (`answer`, `citations`, `provenance`: None
        when logged before they were kept), its latest rating and its entry in the review set."""
        query = (
            select(questions, question_answers.c.answer, question_answers.c.citations, question_answers.c.provenance)
            .outerjoin(question_answers, question_answers.c.question_id == questions.c.id)
            .where(questions.c.id == question_id)
        )
        with self._read() as connection:
            row = connection.execute(query).first()
            if row is None:
                return None
            found = dict(row._mapping)
            found["sources"] = _sources_of(connection, question_sources.c.question_id == question_id).get(question_id, [])
            review = connection.execute(select(review_questions).where(review_questions.c.question_id == question_id)
                                        .order_by(review_questions.c.id.desc())).first()
        found["asked_at"] = found["asked_at"].isoformat(timespec="seconds")
        found["review"] = _review(review._mapping) if review else None
        return found

    def questions(self, abstained: bool | None = None, rating: str | None = None, since=None, until=None,
                  source: str | None = None, limit: int = 200, offset: int = 0, before: int | None = None) -> list[dict]:
        """Logged questions, newest (last logged) first, with their latest linked rating. `since`/`until`
        take a datetime (naive = UTC), a date or an ISO string; a date as `until` includes that whole day.
        `before` (an id) pages by key: the questions logged before that one, as fast on the last page as
        on the first."""
        query = (
            select(questions)
            .where(*_filters(abstained, rating, since, until, source, before))
            .order_by(questions.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self._read() as connection:
            rows = [dict(r._mapping) for r in connection.execute(query)]
            cited = _sources_of(connection, question_sources.c.question_id.in_([r["id"] for r in rows])) if rows else {}
        for row in rows:
            row["asked_at"] = row["asked_at"].isoformat(timespec="seconds")
            row["sources"] = cited.get(row["id"], [])
        return rows

    def count_questions(self, abstained: bool | None = None, rating: str | None = None, since=None, until=None,
                        source: str | None = None) -> int:
        query = select(func.count()).select_from(questions).where(*_filters(abstained, rating, since, until, source))
        with self._read() as connection:
            return connection.execute(query).scalar_one()

    def citation_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """How many logged questions cited each source, and how many of them were refusals (a refusal
        quotes the contact sheet), counted by the database: every citation (an index-only scan), then
        the abstentions' (a few, found by their index); a join of every question would take 4x as long."""
        cited = (select(question_sources.c.source, func.count(func.distinct(question_sources.c.question_id)))
                 .group_by(question_sources.c.source))  # each question once per document it cites
        abstentions = select(questions.c.id).where(questions.c.abstained.is_(True))
        with self._read() as connection:
            counts = dict(connection.execute(cited).all())
            refusals = dict(connection.execute(cited.where(question_sources.c.question_id.in_(abstentions))).all())
        return counts, refusals

    def purge(self, now=None) -> int:
        """Drop the questions older than `retention_days` (their feedback stays, unlinked)."""
        self._last_purge = time.monotonic()
        cutoff = (now or now_utc()) - dt.timedelta(days=self.retention_days)
        old = select(questions.c.id).where(questions.c.asked_at < cutoff)
        with self._write() as connection:
            connection.execute(update(feedback).where(feedback.c.question_id.in_(old)).values(question_id=None))
            connection.execute(delete(question_sources).where(question_sources.c.question_id.in_(old)))
            connection.execute(delete(question_answers).where(question_answers.c.question_id.in_(old)))
            dropped = connection.execute(delete(questions).where(questions.c.asked_at < cutoff)).rowcount
        if dropped:
            log.info("Purged %d logged questions older than %d days.", dropped, self.retention_days)
        return dropped

    def questions_csv(self, delimiter: str = DELIMITER) -> Iterator[bytes]:
        """The question log as CSV, newest first, in pieces: EXPORT_BATCH rows read at a time (paged by
        key, each page its own short transaction), so memory stays flat and no lock is held between pages."""
        columns = [questions.c[c] for c in QUESTION_COLUMNS if c != "sources"]
        at = QUESTION_COLUMNS.index("asked_at")

        def batches() -> Iterator[list[tuple]]:
            before = None
            while True:
                query = select(*columns).order_by(questions.c.id.desc()).limit(EXPORT_BATCH)
                if before is not None:
                    query = query.where(questions.c.id < before)
                with self._read() as connection:
                    rows = connection.execute(query).all()
                    if not rows:
                        return
                    cited = _sources_of(connection, question_sources.c.question_id.between(rows[-1].id, rows[0].id))
                yield [(*row[:at], row[at].isoformat(timespec="seconds"), *row[at + 1:SOURCES_AT],
                        " | ".join(cited.get(row.id, ())), *row[SOURCES_AT:]) for row in rows]
                before = rows[-1].id

        return csv_chunks(QUESTION_COLUMNS, batches(), delimiter)

    def export_questions_csv(self, delimiter: str = DELIMITER) -> bytes:
        return b"".join(self.questions_csv(delimiter))

    # The console's review: answers marked wrong (its evaluation set), dismissed gaps

    def add_review(self, question: str, reference: str = "", facts: str = "", sources: str = "",
                   must_abstain: bool = False, question_id: int | None = None) -> int:
        """Add a question to the console's evaluation set with what should have been answered: the
        expected answer (`reference`), facts (`|` between facts, ` / ` between alternatives), sources
        (`|` between documents), or that it should have been declined (`must_abstain`)."""
        row = {"created_at": now_utc(), "question_id": question_id, "question": masked(question),
               "reference": storable(reference) or "", "facts": storable(facts) or "",
               "sources": storable(sources) or "", "must_abstain": bool(must_abstain)}
        with self._write() as connection:
            return connection.execute(insert(review_questions).values(**row)).inserted_primary_key[0]

    def reviews(self) -> list[dict]:
        with self._read() as connection:
            rows = connection.execute(select(review_questions).order_by(review_questions.c.id))
            return [_review(r._mapping) for r in rows]

    def remove_review(self, review_id: int) -> bool:
        with self._write() as connection:
            return connection.execute(delete(review_questions).where(review_questions.c.id == review_id)).rowcount > 0

    def dismiss_gaps(self, wordings: Iterable[str]) -> int:
        """Remember wordings the console no longer lists as missing; how many were new."""
        wanted = {storable(w) for w in wordings if w}
        with self._write() as connection:
            known = set(connection.execute(select(dismissed_gaps.c.wording)
                                           .where(dismissed_gaps.c.wording.in_(wanted))).scalars()) if wanted else set()
            new = sorted(wanted - known)
            if new:
                connection.execute(insert(dismissed_gaps), [{"wording": w, "dismissed_at": now_utc()} for w in new])
            return len(new)

    def dismissed_gaps(self) -> set[str]:
        with self._read() as connection:
            return set(connection.execute(select(dismissed_gaps.c.wording)).scalars())

    def restore_gaps(self) -> int:
        """Forget every dismissal; how many wordings come back."""
        with self._write() as connection:
            return connection.execute(delete(dismissed_gaps)).rowcount

    # Evaluation runs

    def revoke_session(self, session_id: str, expires_at: dt.datetime) -> None:
        """Remember a logged-out console session until it expires (and forget those that have)."""
        with self._write() as connection:
            connection.execute(delete(revoked_sessions).where(revoked_sessions.c.expires_at <= now_utc()))
            if connection.execute(select(revoked_sessions.c.id).where(revoked_sessions.c.id == session_id)).first() is None:
                connection.execute(insert(revoked_sessions).values(id=session_id, expires_at=expires_at))

    def session_revoked(self, session_id: str) -> bool:
        with self._read() as connection:
            return connection.execute(
                select(revoked_sessions.c.id).where(revoked_sessions.c.id == session_id)).first() is not None

    def add_eval_run(self, started_at, finished_at, set_name: str, summary: dict, results: list[dict], status: str,
                     error: str | None = None) -> int:
        row = {"started_at": _instant(started_at), "finished_at": _instant(finished_at), "set_name": set_name,
               "summary": summary, "results": results, "status": status, "error": error}
        with self._write() as connection:
            return connection.execute(insert(eval_runs).values(**row)).inserted_primary_key[0]

    def update_eval_run(self, run_id: int, **fields) -> None:
        unknown = set(fields) - {c.name for c in eval_runs.c} - {"id"}
        if unknown or "id" in fields:
            raise ValueError(f"cannot update {sorted(unknown | ({'id'} & set(fields)))} of an evaluation run")
        for name in ("started_at", "finished_at"):
            if name in fields:
                fields[name] = _instant(fields[name])
        with self._write() as connection:
            connection.execute(update(eval_runs).where(eval_runs.c.id == run_id).values(**fields))

    def eval_runs(self) -> list[dict]:
        columns = [c for c in eval_runs.c if c.name != "results"]
        with self._read() as connection:
            rows = connection.execute(select(*columns).order_by(eval_runs.c.started_at.desc(), eval_runs.c.id.desc()))
            return [_run(r._mapping) for r in rows]

    def eval_run(self, run_id: int) -> dict | None:
        with self._read() as connection:
            row = connection.execute(select(eval_runs).where(eval_runs.c.id == run_id)).first()
        return _run(row._mapping) if row else None


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _sqlite_transactions(engine) -> None:
    """pysqlite opens transactions itself and late; SQLAlchemy's recipe hands them back to SQLite, so a
    transaction is BEGIN (or BEGIN IMMEDIATE for the schema upgrade), and WAL is on for every file."""

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for attempt in range(WAL_ATTEMPTS):
            try:  # switching a new file to WAL needs it alone: another instance starting may hold it a moment
                cursor.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == WAL_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _filters(abstained, rating, since, until, source, before=None) -> list:
    where = []
    if abstained is not None:
        where.append(questions.c.abstained.is_(bool(abstained)))
    if rating is not None:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        where.append(questions.c.rating == rating)
    if since is not None:
        where.append(questions.c.asked_at >= _instant(since))
    if until is not None:
        where.append(questions.c.asked_at < _instant(until, end_of_day=True))
    source = storable(source)  # a NUL sent in a filter would make PostgreSQL refuse the query
    if source:
        where.append(questions.c.id.in_(select(question_sources.c.question_id).where(question_sources.c.source == source)))
    if before is not None:
        where.append(questions.c.id < before)
    return where


def _sources_of(connection: Connection, which) -> dict[int, list[str]]:
    """The sources cited by the questions `which` selects (a condition on question_sources.question_id:
    a list of ids for a page, a range for an export's batch), in citation order."""
    cited: dict[int, list[str]] = {}
    rows = connection.execute(
        select(question_sources.c.question_id, question_sources.c.source)
        .where(which)
        .order_by(question_sources.c.question_id, question_sources.c.position)
    )
    for question_id, source in rows:
        cited.setdefault(question_id, []).append(source)
    return cited


def _instant(value, end_of_day: bool = False) -> dt.datetime | None:
    """A datetime, date or ISO string as an aware UTC datetime; a date alone is its day's start (or
    the next day's start with `end_of_day`, for an inclusive upper bound)."""
    if value is None or isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value + dt.timedelta(days=1 if end_of_day else 0), dt.time())
    elif isinstance(value, str):
        text_value = value.strip()
        try:
            if len(text_value) == 10:
                return _instant(dt.date.fromisoformat(text_value), end_of_day)
            moment = dt.datetime.fromisoformat(text_value.replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError(f"not an ISO date or datetime: {value!r}") from error
    else:
        raise TypeError(f"not a date or datetime: {value!r}")
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment


def _question_rows(values: dict) -> tuple[dict, list[dict], list[dict]]:
    """`log_question`'s arguments as rows, masked and storable: the question's, its cited sources' (without
    the question's id when it is not drawn yet) and its answer's (none without an answer)."""
    row = {"asked_at": values.get("asked_at") or now_utc(), "question": masked(values["question"]),
           "language": storable(values["language"]), "abstained": bool(values["abstained"]),
           "lead": storable(values["lead"]), "latency_ms": float(values["latency_ms"]),
           "answerer": storable(values["answerer"])}
    if values.get("question_id") is not None:
        row["id"] = values["question_id"]
    cited = list(dict.fromkeys(storable(s) for s in values["sources"]))
    sources = [{"position": n, "source": s} for n, s in enumerate(cited)]
    answers = [] if values.get("answer") is None else [{
        "answer": storable(values["answer"]), "citations": _storable_json(values.get("citations") or []),
        "provenance": _storable_json(values.get("provenance"))}]
    return row, sources, answers


def _storable_json(value):
    """A JSON-ready value with every string storable (a NUL inside a quote would fail PostgreSQL)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [_storable_json(v) for v in value]
    if isinstance(value, dict):
        return {storable(k): _storable_json(v) for k, v in value.items()}
    return value


def _review(row) -> dict:
    review = dict(row)
    review["created_at"] = review["created_at"].isoformat(timespec="seconds")
    return review


def _run(row) -> dict:
    run = dict(row)
    for name in ("started_at", "finished_at"):
        if run.get(name) is not None:
            run[name] = run[name].isoformat(timespec="seconds")
    return run


def inert(value):
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def yes_no(flag) -> str:
    return "Oui" if flag else "Non"


def decimal_comma(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def cell_formats(columns: list[str], delimiter: str = DELIMITER) -> list:
    """How a spreadsheet shows each column's values: Oui/Non for a flag, a decimal comma when cells split
    on ";", numbers as they are, and text made inert. One function per column, not a type test per cell:
    the question export writes a million cells."""
    formats = {"abstained": yes_no, "latency_ms": decimal_comma if delimiter == ";" else None, "id": None,
               "question_id": None}
    return [formats.get(c, inert) for c in columns]


def csv_chunks(columns: Iterable[str], batches: Iterable[list[tuple]], delimiter: str = DELIMITER) -> Iterator[bytes]:
    """Header (in French) and rows (tuples in the order of `columns`) as CSV in UTF-8, formula-safe,
    starting with a BOM (so a spreadsheet reads UTF-8); cells split on `delimiter`, ";" by default for
    French spreadsheets. One piece per batch of rows, the first with the header (so that reading it
    reads the store)."""
    columns = list(columns)
    formats = cell_formats(columns, delimiter)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    out.write("\ufeff")
    writer.writerow([HEADERS.get(c, c) for c in columns])
    for rows in batches:
        writer.writerows([value if shown is None or value is None else shown(value) for shown, value in zip(formats, row)]
                         for row in rows)
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    if out.tell():  # no rows: the header alone
        yield out.getvalue().encode("utf-8")


def csv_bytes(columns: Iterable[str], rows: list[dict], delimiter: str = DELIMITER) -> bytes:
    """Rows (dicts) as one CSV file, like csv_chunks: for a small table (an evaluation set, its template)."""
    columns = list(columns)
    return b"".join(csv_chunks(columns, [[tuple(row[c] for c in columns) for row in rows]], delimiter))
