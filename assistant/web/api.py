"""The JSON API under `/api`: ask (plain and streamed), health, programmes, feedback. Every limit is declared on
the pydantic models, so FastAPI refuses a bad request before any of our code runs, and OpenAPI
documents the limits."""

import logging
import math
import re
from collections.abc import AsyncIterable
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from assistant.assistant import Assistant, InvalidQuestion
from assistant.models import Answer, Citation, Message
from assistant.profiles.model import Profile
from assistant.question.analysis import QuestionAnalysis
from assistant.store.question_log import QuestionLog
from assistant.web.errors import request_language
from assistant.web.security import RateLimiter, rate_limited_message
from assistant.wording import message

log = logging.getLogger("assistant.web")

STREAM_WORDS = 6  # words per streamed piece of the answer
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Programmes(BaseModel):
    programmes: list[Profile] = Field(description="every programme the corpus describes, with the sentence behind each field")


class ErrorResponse(BaseModel):
    detail: str = Field(description="what went wrong, in the question's language (French by default)")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        default="ok", description="degraded: answers are given, but a dependency is down, slow or wrong (`problems`)")
    problems: list[str] = Field(default_factory=list, description="what is degraded, one line each, with the reason")
    question_log: dict[str, int] = Field(
        default_factory=dict, description="rows waiting for the database, dropped (queue full), failed write attempts, "
        "rejected by the store")
    chunks: int = Field(description="passages in the index")
    documents: int = Field(description="documents in the index")
    embedding_model: str
    answerer: str
    version: str


class AskResponse(Answer):
    id: int | None = Field(
        default=None, description="the question's id in the log (null when the log is off): send it as the "
        "feedback's question_id"
    )


class FeedbackReceipt(BaseModel):
    id: int
    detail: str


def request_models(max_question_chars: int, max_history_turns: int):
    """The request bodies, with the limits of these settings."""

    class AskRequest(BaseModel):
        question: str = Field(
            min_length=1, max_length=max_question_chars, examples=["Qu'est-ce que le Pass Occitanie ?"]
        )
        history: list[Message] = Field(
            default_factory=list,
            max_length=2 * max_history_turns,
            description="previous turns, oldest first: {role: user|assistant, content}",
        )
        provenance: bool = Field(
            default=False, description="include how the answer was made: query, passages and their scores, decision"
        )

    class FeedbackRequest(BaseModel):
        rating: Literal["up", "down"]
        reason: str | None = Field(default=None, max_length=200, description="short reason, e.g. 'inexact'")
        comment: str | None = Field(default=None, max_length=2000)
        question: str = Field(max_length=max_question_chars)
        answer: str = Field(max_length=20_000)
        citations: list[Citation] = Field(default_factory=list, max_length=20)
        answerer: str | None = Field(default=None, max_length=50)
        question_id: int | None = Field(default=None, ge=1, description="the answer's `id`: links the rating to it")

    return AskRequest, FeedbackRequest


def client_key(request: Request) -> str:
    """The client's address, used only in memory for the rate limit (uvicorn resolves X-Forwarded-For
    from trusted proxies into it)."""
    return request.client.host if request.client else "unknown"


def check_rate(limiter: RateLimiter, kind: str, request: Request, language: str) -> None:
    wait = limiter.hit(f"{kind}:{client_key(request)}")
    if wait is not None:
        raise HTTPException(
            status_code=429,
            detail=rate_limited_message(limiter.per_minute, wait, language),
            headers={"Retry-After": str(math.ceil(wait))},
        )


def prepare_question(assistant: Assistant, limiter: RateLimiter, request: Request, question: str,
                     history: list[Message]) -> QuestionAnalysis:
    """What every front end of this server does before answering: the Assistant validates (it also
    refuses what a schema cannot see: a question of spaces), a 422 in the question's language if it
    refuses; then the client's rate, a 429 in the question's language."""
    try:
        analysis = assistant.prepare(question, history, request_language(request.headers))
    except InvalidQuestion as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    check_rate(limiter, "ask", request, analysis.language)
    return analysis


def answer_events(assistant: Assistant, question_log: QuestionLog, analysis: QuestionAnalysis):
    """The streamed answer, for routes that stream: the LLM's unchecked draft pieces (str) as they come,
    then `(answer, its log id)` once it is checked and queued for the log."""

    async def events():
        answer = None
        async for item in iterate_in_threadpool(assistant.answer_stream(analysis)):
            if isinstance(item, Answer):
                answer = item
            else:
                yield item
        yield answer, await run_in_threadpool(question_log.record, answer)

    return events()


def close_unknown_paths(router: APIRouter) -> None:
    """A 404 (or a 405 naming the methods allowed) for every other path under the router's prefix.
    Without it, the chat mounted at "/" would answer them with its own English 404."""
    known = list(router.routes)

    @router.api_route("/{path:path}", methods=ANY_METHOD, include_in_schema=False)
    def unknown(path: str) -> None:
        asked = f"{router.prefix}/{path}"
        allowed = sorted({method for route in known if route.path_regex.match(asked) for method in route.methods})
        if allowed:
            raise HTTPException(status_code=405, headers={"Allow": ", ".join(allowed)})
        raise HTTPException(status_code=404)


def limit_by_client(limiter: RateLimiter, kind: str):
    def dependency(request: Request) -> None:
        check_rate(limiter, kind, request, request_language(request.headers))

    return dependency


def answer_pieces(text: str, words: int = STREAM_WORDS) -> list[str]:
    tokens = re.findall(r"\S+\s*|\s+", text)
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


ERRORS = {
    413: {"model": ErrorResponse, "description": "request body too large"},
    422: {"model": ErrorResponse, "description": "invalid question or history (message in the question's language)"},
    429: {"model": ErrorResponse, "description": "too many questions from this client"},
}
STORE_ERRORS = {503: {"model": ErrorResponse, "description": "the database is unavailable (French message)"}}


def api_router(assistant: Assistant, question_log: QuestionLog, limiter: RateLimiter, version: str) -> APIRouter:
    settings = assistant.settings
    AskRequest, FeedbackRequest = request_models(settings.max_question_chars, settings.max_history_turns)
    router = APIRouter(prefix="/api", tags=["assistant"])

    def prepared(body: AskRequest, request: Request) -> tuple[QuestionAnalysis, bool]:
        return prepare_question(assistant, limiter, request, body.question, body.history), body.provenance

    def shown(answer: Answer, provenance: bool) -> Answer:
        return answer if provenance else answer.model_copy(update={"provenance": None})

    @router.post("/ask", response_model=AskResponse, responses=ERRORS)
    def ask(request: tuple[QuestionAnalysis, bool] = Depends(prepared)) -> AskResponse:
        """Answer a question, with the conversation so far for follow-ups; the answered question is logged."""
        analysis, provenance = request
        answer = assistant.answer(analysis)
        return AskResponse(**dict(shown(answer, provenance)), id=question_log.record(answer))

    @router.post("/ask/stream", response_class=EventSourceResponse, responses=ERRORS)
    async def ask_stream(request: tuple[QuestionAnalysis, bool] = Depends(prepared)) -> AsyncIterable[ServerSentEvent]:
        """Server-sent events: with an LLM, `draft` events carry its unchecked text as it is generated;
        then `delta` events carry the checked answer text in pieces ({"text": ...}) and one `answer`
        event the whole Answer with its log `id`; `error` ({"detail": ...}) if it fails."""
        analysis, provenance = request
        try:
            async for item in answer_events(assistant, question_log, analysis):
                if isinstance(item, str):  # an LLM's unchecked draft: shown as it comes, then replaced by the answer
                    yield ServerSentEvent(event="draft", data={"text": item})
                else:
                    answer, question_id = item
        except Exception:
            log.exception("streamed answer failed for a %d-character question", len(analysis.question))
            yield ServerSentEvent(event="error", data={"detail": message(analysis.language, "internal")})
            return
        for piece in answer_pieces(answer.answer):
            yield ServerSentEvent(event="delta", data={"text": piece})
        yield ServerSentEvent(event="answer", data=shown(answer, provenance).model_dump(mode="json") | {"id": question_id})

    @router.get("/health", response_model=Health)
    def health() -> Health:
        """Index size, embedding model, answerer and version; `degraded` with the problems while a
        dependency (the database, the vector store, the embeddings server) is down, slow or wrong."""
        retriever = assistant.retriever
        problems = [p for p in (question_log.problem(), *retriever.problems()) if p]
        return Health(
            status="degraded" if problems else "ok",
            problems=problems,
            question_log=question_log.health(),
            chunks=len(retriever),
            documents=len(retriever.state.files),
            embedding_model=retriever.state.model,
            answerer=settings.answerer,
            version=version,
        )

    @router.get("/programmes", response_model=Programmes)
    def programmes(source: str | None = None) -> Programmes:
        """What the assistant understood of each programme (assistant/profiles/): name, aliases, status,
        definition, whom it is for, amounts with their role, criteria with their conditions and
        exceptions, contact; every field with its source sentence, document and date. `source`: one
        document's programmes only."""
        profiles = assistant.retriever.state.profiles or []
        return Programmes(programmes=[p for p in profiles if source is None or p.source == source])

    @router.post(
        "/feedback",
        response_model=FeedbackReceipt,
        status_code=201,
        responses=ERRORS | STORE_ERRORS,
        dependencies=[Depends(limit_by_client(limiter, "feedback"))],
    )
    def feedback(body: FeedbackRequest, request: Request) -> FeedbackReceipt:
        """Record a thumbs up or down on an answer (the client's address is not stored)."""
        row = question_log.add_feedback(  # StoreUnavailable: a French 503 (assistant/web/errors.py)
            rating=body.rating,
            question=body.question,
            answer=body.answer,
            citations=[c.model_dump(mode="json") for c in body.citations],
            answerer=body.answerer,
            reason=body.reason,
            comment=body.comment,
            question_id=body.question_id,
        )
        return FeedbackReceipt(id=row, detail=message(request_language(request.headers, body.model_dump()), "feedback_thanks"))

    close_unknown_paths(router)
    return router

