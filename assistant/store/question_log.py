"""The question log: what people ask and how the assistant answered, without who asked.

No IP address and no user id is ever passed in; e-mail addresses and phone numbers are masked before
a question is stored (store/masking.py). The front ends that people use (the JSON API and the chat) log each
answered question once with `record`; the CLI and the evals do not log.
"""

import logging

from sqlalchemy.exc import SQLAlchemyError

from assistant.models import Answer
from assistant.store.database import Store

log = logging.getLogger("assistant.store.question_log")


def purge(store: Store) -> int:
    """Drop the questions past the retention (the server does it at start); a database outage is
    logged, not raised."""
    try:
        return store.purge()
    except SQLAlchemyError:
        log.exception("could not purge the question log")
        return 0


def record(store: Store, answer: Answer) -> int | None:
    """Log an answered question; its log id, or None when the log is off or the database failed (the
    answer is still given: a log outage must not stop the assistant)."""
    try:
        return store.log_question(
            question=answer.question,
            language=answer.language,
            abstained=answer.abstained,
            lead=answer.lead,
            sources=[c.source for c in answer.citations],
            latency_ms=answer.latency_ms,
            answerer=answer.answerer,
        )
    except SQLAlchemyError:
        log.exception("could not log a %d-character question", len(answer.question))
        return None
