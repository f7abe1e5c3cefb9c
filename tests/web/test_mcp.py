"""The MCP server as the `mcp` SDK's client sees it, over both transports: streamable HTTP at /mcp on a
real server, and stdio from `python -m assistant mcp` started as a desktop client starts it. The tools
are listed; `ask` gives /api/ask's cited answer, `search` the passages without answering, `programmes`
the corpus's programme sheets; refusals are tool errors in the question's language."""

import asyncio
import os
import sys

import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from assistant.server import create_app, server_config
from assistant.settings import PROJECT_DIR
from assistant.store.database import Store
from assistant.wording import message
from tests.helpers import BUDGET, CORPUS, free_port, serving

TOOLS = {"ask", "search", "programmes"}
START_UP = "Start-up Industrie de demain"
KEY = "cle-mcp-0123456789abcdef"


def programme_sheets() -> set[str]:
    return {str(path.relative_to(CORPUS)) for path in CORPUS.rglob("*.md")
            if "\nkind: programme\n" in path.read_text(encoding="utf-8").split("\n---", 1)[0] + "\n"}


def session(target, *calls: tuple[str, dict], mode: str = "auto"):
    """List the tools and make `calls` in one client session; (tool names, results)."""

    async def run():
        async with Client(target, mode=mode, read_timeout_seconds=120) as client:
            tools = await client.list_tools()
            return {tool.name: tool for tool in tools.tools}, [await client.call_tool(name, args) for name, args in calls]

    return asyncio.run(run())


def text_of(result) -> str:
    return "".join(block.text for block in result.content if block.type == "text")


@pytest.fixture(scope="module")
def server(indexed_copy, assistant):
    port = free_port()
    settings = indexed_copy("web-mcp", port=port, rate_limit_per_minute=10_000)
    app = create_app(settings, assistant)
    with serving(server_config(app, settings, log_level="warning")):
        yield {"url": f"http://127.0.0.1:{port}", "settings": settings, "app": app}


@pytest.fixture(scope="module")
def over_http(server):
    """One session over streamable HTTP that calls each tool."""
    return session(f"{server['url']}/mcp", ("ask", {"question": BUDGET}), ("search", {"question": BUDGET, "k": 3}),
                   ("programmes", {}))


# Streamable HTTP

def test_the_tools_are_listed_with_their_schemas(over_http):
    tools, _ = over_http
    assert set(tools) == TOOLS
    assert tools["ask"].input_schema["required"] == ["question"] and "history" in tools["ask"].input_schema["properties"]
    assert {"lead", "citations", "abstained", "id"} <= set(tools["ask"].output_schema["properties"])
    assert tools["search"].input_schema["properties"]["k"]["maximum"] == 20
    assert all(tool.annotations.read_only_hint for tool in tools.values())


def test_ask_gives_the_cited_answer_of_api_ask(server, over_http):
    _, (asked, _, _) = over_http
    api = httpx.post(f"{server['url']}/api/ask", json={"question": BUDGET}, timeout=60).json()
    assert not asked.is_error
    answer = asked.structured_content
    assert answer["lead"] == api["lead"] and "M€" in answer["lead"]
    assert answer["citations"] == api["citations"] and answer["citations"][0]["title"] == START_UP
    assert answer["abstained"] is False and isinstance(answer["id"], int)
    text = text_of(asked)
    assert text.startswith(api["answer"]) and "[1]" in text
    assert f"\n\nSources :\n- [1] {START_UP}" in text
    assert api["citations"][0]["quotes"][0] in text[len(api["answer"]):]


def test_ask_reads_the_conversation(server):
    history = [{"role": "user", "content": "Qu'est-ce que le dispositif Start-up Industrie de demain ?"},
               {"role": "assistant", "content": "Un dispositif de la Région Occitanie."}]
    _, (asked,) = session(f"{server['url']}/mcp", ("ask", {"question": "Et quel est son budget ?", "history": history}))
    assert START_UP in asked.structured_content["query"]
    assert asked.structured_content["citations"][0]["title"] == START_UP


def test_search_gives_the_retrievers_passages_with_scores_and_answers_nothing(server, over_http, assistant):
    store = Store.from_settings(server["settings"])
    try:
        before = store.count_questions()
        _, (found,) = session(f"{server['url']}/mcp", ("search", {"question": BUDGET, "k": 4}))
        assert store.count_questions() == before  # nothing answered, nothing logged
    finally:
        store.close()
    passages = found.structured_content["passages"]
    expected = assistant.retriever.search(assistant.prepare(BUDGET).query, k=4)
    assert [(p["source"], p["text"]) for p in passages] == [(e.chunk.source, e.chunk.text) for e in expected]
    assert [p["rank"] for p in passages] == [1, 2, 3, 4]
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
    assert START_UP in passages[0]["title"] and passages[0]["lexical"] > 0 and passages[0]["dense"] > 0
    assert "lead" not in found.structured_content
    _, (_, three, _) = over_http
    assert len(three.structured_content["passages"]) == 3


def test_programmes_lists_the_programme_sheets_of_the_corpus(over_http):
    _, (_, _, listed) = over_http
    programmes = listed.structured_content["programmes"]
    assert {p["source"] for p in programmes} == programme_sheets() and len(programmes) == 12
    pass_occitanie = next(p for p in programmes if p["source"] == "programmes/pass-occitanie.md")
    assert pass_occitanie["title"] == "Pass Occitanie" and pass_occitanie["date"] == "2022-04-12"
    assert pass_occitanie["status"] == "closed"
    (profile,) = pass_occitanie["profiles"]  # what the assistant understood of it, each field with its sentence
    assert any(c["dimension"] == "staff" and c["fact"]["text"] for c in profile["criteria"])
    assert [p["title"].lower() for p in programmes] == sorted(p["title"].lower() for p in programmes)


def test_a_client_of_the_initialize_handshake_gets_the_same_tools(server):
    tools, (listed,) = session(f"{server['url']}/mcp", ("programmes", {}), mode="legacy")
    assert set(tools) == TOOLS and len(listed.structured_content["programmes"]) == 12


def test_refusals_are_tool_errors_in_the_questions_language(server):
    long_english = " ".join(["What is the budget of the Start-up Industrie de demain scheme?"] * 20)
    _, (empty, too_long, too_many) = session(f"{server['url']}/mcp", ("ask", {"question": "  "}),
                                             ("ask", {"question": long_english}),
                                             ("search", {"question": BUDGET, "k": 500}))
    assert empty.is_error and text_of(empty) == message("fr", "empty")
    assert too_long.is_error and text_of(too_long) == message("en", "too_long", length=len(long_english), limit=1000)
    assert too_many.is_error and "k" in text_of(too_many)


def test_over_http_questions_count_against_the_clients_rate(server):
    limiter = server["app"].state.limiter  # the app's one limiter, lowered for this test
    per_minute = limiter.per_minute
    limiter.per_minute = 1
    limiter.reset()
    try:
        _, (first, second) = session(f"{server['url']}/mcp", ("ask", {"question": "Qu'est-ce que READYNOV ?"}),
                                     ("ask", {"question": "Qu'est-ce que READYNOV ?"}))
    finally:
        limiter.per_minute = per_minute
        limiter.reset()
    assert not first.is_error
    assert second.is_error and text_of(second).startswith("Trop de questions : 1 par minute au maximum.")


def test_with_keys_set_mcp_needs_one(indexed_copy, assistant):
    port = free_port()
    settings = indexed_copy("web-mcp-keys", port=port, api_keys=[KEY])
    url = f"http://127.0.0.1:{port}/mcp"
    with serving(server_config(create_app(settings, assistant), settings, log_level="warning")):
        refused = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                             headers={"Authorization": "Bearer wrong-key-0123456789"})
        assert refused.status_code == 401 and refused.json() == {"detail": message("fr", "api_key_refused")}
        with_key = streamable_http_client(url, http_client=create_mcp_http_client(headers={"Authorization": f"Bearer {KEY}"}))
        tools, (listed,) = session(with_key, ("programmes", {}))
    assert set(tools) == TOOLS and len(listed.structured_content["programmes"]) == 12


# stdio, as a desktop client starts it

def test_over_stdio_python_m_assistant_mcp_lists_and_answers(indexed_copy):
    settings = indexed_copy("mcp-stdio")
    environment = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir),
                   "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_DATA_DIR": str(settings.data_dir)}
    command = StdioServerParameters(command=sys.executable, args=["-m", "assistant", "mcp"], env=environment,
                                    cwd=PROJECT_DIR)
    tools, (asked, found, listed) = session(command, ("ask", {"question": BUDGET}),
                                            ("search", {"question": BUDGET, "k": 2}), ("programmes", {}))
    assert set(tools) == TOOLS
    assert not asked.is_error and asked.structured_content["citations"][0]["title"] == START_UP
    assert "M€" in asked.structured_content["lead"] and "\n\nSources :\n- [1] " in text_of(asked)
    assert [p["rank"] for p in found.structured_content["passages"]] == [1, 2]
    assert {p["source"] for p in listed.structured_content["programmes"]} == programme_sheets()
    store = Store.from_settings(settings)  # the question went to the log of the data directory it was given
    try:
        assert store.count_questions() == 1
        assert asked.structured_content["id"] is not None
    finally:
        store.close()


def test_an_answer_that_fails_is_a_tool_error_with_the_internal_message(server, assistant, monkeypatch):
    def broken(analysis):
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(assistant, "answer", broken)
    _, (failed,) = session(f"{server['url']}/mcp", ("ask", {"question": "What is the Pass Occitanie?"}))
    assert failed.is_error and text_of(failed) == message("en", "internal")
