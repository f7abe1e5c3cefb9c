"""The question log: what people ask and how the assistant answered, without who asked.

No IP address and no user id is ever passed in; e-mail addresses and phone numbers are masked before
a question is stored (store/masking.py). The front ends that people use (the JSON API and the chat) log each
answered question once with `record`; the CLI and the evals do not log. What was shown is kept with it
(the answer's text and citations, and a compact provenance), so the console shows what was answered
at the time, not what the index would answer today.
"""

import logging

from sqlalchemy.exc import SQLAlchemyError

from assistant.models import Answer, Provenance
from assistant.store.database import Store
from assistant.store.masking import masked

log = logging.getLogger("assistant.store.question_log")

# The candidate sentences kept in a logged provenance beyond those quoted: the likeliest, enough to see
# what the answerer weighed (the whole provenance, 10-110 KB, is for the API's `provenance: true`).
KEPT_SENTENCES = 3
KEPT_PASSAGES = 10  # the best-ranked passages kept of the 20 considered (those given to the answerer come first)


def purge(store: Store) -> int:
    """Drop the questions past the retention (the server does it at start); a database outage is
    logged, not raised."""
    try:
        return store.purge()
    except SQLAlchemyError:
        log.exception("could not purge the question log")
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
            answer=answer.answer,
            citations=[c.model_dump(mode="json") for c in answer.citations],
            provenance=compact_provenance(answer.provenance),
        )
    except SQLAlchemyError:
        log.exception("could not log a %d-character question", len(answer.question))
        return None
