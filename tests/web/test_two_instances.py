"""Two app instances, as a deployment behind a load balancer runs them: two uvicorn processes of
`create_app`, each with its own index directory, on one PostgreSQL database and one Chroma server. A
question asked on one shows in the other's console (/admin/api/questions, with the admin token), and
thumbs given on one link to the question logged by the other; a console session opened on one is valid on
the other until a logout on either."""

import os
import subprocess
import sys
import time

import httpx
import pytest

from assistant.ingest.indexer import build_index
from assistant.store.database import DATABASE_FILE
from tests.postgres import free_port, new_database
from tests.retrieval.test_chroma_server import chroma_server  # noqa: F401 - the fixture

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "jeton-de-test-assez-long-0123456789"
ASKED_ON_A = "Je suis joignable au 06 12 34 56 78 : quel est le budget du dispositif Start-up Industrie de demain ?"
ASKED_ON_B = "Qui contacter pour un projet innovant ?"

pytestmark = pytest.mark.slow


def start_instance(settings, database_url: str, log_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_CHROMA_URL": settings.chroma_url,
        "ASSISTANT_DATABASE_URL": database_url,
        "ASSISTANT_ADMIN_TOKEN": TOKEN,
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "1000",
    }
    command = [sys.executable, "-m", "uvicorn", "assistant.server:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(process: subprocess.Popen, url: str, log_path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the instance at {url} exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the instance at {url} did not start:\n{log_path.read_text(errors='replace')[-3000:]}")


def logged(url: str, **filters) -> list[dict]:
    """The questions as this instance's console lists them."""
    response = httpx.get(f"{url}/admin/api/questions", params=filters, timeout=30,
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    return response.json()["questions"]


def test_a_question_asked_on_one_instance_shows_on_the_other(corpus_copy, chroma_server, postgres, tmp_path):  # noqa: F811
    chroma_url, _ = chroma_server
    database_url = new_database(postgres)
    shared = corpus_copy.model_copy(update={"chroma_url": chroma_url})
    instances = {name: shared.model_copy(update={"index_dir": tmp_path / f"{name}-index",
                                                 "data_dir": tmp_path / f"{name}-data"}) for name in "ab"}
    first = build_index(instances["a"])
    assert first.embedded == first.chunks > 50
    assert build_index(instances["b"]).embedded == 0  # the vectors are on the shared Chroma server

    processes = {}
    try:
        for name, settings in instances.items():
            processes[name] = start_instance(settings, database_url, tmp_path / f"{name}.log")
        for name, (process, url) in processes.items():
            wait_until_serving(process, url, tmp_path / f"{name}.log")
        a, b = processes["a"][1], processes["b"][1]

        on_a = httpx.post(f"{a}/api/ask", json={"question": ASKED_ON_A}, timeout=60).json()
        assert on_a["citations"] and isinstance(on_a["id"], int)
        seen_on_b = {r["id"]: r for r in logged(b)}
        assert seen_on_b[on_a["id"]]["question"] == ASKED_ON_A.replace("06 12 34 56 78", "[téléphone]")
        assert seen_on_b[on_a["id"]]["sources"] == list(dict.fromkeys(c["source"] for c in on_a["citations"]))

        rated = httpx.post(f"{b}/api/feedback", timeout=30, json={
            "rating": "down", "reason": "Réponse inexacte", "question": on_a["question"], "answer": on_a["answer"],
            "citations": on_a["citations"], "answerer": on_a["answerer"], "question_id": on_a["id"]})
        assert rated.status_code == 201
        assert [r["id"] for r in logged(a, rating="down")] == [on_a["id"]]

        on_b = httpx.post(f"{b}/api/ask", json={"question": ASKED_ON_B}, timeout=60).json()
        assert [r["id"] for r in logged(a)] == [on_b["id"], on_a["id"]]  # newest first

        # A console session opened on one instance works on the other, and a logout on either ends it on both.
        login = httpx.post(f"{a}/admin/api/login", json={"token": TOKEN}, timeout=30)
        cookies, csrf = login.cookies, login.json()["csrf"]
        assert httpx.get(f"{b}/admin/api/session", cookies=cookies, timeout=30).json()["csrf"] == csrf
        assert httpx.get(f"{b}/admin/api/questions", cookies=cookies, timeout=30).status_code == 200
        assert httpx.post(f"{b}/admin/api/logout", cookies=cookies, headers={"X-CSRF-Token": csrf},
                          timeout=30).status_code == 200
        for url in (a, b):
            assert httpx.get(f"{url}/admin/api/questions", cookies=cookies, timeout=30).status_code == 401
    finally:
        for process, _ in processes.values():
            process.terminate()
        for process, _ in processes.values():
            process.wait(timeout=30)
    assert not any((tmp_path / f"{name}-data" / DATABASE_FILE).exists() for name in "ab")  # all in PostgreSQL
