"""A question asked again is served from the assistant's recent answers: the same Answer (a copy, with its
own latency), no second search; a different conversation, a new index (a console re-index swaps it) or an
answer made without the dense search is answered anew; the API still logs every question. Real index,
real Chroma and e5-small; the retriever's `hybrid` is only counted."""

import threading

import pytest
from fastapi.testclient import TestClient

from assistant.assistant import Assistant
from assistant.retrieval.retriever import Retriever
from assistant.server import create_app
from assistant.store.database import Store

QUESTION = "Quel est le budget du dispositif Start-up Industrie de demain ?"
FOLLOW_UP = "Et quel est son taux ?"


def counted_searches(retriever: Retriever, monkeypatch) -> list[str]:
    """The queries `retriever.hybrid` is asked, from now on (it still searches)."""
    queries: list[str] = []
    search = retriever.hybrid

    def counting(query, *args, **kwargs):
        queries.append(query)
        return search(query, *args, **kwargs)

    monkeypatch.setattr(retriever, "hybrid", counting)
    return queries


def same(first, second) -> bool:
    return first.model_dump(exclude={"latency_ms"}) == second.model_dump(exclude={"latency_ms"})


@pytest.fixture
def assistant(indexed_copy):
    return Assistant(indexed_copy("answer-cache", dependency_retry_s=0.2))


def test_a_repeated_question_gets_the_same_answer_without_searching_again(assistant, monkeypatch):
    searches = counted_searches(assistant.retriever, monkeypatch)
    first = assistant.ask(QUESTION)
    again = assistant.ask(QUESTION)
    assert searches == [QUESTION]
    assert same(first, again) and "M€" in first.lead
    assert again is not first
    again.lead = "changed by a front end"
    assert assistant.ask(QUESTION).lead == first.lead  # what a caller does to its copy is not served to the next

    streamed = list(assistant.ask_stream(QUESTION))
    assert len(searches) == 1 and same(streamed[-1], first)


def test_another_conversation_or_question_is_answered_anew(assistant, monkeypatch):
    searches = counted_searches(assistant.retriever, monkeypatch)
    standalone = assistant.ask(FOLLOW_UP)
    history = [{"role": "user", "content": "Le Prêt Relance Occitanie ?"}]
    follow_up = assistant.ask(FOLLOW_UP, history)
    other_history = assistant.ask(FOLLOW_UP, [{"role": "user", "content": "Le Pass Occitanie ?"}])
    assert len(searches) == 3
    assert follow_up.query != standalone.query and other_history.query != follow_up.query
    assert same(assistant.ask(FOLLOW_UP, history), follow_up) and len(searches) == 3


def test_a_new_index_is_answered_from_not_the_old_answers(assistant, monkeypatch):
    assistant.ask(QUESTION)
    fresh = Retriever.open(assistant.settings)  # what a console re-index hands over
    searches = counted_searches(fresh, monkeypatch)
    assistant.swap(fresh)
    assistant.ask(QUESTION)
    assert searches == [QUESTION]


def test_an_answer_made_without_the_dense_search_is_not_served_again(assistant, monkeypatch):
    inner = assistant.retriever.embeddings.inner
    embed = inner.embed_query
    monkeypatch.setattr(inner, "embed_query", lambda text: (_ for _ in ()).throw(RuntimeError("embedder down")))
    question = "Le Pass Occitanie est-il encore ouvert aux entreprises ?"  # a new question: its vector is not cached
    degraded = assistant.ask(question)
    assert degraded.notice is not None
    monkeypatch.setattr(inner, "embed_query", embed)
    threading.Event().wait(0.3)  # past dependency_retry_s: the embedder is tried again
    recovered = assistant.ask(question)
    assert recovered.notice is None and any(p.dense > 0 for p in recovered.provenance.passages)


def test_twenty_askers_of_one_new_question_at_once_get_one_answer_made_once(assistant, monkeypatch):
    searches = counted_searches(assistant.retriever, monkeypatch)
    answers = []
    askers = [threading.Thread(target=lambda: answers.append(assistant.ask(QUESTION))) for _ in range(20)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join(60)
    assert len(answers) == 20 and all(same(a, answers[0]) for a in answers)
    assert searches == [QUESTION]


def test_the_api_logs_every_question_even_when_its_answer_is_served_again(indexed_copy):
    settings = indexed_copy("answer-cache-api", rate_limit_per_minute=10_000)
    assistant = Assistant(settings)
    with TestClient(create_app(settings, assistant)) as client:
        bodies = [client.post("/api/ask", json={"question": QUESTION}).json() for _ in range(3)]
        assert client.app.state.question_log.flush(10)
    assert len({b["id"] for b in bodies}) == 3 and all(b["lead"] == bodies[0]["lead"] for b in bodies)
    logged = Store.from_settings(settings).questions()
    assert sorted(row["id"] for row in logged) == sorted(b["id"] for b in bodies)
