"""Programme profiles built from the real corpus (no index needed): which programme each sentence
belongs to, the criteria with their conditions and exceptions, the envelopes, and checks of an
asker's facts against them (assistant/answering/eligibility.py)."""

import datetime
from decimal import Decimal

import pytest

from assistant.answering.eligibility import check_criteria
from assistant.ingest.chunking import chunk_document
from assistant.ingest.documents import load_corpus
from assistant.models import SourceDocument
from assistant.profiles.builder import build_profiles, programme_names
from assistant.question.analysis import analyze_question
from tests.helpers import CORPUS

TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(scope="module")
def profiles():
    documents, _ = load_corpus(CORPUS)
    return {p.name: p for p in build_profiles([c for d in documents for c in chunk_document(d)])}


def test_a_title_names_its_programmes_with_their_aliases_and_not_its_heading():
    assert programme_names("Prêts aux entreprises : Prêt Croissance TPE et Prêt Relance Occitanie") == [
        ["Prêt Croissance TPE"], ["Prêt Relance Occitanie"]]
    assert programme_names("Plan IA Occitanie (plan régional Intelligence Artificielle)") == [
        ["Plan IA Occitanie", "plan régional Intelligence Artificielle"]]
    assert programme_names("Jeune Entreprise Innovante (JEI) : statut national") == [["Jeune Entreprise Innovante", "JEI"]]


def test_every_programme_sheet_has_a_profile_and_a_document_of_another_kind_has_none(profiles):
    assert {"START'OC PROcess", "Contrat Innovation", "Jeune Entreprise Innovante", "Prêt Croissance TPE",
            "Prêt Relance Occitanie", "Plan IA Occitanie", "Pass Occitanie"} <= set(profiles)
    assert not any(p.source.startswith("annonces/") for p in profiles.values())
    note = SourceDocument(source="notes/visite.md", title="Compte rendu de visite", text="Le Pass Occitanie doit avoir moins de 3 ans.")
    assert build_profiles(chunk_document(note)) == []


def test_exceptions_keep_their_conditions(profiles):
    startoc = profiles["START'OC PROcess"].criteria
    general = [c for c in startoc if c.dimension == "age" and c.condition is None]
    exceptions = {c.high: c.condition for c in startoc if c.dimension == "age" and c.condition is not None}
    assert [(c.bound, c.high) for c in general] == [("<", Decimal(3))]
    assert set(exceptions) == {Decimal(5), Decimal(7)}
    assert "ruptur" in exceptions[Decimal(5)].terms and "biotechnolog" in exceptions[Decimal(7)].terms
    jei = [c for c in profiles["Jeune Entreprise Innovante"].criteria if c.condition is not None]
    assert [(c.high, c.condition.created_from, c.condition.created_to) for c in jei] == [(Decimal(11), 2013, 2022)]


def test_a_sentence_of_one_sheet_about_another_programme_belongs_to_that_programme(profiles):
    # The JEI sheet quotes Start-up Industrie de demain's "moins de 8 ans": a criterion of the JEI too,
    # from its own conditions, but the announcement's "2 à 5 M€" is Start-up Industrie de demain's only.
    assert not any(a.high == Decimal(5_000_000) for a in profiles["Jeune Entreprise Innovante"].amounts)
    assert any(a.high == Decimal(5_000_000) for a in profiles["Start-up Industrie de demain"].amounts)
    assert {c.dimension for c in profiles["Prêt Relance Occitanie"].criteria} == {"age"}  # not the TPE loan's staff range


def test_the_envelope_is_the_total_not_a_part_and_the_definition_is_not_circular(profiles):
    plan = profiles["Plan IA Occitanie"]
    assert plan.total.high == Decimal(60_000_000) and plan.total.years == [2024, 2025, 2026, 2027, 2028]
    assert {a.high for a in plan.amounts if a.role == "part"} >= {Decimal(22_000_000), Decimal(10_000_000)}
    # The sheet's first sentence restates the name, then says when it was announced and adopted: that is news.
    assert "adopté en séance plénière" in plan.definition.text
    innovation = {(c.dimension, c.bound, c.high) for c in profiles["Contrat Innovation"].criteria}
    assert ("budget", ">=", Decimal(40000)) in innovation


def facts(question: str):
    analysis = analyze_question(question, today=TODAY)
    return analysis.facts, analysis.cues.negated


def verdict(profile, question: str):
    asker, negated = facts(question)
    checks = check_criteria(profile.criteria, asker, negated, "fr", TODAY)
    failed = [c for c in checks if c.passed is False]
    return ("no", failed[0]) if failed else ("yes" if any(c.passed for c in checks) else "unsure", None)


@pytest.mark.parametrize("question", [
    "SARL créée il y a 4 ans, innovation incrémentale, START'OC PROcess ?",
    "on a 4 ans, pas d'innovation de rupture, startoc possible ?",
    "Our company is 4 years old and not in biotech, can we get START'OC PROcess?",
    "Ma société a 4 ans : START'OC PROcess ?",  # an exception the asker does not claim does not apply
])
def test_the_general_age_limit_decides_unless_the_asker_is_the_exception_s_case(profiles, question):
    said, check = verdict(profiles["START'OC PROcess"], question)
    assert said == "no" and check.criterion.high == Decimal(3)


@pytest.mark.parametrize("question, limit", [
    ("startup biotech de 6 ans, START'OC PROcess ?", None),
    ("ma startup a 4 ans et porte une innovation de rupture, START'OC PROcess ?", None),
    ("startup biotech de 9 ans, START'OC PROcess ?", Decimal(7)),  # the exception's own limit decides
])
def test_an_exception_whose_condition_holds_replaces_the_general_limit(profiles, question, limit):
    said, check = verdict(profiles["START'OC PROcess"], question)
    assert (said == "yes") if limit is None else (said == "no" and check.criterion.high == limit)


@pytest.mark.parametrize("question, expected", [
    ("Notre SAS a été créée en 2016, peut-on avoir le statut JEI ?", "yes"),  # 10 years, the 2013-2022 regime
    ("boite creee en 2012, JEI possible ?", "no"),
    ("Our company was founded in 2016: can we get JEI status?", "yes"),
])
def test_a_creation_period_decides_the_jei_regime(profiles, question, expected):
    assert verdict(profiles["Jeune Entreprise Innovante"], question)[0] == expected


@pytest.mark.parametrize("question", [
    "Petite SAS de 8 salariés, étude de faisabilité, budget 25 000 € HT, Contrat Innovation ?",
    "contrat innovation pour mon projet a 25000 euros HT c bon ?",
    "Our project budget is €25,000: can our company get a Contrat Innovation?",
])
def test_the_project_budget_minimum_is_checked(profiles, question):
    said, check = verdict(profiles["Contrat Innovation"], question)
    assert said == "no" and check.dimension == "budget"


@pytest.mark.parametrize("question, expected", [
    ("Nous sommes une ETI et voulons un Contrat Innovation sans aucune PME partenaire", "no"),
    ("ETI de 1200 salariés, projet seuls sans PME, contrat innovation ?", "no"),
    ("PME de 40 salariés sans partenaire, contrat innovation ?", "yes"),  # the partner rule binds ETI only
])
def test_a_partner_rule_binds_only_whom_it_names(profiles, question, expected):
    said, check = verdict(profiles["Contrat Innovation"], question)
    assert said == expected
    if expected == "no":
        assert check.dimension == "partner"
