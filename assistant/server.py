"""One FastAPI application: the JSON API under `/api`, the OpenAI-compatible API under `/v1`, the MCP
server at `/mcp`, the widget at `/widget.js`, the Gradio chat at `/`."""

import importlib.metadata
import logging
import socket
import tomllib
from contextlib import asynccontextmanager
from pathlib import Path

import gradio as gr
import uvicorn
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from sqlalchemy.exc import SQLAlchemyError

from assistant.answering.extractive import short_answer
from assistant.assistant import Assistant
from assistant.console.auth import AdminGuard, ConsolePort
from assistant.console.evals import interrupt_abandoned_runs
from assistant.console.routes import admin_router
from assistant.question.nearest import NearestIntent
from assistant.settings import PROJECT_DIR, Settings, get_settings
from assistant.store import question_log
from assistant.store.database import Store
from assistant.store.question_log import QuestionLog
from assistant.web.api import api_router
from assistant.web.chat_page import GRADIO_FRENCH, FrenchChatPage
from assistant.web.errors import ClientErrorsAfterStart, install_error_handlers
from assistant.web.mcp_server import mcp_route, mcp_server, serving_mcp
from assistant.web.openai_api import OpenAIErrors, openai_router
from assistant.web.security import (
    ApiKeys,
    BodySizeLimit,
    ClosedPaths,
    ForwardedHeaders,
    HeadAsGet,
    HostGuard,
    OriginGuard,
    RateLimiter,
    SecurityHeaders,
)
from assistant.web.ui import CSS, TITLE, build_ui, occitanie_theme

log = logging.getLogger("assistant.web")

WIDGET = Path(__file__).resolve().parent / "static" / "widget.js"
GRADIO_CONCURRENCY = 4  # answers computed at once from the chat; more only queue up on 2 cores
GRADIO_QUEUE = 64  # chat requests waiting beyond that are refused instead of piling up


def version() -> str:
    try:
        return importlib.metadata.version("assistant-innovation-occitanie")
    except importlib.metadata.PackageNotFoundError:  # running from a checkout that is not pip-installed
        with open(PROJECT_DIR / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]


def warm_up(assistant: Assistant) -> None:
    """Open the index (building it if there is none, which the assistant announces) before serving."""
    retriever = assistant.retriever
    answerer = assistant.answerer
    short_answer.load_model()  # spaCy's French model, ~3 s: before the first visitor, not during their question
    try:  # the intent examples (~100, 2-3 s): likewise, and once, not by each of the first questions at once
        NearestIntent(retriever.query_vector, retriever.state.model).warm()  # through the embedder's deadline
    except Exception as error:  # an embedder down at start: the first question that needs them tries again
        log.warning("intent examples not embedded at start: %s", error)
    log.info("Index ready: %d chunks, embedding model %s, answerer %s.", len(retriever), retriever.state.model,
             answerer.name)


def tidy_store(store: Store) -> None:
    """At start: the questions past the retention purged, the evaluations a stop left "running" marked
    interrupted. A database that is down is logged and the server starts anyway (it answers without it)."""
    question_log.purge(store)
    try:
        interrupt_abandoned_runs(store, starting=True)
    except SQLAlchemyError as error:
        log.warning("could not check the evaluation runs at start (database unavailable): %s", error)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or get_settings()
    assistant = assistant or Assistant(settings)
    store = Store.from_settings(settings)  # feedback and the question log, one per app
    writer = QuestionLog(store)  # what the front ends log, written off the answer's path
    limiter = RateLimiter(settings.rate_limit_per_minute)
    mcp = mcp_server(assistant, writer, limiter, version())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(warm_up, assistant)
        writer.start()
        await run_in_threadpool(tidy_store, store)
        async with serving_mcp(mcp):
            yield
        await run_in_threadpool(writer.close)
        store.close()

    app = FastAPI(
        title=TITLE,
        version=version(),
        description="Questions sur les dispositifs d'innovation de la Région Occitanie, réponses sourcées. "
        "Les erreurs sont renvoyées en JSON : `{\"detail\": \"message en français\"}`.",
        lifespan=lifespan,
    )
    app.state.assistant = assistant
    app.state.store = store
    app.state.question_log = writer
    app.state.limiter = limiter
    install_error_handlers(app)
    app.include_router(api_router(assistant, writer, limiter, app.version))
    app.include_router(openai_router(assistant, writer, limiter))  # OpenAI's chat completions, at /v1
    app.router.routes.append(mcp_route(mcp))  # the MCP server over streamable HTTP, at /mcp
    admin = admin_router(assistant, settings)  # the console at /admin: 404 unless ASSISTANT_ADMIN_TOKEN is set
    app.state.reindexer = admin.reindexer
    app.include_router(admin)

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        return FileResponse(WIDGET, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"})

    # Added innermost first. From the outside in: believe X-Forwarded-* only from the configured
    # proxies; security headers on every response, refusals included; refuse host names we do not
    # serve, other origins on the console (/admin), the closed upload routes; errors under /v1 in
    # OpenAI's shape from here in; refuse foreign origins; then CORS headers (also on 413/429, so the
    # widget can read them), the API keys of /v1 and /mcp (when set), the body limit, and quiet client
    # errors inside streams. A CORSMiddleware on this app also makes Gradio drop its own CORS handling,
    # which reflects any Origin when the server is not on localhost.
    hosts = settings.served_hosts()
    if not settings.trusted_hosts and settings.host in ("0.0.0.0", "::"):
        log.warning("Listening on every interface, but only localhost names are served: list the public host "
                    "names in ASSISTANT_TRUSTED_HOSTS.")
    app.add_middleware(FrenchChatPage)  # the chat's page: lang="fr", and Gradio's labels in French
    app.add_middleware(ClientErrorsAfterStart)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes,
                       larger={"/admin/api/": settings.max_upload_bytes + 64_000})  # uploads, with the form around them
    app.add_middleware(ApiKeys, keys=settings.api_keys)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        max_age=600,
    )
    app.add_middleware(OriginGuard, allowed_origins=settings.allowed_origins, trusted_hosts=hosts)
    app.add_middleware(OpenAIErrors)
    app.add_middleware(ClosedPaths)
    app.add_middleware(AdminGuard)  # no other origin reaches /admin, and no CORS header leaves it
    app.add_middleware(ConsolePort, port=settings.admin_port)  # with ASSISTANT_ADMIN_PORT, /admin only there
    app.add_middleware(HostGuard, trusted_hosts=hosts)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ForwardedHeaders, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(HeadAsGet)  # outermost: every layer sees the GET it serves

    blocks = build_ui(assistant, writer, limiter)
    blocks.queue(default_concurrency_limit=GRADIO_CONCURRENCY, max_size=GRADIO_QUEUE)
    # Mounted last: at "/", it answers every path the routes above do not.
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        theme=occitanie_theme(),
        css=CSS,
        i18n=GRADIO_FRENCH,
        footer_links=[],
        run_history=False,
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        server_name=settings.host,
        server_port=settings.port,
    )


def listening_sockets(settings: Settings) -> list[socket.socket]:
    """The sockets the server listens on: ASSISTANT_PORT, and ASSISTANT_ADMIN_PORT when the console has its own.
    One uvicorn server on both (one lifespan, one signal handling); ConsolePort tells them apart."""
    ports = [settings.port] + ([settings.admin_port] if settings.admin_port else [])
    sockets = []
    for port in ports:
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        listening = socket.socket(family, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((settings.host, port))
        listening.set_inheritable(True)
        sockets.append(listening)
    return sockets


def server_config(app: FastAPI, settings: Settings, **options) -> uvicorn.Config:
    """How uvicorn serves the app: no `server` banner, and no proxy headers of its own
    (ForwardedHeaders decides whose X-Forwarded-* to believe, from ASSISTANT_TRUSTED_PROXIES)."""
    return uvicorn.Config(app, host=settings.host, port=settings.port, server_header=False, proxy_headers=False,
                          **options)


def addresses(settings: Settings) -> list[str]:
    """What the server serves, with its URL: printed once it listens, not before the index is built."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{'[' + host + ']' if ':' in host else host}:{settings.port}"
    lines = [f"Chat: {base}/"]
    if settings.admin_token:
        console = f"http://{'[' + host + ']' if ':' in host else host}:{settings.admin_port}" if settings.admin_port else base
        lines.append(f"Console: {console}/admin")
    lines += [f"Widget: {base}/widget.js", f"API docs: {base}/docs"]
    return lines


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server that logs the addresses once its socket listens (after the lifespan's start-up,
    which builds or opens the index), so a printed URL always answers."""

    def __init__(self, config: uvicorn.Config, settings: Settings):
        super().__init__(config)
        self.settings = settings

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            for line in addresses(self.settings):
                log.info("%s", line)
