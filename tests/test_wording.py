"""The texts a person reads: written in French and English alike, and one for every intent a question
can have, which the LLM prompt says too."""

import pytest

from assistant.answering.llm.prompt import ANALYSIS, format_analysis
from assistant.question.analysis import INTENTS, QuestionAnalysis
from assistant.question.subjects import Subject
from assistant.wording import LANGUAGES, MESSAGES, intent_wording, programme_status

INTENT_NAMES = [name for name, _ in INTENTS]


def shape(entry):
    """What must match between languages: the keys of a table, all the way down; a text is a text."""
    return {key: shape(value) for key, value in entry.items()} if isinstance(entry, dict) else type(entry)


def test_every_text_is_written_in_french_and_in_english():
    assert LANGUAGES == ("fr", "en")
    assert shape(MESSAGES["en"]) == shape(MESSAGES["fr"])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", INTENT_NAMES)
def test_every_intent_says_what_it_asks_and_the_llm_prompt_says_it(intent, language):
    wording = intent_wording(language, intent)
    assert wording
    block = format_analysis(QuestionAnalysis(question="…", language=language, intent=intent), None, language)
    assert ANALYSIS[language]["asked"].format(what=wording) in block


def test_a_question_that_asks_nothing_in_particular_adds_no_line_to_the_prompt():
    assert intent_wording("fr", "other") is None
    assert format_analysis(QuestionAnalysis(question="…", language="fr"), None, "fr") == ""


def test_a_programme_in_force_is_en_vigueur_in_the_llm_prompt_as_in_the_console():
    in_force = QuestionAnalysis(question="…", language="fr", subject=Subject("Pass Occitanie", "programmes/pass.md", "active"))
    assert "Sujet : Pass Occitanie (statut du document : en vigueur)" in format_analysis(in_force, None, "fr")
    assert programme_status("fr", None) == "non précisé" and programme_status("en", "closed") == "closed"
    assert programme_status("fr", "suspendu") == "suspendu"  # a value the corpus may add, shown as it is
