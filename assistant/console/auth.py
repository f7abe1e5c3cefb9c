"""Who may use the console: the admin token (compared in constant time, failed attempts rate-limited),
sessions in an HttpOnly SameSite=Strict cookie with a per-session CSRF token that every change must
send in a header, and a guard that keeps the console away from every other origin.

Sessions live in this process's memory: a restart, or another app instance, asks to log in again.
Scripts send `Authorization: Bearer <token>` instead (no cookie, so no CSRF token needed).
"""

import hmac
import math
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings
from assistant.web.errors import request_language
from assistant.web.security import SAFE_METHODS, RateLimiter, header_language
from assistant.wording import message

PREFIX = "/admin"
SESSION_COOKIE = "oc_admin_session"
CSRF_HEADER = "X-CSRF-Token"
MIN_TOKEN_CHARS = 16  # a shorter token keeps the console off: it could be guessed
# The console's page loads only its own script and style; nothing may frame it.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def console_token(settings: Settings) -> str | None:
    """The configured token, or None when the console is off (unset, or too short to be safe)."""
    token = (settings.admin_token or "").strip()
    return token if len(token) >= MIN_TOKEN_CHARS else None


@dataclass
class Session:
    id: str
    csrf: str
    expires: float


class AdminAuth:
    def __init__(self, token: str, settings: Settings, clock=time.monotonic):
        self.token = token.encode()
        self.lifetime_s = settings.admin_session_hours * 3600
        self.failures = RateLimiter(settings.admin_logins_per_minute)
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def matches(self, candidate: str) -> bool:
        return hmac.compare_digest(candidate.encode(), self.token)

    def check_token(self, candidate: str, request: Request) -> None:
        """Refuse (429) a client with too many recent failures before comparing, then refuse (401) a wrong token."""
        language = request_language(request.headers)
        key = f"admin-login:{request.client.host if request.client else 'unknown'}"
        wait = self.failures.blocked(key)
        if wait is None and self.matches(candidate):
            return
        if wait is None:
            self.failures.hit(key)
            raise HTTPException(status_code=401, detail=message(language, "admin_bad_token"))
        raise HTTPException(status_code=429, detail=message(language, "admin_login_limited", wait=math.ceil(wait)),
                            headers={"Retry-After": str(math.ceil(wait))})

    def open_session(self, request: Request, response: Response) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock() + self.lifetime_s)
        with self._lock:
            now = self.clock()
            for stale in [k for k, s in self._sessions.items() if s.expires <= now]:
                del self._sessions[stale]
            self._sessions[session.id] = session
        response.set_cookie(SESSION_COOKIE, session.id, max_age=int(self.lifetime_s), path=PREFIX, httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
        return session

    def session(self, request: Request) -> Session | None:
        key = request.cookies.get(SESSION_COOKIE)
        with self._lock:
            session = self._sessions.get(key) if key else None
            if session is not None and session.expires <= self.clock():
                del self._sessions[key]
                return None
            return session

    def close_session(self, request: Request, response: Response) -> None:
        key = request.cookies.get(SESSION_COOKIE)
        with self._lock:
            self._sessions.pop(key or "", None)
        response.delete_cookie(SESSION_COOKIE, path=PREFIX, httponly=True, samesite="strict",
                               secure=request.url.scheme == "https")

    def require(self, request: Request) -> Session | None:
        """The FastAPI dependency of every console endpoint: a valid bearer token, or a session whose
        CSRF token comes with every request that changes something. Returns the session (None for a token)."""
        authorization = request.headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            self.check_token(authorization[7:].strip(), request)
            return None
        language = request_language(request.headers)
        session = self.session(request)
        if session is None:
            raise HTTPException(status_code=401, detail=message(language, "admin_login_required"))
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
                raise HTTPException(status_code=403, detail=message(language, "admin_csrf"))
        return session


def console_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class ConsolePort:
    """With ASSISTANT_ADMIN_PORT set, the console has an origin of its own: /admin answers 404 on every
    other port, and that port answers 404 to everything but /admin. A script injected into the chat (whose
    CSP allows Gradio's inline scripts) then runs on another origin than the console and cannot read it."""

    def __init__(self, app: ASGIApp, port: int | None):
        self.app = app
        self.port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.port is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        on_console_port = (scope.get("server") or (None, None))[1] == self.port
        if console_path(scope.get("path", "")) == on_console_port:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        detail = message(header_language(Headers(scope=scope)), "status_404")
        await JSONResponse({"detail": detail}, status_code=404)(scope, receive, send)


class AdminGuard:
    """For every path under /admin: refuse (403) a request another origin makes (its Origin is not
    this host, or the browser says it is cross-site), whatever the method and whatever the widget's
    allowed origins; and add the console's security headers to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not console_path(path):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin, host = headers.get("origin"), headers.get("host", "")
        site = headers.get("sec-fetch-site")
        # A link to the page from another site may open it (the Strict cookie is not sent, so it shows the login).
        opening = scope["method"] == "GET" and path in (PREFIX, PREFIX + "/") and headers.get("sec-fetch-mode") == "navigate"
        foreign = (origin is not None and urlsplit(origin).netloc.lower() != host.lower()) or site not in (None, "same-origin", "none")
        if foreign and not opening:
            detail = message(header_language(headers), "admin_cross_origin")
            await JSONResponse({"detail": detail}, status_code=403, headers=HEADERS)(scope, receive, send)
            return

        async def secured(event: Message) -> None:
            if event["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=event)
                for name, value in HEADERS.items():
                    response_headers[name] = value
                for name in [n for n in response_headers if n.startswith("access-control-")]:
                    del response_headers[name]  # no CORS for the console, whatever the widget's origins
            await send(event)

        await self.app(scope, receive, secured)
