"""What protects the server from its clients: proxies and host names believed, allowed origins, closed
routes, security headers, request size, questions per minute."""

import hmac
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from assistant.settings import normal_host
from assistant.wording import message

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# The machine-facing routes: the JSON API, the OpenAI-compatible API. They reflect no host name.
OPEN_PREFIXES = ("/api/", "/v1/")

# The chat's pages: Gradio's own scripts (inline boot scripts, and `js=` callbacks it runs with
# `new Function`), inline styles (Svelte sets style attributes), nothing fetched or framed from
# elsewhere. Checked in Chromium by tests/web/test_browser.py: no violation in a whole exchange.
CHAT_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
               "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
               "connect-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
# FastAPI's /docs and /redoc load Swagger UI / ReDoc from jsDelivr and boot them with an inline script.
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
               "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
               "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
               "https://cdn.redoc.ly; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
               "frame-ancestors 'self'")


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


def header_values(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]


async def refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str, headers=None) -> None:
    await JSONResponse({"detail": detail}, status_code=status, headers=headers)(scope, receive, send)


class ForwardedHeaders:
    """`X-Forwarded-*` and `Forwarded` are believed only from the configured proxies (the client address
    and scheme then come from them, as uvicorn's ProxyHeadersMiddleware reads them); from anyone else
    they are removed, so no route (Gradio builds its URLs from `X-Forwarded-Host`) ever sees them."""

    NAMES = frozenset({b"forwarded", b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host",
                       b"x-forwarded-port", b"x-forwarded-prefix", b"x-forwarded-server", b"x-real-ip"})

    def __init__(self, app: ASGIApp, trusted_proxies: list[str]):
        self.app = app
        self.proxied = ProxyHeadersMiddleware(app, trusted_hosts=list(trusted_proxies))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        if peer and peer[0] in self.proxied.trusted_hosts:
            await self.proxied(scope, receive, send)
            return
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k not in self.NAMES])
        await self.app(scope, receive, send)


class HostGuard:
    """Refuses (400) a request for a host name the server does not serve, in `Host` or a proxy's
    `X-Forwarded-Host`: the chat puts that name in its pages (a DNS-rebinding or cache-poisoning page
    would get its own). The JSON APIs under `/api/` and `/v1/` reflect no host and are left to the OriginGuard."""

    def __init__(self, app: ASGIApp, trusted_hosts: list[str], open_prefix: str | tuple[str, ...] = OPEN_PREFIXES):
        self.app = app
        self.trusted = set(trusted_hosts)
        self.open_prefix = open_prefix

    def serves(self, host: str) -> bool:
        return normal_host(host) in self.trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(self.open_prefix):
            await self.app(scope, receive, send)
            return
        names = header_values(scope, b"host")[:1] + [
            name for value in header_values(scope, b"x-forwarded-host") for name in value.split(",")
        ]
        wrong = next((name for name in names if not self.serves(name)), None) if names else ""
        if wrong is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            language = header_language(Headers(scope=scope))
            await refuse(scope, receive, send, 400, message(language, "host_refused", host=wrong.strip()[:200]))


class OriginGuard:
    """Refuses (403) a cross-origin request from an origin that is not allowed: preflights and any
    method that changes state. CORS alone only hides responses from the browser; the POST still runs.
    The server's own origin (the request's host, when it is a host the server serves) is allowed.

    Under `/api/` and `/v1/` the refusal is readable by the page that asked (the widget on a site that is not
    allowed can say so): its preflight is let through, and the request itself gets the 403, with
    `Access-Control-Allow-Origin`, before it runs. A preflight that CORSMiddleware refuses (a method
    or header the API does not take) gets a JSON 400 in French instead of Starlette's English text."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str], trusted_hosts: list[str],
                 readable_prefix: str | tuple[str, ...] = OPEN_PREFIXES):
        self.app = app
        self.allowed = set(allowed_origins)  # normalised once, by the settings
        self.trusted_hosts = set(trusted_hosts)
        self.readable_prefix = readable_prefix

    def allows(self, origin: str, host: str | None) -> bool:
        if origin_of(origin) in self.allowed:
            return True
        own = urlsplit(origin).netloc.lower()
        return bool(host) and own == host.lower() and normal_host(host) in self.trusted_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if origin is None or not (preflight or scope["method"] not in SAFE_METHODS):
            await self.app(scope, receive, send)
            return
        language = header_language(headers)
        readable = scope["path"].startswith(self.readable_prefix)
        if not self.allows(origin, headers.get("host")):
            cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if readable else None
            if preflight and readable:
                allow = {"Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type"}
                await Response(status_code=204, headers={**cors, **allow})(scope, receive, send)
            else:
                detail = message(language, "origin_refused", origin=origin[:200])
                await refuse(scope, receive, send, 403, detail, cors)
            return
        if not preflight:
            await self.app(scope, receive, send)
            return
        refused = False

        async def french_refusal(event):
            nonlocal refused
            if event["type"] == "http.response.start" and event["status"] == 400:
                refused = True
                kept = [(k, v) for k, v in event.get("headers", []) if k not in (b"content-type", b"content-length")]
                body = JSONResponse({"detail": message(language, "preflight_refused")}, status_code=400)
                event = {**event, "headers": kept + [(k, v) for k, v in body.raw_headers]}
                await send(event)
                await send({"type": "http.response.body", "body": body.body})
            elif not refused:
                await send(event)

        await self.app(scope, receive, french_refusal)


class ApiKeys:
    """When keys are set, a request under `paths` (a path or what is below it) needs `Authorization:
    Bearer <key>` with one of them, else a 401 (before its body is read). Preflights pass: CORS answers
    them, and they carry no credentials. Without keys, nothing is asked."""

    def __init__(self, app: ASGIApp, keys: list[str], paths: tuple[str, ...] = ("/v1", "/mcp")):
        self.app = app
        self.keys = [key.encode() for key in keys]
        self.paths = paths

    def guards(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.paths)

    def accepts(self, authorization: str) -> bool:
        scheme, _, key = authorization.strip().partition(" ")
        given = key.strip().encode()
        # every key compared, in constant time: the answer's delay tells nothing about them
        matches = [hmac.compare_digest(given, known) for known in self.keys]
        return scheme.lower() == "bearer" and any(matches)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.keys or scope["method"] == "OPTIONS" or not self.guards(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.accepts(headers.get("authorization", "")):
            await self.app(scope, receive, send)
            return
        await refuse(scope, receive, send, 401, message(header_language(headers), "api_key_refused"),
                     {"WWW-Authenticate": "Bearer"})


class ClosedPaths:
    """Answers 404 to the routes Gradio opens for features this app does not use: file uploads and
    the files they store, the remote proxy, media streams. Anyone could otherwise fill the disk."""

    PREFIXES = ("/gradio_api/upload", "/gradio_api/file=", "/gradio_api/file/", "/gradio_api/proxy=",
                "/gradio_api/stream/", "/gradio_api/process_recording")

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...] = PREFIXES):
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefixes):
            await refuse(scope, receive, send, 404, message(header_language(Headers(scope=scope)), "status_404"))
            return
        await self.app(scope, receive, send)


class HeadAsGet:
    """`HEAD` wherever `GET` is served (FastAPI's routes, Gradio's included, list only `GET`): the
    request is served as a `GET` and its body dropped, so the headers and `Content-Length` are the GET's."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def without_body(event):
            nonlocal finished
            if event["type"] == "http.response.body":
                if finished:
                    return
                finished = True
                event = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(event)

        await self.app({**scope, "method": "GET"}, receive, without_body)


class SecurityHeaders:
    """Headers on every response that does not set its own: no MIME sniffing, no referrer to other
    sites, a Content-Security-Policy (the chat's on HTML pages, nothing allowed on the rest), and
    `Cache-Control: no-store` outside the static assets, since answers and pages are per user."""

    STATIC = ("/assets/", "/static/", "/svelte/", "/favicon.ico", "/widget.js")

    def __init__(self, app: ASGIApp, page_policy: str = CHAT_POLICY, docs_policy: str = DOCS_POLICY,
                 docs_paths=("/docs", "/redoc")):
        self.app = app
        self.page_policy = page_policy
        self.docs_policy = docs_policy
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def with_headers(event):
            if event["type"] == "http.response.start":
                headers = MutableHeaders(scope=event)
                html = headers.get("content-type", "").startswith("text/html")
                policy = self.docs_policy if path in self.docs_paths else self.page_policy
                defaults = {
                    "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "same-origin",
                    "Content-Security-Policy": policy if html else "default-src 'none'; frame-ancestors 'none'",
                    "X-Frame-Options": "SAMEORIGIN",
                }
                if not path.startswith(self.STATIC):
                    defaults["Cache-Control"] = "no-store"
                for name, value in defaults.items():
                    if name not in headers:
                        headers[name] = value
            await send(event)

        await self.app(scope, receive, with_headers)


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
