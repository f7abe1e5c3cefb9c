"""The question log behind the front ends: the JSON API and the chat log each answered question once,
masked, with its id in the API's answer; thumbs sent with that id are linked to it (widget and chat,
in a real Chromium); refusals and the CLI log nothing."""

import time

import pytest
from fastapi.testclient import TestClient

from assistant import cli
from assistant.server import create_app
from assistant.store.database import Store
from tests.helpers import BUDGET
from tests.postgres import new_database
from tests.web.test_browser import CHROMIUM, browser, chat_ask, open_widget, page, site, viewport, widget_ask  # noqa: F401

MASKED_QUESTION = "Je suis au 06 12 34 56 78 (jean.dupont@example.fr) : quel est le budget du dispositif Start-up Industrie de demain ?"
CONSOLE_TOKEN = "jeton-de-test-console-0123456789"
OUT_OF_SCOPE = "Quelle est la meilleure recette de cassoulet de Castelnaudary ?"


@pytest.fixture
def settings(indexed, tmp_path):
    return indexed.model_copy(update={"data_dir": tmp_path / "data", "rate_limit_per_minute": 1000})


@pytest.fixture
def client(settings, assistant):
    with TestClient(create_app(settings, assistant)) as client:
        yield client


def logged(settings) -> list[dict]:
    return Store.from_settings(settings).questions()


def test_an_answered_question_is_logged_once_masked_with_its_id_in_the_answer(client, settings):
    answer = client.post("/api/ask", json={"question": MASKED_QUESTION}).json()
    (row,) = logged(settings)
    assert answer["id"] == row["id"]
    assert answer["question"] == MASKED_QUESTION  # the asker gets their own words back; only the log is masked
    assert row["question"] == ("Je suis au [téléphone] ([e-mail]) : quel est le budget du dispositif Start-up "
                               "Industrie de demain ?")
    assert row["sources"] == list(dict.fromkeys(c["source"] for c in answer["citations"])) and row["sources"]
    assert (row["abstained"], row["lead"], row["answerer"]) == (answer["abstained"], answer["lead"], answer["answerer"])
    assert row["latency_ms"] == answer["latency_ms"] and row["language"] == "fr"


def test_an_abstention_is_logged_as_abstained(client, settings):
    answer = client.post("/api/ask", json={"question": OUT_OF_SCOPE}).json()
    assert answer["abstained"]
    assert [(r["id"], r["abstained"]) for r in logged(settings)] == [(answer["id"], True)]
    assert Store.from_settings(settings).count_questions(abstained=True) == 1


def test_the_streamed_answer_carries_its_log_id(client, settings):
    with client.stream("POST", "/api/ask/stream", json={"question": BUDGET}) as response:
        body = "".join(response.iter_text())
    assert "event: answer" in body
    (row,) = logged(settings)
    assert f'"id":{row["id"]}' in body.replace(" ", "") and row["question"] == BUDGET


def test_feedback_with_the_answers_id_is_linked_to_the_logged_question(client, settings):
    answer = client.post("/api/ask", json={"question": BUDGET}).json()
    response = client.post("/api/feedback", json={
        "rating": "down", "reason": "Réponse inexacte", "question": answer["question"], "answer": answer["answer"],
        "citations": answer["citations"], "answerer": answer["answerer"], "question_id": answer["id"]})
    assert response.status_code == 201
    store = Store.from_settings(settings)
    (row,) = store.questions(rating="down")
    assert (row["id"], row["reason"]) == (answer["id"], "Réponse inexacte")
    assert client.post("/api/feedback", json={"rating": "up", "question": "q", "answer": "a",
                                              "question_id": 0}).status_code == 422


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, indexed, tmp_path):
    """Settings whose store is SQLite in a temp dir or a fresh database on the session's PostgreSQL, with the console on."""
    url = new_database(request.getfixturevalue("postgres")) if request.param == "postgresql" else None
    return indexed.model_copy(update={"data_dir": tmp_path / "data", "rate_limit_per_minute": 1000, "database_url": url,
                                      "admin_token": CONSOLE_TOKEN, "trusted_hosts": ["testserver"]})


def test_a_nul_character_is_dropped_so_the_question_is_logged_and_feedback_and_filters_answer(any_store, assistant):
    with TestClient(create_app(any_store, assistant)) as client:
        answer = client.post("/api/ask", json={"question": BUDGET.replace("budget", "bud\x00get")}).json()
        assert answer["id"] is not None and answer["citations"]
        feedback = client.post("/api/feedback", json={
            "rating": "down", "reason": "in\x00exact", "comment": "\x00", "question": answer["question"],
            "answer": answer["answer"] + "\x00", "citations": answer["citations"], "question_id": answer["id"]})
        assert feedback.status_code == 201, feedback.text
        bearer = {"Authorization": f"Bearer {CONSOLE_TOKEN}"}
        filtered = client.get("/admin/api/questions", params={"source": answer["citations"][0]["source"] + "\x00"},
                              headers=bearer)
        assert filtered.status_code == 200 and [q["id"] for q in filtered.json()["questions"]] == [answer["id"]]
        assert client.get("/admin/api/questions", params={"since": "2026\x00"}, headers=bearer).status_code == 422
    (row,) = Store.from_settings(any_store).questions()
    assert row["question"] == BUDGET and row["reason"] == "inexact"


def test_refused_questions_are_not_logged(client, settings):
    assert client.post("/api/ask", json={"question": "   "}).status_code == 422
    assert client.post("/api/ask", json={"question": "x" * 1001}).status_code == 422
    assert client.post("/api/ask", json={"question": BUDGET, "history": [{"role": "bot", "content": "?"}]}
                       ).status_code == 422
    assert logged(settings) == []


def test_with_the_log_off_the_answer_has_no_id_and_nothing_is_logged(settings, assistant):
    quiet = settings.model_copy(update={"question_log": False})
    with TestClient(create_app(quiet, assistant)) as client:
        answer = client.post("/api/ask", json={"question": BUDGET}).json()
        assert answer["id"] is None and answer["citations"]
        feedback = {"rating": "up", "question": BUDGET, "answer": answer["answer"], "question_id": None}
        assert client.post("/api/feedback", json=feedback).status_code == 201
    assert logged(quiet) == [] and Store.from_settings(quiet).count_feedback() == 1


def test_the_cli_does_not_log(settings, monkeypatch, capsys):
    for name in ("corpus_dir", "index_dir", "data_dir"):
        monkeypatch.setenv(f"ASSISTANT_{name.upper()}", str(getattr(settings, name)))
    assert cli.main(["ask", BUDGET]) == 0
    assert "M€" in capsys.readouterr().out
    assert logged(settings) == []


# In a real Chromium: the widget's and the chat's thumbs reach the logged question.

def wait_for(condition, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    return condition()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (/usr/bin/chromium)")
def test_the_widgets_thumbs_down_is_linked_to_the_logged_question(page, site):  # noqa: F811
    store = Store.from_settings(site["settings"])
    before = {r["id"] for r in store.questions()}
    open_widget(page, site)
    answer = widget_ask(page, MASKED_QUESTION, answers_before=1)
    answer.get_by_role("button", name="Réponse pas utile").click()
    answer.get_by_role("status").wait_for()
    assert answer.get_by_role("status").inner_text() == "Merci pour votre avis."
    (row,) = [r for r in store.questions() if r["id"] not in before]
    assert "[téléphone]" in row["question"] and "jean.dupont" not in row["question"]
    assert wait_for(lambda: store.questions(rating="down"))[0]["id"] == row["id"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (/usr/bin/chromium)")
def test_the_chats_thumbs_up_is_linked_to_the_logged_question(page, site):  # noqa: F811
    store = Store.from_settings(site["settings"])
    page.goto(site["server"] + "/")
    chat_ask(page, BUDGET, answers_before=0)
    row = wait_for(lambda: [r for r in store.questions() if r["question"] == BUDGET])[0]
    assert row["rating"] is None
    page.get_by_role("button", name="J'aime", exact=True).last.click()
    assert wait_for(lambda: store.questions(rating="up", source=row["sources"][0]))[0]["id"] == row["id"]


def test_with_the_database_down_the_assistant_still_answers(settings, assistant):
    from tests.postgres import free_port

    unreachable = settings.model_copy(update={"database_url": f"postgresql://nobody@127.0.0.1:{free_port()}/none"})
    with TestClient(create_app(unreachable, assistant)) as client:  # the start-up purge fails quietly
        response = client.post("/api/ask", json={"question": BUDGET})
    assert response.status_code == 200
    # its id is drawn when it is answered: the row waits in the log's queue for the database (tests/web/test_degraded.py)
    assert response.json()["citations"] and isinstance(response.json()["id"], int)


def test_while_the_database_is_locked_answers_are_queued_a_full_queue_counts_its_drops_and_the_rest_is_written(tmp_path):
    import sqlite3

    from assistant.models import Answer
    from assistant.store.question_log import QuestionLog

    store = Store(f"sqlite:///{tmp_path / 'log.sqlite3'}")
    store.version()  # the tables exist
    writer = QuestionLog(store, size=3)
    locker = sqlite3.connect(store.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        ids = [writer.record(Answer(question=f"Question {n} ?", answer="Réponse.")) for n in range(5)]
        print(f"5 answers queued in {time.monotonic() - started:.2f} s with the file locked")
        assert writer.health()["dropped"] >= 1
        deadline = time.monotonic() + 10
        while writer.problem() is None and time.monotonic() < deadline:  # the lock's 2 s wait, then it is said
            time.sleep(0.1)
        assert writer.problem().startswith("question log: ")
        assert store.count_questions() == 0
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert writer.flush(30)
    kept = [i for i in ids if i is not None]
    assert len(kept) == 5 - writer.health()["dropped"] >= 3
    assert sorted(r["id"] for r in store.questions()) == sorted(kept)  # every queued row written, under its answer's id
    writer.close()
    store.close()


def test_questions_waiting_together_are_written_in_one_transaction_each_as_alone(tmp_path, monkeypatch):
    """Rows queued behind a slow write go in one transaction, with their sources and answers as one row
    alone would; a batch with an id already stored (a write whose success was not heard) falls back to
    one by one, and every question is there once."""
    import threading

    from assistant.models import Answer, Citation
    from assistant.store import question_log
    from assistant.store.question_log import QuestionLog

    store = Store(f"sqlite:///{tmp_path / 'log.sqlite3'}")
    store.version()
    transactions = []
    one, many = store.log_question, store.log_questions
    held = threading.Event()
    store.log_question = lambda **values: (held.wait(10), transactions.append(1), one(**values))[-1]
    store.log_questions = lambda rows: (transactions.append(len(rows)), many(rows))[-1]
    citation = Citation(n=1, source="programmes/pass-occitanie.md", title="Pass Occitanie",
                        text="Le Pass Occitanie finance jusqu'à 20 000 €.")
    answers = [Answer(question=f"Question {n} : 06 12 34 56 78 ?", answer=f"Réponse {n}.", lead=f"Réponse {n}.",
                      citations=[citation]) for n in range(6)]
    writer = QuestionLog(store)
    try:
        ids = [writer.record(a) for a in answers]  # the first is written alone, held: the next five wait behind it
        held.set()
        assert writer.flush(10)
        assert transactions == [1, 5]
        assert sorted(r["id"] for r in store.questions()) == sorted(ids)
        shown = store.question(ids[3])
        assert "06 12" not in shown["question"] and shown["answer"] == "Réponse 3."
        assert shown["citations"][0]["source"] == "programmes/pass-occitanie.md"
        assert store.questions(source="programmes/pass-occitanie.md", limit=10)  # its sources were written too

        held.clear()
        drawn = iter([10**9, ids[1] - 1, 10**9 + 1])  # a new id, then one already stored, then a new one
        monkeypatch.setattr(question_log.secrets, "randbelow", lambda _: next(drawn))
        again = [writer.record(a) for a in answers[:3]]
        held.set()
        assert writer.flush(10)
    finally:
        writer.close()
    assert again == [10**9 + 1, ids[1], 10**9 + 2]
    assert transactions[2:] == [1, 2, 1, 1]  # the held one; the pair refused together (an id taken); each alone
    assert sorted(r["id"] for r in store.questions()) == sorted(ids + [10**9 + 1, 10**9 + 2])
    store.close()
