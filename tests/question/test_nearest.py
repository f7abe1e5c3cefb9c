"""Phrasings no pattern of INTENTS names land on the intent of their nearest labelled examples
(assistant/question/nearest.py), with the real embedder and index; a figure is never asked this way,
and an unrelated question gets none."""

import pytest


@pytest.mark.parametrize("question", [
    "le pass occitanie ça tourne toujours ?",
    "le pass occitanie et il est encore ouvert ce truc",
    "is the Pass Occitanie scheme over?",
])
def test_a_status_asked_in_other_words_gets_the_verdict(assistant, question):
    answer = assistant.ask(question)
    assert answer.verdict == "no" and answer.citations[0].source == "programmes/pass-occitanie.md"


@pytest.mark.parametrize("question", ["readynov ça consiste en quoi ?", "READYNOV, explique-moi le principe"])
def test_a_definition_asked_in_other_words_gets_the_defining_sentence(assistant, question):
    assert "appel à projets" in assistant.ask(question).lead


@pytest.mark.parametrize("question", ["il va faire quel temps demain à Toulouse ?", "recette de la paella",
                                      "prix du ticket de métro à Montpellier"])
def test_an_unrelated_question_is_given_no_intent(assistant, question):
    assert assistant.prepare(question).intent == "other"


def test_a_figure_is_never_read_from_near_examples(assistant):
    # "il a été voté quand" is near the date examples, but a date lead must come from words that ask it
    assert assistant.prepare("et le pass occitanie il a été voté à la fin ?").intent not in ("date", "amount", "count")
