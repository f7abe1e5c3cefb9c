"""Figures in the Region's own wording: each phrasing reads as the quantity a reader sees in it, the same
value written two ways is one value, and the extractive answerer's detectors have not moved."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.text.figures import (
    amounts,
    disagree,
    figures,
    has_amount,
    has_date,
    has_number,
    join_digit_groups,
    same_value,
    tight_units,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def read(text: str, written_out: bool = False) -> list[tuple]:
    """(kind, unit, low, high, bound) of every quantity in `text`, values as strings for a readable table."""
    return [(q.kind, q.unit, str(q.low), str(q.high), q.bound) for q in amounts(text, written_out)]


def one(text: str):
    (quantity,) = amounts(text)
    return quantity


# As written in corpus/ and in the sources it was written from; expected quantities in reading order.
READINGS = [
    # amounts and ranges of amounts
    ("Ce dispositif sera doté de 2 à 5 M€ par an", [("amount", "€", "2000000", "5000000", None)]),
    ("la Région « vient de voter » le dispositif avec une dotation de 5 M€ par an", [("amount", "€", "5000000", "5000000", None)]),
    ("la subvention START'OC PROcess est plafonnée à 50 000 €.", [("amount", "€", "50000", "50000", "<=")]),
    ("le Prêt Relance Occitanie va de 10 000 à 300 000 €", [("amount", "€", "10000", "300000", None)]),
    ("un projet doit comporter au moins 40 000 € HT de dépenses éligibles", [("amount", "€", "40000", "40000", ">=")]),
    ("le Contrat Innovation exige un minimum de 40 000 € HT", [("amount", "€", "40000", "40000", ">=")]),
    ("l'avance remboursable est plafonnée à 200 k€", [("amount", "€", "200000", "200000", "<=")]),
    ("une enveloppe régionale de 5,9M€ y est consacrée", [("amount", "€", "5900000", "5900000", None)]),
    ("que la Région va financer à hauteur de 2M€", [("amount", "€", "2000000", "2000000", None)]),
    ("le CPER consacre 626,1 M€ à l'enseignement supérieur", [("amount", "€", "626100000", "626100000", None)]),
    ("le plan IA devait représenter environ 50 M€ de crédits nouveaux", [("amount", "€", "50000000", "50000000", "~")]),
    ("un chiffre d'affaires inférieur à 50 M€", [("amount", "€", "50000000", "50000000", "<")]),
    ("Le Prêt Relance Occitanie va jusqu'à 300 000 €", [("amount", "€", "300000", "300000", "<=")]),
    ("jusqu’à 300 000 €", [("amount", "€", "300000", "300000", "<=")]),  # the curly apostrophe of the press release
    ("The loan ranges from €10,000 to €300,000", [("amount", "€", "10000", "300000", None)]),
    ("small projects under 40,000 € of expenses", [("amount", "€", "40000", "40000", "<")]),
    ("entre 2 et 5 M€", [("amount", "€", "2000000", "5000000", None)]),
    ("10 000 - 50 000 €", [("amount", "€", "10000", "50000", None)]),
    ("2-5 M€", [("amount", "€", "2000000", "5000000", None)]),
    ("de 500 000 à 2 M€", [("amount", "€", "500000", "2000000", None)]),  # the magnitude would make no range
    ("5 millions d'euros", [("amount", "€", "5000000", "5000000", None)]),
    ("60 millions €", [("amount", "€", "60000000", "60000000", None)]),
    ("2 milliards", [("amount", "€", "2000000000", "2000000000", None)]),
    ("a 1.5 million budget", [("amount", "€", "1500000", "1500000", None)]),
    ("EUR 5m", [("amount", "€", "5000000", "5000000", None)]),
    # percents
    ("à un taux fixe de 0,20 %.", [("percent", "%", "0.2", "0.2", None)]),
    ("la 1ère Région française par l'intensité R&D/PIB (3,7%)", [("percent", "%", "3.7", "3.7", None)]),
    ("l'aide READYNOV représente de 10 % à 60 % des dépenses éligibles", [("percent", "%", "10", "60", None)]),
    ("le Pass Occitanie finance jusqu'à 50 % du projet", [("percent", "%", "50", "50", "<=")]),
    ("le capital doit être détenu à 50 % au moins par des personnes physiques", [("percent", "%", "50", "50", ">=")]),
    ("R&D 5-15 % plus growth criteria", [("percent", "%", "5", "15", None)]),
    # durations: ages, terms, deferrals
    ("les entreprises devront être âgées de moins de 8 ans", [("duration", "an", "8", "8", "<")]),
    ("la limite d'âge est portée à 7 ans pour les start-up des biotechnologies", [("duration", "an", "7", "7", None)]),
    ("s'adresse aux entreprises de plus de 3 ans", [("duration", "an", "3", "3", ">")]),
    ("sur 5 ans dont 1 an de différé", [("duration", "an", "5", "5", None), ("duration", "an", "1", "1", None)]),
    ("se rembourse sur 7 ans dont 2 ans de différé", [("duration", "an", "7", "7", None), ("duration", "an", "2", "2", None)]),
    ("un projet doit durer 24 mois au maximum", [("duration", "mois", "24", "24", "<=")]),
    ("l'aide est versée sous 80 jours", [("duration", "jour", "80", "80", "<=")]),
    ("two 12-month balance sheets", [("duration", "mois", "12", "12", None)]),
    ("start-ups under 3 years old", [("duration", "an", "3", "3", "<")]),
    ("companies over 3 years old", [("duration", "an", "3", "3", ">")]),
    ("10-50 k€ over 5 years", [("amount", "€", "10000", "50000", None), ("duration", "an", "5", "5", None)]),
    ("raised to 60 M€ over 2024-2028", [("amount", "€", "60000000", "60000000", None), ("year", "an", "2024", "2028", None)]),
    ("selon les-aides.fr (page de 2024 ou plus récente)", [("year", "an", "2024", "2024", ">=")]),
    # counts
    ("aux entreprises de 3 à 50 salariés", [("count", "salarié", "3", "50", None)]),
    ("aux PME (moins de 250 salariés), aux ETI (de 250 à 5 000 salariés)",
     [("count", "salarié", "250", "250", "<"), ("count", "salarié", "250", "5000", None)]),
    ("at least 10 employees", [("count", "salarié", "10", "10", ">=")]),
    ("l'Occitanie accueille 1 500 chercheurs et près de 2 000 ingénieurs",
     [("count", "chercheur", "1500", "1500", None), ("count", "ingénieur", "2000", "2000", "~")]),
    ("le Prêt Rebond avait bénéficié à 1 107 entreprises pour 116 M€",
     [("count", "entreprise", "1107", "1107", None), ("amount", "€", "116000000", "116000000", None)]),
    ("250+ digital companies with 3,500 employees", [("count", "salarié", "3500", "3500", None)]),
    ("le cluster rassemble 16 laboratoires", [("count", "laboratoire", "16", "16", None)]),
    # years, periods and dates
    ("en 2024", [("year", "an", "2024", "2024", None)]),
    ("60 M€ sur 2024-2028", [("amount", "€", "60000000", "60000000", None), ("year", "an", "2024", "2028", None)]),
    ("le CPER 2021-2027", [("year", "an", "2021", "2027", None)]),
    ("entre 2013 et 2022", [("year", "an", "2013", "2022", None)]),
    ("doubler le nombre de JEI d'ici 2028", [("year", "an", "2028", "2028", "<=")]),
    ("dans son communiqué du 22 mai 2024", [("date", "jour", "20240522", "20240522", None)]),
    ("créée le 1er janvier 2018", [("date", "jour", "20180101", "20180101", None)]),
    ("mise à jour du 12 avril 2022", [("date", "jour", "20220412", "20220412", None)]),
    ("en avril 2022", [("date", "mois", "202204", "202204", None)]),
    ("une conférence internationale en Octobre 2024 à Toulouse", [("date", "mois", "202410", "202410", None)]),
    ("Announced in May 2024", [("date", "mois", "202405", "202405", None)]),
    ("on May 22, 2024", [("date", "jour", "20240522", "20240522", None)]),
    ("date: 2024-05-22", [("date", "jour", "20240522", "20240522", None)]),
    ("salon VivaTech, Paris, 22-25 mai 2024", [("date", "jour", "20240522", "20240525", None)]),
    ("ouvert jusqu'au 30 septembre 2021", [("date", "jour", "20210930", "20210930", "<=")]),
    ("le décret n° 2024-464 du 24 mai 2024", [("date", "jour", "20240524", "20240524", None)]),  # 2024-464 names it
    # what is not a quantity
    ("de 50/an aujourd'hui à 100/an", []),
    ("Numalis (34) et Vortex.io (31), 8ème édition, 1ère région", []),
    ("25,500 m²", []),
    ("au moins un salarié, moins d'un an", []),  # written-out numbers
]


@pytest.mark.parametrize("text, expected", READINGS, ids=[text[:40] for text, _ in READINGS])
def test_the_region_s_phrasings_read_as_the_quantities_they_state(text, expected):
    assert read(text) == expected


SAME = [
    ("5 M€", "5 000 000 €"),
    ("5 M€", "5 millions d'euros"),
    ("0,20 %", "0,2 %"),
    ("0,20 %", "0.20 %"),
    ("200 k€", "200 000 €"),
    ("€10,000", "10 000 €"),
    ("10\u00a0000 €", "10 000 €"),  # nbsp between groups
    ("10\u202f000 €", "10 000 €"),  # narrow nbsp, as typeset French writes it
    ("300\u202f000\u00a0€", "300 k€"),
    ("1,5 M€", "1.5 million"),
    ("2 à 5 M€", "entre 2 et 5 M€"),
    ("2-5 M€", "de 2 000 000 à 5 000 000 €"),
    ("de 10 000 à 50 000 €", "from €10,000 to €50,000"),
    ("at least 10 employees", "au moins 10 salariés"),
    ("plafonnée à 50 000 €", "une subvention de 50 000 €"),  # a ceiling and an amount: one value
    ("moins de 8 ans", "under 8 years old"),
]
DIFFERENT = [
    ("2 à 5 M€", "5 M€"),
    ("2 à 5 k€", "2 à 5 M€"),  # right digits, wrong magnitude
    ("0,20 %", "0,25 %"),
    ("5 %", "5 €"),
    ("5 ans", "5 mois"),
    ("24 mois", "2 ans"),  # durations keep the unit written
    ("en 2024", "2024 €"),
    ("50 salariés", "50 entreprises"),
]


@pytest.mark.parametrize("a, b", SAME)
def test_one_value_written_two_ways_is_the_same_value(a, b):
    assert same_value(one(a), one(b))
    assert not disagree(quoting(("a.md", "2024-05-22", a), ("b.md", "2022-01-01", b)))


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_different_values_are_not_the_same(a, b):
    assert not same_value(one(a), one(b))


def test_only_amounts_and_percents_can_disagree():
    loan = "De 10 000 à 300 000 €, à un taux fixe de 0,20 %, sur 7 ans dont 2 ans, depuis 2022 ; 300 k€ au plus."
    same_loan_other_terms = "300 000 € au plus, de 10 000 à 300 000 €, à 0,2 %, sur 5 ans, en 2023 ; 16 laboratoires."
    assert not disagree(quoting(("a.md", "2024-05-22", loan), ("b.md", "2022-01-01", same_loan_other_terms)))
    assert not disagree(quoting(("a.md", "2024-05-22", "En 2024, 16 laboratoires et moins de 8 ans."),
                                ("b.md", "2022-01-01", "En 2022, 12 laboratoires et moins de 5 ans.")))


def quoting(*sources: tuple[str, str | None, str]) -> dict:
    return {(source, date): amounts(text) for source, date, text in sources}


def test_the_announcement_and_the_press_disagree_on_the_budget():
    assert disagree(quoting(("annonce.md", "2024-05-22", "Ce dispositif sera doté de 2 à 5 M€ par an."),
                            ("presse.md", "2024-01-01", "une dotation de 5 M€ par an")))


def test_two_ways_of_writing_5_million_do_not_disagree():
    assert not disagree(quoting(("annonce.md", "2024-05-22", "doté de 5 M€ par an"),
                                ("presse.md", "2024-01-01", "doté de 5 000 000 € par an")))


def test_a_disagreement_needs_two_dates_and_two_sources_with_amounts():
    assert not disagree(quoting(("a.md", "2024-05-22", "2 à 5 M€"), ("b.md", "2024-05-22", "5 M€")))
    assert not disagree(quoting(("a.md", "2024-05-22", "2 à 5 M€")))
    assert not disagree(quoting(("a.md", "2024-05-22", "2 à 5 M€"), ("b.md", "2022-01-01", "en 2022, moins de 8 ans")))
    assert disagree(quoting(("a.md", "2024-05-22", "2 à 5 M€"), ("b.md", None, "5 M€")))  # undated is one more date


def test_citation_markers_are_never_figures():
    assert read("à un taux fixe de 0,20 % [1] [2, 3] [2; 3].") == [("percent", "%", "0.2", "0.2", None)]
    assert read("adopté en 2024 [2]. Voir [2024].") == [("year", "an", "2024", "2024", None)]
    assert [f.text for f in figures("Le taux est de 0,20 % [1] [2, 3].")] == ["0,20 %"]


def test_a_quantity_keeps_its_text_and_place():
    text = "Le prêt va de 10\u00a0000 à 300\u202f000 € [1], sur 7 ans."
    loan, term = amounts(text)
    assert loan.text == "10\u00a0000 à 300\u202f000 €" and text[slice(*loan.span)] == loan.text
    assert term.text == "7 ans"


def test_figures_read_every_number_with_its_magnitude_and_every_reading_of_an_ambiguous_one():
    (budget,) = figures("doté de 5 M€")
    assert budget.values == {Decimal(5_000_000)} and budget.raw == {Decimal(5)}
    (grouped,) = figures("€20,000")
    assert grouped.values == {Decimal(20000), Decimal("20.000")}


def test_the_evals_match_form_joins_digit_groups_and_tightens_units():
    assert join_digit_groups("3 500 salariés, 3.500, 3,500") == "3500 salariés, 3500, 3500"
    assert tight_units("10 % et 5 €") == "10% et 5€"


# The extractive answerer's detectors, as they were when the sentence ranker was trained.
ORIGINAL_AMOUNT = re.compile(
    r"(?:\d[\d  ,.]*\s?(?:à|-|et)\s?)?\d[\d  ,.]*\s?(?:M€|k€|€|%|millions?|milliards?|euros?)", re.IGNORECASE
)
ORIGINAL_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
ORIGINAL_MONTH = re.compile(
    r"\b(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)\b",
    re.IGNORECASE,
)


def corpus_sentences() -> list[str]:
    sentences = [s for path in sorted(CORPUS.rglob("*.md")) for s in re.split(r"\. |\n", path.read_text(encoding="utf-8"))]
    return [s for s in sentences if s.strip()]


def test_the_ranker_s_detectors_answer_as_before_on_every_corpus_sentence():
    sentences = corpus_sentences()
    assert len(sentences) > 300
    for sentence in sentences:
        assert has_amount(sentence) == bool(ORIGINAL_AMOUNT.search(sentence)), sentence
        assert has_date(sentence) == bool(ORIGINAL_YEAR.search(sentence) or ORIGINAL_MONTH.search(sentence)), sentence
        assert has_number(sentence) == bool(re.search(r"\d", sentence)), sentence


@pytest.mark.parametrize("text", ["2 Mrd €", "€2bn", "2 milliards d'euros", "2 Md€"])
def test_figures_and_amounts_read_a_magnitude_alike(text):
    (figure,) = figures(text)
    (quantity,) = amounts(text)
    assert figure.values == {quantity.low} == {Decimal(2_000_000_000)}


WRITTEN_OUT = [
    ("avoir au moins un salarié", ("count", "salarié", "1", "1", ">=")),
    ("doté de cinq millions d'euros", ("amount", "€", "5000000", "5000000", None)),
    ("créée depuis moins d'un an", ("duration", "an", "1", "1", "<")),
    ("for at least two years", ("duration", "an", "2", "2", ">=")),
    ("vingt-cinq salariés", ("count", "salarié", "25", "25", None)),
]


@pytest.mark.parametrize("text, expected", WRITTEN_OUT)
def test_numbers_written_in_words_are_read_when_asked(text, expected):
    assert read(text, written_out=True) == [expected]
    assert read(text) == []


def test_an_article_is_not_a_count_unless_words_are_asked_for():
    assert read("une entreprise innovante") == []
