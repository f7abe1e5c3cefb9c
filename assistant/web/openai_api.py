"""The OpenAI-compatible API under `/v1`: `/v1/chat/completions` (plain and streamed) and `/v1/models`,
so that any chat front end or SDK that speaks OpenAI gets the assistant's sourced answers.

The last `user` message is the question, the `user` and `assistant` messages before it the history;
`system` (and `developer`, `tool`) messages are ignored: they never change what the sources say. The
answer's text keeps its `[n]` markers and ends with the numbered sources, so that a plain chat client
shows them; the whole answer (lead, citations, `abstained`, the question-log `id`) rides along in the
extra field `answer`. The limits, the rate, the origins, the question log and the wording are those
of `/api/ask` (assistant/web/api.py); errors come in OpenAI's shape (`OpenAIErrors`)."""

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from assistant.assistant import Assistant
from assistant.models import Answer, Message
from assistant.store.question_log import QuestionLog
from assistant.web.api import (
    AskResponse,
    answer_events,
    answer_pieces,
    close_unknown_paths,
    prepare_question,
)
from assistant.web.errors import request_language
from assistant.web.security import RateLimiter
from assistant.wording import human_date, message

log = logging.getLogger("assistant.web")

MODEL = "assistant-innovation-occitanie"
OWNER = "region-occitanie"
CONVERSATION_ROLES = ("user", "assistant")  # the others (system, developer, tool) are ignored

# The OpenAI error `type` and `code` of each status this server answers with.
ERROR_KINDS = {
    400: ("invalid_request_error", "bad_request"),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", "origin_not_allowed"),
    404: ("invalid_request_error", "not_found"),
    405: ("invalid_request_error", "method_not_allowed"),
    413: ("invalid_request_error", "request_too_large"),
    422: ("invalid_request_error", "invalid_request"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("server_error", "internal_error"),
}


# Requests

class TextPart(BaseModel):
    type: str = Field(max_length=50, description="`text` parts are read; others (images...) are ignored")
    text: str | None = None


class ChatMessage(BaseModel):
    role: str = Field(max_length=50, description="user | assistant | system (system, developer and tool are ignored)")
    content: str | list[TextPart] | None = None


class ChatCompletionRequest(BaseModel):
    model: str | None = Field(default=None, max_length=200, description=f"any name: this server has one model, {MODEL}")
    messages: list[ChatMessage] = Field(
        description="the conversation, oldest first: the last `user` message is the question"
    )
    stream: bool = Field(default=False, description="server-sent `chat.completion.chunk` events, then `data: [DONE]`")


# Responses

class OpenAIErrorBody(BaseModel):
    message: str = Field(description="what went wrong, in the question's language (French by default)")
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    error: OpenAIErrorBody


class CompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str = Field(description="the answer with its [n] markers, then the numbered sources")


class Choice(BaseModel):
    index: int = 0
    message: CompletionMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL
    choices: list[Choice]
    answer: AskResponse = Field(
        description="not in OpenAI's API: the whole answer as /api/ask returns it: lead, short_answer, verdict, "
        "citations (with their quoted sentences), abstained, and `id`, the question's id in the log (null when "
        "the log is off), to send as a feedback's question_id"
    )


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str = MODEL
    choices: list[ChunkChoice]
    answer: AskResponse | None = Field(
        default=None, description="on the last chunk only (finish_reason `stop`): the whole answer, as in a "
        "chat.completion's `answer`"
    )


class Model(BaseModel):
    id: str = MODEL
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = OWNER


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


ERRORS = {status: {"model": OpenAIError, "description": description} for status, description in (
    (401, "ASSISTANT_API_KEYS is set and the request has no key, or a wrong one"),
    (413, "request body too large"),
    (422, "invalid conversation or question (message in the question's language)"),
    (429, "too many questions from this client"),
)}


def error_body(status: int, detail: str) -> dict:
    kind, code = ERROR_KINDS.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
    return {"error": {"message": detail, "type": kind, "param": None, "code": code}}


def shown(answer: Answer, question_id: int | None) -> AskResponse:
    """The answer as /api/ask returns it (without its provenance), with its log id."""
    return AskResponse(**dict(answer.model_copy(update={"provenance": None})), id=question_id)


def inlined(schema: dict) -> dict:
    """A model's JSON schema with its `$defs` put in place, to stand alone in the OpenAPI document."""
    definitions = schema.pop("$defs", {})

    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(dict(definitions[node["$ref"].rsplit("/", 1)[-1]]))
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


def sourced_text(answer: Answer) -> str:
    """The answer's text, then its numbered sources (title > section, date, quoted sentences), for a
    client that shows only text."""
    language = answer.language
    if not answer.citations:
        return answer.answer
    lines = [answer.answer, "", message(language, "sources_heading")]
    for citation in answer.citations:
        where = " > ".join(part for part in (citation.title, citation.section) if part)
        line = message(language, "source_line", n=citation.n, title=where, date=human_date(citation.date, language))
        if citation.quotes:
            line += message(language, "source_quote", quote=" […] ".join(citation.quotes))
        lines.append(line)
    return "\n".join(lines)


def conversation(messages: list[ChatMessage], language: str) -> tuple[str, list[Message]]:
    """The question (the last user message) and the history (the user and assistant messages before it)."""
    turns = [(m.role, text_of(m)) for m in messages if m.role in CONVERSATION_ROLES]
    last = max((i for i, (role, _) in enumerate(turns) if role == "user"), default=None)
    if last is None:
        raise HTTPException(status_code=422, detail=message(language, "no_user_message"))
    return turns[last][1], [Message(role=role, content=text) for role, text in turns[:last]]


def text_of(chat_message: ChatMessage) -> str:
    content = chat_message.content
    if isinstance(content, list):
        return " ".join(part.text for part in content if part.type == "text" and part.text)
    return content or ""


def openai_router(assistant: Assistant, question_log: QuestionLog, limiter: RateLimiter) -> APIRouter:
    settings = assistant.settings
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

    @router.get("/models", response_model=ModelList, responses={401: ERRORS[401]})
    def models() -> ModelList:
        """The one model this server answers with (any `model` name in a request gets its answers)."""
        return ModelList(data=[Model()])

    @router.get("/models/{name}", response_model=Model, responses={401: ERRORS[401], 404: {"model": OpenAIError}})
    def model(name: str) -> Model:
        if name != MODEL:
            raise HTTPException(status_code=404)
        return Model()

    @router.post(
        "/chat/completions",
        response_model=ChatCompletion,
        responses={200: {"content": {"text/event-stream": {"schema": inlined(ChatCompletionChunk.model_json_schema())}},
                         "description": "a chat.completion; with `stream: true`, server-sent events: one "
                         "chat.completion.chunk per `data:` line, then `data: [DONE]`"},
                   **ERRORS},
    )
    def chat_completions(body: ChatCompletionRequest, request: Request):
        """OpenAI's chat completions: the last user message is answered from the sources, with the user and
        assistant messages before it as the conversation; system messages are ignored. The text ends with
        the numbered sources; `answer` holds the structured answer. Logged like /api/ask."""
        language = request_language(request.headers, {"messages": body.model_dump()["messages"]})
        question, history = conversation(body.messages, language)
        if len(history) > 2 * settings.max_history_turns:
            raise HTTPException(status_code=422, detail=message(language, "history_too_long",
                                                                   limit=2 * settings.max_history_turns))
        analysis = prepare_question(assistant, limiter, request, question, history)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if body.stream:
            return StreamingResponse(chunks(completion_id, created, analysis), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        try:
            answer = assistant.answer(analysis)
        except Exception as error:  # the app's last-resort handler sits outside OpenAIErrors: a 500 of ours instead
            log.exception("answer failed for a %d-character question", len(analysis.question))
            raise HTTPException(status_code=500, detail=message(analysis.language, "internal")) from error
        question_id = question_log.record(answer)
        return ChatCompletion(id=completion_id, created=created, answer=shown(answer, question_id),
                              choices=[Choice(message=CompletionMessage(content=sourced_text(answer)))])

    async def chunks(completion_id: str, created: int, analysis) -> AsyncIterator[str]:
        def event(delta: dict, finish: str | None = None, answer: AskResponse | None = None) -> str:
            chunk = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
            if answer is not None:
                chunk["answer"] = answer.model_dump(mode="json")
            return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

        yield event({"role": "assistant", "content": ""})  # at once: the client knows the answer is coming
        try:
            async for item in answer_events(assistant, question_log, analysis):
                if not isinstance(item, str):  # an LLM's unchecked drafts are not sent: the chunks are the answer
                    answer, question_id = item
        except Exception:
            log.exception("streamed answer failed for a %d-character question", len(analysis.question))
            yield f"data: {json.dumps(error_body(500, message(analysis.language, 'internal')), ensure_ascii=False)}\n\n"
            return
        for piece in answer_pieces(sourced_text(answer)):
            yield event({"content": piece})
        yield event({}, "stop", shown(answer, question_id))
        yield "data: [DONE]\n\n"

    close_unknown_paths(router)
    return router


class OpenAIErrors:
    """Under `/v1/`, every error this server answers with as `{"detail": ...}` (its routes, the
    validation, the security middleware inside this one: origins, keys, body size, rate) is rewritten
    into OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, with the same message."""

    def __init__(self, app: ASGIApp, prefix: str = "/v1/"):
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        start: ASGIMessage | None = None
        body = b""

        async def rewriting(event: ASGIMessage) -> None:
            nonlocal start, body
            if event["type"] == "http.response.start":
                json_error = event["status"] >= 400 and Headers(raw=event.get("headers", [])).get(
                    "content-type", "").startswith("application/json")
                if not json_error:
                    await send(event)
                    return
                start = event
                return
            if start is None or event["type"] != "http.response.body":
                await send(event)
                return
            body += event.get("body", b"")
            if event.get("more_body", False):
                return
            try:
                detail = json.loads(body).get("detail")
            except (ValueError, AttributeError):
                detail = None
            if isinstance(detail, str):
                body = json.dumps(error_body(start["status"], detail), ensure_ascii=False).encode()
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewriting)
