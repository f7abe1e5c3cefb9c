"""What protects the server from its clients: allowed origins, request size, questions per minute."""

import threading
import time
from collections import deque
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.wording import message

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def header_language(headers: Headers) -> str:
    """Before the body is read, the client's language is its Accept-Language (French by default)."""
    return "en" if headers.get("accept-language", "").strip().lower().startswith("en") else "fr"


class RequestTooLarge(HTTPException):
    """An HTTPException, so that FastAPI turns it into a 413 even when raised while reading the body."""

    def __init__(self, limit: int, language: str = "fr"):
        super().__init__(status_code=413, detail=message(language, "body_too_large", limit=limit))


class BodySizeLimit:
    """Refuses a body larger than `limit` bytes: at once from Content-Length, or as soon as a streamed
    (chunked) body goes past the limit, before anything is parsed. `larger` gives paths (prefixes)
    a limit of their own: the console's uploads."""

    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None):
        self.app = app
        self.limit = limit
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        language = header_language(headers)
        limit = next((n for prefix, n in self.larger.items() if scope["path"].startswith(prefix)), self.limit)
        too_large = {"detail": message(language, "body_too_large", limit=limit)}
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await JSONResponse(too_large, status_code=413)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    raise RequestTooLarge(limit, language)
            return event

        async def tracking_send(event):
            nonlocal started
            started = started or event["type"] == "http.response.start"
            await send(event)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except RequestTooLarge:
            if started:
                raise
            await JSONResponse(too_large, status_code=413)(scope, receive, send)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class OriginGuard:
    """Refuses (403) a cross-origin request from an origin that is not allowed: preflights and any
    method that changes state. CORS alone only hides responses from the browser; the POST still runs.
    The server's own origin (same host as the request) is always allowed."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str]):
        self.app = app
        self.allowed = {origin_of(o) for o in allowed_origins if o and o != "*"}
        self.any_origin = "*" in allowed_origins  # as CORSMiddleware reads it: every site may embed

    def allows(self, origin: str, host: str | None) -> bool:
        if self.any_origin or origin_of(origin) in self.allowed:
            return True
        return bool(host) and urlsplit(origin).netloc.lower() == host.lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if origin is not None and (preflight or scope["method"] not in SAFE_METHODS):
            if not self.allows(origin, headers.get("host")):
                detail = message(header_language(headers), "origin_refused", origin=origin[:200])
                await JSONResponse({"detail": detail}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RateLimiter:
    """At most `per_minute` events per key in any sliding 60-second window, in memory (one process).
    `per_minute <= 0` disables the limit."""

    SWEEP_EVERY = 1000  # calls between sweeps that forget idle clients, so memory stays bounded

    def __init__(self, per_minute: int, window_s: float = 60.0, clock=time.monotonic):
        self.per_minute = per_minute
        self.window_s = window_s
        self.clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def hit(self, key: str) -> float | None:
        """Record one event for `key`; None if allowed, else the seconds to wait before the next one."""
        if self.per_minute <= 0:
            return None
        now = self.clock()
        with self._lock:
            self._calls += 1
            if self._calls % self.SWEEP_EVERY == 0:
                self._sweep(now)
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.per_minute:
                return max(0.1, events[0] + self.window_s - now)
            events.append(now)
            return None

    def blocked(self, key: str) -> float | None:
        """What `hit` would answer, without recording an event."""
        if self.per_minute <= 0:
            return None
        now = self.clock()
        with self._lock:
            events = [t for t in self._events.get(key, ()) if t > now - self.window_s]
            return max(0.1, events[0] + self.window_s - now) if len(events) >= self.per_minute else None

    def reset(self) -> None:
        with self._lock:
            self._events.clear()

    def _sweep(self, now: float) -> None:
        for key in [k for k, e in self._events.items() if not e or e[-1] <= now - self.window_s]:
            del self._events[key]


def rate_limited_message(per_minute: int, retry_after_s: float, language: str = "fr") -> str:
    return message(language, "rate_limited", per_minute=per_minute, wait=max(1, round(retry_after_s)))
