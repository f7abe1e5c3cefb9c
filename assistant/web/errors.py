"""Every error of the web layer as `{"detail": "<message>"}`, never a stack trace, in the language of
the question when the body has one (else the Accept-Language header, else French). The texts are
in assistant/wording.py. Under `/v1/` (the OpenAI-compatible API) the same messages are then put in
OpenAI's shape by `assistant.web.openai_api.OpenAIErrors`."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.store.question_log import StoreUnavailable, first_line
from assistant.text.french import detect_language
from assistant.wording import field_name, message

log = logging.getLogger("assistant.web")

STATUS_KEYS = {400: "status_400", 404: "status_404", 405: "status_405"}


def last_user_text(messages) -> str | None:
    """The text of the last `user` message of an OpenAI-style `messages` list (its text parts joined),
    or None when there is none."""
    if not isinstance(messages, list):
        return None
    for item in reversed(messages):
        if isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, list):
                content = " ".join(part["text"] for part in content
                                   if isinstance(part, dict) and isinstance(part.get("text"), str))
            return content if isinstance(content, str) else None
    return None


def request_language(headers: Headers, body=None) -> str:
    """The question's language if the body has a question (`question`, or the last user message of
    `messages`), else the first Accept-Language, else French."""
    question = (body.get("question") or last_user_text(body.get("messages"))) if isinstance(body, dict) else None
    if isinstance(question, str) and question.strip():
        return detect_language(question)
    return "en" if headers.get("accept-language", "").strip().lower().startswith("en") else "fr"


def validation_message(errors: list[dict], language: str = "fr", asking: bool = True) -> str:
    """One sentence for the first error FastAPI found (the most useful one to fix first)."""
    if not errors:
        return message(language, "status_400")
    error = errors[0]
    kind = error.get("type", "")
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    field = location[0] if location else ""
    dotted = ".".join(location)
    limit = (error.get("ctx") or {}).get("max_length")
    if kind == "json_invalid":
        return message(language, "invalid_json")
    if field == "question" and kind == "string_too_long":
        value = error.get("input")
        return message(language, "too_long", length=len(value) if isinstance(value, str) else "?", limit=limit)
    if field == "question" and (kind == "string_too_short" or kind == "missing" and asking):
        return message(language, "empty")  # an ask without its question; feedback without it is a missing field
    if field == "history" and kind == "too_long":
        return message(language, "history_too_long", limit=limit)
    if field == "history" and len(location) > 2 and location[2] == "role":
        return message(language, "bad_role")
    if field == "rating":
        return message(language, "bad_rating")
    if kind == "missing":
        return message(language, "missing_field", field=dotted)
    if kind == "string_too_long":
        return message(language, "field_too_long", field=dotted, limit=limit)
    if kind == "too_long":
        return message(language, "too_many_items", field=dotted, limit=limit)
    return message(language, "bad_format", field=field_name(language, dotted if field not in ("",) else ""))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        language = request_language(request.headers, error.body)
        asking = request.url.path.rstrip("/").endswith(("/ask", "/ask/stream"))
        return JSONResponse({"detail": validation_message(list(error.errors()), language, asking)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        key = STATUS_KEYS.get(error.status_code)
        if key or not isinstance(error.detail, str):
            detail = message(request_language(request.headers), key or "status_other")
        else:
            detail = error.detail
        return JSONResponse({"detail": detail}, status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(StoreUnavailable)
    @app.exception_handler(DBAPIError)
    async def store_down(request: Request, error: Exception) -> JSONResponse:
        """The database is down, locked or not answering: a 503 in French and one log line, no traceback."""
        reason = first_line(error) if isinstance(error, DBAPIError) else str(error)
        log.warning("%s %s: 503, database unavailable (%s)", request.method, request.url.path, reason)
        return JSONResponse({"detail": message(request_language(request.headers), "store_unavailable")},
                            status_code=503, headers={"Retry-After": "10"})

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": message(request_language(request.headers), "internal")}, status_code=500)


class ClientErrorsAfterStart:
    """A client error (an HTTPException under 500) raised once a streamed response has begun, as
    Gradio's queue stream does for a session it does not know, ends that response with one INFO
    line: it is a client's mistake, not a crash worth two tracebacks in the log."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = ended = False

        async def tracking(event):
            nonlocal started, ended
            started = started or event["type"] == "http.response.start"
            ended = ended or event["type"] == "http.response.body" and not event.get("more_body", False)
            await send(event)

        try:
            await self.app(scope, receive, tracking)
        except Exception as error:
            client_error = next((e for e in (error, error.__cause__)
                                 if isinstance(e, HTTPException) and e.status_code < 500), None)
            if client_error is None or not started:
                raise
            log.info("%s %s: %d once the response had started (%s)", scope["method"], scope["path"],
                     client_error.status_code, client_error.detail)
            if not ended:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
