"""The sentence ranker: its numpy trees are the trained trees, and what it changes for a reader."""

import numpy as np
import pytest

from assistant.answering.extractive.candidates import RANKER_FEATURES
from assistant.answering.extractive.quotes import MAX_ANSWER_CHARS
from assistant.answering.extractive.sentence_ranker import SentenceRanker, export_trees
from tests.helpers import ask_with_document


def test_the_numpy_trees_give_the_probabilities_scikit_learn_gives():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(2000, 6))
    labels = (rows[:, 0] + rows[:, 1] * rows[:, 2] + rng.normal(scale=0.5, size=2000)) > 0.8
    model = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=15, random_state=0).fit(rows, labels)
    ranker = SentenceRanker(export_trees(model, [f"f{i}" for i in range(6)], {}))
    fresh = rng.normal(size=(300, 6))
    assert np.allclose(ranker.probabilities(fresh), model.predict_proba(fresh)[:, 1], atol=1e-9)


def test_the_shipped_ranker_reads_the_features_the_answerer_computes():
    ranker = SentenceRanker.load()
    assert ranker.features == RANKER_FEATURES
    assert "even-numbered articles" in ranker.metadata["trained_on"]  # the odd ones stay held out


def test_the_answer_that_follows_a_restating_sentence_is_quoted_with_it(corpus_copy):
    answer = ask_with_document(
        corpus_copy,
        "club.md",
        "Club nautique de Sète",
        "Le Club nautique de Sète a cherché un nouvel entraîneur pour la saison 1947. "
        "Marcel Vidal lui est finalement préféré et mène l'équipe au titre. "
        "Le club compte aujourd'hui trois cents adhérents.",
        "Qui entraîne le Club nautique de Sète en 1947 ?",
    )
    assert not answer.abstained
    quote = "Le Club nautique de Sète a cherché un nouvel entraîneur pour la saison 1947. Marcel Vidal lui est finalement préféré"
    assert quote in answer.answer  # one continuous quote, in reading order
    assert answer.citations[0].source == "club.md"


@pytest.mark.parametrize(
    "question",
    ["Quelles aides pour une start-up industrielle en Occitanie ?", "Parle-moi du plan IA", "Contrat Innovation conditions"],
)
def test_answers_stay_short_even_for_broad_questions(assistant, question):
    answer = assistant.ask(question)
    quoted = sum(len(q) for c in answer.citations for q in c.quotes)
    assert 0 < quoted <= MAX_ANSWER_CHARS
