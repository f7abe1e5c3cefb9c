"""The question log: what people ask and how the assistant answered, without who asked.

No IP address and no user id is ever passed in; e-mail addresses and phone numbers are masked before
a question is stored (`mask`). The front ends that people use (the JSON API and the chat) log each
answered question once with `record`; the CLI and the evals do not log.
"""

import logging
import re
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from assistant.models import Answer
from assistant.wording import MASKED

if TYPE_CHECKING:
    from assistant.store import Store

log = logging.getLogger("assistant.question_log")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French numbers: 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, +33 (0)6…, 0033 6…;
# then any other international number (+ and 8 to 15 digits). Not inside a longer run of digits.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.-]?\d{2}){4}"
    r"|\+\d(?:[\s.-]?\d){7,14})(?![\d])"
)


def mask(text: str) -> str:
    """The text with e-mail addresses and phone numbers replaced by a placeholder."""
    if not text:
        return text
    return PHONE.sub(MASKED["phone"], EMAIL.sub(MASKED["email"], text))


def purge(store: "Store") -> int:
    """Drop the questions past the retention (the server does it at start); a database outage is
    logged, not raised."""
    try:
        return store.purge()
    except SQLAlchemyError:
        log.exception("could not purge the question log")
        return 0


def record(store: "Store", answer: Answer) -> int | None:
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
