"""The Model Context Protocol server (the official `mcp` SDK): desktop and IDE assistants and agent
frameworks call the assistant as tools.

- `ask`: a question (and the conversation so far) answered from the sources; the text ends with the
  numbered sources, the structured content is the answer as /api/ask returns it, with its log id.
- `search`: the passages retrieved for a question, with their scores; nothing is answered or logged.
- `programmes`: the programme sheets of the corpus, with their title, date and source.

Served over streamable HTTP at `/mcp` by the web app (`mcp_route`, run in its lifespan by
`serving_mcp`), and over stdio by `python -m assistant mcp`. Over HTTP the questions count against the
client's rate like /api/ask's; refusals come back as tool errors in the question's language."""

import logging
from contextlib import asynccontextmanager
from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from assistant.assistant import Assistant, InvalidQuestion
from assistant.models import Message
from assistant.profiles.model import Profile
from assistant.store.question_log import QuestionLog
from assistant.web.api import AskResponse, client_key
from assistant.web.openai_api import shown, sourced_text
from assistant.web.security import RateLimiter, rate_limited_message
from assistant.wording import message

log = logging.getLogger("assistant.web")

NAME = "assistant-innovation-occitanie"
INSTRUCTIONS = (
    "Answers questions about the Région Occitanie innovation programmes (in French or English) from its "
    "documents only, with numbered citations [n] and the sentences quoted; it says so when the documents "
    "do not answer. Quote the sources it gives; do not add facts of your own."
)
MAX_SEARCH = 20
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


class FoundPassage(BaseModel):
    rank: int = Field(description="1 = best fused score")
    source: str = Field(description="path of the document, relative to the corpus")
    title: str
    section: str = ""
    date: str | None = None
    url: str | None = None
    text: str = Field(description="the passage, as in the document")
    score: float = Field(description="the hybrid score passages are ranked by")
    lexical: float = Field(description="BM25 score of the expanded query")
    dense: float = Field(description="cosine similarity of the query and passage vectors")


class SearchResult(BaseModel):
    query: str = Field(description="the text searched")
    passages: list[FoundPassage]


class Programme(BaseModel):
    source: str = Field(description="path of the sheet, relative to the corpus")
    title: str
    date: str | None = Field(default=None, description="the sheet's date (ISO), when it has one")
    url: str | None = None
    status: str | None = Field(default=None, description="open, closed..., when the sheet says")
    as_of: str | None = Field(default=None, description="when the sheet's facts were last checked")
    profiles: list[Profile] = Field(default_factory=list, description="what the assistant understood of the "
                                    "programmes the sheet describes: amounts, criteria with their conditions, contact")


class Programmes(BaseModel):
    programmes: list[Programme]


def refused(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


def mcp_server(assistant: Assistant, question_log: QuestionLog, limiter: RateLimiter, version: str = "") -> MCPServer:
    server = MCPServer(name=NAME, title="Assistant innovation Occitanie", instructions=INSTRUCTIONS, version=version)

    def limited(context: Context, kind: str, language: str) -> str | None:
        """Over HTTP, the client's rate (stdio has one client, the desktop that started it)."""
        request = context.request_context.request
        if request is None:
            return None
        wait = limiter.hit(f"{kind}:{client_key(request)}")
        return None if wait is None else rate_limited_message(limiter.per_minute, wait, language)

    @server.tool(name="ask", annotations=READ_ONLY)
    def ask(question: str, context: Context, history: list[Message] | None = None) -> Annotated[CallToolResult, AskResponse]:
        """Answer a question about the Région Occitanie innovation programmes from their documents: the
        text cites its sources [n] and lists them (title, date, quoted sentence); the structured content has
        the lead, the citations, `abstained` (true when the documents do not answer) and the log id.
        `history`: the conversation so far, oldest first ({role: user|assistant, content}), for a follow-up."""
        try:
            analysis = assistant.prepare(question, history or [])
        except InvalidQuestion as error:
            return refused(str(error))
        if refusal := limited(context, "ask", analysis.language):
            return refused(refusal)
        try:
            answer = assistant.answer(analysis)
        except Exception:
            log.exception("MCP ask failed for a %d-character question", len(analysis.question))
            return refused(message(analysis.language, "internal"))
        result = shown(answer, question_log.record(answer))
        return CallToolResult(content=[TextContent(type="text", text=sourced_text(answer))],
                              structured_content=result.model_dump(mode="json"))

    @server.tool(name="search", annotations=READ_ONLY)
    def search(question: str, context: Context,
               k: Annotated[int, Field(ge=1, le=MAX_SEARCH)] = 5) -> Annotated[CallToolResult, SearchResult]:
        """The `k` passages of the documents that best match a question, best first, with their scores
        (hybrid, lexical, dense): the raw material of an answer, without answering."""
        try:
            analysis = assistant.prepare(question)
        except InvalidQuestion as error:
            return refused(str(error))
        if refusal := limited(context, "search", analysis.language):
            return refused(refusal)
        passages = assistant.retriever.search(analysis.query, k=k)
        result = SearchResult(query=analysis.query, passages=[
            FoundPassage(rank=rank, source=p.chunk.source, title=p.chunk.title, section=p.chunk.section,
                         date=p.chunk.date, url=p.chunk.url, text=p.chunk.text, score=round(p.score, 4),
                         lexical=round(p.lexical, 4), dense=round(p.dense, 4))
            for rank, p in enumerate(passages, 1)])
        return CallToolResult(content=[TextContent(type="text", text=result.model_dump_json(indent=1))],
                              structured_content=result.model_dump(mode="json"))

    @server.tool(name="programmes", annotations=READ_ONLY)
    def programmes() -> Programmes:
        """The programme sheets the assistant answers from: title, date, status and source of each, with
        the profiles of the programmes it describes (every field with its source sentence)."""
        state = assistant.retriever.state
        sheets: dict[str, Programme] = {}
        for chunk in state.chunks:
            if chunk.kind == "programme" and chunk.source not in sheets:
                sheets[chunk.source] = Programme(source=chunk.source, title=chunk.title, date=chunk.date,
                                                 url=chunk.url, status=chunk.status, as_of=chunk.as_of,
                                                 profiles=[p for p in state.profiles or [] if p.source == chunk.source])
        return Programmes(programmes=sorted(sheets.values(), key=lambda p: p.title.lower()))

    return server


class MCPEndpoint:
    """The ASGI endpoint of `/mcp`: the server's current session manager, the one `serving_mcp` runs."""

    def __init__(self, server: MCPServer):
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.server.session_manager.handle_request(scope, receive, send)


def mcp_route(server: MCPServer, path: str = "/mcp") -> Route:
    return Route(path, endpoint=MCPEndpoint(server))


@asynccontextmanager
async def serving_mcp(server: MCPServer):
    """For the app's lifespan: a new session manager for each start (one runs once only). Stateless and
    in JSON, so that any instance behind a load balancer answers any request. Host names and origins are
    checked by the app's own guards (assistant/web/security.py), not the SDK's."""
    server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True,
                               transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
    async with server.session_manager.run():
        yield
