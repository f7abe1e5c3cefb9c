"""The question's cues, read once: each in the region's wording, typed casually, in English and told as a
story, since people rarely ask the way a sheet is written."""

import pytest

from assistant.question.analysis import analyze_question
from assistant.question.cues import read_cues


def cues(question: str):
    return read_cues(question)


@pytest.mark.parametrize("question", [
    "Quel est le budget total du plan IA ?",
    "combien en tout pour le plan ia",
    "How much money overall for the AI plan?",
    "Je lis 60 M€ dans la presse, c'est le budget global du plan IA ?",
])
def test_a_whole_envelope_is_asked(question):
    assert cues(question).total


@pytest.mark.parametrize("question, unit", [
    ("Quel montant par entreprise pour READYNOV ?", "entreprise"),
    ("c combien par projet readynov", "projet"),
    ("How much per company does the scheme give?", "company"),
    ("On monte un consortium de trois PME : combien pour chaque projet ?", "projet"),
])
def test_a_figure_per_unit_is_asked(question, unit):
    assert cues(question).per_unit == unit


@pytest.mark.parametrize("question", [
    "Quelle est la date limite de candidature ?",
    "jusqu'a quand on peut deposer ?",
    "What is the closing date for applications?",
    "Mon dossier sera prêt en juin, quelle est la date de clôture de l'appel ?",
])
def test_a_deadline_is_asked(question):
    assert cues(question).deadline


@pytest.mark.parametrize("question", [
    "Quel est le taux d'intérêt du prêt ?",
    "le pret c a quel taux d'interet",
    "What interest does the loan charge?",
    "Je dois emprunter 100 000 € pour mon atelier, à quel taux ?",
])
def test_an_interest_rate_is_asked(question):
    assert cues(question).interest


@pytest.mark.parametrize("question, stated", [
    ("18 M€, c'est bien le budget total ?", "18 M€"),
    ("le plan ia c 60 M€ c'est ça ?", "60 M€"),
    ("Is it €60 million for the AI plan?", "€60 million"),
])
def test_a_figure_the_question_checks_is_read_as_a_quantity(question, stated):
    found = cues(question)
    assert found.checks_figure and [q.text for q in found.stated] == [stated]


@pytest.mark.parametrize("question, kinds", [
    ("Quel âge maximum pour l'entreprise ?", ("duration",)),
    ("age limite pour candidater ?", ("duration",)),
    ("How old can my company be at most?", ("duration",)),
    ("Quelle taille d'effectif au maximum ?", ("count",)),
])
def test_the_aspect_of_a_limit_is_read(question, kinds):
    assert cues(question).limit_kinds == kinds


@pytest.mark.parametrize("question, noun", [
    ("Combien de salariés compte l'écosystème ?", "salariés"),
    ("combien d'entreprises accompagnees", "entreprises"),
    ("How many companies are supported?", "companies"),
])
def test_the_counted_noun_is_read(question, noun):
    assert cues(question).counted_noun == noun


def test_a_second_thing_of_the_same_kind_keeps_its_part_of_the_question():
    found = cues("Combien d'entreprises et de salariés dans l'écosystème ?")
    assert found.counted_noun == "entreprises"
    assert found.second.startswith("et de salariés") and found.second_noun == "salariés"


@pytest.mark.parametrize("question, years", [
    ("Le budget de READYNOV 2025 ?", {2025}),
    ("le plan 2024-2028 c'est combien", {2024, 2025, 2026, 2027, 2028}),
    ("What did the Region announce on May 22, 2024?", {2024}),
])
def test_the_years_named_are_spelt_out(question, years):
    assert cues(question).years == years


@pytest.mark.parametrize("question", [
    "Startup de 3 ans, pas dans la biotech : y ai-je droit ?",
    "on bosse pas dans la biotech, on peut candidater ?",
    "We are not in biotech: can we apply?",
])
def test_negated_words_are_not_the_asker_s_own(question):
    assert "biotech" in cues(question).negated


@pytest.mark.parametrize("question", ["Qui peut candidater ?", "c pour qui ce dispositif", "Who can apply?"])
def test_who_a_programme_is_for_is_asked(question):
    assert cues(question).who_for


def test_nothing_is_cued_in_a_plain_question():
    assert cues("Qu'est-ce que le plan IA ?").shown() == {}  # "est-ce" checks no figure: it states none


def test_the_analysis_carries_the_cues_language_and_normalised_words_once_read():
    analysis = analyze_question("Quel est le budget total du plan IA en 2024 ?")
    assert analysis.cues.total and analysis.cues.years == {2024}
    assert analysis.normalized == "quel est le budget total du plan ia en 2024 ?"
    assert "budget" in analysis.stems
    assert analyze_question("How much?", language="fr").language == "fr"  # the caller's detection is kept
    summary = analysis.summary()
    assert summary["intent"] == "amount" and summary["cues"]["total"] is True and summary["cues"]["years"] == [2024]


@pytest.mark.parametrize("question, asked", [
    ("Je viens de m'installer à Rodez pour créer mon entreprise. Ça sert à quoi une Maison de la Région ?",
     "Ça sert à quoi une Maison de la Région ?"),
    ("We moved to Toulouse last year and run a small firm. Is the Pass Occitanie still open?", "Is the Pass Occitanie still open?"),
    ("startup de 2 ans, 5 salariés : quelles aides pour nous ?", "startup de 2 ans, 5 salariés : quelles aides pour nous ?"),
])
def test_a_story_s_question_is_its_last_sentence(question, asked):
    analysis = analyze_question(question)
    assert analysis.asked == asked
    assert analysis.intent == analyze_question(asked).intent


def test_a_story_s_facts_still_count():
    analysis = analyze_question("Notre SAS a 4 ans et 12 salariés, installée à Albi. Le Contrat Innovation, on peut ?")
    assert analysis.facts.age_years == 4 and analysis.facts.staff == 12 and analysis.facts.in_region
