"""Retrieval on the real corpus (hybrid vs its lexical and dense halves), the per-document cap, and
the lexical index following the code's BM25 parameters and analyser version."""

import json

import numpy as np
import pytest

from assistant.ingest import indexer
from assistant.ingest.indexer import build_index
from assistant.retrieval import lexical
from assistant.retrieval.index_state import STATE_FILE, IndexState
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.retriever import Retriever

ANNOUNCEMENT = "annonces/2024-05-region-occitanie-vivatech.md"

# (question, document that answers it): questions as users type them, French and English.
QUESTIONS = [
    ("Le Pass Occitanie est-il encore ouvert ?", "programmes/pass-occitanie.md"),
    ("quel est le taux du prêt relance occitanie", "programmes/prets-region-bpifrance.md"),
    ("What is ANITI?", "programmes/aniti.md"),
    ("Combien de chercheurs le CNRS a en Occitanie ?", ANNOUNCEMENT),
    ("Quel est le budget du dispositif Start-up Industrie de demain ?", ANNOUNCEMENT),
    ("Readynov finance quel pourcentage des dépenses ?", "programmes/readynov.md"),
    ("Le plan IA Occitanie a été voté quand ?", "programmes/plan-ia-occitanie.md"),
    ("Quelles conditions pour le statut de jeune entreprise innovante ?", "programmes/jeune-entreprise-innovante.md"),
    ("How much is the Pass Occitanie grant?", "programmes/pass-occitanie.md"),
    ("pret croissance tpe montant max", "programmes/prets-region-bpifrance.md"),
    ("startoc comment ça marche", "programmes/startoc-process.md"),
]


@pytest.fixture(scope="module")
def retriever(indexed):
    return Retriever.open(indexed)


def sources(retriever, question, k=3, mode="hybrid"):
    return [p.chunk.source for p in retriever.search(question, k=k, mode=mode)]


def test_a_question_about_a_scheme_gets_its_sheet_first(retriever):
    assert sources(retriever, "Le Pass Occitanie est-il encore ouvert ?")[0] == "programmes/pass-occitanie.md"
    assert sources(retriever, "quel est le taux du prêt relance occitanie")[0] == "programmes/prets-region-bpifrance.md"


def test_an_english_question_finds_the_french_sheet(retriever):
    assert "programmes/aniti.md" in sources(retriever, "What is ANITI?")


def test_the_primary_source_ranks_with_or_before_the_sheet_that_summarises_it(retriever):
    assert ANNOUNCEMENT in sources(retriever, "Combien de chercheurs CNRS en Occitanie ?")
    first = retriever.search("Quel est le budget du dispositif Start-up Industrie de demain ?", k=1)[0]
    assert first.chunk.source == ANNOUNCEMENT and "2 à 5 M€" in first.chunk.text


def test_hybrid_finds_at_least_as_many_answers_in_the_top_3_as_either_half(retriever):
    hits = {
        mode: sum(gold in sources(retriever, question, mode=mode) for question, gold in QUESTIONS)
        for mode in ("hybrid", "lexical", "dense")
    }
    assert hits["hybrid"] >= max(hits["lexical"], hits["dense"]), hits
    assert hits["hybrid"] >= len(QUESTIONS) - 2, hits


def test_hybrid_scores_are_in_0_1_best_first(retriever):
    passages = retriever.search("montant du pass occitanie", k=8)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True) and 0 <= scores[-1] and scores[0] <= 1


def test_dense_search_returns_the_true_nearest_neighbours_every_time(tmp_path):
    """Approximate search must not drop true neighbours, or rankings change from run to run."""
    from assistant.retrieval.vectorstore import VectorStore, chroma_client
    from assistant.settings import Settings

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = VectorStore(chroma_client(Settings(index_dir=tmp_path)), "chunks-test")
    store.add([f"c{i}" for i in range(len(vectors))], vectors.tolist(), ["doc.md"] * len(vectors))
    for query in rng.normal(size=(20, 64)):
        query /= np.linalg.norm(query)
        exact = [f"c{i}" for i in np.argsort(-(vectors @ query), kind="stable")[:100]]
        assert [chunk_id for chunk_id, _ in store.query(query.tolist(), 100)] == exact


# --- the lexical index follows the code's BM25 parameters and analyser ---------------------------


def _no_embedding(*args):
    raise AssertionError("the lexical rebuild must not embed anything")


def _bm25_weights(settings):
    state = IndexState.load(settings.index_dir)
    return state, state.load_lexical(settings.index_dir)


def test_changed_bm25_parameters_rebuild_the_lexical_index_without_reembedding(corpus_copy, monkeypatch):
    build_index(corpus_copy)
    state, before = _bm25_weights(corpus_copy)
    assert state.lexical_parameters == lexical.parameters()
    assert not build_index(corpus_copy).lexical_rebuilt  # same parameters: nothing to do

    monkeypatch.setattr(lexical, "K1", 0.7)
    monkeypatch.setattr(lexical, "B", 0.3)
    monkeypatch.setattr(indexer, "load_embeddings", _no_embedding)
    report = build_index(corpus_copy)
    assert report.embedded == 0 and report.added == 0
    assert "k1 1.2 -> 0.7" in report.lexical_rebuilt and "b 0.75 -> 0.3" in report.lexical_rebuilt
    assert "Lexical index rebuilt" in report.summary() and "nothing to embed" in report.summary()
    state, after = _bm25_weights(corpus_copy)
    assert state.lexical_parameters["k1"] == 0.7 and state.lexical_parameters["b"] == 0.3
    expected = LexicalIndex.build([c.embedding_text() for c in state.chunks], k1=0.7, b=0.3)
    assert after.vocabulary == expected.vocabulary
    assert np.allclose(after.weights.toarray(), expected.weights.toarray())
    assert not np.allclose(after.weights.toarray(), before.weights.toarray())
    assert len(list(corpus_copy.index_dir.glob("lexical-*.npz"))) == 1  # the old weights are gone
    assert not build_index(corpus_copy).lexical_rebuilt


def test_a_new_analyser_version_or_an_unrecorded_index_rebuilds_the_lexical_index(corpus_copy, monkeypatch):
    build_index(corpus_copy)
    monkeypatch.setattr(indexer, "load_embeddings", _no_embedding)
    monkeypatch.setattr(lexical, "ANALYSER_VERSION", lexical.ANALYSER_VERSION + 1)
    report = build_index(corpus_copy)
    assert "analyser" in report.lexical_rebuilt and report.embedded == 0
    assert IndexState.load(corpus_copy.index_dir).lexical_parameters["analyser"] == lexical.ANALYSER_VERSION

    # An index written before the parameters were recorded
    path = corpus_copy.index_dir / STATE_FILE
    raw = json.loads(path.read_text(encoding="utf-8"))
    del raw["lexical_parameters"]
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    report = build_index(corpus_copy)
    assert "not recorded" in report.lexical_rebuilt and report.embedded == 0
    assert IndexState.load(corpus_copy.index_dir).lexical_parameters == lexical.parameters()
