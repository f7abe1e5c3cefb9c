"""The question log: what people ask and how the assistant answered, without who asked, written off the
answer's path.

No IP address and no user id is ever passed in; e-mail addresses and phone numbers are masked before
a question is stored (store/masking.py). The front ends that people use (the JSON API, the OpenAI API,
MCP and the chat) log each answered question once with `QuestionLog.record`; the CLI and the evals do
not log. What was shown is kept with it (the answer's text and citations, and a compact provenance),
so the console shows what was answered at the time, not what the index would answer today.

An answer never waits for the database. `record` draws the question's id and time when it is answered
(the id the answer carries, for its feedback), puts the row in a bounded queue (QUEUE_SIZE) and returns;
one writer thread writes the queue in order, so feedback sent after its answer is written after it and
finds it. The questions waiting at the head of the queue are written together, up to BATCH in one
transaction (a row the store refuses among them: each is then written alone): under 20 concurrent
clients, one transaction per question was ~40% of the server's Python time. A row the store refuses for a while (down, locked, frozen) stays in the queue and is written
again every RETRY_S until the store takes it, with one log line when the outage starts and one when it
ends; a row is dropped only when the queue is full, and counted. `/api/health` shows the counts
(`health`). Feedback goes through the same writer; its request waits at most FEEDBACK_WAIT_S and is
refused (StoreUnavailable, a French 503) when the store does not take it, or at once while the store is
known to be down: the client was told, so a refused rating is not written later.
"""

import datetime as dt
import itertools
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as WaitTimeout
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from assistant.models import Answer, Provenance
from assistant.store.database import Store, now_utc
from assistant.store.masking import masked

log = logging.getLogger("assistant.store.question_log")

BATCH = 64  # questions written in one transaction at most
QUEUE_SIZE = 10_000  # rows waiting for the store (a few MB); beyond, new ones are dropped and counted
RETRY_S = 2.0  # a row the store refused is tried again this long after
STALLED_S = 3.0  # a write under way for longer: the store counts as not answering (frozen, locked)
COOLDOWN_S = 5.0  # after a failure, feedback is refused at once for this long, then tried again
CONFIRM_WAIT_S = 0.5  # an answer waits this long at most for its own row, and not at all while the store is down
FEEDBACK_WAIT_S = 2.0  # a feedback request waits this long at most for its row
MAX_ID = 2**53 - 1  # question ids drawn at random below it: exact in JavaScript, 64 bits in the store
# The candidate sentences kept in a logged provenance beyond those quoted: the likeliest, enough to see
# what the answerer weighed (the whole provenance, 10-110 KB, is for the API's `provenance: true`).
KEPT_SENTENCES = 3
KEPT_PASSAGES = 10  # the best-ranked passages kept of the 20 considered (those given to the answerer come first)


class StoreUnavailable(RuntimeError):
    """The store did not take a write in time (down, locked or not answering); one line saying why."""


def purge(store: Store) -> int:
    """Drop the questions past the retention (the server does it at start); a database outage is
    logged, not raised."""
    try:
        return store.purge()
    except SQLAlchemyError as error:
        log.warning("could not purge the question log (database unavailable): %s", first_line(error))
        return 0


def compact_provenance(provenance: Provenance | None) -> dict | None:
    """What the console shows of how an answer was made, about 5 KB: the query and the conversation
    (masked: a person wrote them), what was read in the question, the passages and their scores, the
    decision with the quoted and likeliest sentences, without the ranker's features."""
    if provenance is None:
        return None
    kept = provenance.model_dump(mode="json", include={"retrieve_k", "analysis", "passages"})
    kept["passages"] = kept["passages"][:KEPT_PASSAGES]
    kept["query"], kept["context"] = masked(provenance.query), masked(provenance.context)
    kept["analysis"] = {k: v for k, v in kept["analysis"].items() if k in ("language", "intent", "aspects", "subject")}
    decision = provenance.decision
    if decision is not None:
        likeliest = sorted(decision.sentences, key=lambda s: -s.probability)
        sentences = [s for s in likeliest if s.chosen] + [s for s in likeliest if not s.chosen][:KEPT_SENTENCES]
        kept["decision"] = decision.model_dump(mode="json", exclude={"sentences"}) | {
            "sentences": [s.model_dump(mode="json", include={"passage", "text", "probability", "chosen", "why"})
                          for s in sentences]}
    return kept


def first_line(error: BaseException) -> str:
    """A database error in one line, for a log line or a health reason (SQLAlchemy's carry the statement)."""
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0][:200]}" if text else type(cause).__name__


@dataclass
class Write:
    """One row for the writer: `run` writes it; `done` is resolved with its id, or its error for feedback."""

    run: Callable[[], int | None]
    question: bool  # a question is kept and retried; feedback is given up once its request is answered
    done: Future = field(default_factory=Future)
    row: Callable[[], dict] | None = None  # a question's `log_questions` row, for writing it with others


class QuestionLog:
    """The writer of one app's store: start it with the app (`start`), stop it with the app (`close`,
    which writes what waits while the store answers)."""

    def __init__(self, store: Store, size: int = QUEUE_SIZE):
        self.store = store
        self.size = size
        self._queue: deque[Write] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False
        self.dropped = 0  # questions refused because the queue was full
        self.failures = 0  # failed write attempts
        self.rejected = 0  # rows the store refused for their content (logged one by one)
        self._writing_since: float | None = None  # monotonic start of the write under way
        self._failed_at: float | None = None  # the last failure, while no write has succeeded since
        self.reason: str | None = None  # why the last write failed, while no write has succeeded since

    # The app's side

    def start(self) -> None:
        with self._ready:
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="question-log", daemon=True)
                self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the writer once the queue is written (or `timeout` passes: what waits is then lost, logged)."""
        with self._ready:
            self._closing = True
            self._ready.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._queue:
            log.warning("question log: %d rows not written at shutdown (%s)", len(self._queue), self.reason or "store slow")

    def record(self, answer: Answer) -> int | None:
        """Queue an answered question for the log; its id (drawn now), or None when the log is off or the
        queue is full. Waits at most CONFIRM_WAIT_S for the row, and not at all while the store is down."""
        if not self.store.question_log:
            return None
        question_id, asked_at = secrets.randbelow(MAX_ID) + 1, now_utc()
        write = Write(lambda: self._log(answer, question_id, asked_at), question=True,
                      row=lambda: self._values(answer, question_id, asked_at))
        if not self._put(write):
            return None
        if self.available():
            try:
                write.done.result(timeout=CONFIRM_WAIT_S)
            except Exception:  # WaitTimeout: still queued, written when the store takes it; else logged by the writer
                pass
        return question_id

    def add_feedback(self, **fields) -> int:
        """Store a rating through the writer (Store.add_feedback's fields); its row id, or StoreUnavailable."""
        if not self.available():
            raise StoreUnavailable(self.reason or "the database is not answering")
        write = Write(lambda: self.store.add_feedback(**fields), question=False)
        if not self._put(write):
            raise StoreUnavailable(f"{len(self._queue)} rows wait for the database")
        try:
            return write.done.result(timeout=FEEDBACK_WAIT_S)
        except WaitTimeout:
            write.done.cancel()  # not written later: its request is answered 503
            raise StoreUnavailable(f"the database did not answer within {FEEDBACK_WAIT_S:g} s") from None
        except DBAPIError as error:
            raise StoreUnavailable(first_line(error)) from None

    def reachable_store(self) -> Store:
        """The store, or StoreUnavailable at once while it is known not to answer: what the console's pages
        and sessions use, so that they do not wait for a database that is down or frozen."""
        if not self.available():
            raise StoreUnavailable(self.problem() or "the database is not answering")
        return self.store

    def available(self) -> bool:
        """False while a write has been under way for more than STALLED_S, or for COOLDOWN_S after a failure."""
        now = time.monotonic()
        writing = self._writing_since
        if writing is not None and now - writing > STALLED_S:
            return False
        return self._failed_at is None or now - self._failed_at > COOLDOWN_S

    def problem(self) -> str | None:
        """Why the log is not being written, for /api/health; None when it is."""
        writing = self._writing_since
        waiting = len(self._queue)
        if writing is not None and time.monotonic() - writing > STALLED_S:
            return (f"question log: the database has not answered for {time.monotonic() - writing:.0f} s; "
                    f"{waiting} rows waiting")
        if self._failed_at is not None and (waiting or time.monotonic() - self._failed_at <= COOLDOWN_S):
            return f"question log: {self.reason}; {waiting} rows waiting, tried again every {RETRY_S:g} s"
        return None

    def health(self) -> dict:
        return {"waiting": len(self._queue), "dropped": self.dropped, "failed_attempts": self.failures,
                "rejected": self.rejected}

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued row is written (tests, shutdown); False if `timeout` passes first."""
        deadline = time.monotonic() + timeout
        while (self._queue or self._writing_since is not None) and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue and self._writing_since is None

    # The writer's side

    def _put(self, write: Write) -> bool:
        self.start()  # once; the server starts it with the app, the MCP over stdio on its first question
        with self._ready:
            if len(self._queue) >= self.size:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    log.warning("question log: queue full (%d rows waiting for the database), %d rows dropped so far",
                                self.size, self.dropped)
                return False
            self._queue.append(write)
            self._ready.notify()
        return True

    @staticmethod
    def _values(answer: Answer, question_id: int, asked_at: dt.datetime) -> dict:
        return dict(question=answer.question, language=answer.language, abstained=answer.abstained,
                    lead=answer.lead, sources=[c.source for c in answer.citations], latency_ms=answer.latency_ms,
                    answerer=answer.answerer, answer=answer.answer,
                    citations=[c.model_dump(mode="json") for c in answer.citations],
                    provenance=compact_provenance(answer.provenance), asked_at=asked_at, question_id=question_id)

    def _log(self, answer: Answer, question_id: int, asked_at: dt.datetime) -> int | None:
        values = self._values(answer, question_id, asked_at)
        values.pop("question_id")
        try:
            return self.store.log_question(**values, question_id=question_id)
        except IntegrityError:
            # the row is there already (a write whose success was not heard, tried again), or, once in
            # billions, another question drew the id: that one is logged under a new id, unlinked
            if self.store.question(question_id) is not None:
                return question_id
            log.warning("question log: id %d already taken: question logged under a new id", question_id)
            return self.store.log_question(**values)

    def _drain(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closing:
                    self._ready.wait()
                if not self._queue:
                    return
                write = self._queue[0]
                batch = list(itertools.takewhile(lambda w: w.question, itertools.islice(self._queue, BATCH)))
            if len(batch) > 1 and self._failed_at is None:  # while the store fails, one row at a time
                try:
                    if self._wrote_together(batch):
                        continue
                except DBAPIError as error:  # down, locked or not answering: the rows wait, as one would
                    self._failed(error)
                    if self._closing:
                        return
                    time.sleep(RETRY_S)
                    continue
            if not write.question and not write.done.set_running_or_notify_cancel():  # its request gave up
                self._pop(write)
                continue
            self._writing_since = time.monotonic()
            try:
                result = write.run()
            except DBAPIError as error:  # the database is down, locked or not answering: the row waits
                self._writing_since = None
                self._failed(error)
                if not write.question:
                    write.done.set_exception(error)
                    self._pop(write)
                    continue
                if self._closing:
                    return
                time.sleep(RETRY_S)  # the row stays first in line, for a new attempt
                continue
            except Exception as error:  # the store refuses the row itself: dropped, and said
                self._writing_since = None
                self.rejected += 1
                log.error("question log: a row was refused by the store and dropped: %s", first_line(error))
                write.done.set_exception(error)
                self._pop(write)
                continue
            self._writing_since = None
            self._recovered()
            write.done.set_result(result)
            self._pop(write)

    def _wrote_together(self, batch: list[Write]) -> bool:
        """Write the questions of `batch` in one transaction; False when they must be written one by one
        (a row refused, an id taken); DBAPIError when the store is down, locked or not answering."""
        self._writing_since = time.monotonic()
        try:
            ids = self.store.log_questions([write.row() for write in batch])
        except IntegrityError:  # an id there already (a write whose success was not heard): each alone sorts it
            return False
        except DBAPIError:
            raise
        except Exception:  # a row the store refuses: written alone, it is dropped and said, the others kept
            return False
        finally:
            self._writing_since = None
        self._recovered()
        for write, question_id in zip(batch, ids):
            write.done.set_result(question_id)
            self._pop(write)
        return True

    def _pop(self, write: Write) -> None:
        with self._ready:
            if self._queue and self._queue[0] is write:
                self._queue.popleft()

    def _failed(self, error: BaseException) -> None:
        self.failures += 1
        reason = first_line(error)
        if self._failed_at is None:
            log.warning("question log: the database refused a write (%s); %d rows waiting, tried again every %g s",
                        reason, len(self._queue), RETRY_S)
        self._failed_at, self.reason = time.monotonic(), reason

    def _recovered(self) -> None:
        if self._failed_at is not None:
            log.warning("question log: the database answers again; %d rows still waiting", len(self._queue) - 1)
            self._failed_at, self.reason = None, None
