"""The answer path depends on nothing it does not need (issue 22, items 4, 5 and 16), with real servers:
a PostgreSQL frozen with SIGSTOP and one that is not there, a SQLite file another connection holds
write-locked, a Chroma server stopped and then frozen, an embeddings server answering 500, a web page,
vectors of the wrong dimension or one vector too many. Under each, 20 questions asked at once are all
answered (from the lexical index, saying so, when the dense search is missing), `/api/health` says
`degraded` and why, feedback and the console answer a French 503 with one log line, and everything
comes back by itself once the server does: the questions logged meanwhile are written, none lost.

Each request has a 15 s limit: on the code before this, every one of these faults made questions take
30 s or more, or fail. The timings are printed (`pytest -s`)."""

import os
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

from assistant.assistant import Assistant
from assistant.ingest.indexer import build_index
from assistant.server import create_app, server_config
from assistant.store.database import Store
from assistant.wording import message
from tests.helpers import BUDGET, free_port, make_settings, serving
from tests.postgres import binaries, postgres_server
from tests.retrieval.test_chroma_server import start_chroma
from tests.retrieval.test_embeddings import QUESTION, TEXTS, vectors_server  # noqa: F401 - a server per test

pytestmark = pytest.mark.slow

TOKEN = "jeton-de-test-console-0123456789"
AT_ONCE = 20
LIMIT_S = 15  # per request: generous, and half of what the slowest fault cost before
NOTICE = message("fr", "dense_unavailable")
STORE_DOWN = message("fr", "store_unavailable")


def degraded_settings(settings, tmp_path, **overrides):
    """The app's settings for these tests: its own data directory, the console on, no rate limit in the
    way, and a Chroma or embeddings server tried again 0.5 s after it failed."""
    return settings.model_copy(update={"data_dir": tmp_path / "data", "rate_limit_per_minute": 10_000, "port": free_port(),
                                       "admin_token": TOKEN, "dependency_retry_s": 0.5, **overrides})


@contextmanager
def served(settings, assistant=None):
    """The app on a real uvicorn server in a thread; its base URL and the app."""
    app = create_app(settings, assistant or Assistant(settings))
    with serving(server_config(app, settings, log_level="warning")):
        yield f"http://127.0.0.1:{settings.port}", app


def ask_at_once(url: str, question: str = BUDGET, count: int = AT_ONCE) -> list[tuple[int, float, dict]]:
    """`count` questions sent together; (status, seconds, body) of each, printed."""

    def ask(_):
        started = time.monotonic()
        response = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=LIMIT_S)
        return response.status_code, time.monotonic() - started, response.json()

    with ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(ask, range(count)))
    times = sorted(seconds for _, seconds, _ in answers)
    print(f"{count} questions at once: {times[0]:.2f}-{times[-1]:.2f} s, median {times[len(times) // 2]:.2f} s")
    return answers


def health(url: str) -> dict:
    return httpx.get(f"{url}/api/health", timeout=LIMIT_S).json()


def wait_for(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return found


def feedback(url: str, answer: dict) -> httpx.Response:
    return httpx.post(f"{url}/api/feedback", timeout=LIMIT_S, json={
        "rating": "down", "question": answer["question"], "answer": answer["answer"], "question_id": answer["id"]})


def console(url: str, path: str) -> httpx.Response:
    return httpx.get(f"{url}/admin/api/{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=LIMIT_S)


@contextmanager
def frozen(pids: list[int]):
    """The processes stopped (SIGSTOP) as a partitioned or hung server is: connections open, nothing answered."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def store_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "database unavailable" in r.getMessage()]


# --- the database ------------------------------------------------------------------------------------

def test_with_the_database_down_answers_are_given_and_feedback_and_the_console_answer_a_french_503(
        indexed, assistant, tmp_path, caplog):
    down = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    settings = degraded_settings(indexed, tmp_path, database_url=down)
    with served(settings, assistant) as (url, app):
        answers = ask_at_once(url)
        assert all(status == 200 and body["citations"] and body["id"] for status, _, body in answers)
        state = health(url)
        assert state["status"] == "degraded" and state["question_log"]["waiting"] >= 1
        assert any(p.startswith("question log:") and "Connection refused" in p for p in state["problems"])
        caplog.clear()
        refused = feedback(url, answers[0][2])
        assert (refused.status_code, refused.json()) == (503, {"detail": STORE_DOWN})
        for path in ("questions", "gaps", "evals", "exports/questions.csv", "exports/feedback.csv"):
            page = console(url, path)
            assert (page.status_code, page.json()) == (503, {"detail": STORE_DOWN}), path
        # one line per request, no traceback
        assert len(store_lines(caplog)) == 6 and not any(r.exc_info for r in caplog.records)


def test_a_write_locked_sqlite_file_does_not_hold_answers_and_the_log_is_written_once_it_is_free(
        indexed, assistant, tmp_path):
    settings = degraded_settings(indexed, tmp_path)
    with served(settings, assistant) as (url, app):
        first = httpx.post(f"{url}/api/ask", json={"question": BUDGET}, timeout=LIMIT_S).json()
        healthy = ask_at_once(url)  # printed beside the locked run: on shared cores, most of the time is CPU
        locker = sqlite3.connect(Store.from_settings(settings).path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # another process writing, or stuck while it writes
        try:
            answers = ask_at_once(url)
            assert all(status == 200 and body["citations"] and body["id"] for status, _, body in answers)
            state = wait_for(lambda: (h := health(url))["status"] == "degraded" and h)
            assert any(p.startswith("question log:") for p in state["problems"])
            assert state["question_log"]["waiting"] >= 1
            assert feedback(url, first).status_code == 503
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert app.state.question_log.flush(30)
        assert wait_for(lambda: health(url)["status"] == "ok")
        assert feedback(url, first).status_code == 201
    logged = {row["id"] for row in Store.from_settings(settings).questions()}
    assert logged == {first["id"]} | {body["id"] for _, _, body in healthy + answers}  # none lost


@pytest.mark.skipif(binaries() is None, reason="PostgreSQL is not installed")
def test_a_frozen_postgresql_does_not_hold_answers_and_the_log_is_written_once_it_answers(indexed, assistant, tmp_path):
    with postgres_server() as database_url:
        with psycopg.connect(database_url) as connection:
            backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        settings = degraded_settings(indexed, tmp_path, database_url=database_url)
        with served(settings, assistant) as (url, app):
            first = httpx.post(f"{url}/api/ask", json={"question": BUDGET}, timeout=LIMIT_S).json()
            assert app.state.question_log.flush(10)
            with frozen([postmaster, *children(postmaster)]):
                answers = ask_at_once(url)
                assert all(status == 200 and body["citations"] and body["id"] for status, _, body in answers)
                state = wait_for(lambda: (h := health(url))["status"] == "degraded" and h)
                assert any("has not answered" in p for p in state["problems"]), state
                started = time.monotonic()
                refused = feedback(url, first)
                assert (refused.status_code, refused.json()) == (503, {"detail": STORE_DOWN})
                page = console(url, "questions")
                assert (page.status_code, page.json()) == (503, {"detail": STORE_DOWN})
                print(f"feedback and a console page refused in {time.monotonic() - started:.2f} s")
            assert app.state.question_log.flush(30)
            assert wait_for(lambda: health(url)["status"] == "ok")
        logged = {row["id"] for row in Store.from_settings(settings).questions()}
        assert logged == {first["id"]} | {body["id"] for _, _, body in answers}  # none lost


# --- the vector store and the embeddings server -------------------------------------------------------

def test_with_the_chroma_server_stopped_then_frozen_questions_are_answered_from_the_lexical_index(
        corpus_copy, tmp_path):
    port = free_port()
    data = tmp_path / "chroma-data"
    chroma = start_chroma(data, port)
    corpus_copy.chroma_url = f"http://127.0.0.1:{port}"
    build_index(corpus_copy)
    chroma.terminate()
    chroma.wait(timeout=10)
    settings = degraded_settings(corpus_copy, tmp_path)
    try:
        with served(settings) as (url, app):  # the app starts with the Chroma server down
            answers = ask_at_once(url)
            assert all(status == 200 and body["citations"] and body["notice"] == NOTICE and body["answer"].endswith(NOTICE)
                       for status, _, body in answers)
            assert answers[0][2]["citations"][0]["source"] == "programmes/start-up-industrie-de-demain.md"
            state = health(url)
            assert state["status"] == "degraded" and any(p.startswith("vector store:") for p in state["problems"])

            chroma = start_chroma(data, port)  # back: health and answers recover by themselves
            assert wait_for(lambda: health(url)["status"] == "ok")
            assert httpx.post(f"{url}/api/ask", json={"question": BUDGET}, timeout=LIMIT_S).json()["notice"] is None

            with frozen([chroma.pid, *children(chroma.pid)]):
                answers = ask_at_once(url, "Qu'est-ce que le Pass Occitanie ?")  # not asked before: searched now
                assert all(status == 200 and body["citations"] and body["notice"] == NOTICE for status, _, body in answers)
                assert health(url)["status"] == "degraded"
                again = httpx.post(f"{url}/api/ask", json={"question": BUDGET}, timeout=LIMIT_S).json()
                assert again["notice"] is None and again["citations"]  # answered before the freeze: served as it was
            assert wait_for(lambda: health(url)["status"] == "ok")
    finally:
        chroma.terminate()
        chroma.wait(timeout=10)


@pytest.mark.parametrize("mode, reason", [
    ("500", "answered 500"),
    ("html", "something else than embeddings"),
    ("short", "vectors of 15 dimensions, the index holds 16"),
    ("extra", "returned 2 vectors for 1 texts"),
])
def test_a_faulty_embeddings_server_leaves_questions_answered_from_the_lexical_index(vectors_server, tmp_path,  # noqa: F811
                                                                                      mode, reason):
    (tmp_path / "corpus").mkdir()
    for n, text in enumerate(TEXTS):
        (tmp_path / "corpus" / f"d{n}.md").write_text(f"# Fiche {n}\n\n{text}\n", encoding="utf-8")
    vectors_server.mode = "good"
    settings = make_settings(tmp_path, embedding_model="hash-16", embeddings_url=vectors_server.url)
    build_index(settings)
    settings = degraded_settings(settings, tmp_path)
    with served(settings) as (url, app):
        vectors_server.mode = mode
        answers = ask_at_once(url, QUESTION)
        assert all(status == 200 and body["notice"] == NOTICE for status, _, body in answers)
        assert answers[0][2]["citations"][0]["source"] == "d2.md"
        state = health(url)
        assert state["status"] == "degraded"
        assert any(p.startswith("embeddings server:") and reason in p for p in state["problems"]), state["problems"]
        vectors_server.mode = "good"
        assert wait_for(lambda: health(url)["status"] == "ok")
        assert httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=LIMIT_S).json()["notice"] is None
