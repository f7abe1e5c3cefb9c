"""Who may use the console: the admin token (compared in constant time, failed attempts rate-limited),
sessions in an HttpOnly SameSite=Strict cookie with a per-session CSRF token that every change must
send in a header, and a guard that keeps the console away from every other origin.

A session is a signed cookie (`<id>.<expiry>.<HMAC>`, keyed by ASSISTANT_ADMIN_SECRET, else by a key derived
from the admin token), so every instance sharing the secret accepts it, across restarts; a logout writes its
id to the store (`revoked_sessions`), which every instance checks. Scripts send `Authorization: Bearer <token>` instead (no cookie, so no CSRF token needed).
"""

import datetime as dt
import hashlib
import hmac
import math
import secrets
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
    expires: float  # seconds since the epoch: every instance reads the same clock


def session_key(settings: Settings, token: str) -> bytes:
    """ASSISTANT_ADMIN_SECRET, else a key derived from the token (so changing the token ends every session)."""
    secret = (settings.admin_secret or "").strip()
    return hashlib.sha256(b"oc-admin-session\0" + (secret or token).encode()).digest()


class AdminAuth:
    def __init__(self, token: str, settings: Settings, clock=time.time):
        self.token = token.encode()
        self.key = session_key(settings, token)
        self.lifetime_s = settings.admin_session_hours * 3600
        self.failures = RateLimiter(settings.admin_logins_per_minute)
        self.clock = clock

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

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self.key, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()

    def _session(self, session_id: str, expires: int) -> Session:
        return Session(session_id, self._sign("csrf", session_id), float(expires))

    def open_session(self, request: Request, response: Response) -> Session:
        expires = int(self.clock() + self.lifetime_s)
        session = self._session(secrets.token_urlsafe(32), expires)
        signed = f"{session.id}.{expires}"
        response.set_cookie(SESSION_COOKIE, f"{signed}.{self._sign('session', signed)}", max_age=int(self.lifetime_s),
                            path=PREFIX, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return session

    def session(self, request: Request) -> Session | None:
        """The cookie's session if its signature holds, it has not expired and no instance revoked it."""
        session_id, _, rest = (request.cookies.get(SESSION_COOKIE) or "").partition(".")
        expires, _, signature = rest.partition(".")
        if not (session_id and expires.isdigit() and hmac.compare_digest(
                signature.encode(), self._sign("session", f"{session_id}.{expires}").encode())):
            return None
        if int(expires) <= self.clock() or request.app.state.question_log.reachable_store().session_revoked(session_id):
            return None
        return self._session(session_id, int(expires))

    def close_session(self, request: Request, response: Response) -> None:
        session = self.session(request)
        if session is not None:
            request.app.state.question_log.reachable_store().revoke_session(session.id, dt.datetime.fromtimestamp(session.expires, dt.timezone.utc))
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
