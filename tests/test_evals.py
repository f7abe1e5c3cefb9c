"""The eval harness: the regression gate on the shipped set, and the scoring rules on tiny data."""

import json
import math
import shutil
from dataclasses import replace

import pytest

from assistant.settings import PROJECT_DIR, Settings
from assistant.text.french import detect_language
from evals import metric_table
from evals.dataset import DEFAULT_SET, EvalQuestion, ProgrammeGold, load_questions
from evals.metric_table import Metric, score, total
from evals.metrics import (
    contains,
    exact_match,
    facts_present,
    normal_verdict,
    opening_verdict,
    percentile,
    precision_recall,
    recall_at_k,
    reciprocal_rank,
    span_f1,
)
from evals.paraphrases import DEFAULT_PARAPHRASES, STYLES, SUFFIXES, load_paraphrases, rewrite_of, run_paraphrases
from evals.parity import run_parity
from evals.paths import WORK_DIR, display_path
from evals.report import definitions, parity_line, qa_report, squad_report, summary_line
from evals.runner import public_settings, run_eval, run_systems
from evals.squad import SquadQuestion
from evals.systems import Response

THRESHOLDS = DEFAULT_SET.parent / "thresholds.json"


@pytest.mark.slow
@pytest.mark.skipif(not DEFAULT_SET.exists(), reason="evals/qa.jsonl is not written yet")
def test_the_shipped_eval_set_stays_above_the_thresholds(indexed):
    thresholds = json.loads(THRESHOLDS.read_text())
    run = run_eval(indexed, load_questions(DEFAULT_SET), baselines=False)
    figures = run["summary"]["ours"]["all"]
    floors = ("accuracy", "lead_accuracy", "verdict_accuracy", "support", "abstention_precision", "abstention_recall",
              "matching_precision", "matching_recall", "comparison_both_sides")
    below = {k: round(figures[k], 3) for k in floors if not figures[k] >= thresholds[k]}
    assert not below, f"below evals/thresholds.json: {below} (thresholds {thresholds})"
    assert figures["median_answer_chars"] <= thresholds["median_answer_chars"], "answers grew longer than the ceiling"
    assert figures["confidently_wrong"] <= thresholds["confidently_wrong"], "more confidently wrong answers than the ceiling"


@pytest.mark.slow
def test_every_system_answers_a_tiny_set_and_is_scored(indexed):
    questions = [
        EvalQuestion("t1", "Quel est le montant du dispositif Start-up Industrie de demain ?", "factual",
                     facts=[["M€"]], sources=["programmes/start-up-industrie-de-demain.md",
                                              "annonces/2024-05-region-occitanie-vivatech.md"]),
        EvalQuestion("t2", "Quelle est la recette de la garbure béarnaise ?", "out-of-scope"),
    ]
    run = run_eval(indexed, questions)
    assert run["systems"] == ["ours", "naive LangChain", "lexical only", "dense only"]
    ours = run["summary"]["ours"]
    assert ours["factual"]["accuracy"] == 1.0 and ours["out-of-scope"]["accuracy"] == 1.0
    assert run["summary"]["naive LangChain"]["out-of-scope"]["accuracy"] == 0.0  # baselines never abstain
    assert run["questions"]["t1"]["systems"]["ours"]["citations"]


def test_facts_match_whatever_the_case_accents_and_spaces():
    answer = "Le plan est PORTÉ à 60\u00a0M€ ; vote\u202fle 11  juillet 2024 ; 3 500 emplois."
    assert facts_present(answer, [["60 M€"], ["11 juillet 2024"], ["porte"]])
    assert contains(answer, "3500 emplois") and contains(answer, "Porté")
    assert contains("l’aide de l'État", "l'etat")


def test_a_fact_is_not_found_inside_a_longer_number_or_word():
    assert not contains("doté de 15 M€ par an", "5 M€")
    assert not contains("en 20245", "2024")
    assert not contains("les entreprises", "prise")


def test_every_fact_group_is_needed_but_one_alternative_per_group_is_enough():
    facts = [["2 à 5 M€", "2 et 5 millions"], ["juillet 2024"]]
    assert facts_present("entre 2 et 5 millions d'euros dès juillet 2024", facts)
    assert not facts_present("entre 2 et 5 millions d'euros", facts)
    assert facts_present("anything", [])


def test_recall_at_k_and_reciprocal_rank():
    ranked = ["a.md", "b.md", "c.md"]
    assert recall_at_k(ranked, ["b.md"], 1) == 0.0
    assert recall_at_k(ranked, ["b.md"], 3) == 1.0
    assert recall_at_k(ranked, ["a.md", "z.md"], 5) == 0.5
    assert reciprocal_rank(ranked, ["c.md", "b.md"]) == 0.5
    assert reciprocal_rank(ranked, ["z.md"]) == 0.0
    assert math.isnan(recall_at_k(ranked, [], 1))


def test_abstention_precision_recall_and_percentiles():
    precision, recall = precision_recall([True, True, False, False], [True, False, True, False])
    assert (precision, recall) == (0.5, 0.5)
    assert math.isnan(precision_recall([False, False], [True, False])[0])  # never abstains: undefined
    assert percentile([1, 2, 3, 4, 5], 50) == 3 and percentile([10, 20], 95) == pytest.approx(19.5)


def test_an_abstention_is_right_out_of_scope_and_a_false_abstention_in_scope():
    silent = Response(answer="", abstained=True, cited=[], ranked=["x.md"], latency_ms=1.0)
    out = score(EvalQuestion("o", "?", "out-of-scope"), silent, "qa")
    assert out["accuracy"] and out["support"] is None and out["recall@1"] is None and out["lead_accuracy"] is None
    inside = score(EvalQuestion("i", "?", "factual", facts=[["x"]], sources=["x.md"]), silent, "qa")
    assert not inside["accuracy"] and inside["false_abstentions"] and inside["recall@1"] == 1.0
    assert inside["lead_accuracy"] is False


def test_a_fact_in_the_citations_but_not_the_answer_is_supported_not_correct():
    response = Response(answer="Voir la fiche [1].", abstained=False, cited=["Le prêt va de 10 à 50 k€."],
                        ranked=["p.md"], latency_ms=1.0)
    scores = score(EvalQuestion("q", "?", "factual", facts=[["10 à 50 k€"]], sources=["p.md"]), response, "qa")
    assert scores["support"] and not scores["accuracy"]


def test_the_lead_must_state_the_facts_itself():
    question = EvalQuestion("q", "?", "factual", facts=[["50 000 €"]], sources=["p.md"])
    answer = "Le prêt est plafonné à 50 000 € [1]. Il dure 5 ans [1]."
    with_lead = Response(answer=answer, abstained=False, cited=[answer], ranked=["p.md"], latency_ms=1.0,
                         lead="Le prêt est plafonné à 50 000 € [1].")
    wrong_lead = Response(answer=answer, abstained=False, cited=[answer], ranked=["p.md"], latency_ms=1.0,
                          lead="Il dure 5 ans [1].")
    no_lead = Response(answer=answer, abstained=False, cited=[answer], ranked=["p.md"], latency_ms=1.0)
    assert score(question, with_lead, "qa")["lead_accuracy"] is True
    assert score(question, wrong_lead, "qa")["lead_accuracy"] is False
    assert score(question, no_lead, "qa")["lead_accuracy"] is False  # no lead: a miss, not "not applicable"
    assert score(question, no_lead, "qa")["accuracy"] is True


def test_squad_spans_compare_without_case_accents_punctuation_or_french_articles():
    assert exact_match("l'Assemblée nationale", "Assemblée Nationale.") == 1.0
    assert exact_match("les 20 000 euros", "20000 euros") == 1.0
    assert exact_match("« Élysée »", "de l’elysee") == 1.0
    assert exact_match("d'une ville", "ville") == 1.0
    assert exact_match("10 %", "10%") == 1.0
    assert exact_match("Toulouse et Montpellier", "Toulouse") == 0.0
    assert span_f1("la ville de Toulouse", "Toulouse et Montpellier") == pytest.approx(0.4)  # P 1/2, R 1/3
    assert span_f1("Toulouse", "Toulouse.") == 1.0 and span_f1("Paris", "Toulouse") == 0.0


def test_no_short_answer_scores_zero_and_an_abstention_has_none():
    assert exact_match(None, "Toulouse") == 0.0 and span_f1(None, "Toulouse") == 0.0
    question = SquadQuestion("s", "Où ?", "Toulouse", "000-00.md")
    stated = Response(answer="La ville est Toulouse.", abstained=False, cited=[], ranked=["000-00.md"],
                      latency_ms=1.0, short_answer="à Toulouse")
    silent = Response(answer="Je ne sais pas.", abstained=True, cited=[], ranked=[], latency_ms=1.0,
                      short_answer="Toulouse")
    scores = score(question, stated, "squad")
    assert scores["short_em"] == 0.0 and scores["short_f1"] == pytest.approx(2 / 3)  # "à" is no article
    assert scores["contains_answer"] and scores["recall@1"] == 1.0
    assert score(question, silent, "squad")["short_em"] == 0.0 and score(question, silent, "squad")["short_f1"] == 0.0


def test_a_verdict_is_read_from_the_first_words_in_french_and_english():
    assert opening_verdict("Oui, les PME sont éligibles [1].") == "yes"
    assert opening_verdict("**Non** [1] : le dispositif est fermé.") == "no"
    assert opening_verdict("Yes: SMEs can apply [1].") == "yes"
    assert opening_verdict("No, it closed in 2022 [1].") == "no"
    assert opening_verdict("Les sources ne permettent pas de trancher : ...") == "unsure"
    assert opening_verdict("The sources do not settle it.") == "unsure"
    assert opening_verdict("Oui et non : cela dépend du projet.") is None  # the opposite right after
    assert opening_verdict("Le prêt est non remboursable.") is None
    assert opening_verdict("Nous finançons...") is None and opening_verdict(None) is None
    assert normal_verdict("Oui") == "yes" and normal_verdict("non") == "no" and normal_verdict("unsure") == "unsure"
    with pytest.raises(ValueError, match="unknown verdict"):
        normal_verdict("peut-être")


def test_verdict_accuracy_needs_the_expected_verdict_and_no_other():
    question = EvalQuestion("v", "Le Pass Occitanie est-il encore ouvert ?", "status", verdict="no")

    def response(answer: str, lead: str | None = None, verdict: str | None = None, abstained: bool = False):
        return Response(answer=answer, abstained=abstained, cited=[], ranked=[], latency_ms=1.0, lead=lead,
                        verdict=verdict)

    def verdict_of(r: Response):
        return score(question, r, "qa")["verdict_accuracy"]

    assert verdict_of(response("Non, il a fermé en avril 2022 [1]."))
    assert verdict_of(response("Voici [1].", lead="Non, il a fermé [1]."))  # the lead, when there is one
    assert verdict_of(response("Il a fermé en avril 2022 [1].", verdict="no"))  # Answer.verdict counts too
    assert not verdict_of(response("Oui, il est ouvert [1]."))
    assert not verdict_of(response("Non, il a fermé [1].", verdict="yes"))  # two verdicts that disagree
    assert not verdict_of(response("Il a fermé en avril 2022 [1]."))  # no verdict given
    assert not verdict_of(response("Non.", abstained=True))
    assert score(EvalQuestion("f", "?", "factual", facts=[["x"]]), response("Non."), "qa")["verdict_accuracy"] is None


def test_a_verdict_and_the_new_categories_load_from_the_set(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "question": "?", "category": "eligibility", "verdict": "Oui"}\n'
                    '{"id": "b", "question": "?", "category": "absent-amount"}\n')
    first, second = load_questions(path)
    assert first.verdict == "yes" and second.verdict is None
    path.write_text('{"id": "a", "question": "?", "category": "eligibility", "verdict": "bof"}\n')
    with pytest.raises(ValueError, match="set.jsonl:1: .*unknown verdict"):
        load_questions(path)


class ScriptedSystem:
    """Answers every question with the same text: isolates scoring and reporting from retrieval."""

    name = "scripted"

    def respond(self, question: str, history: list[dict]) -> Response:
        return Response(answer=f"Le prêt va de 10 à 50 k€ [1]. {question}", abstained=False,
                        cited=["Le prêt va de 10 à 50 k€."], ranked=["p.md"], latency_ms=2.0)


def test_a_metric_added_to_the_table_shows_in_report_summary_and_definitions(monkeypatch):
    marks = Metric("question_marks", "Question marks in the answer", "count",
                   lambda question, response: response.answer.count("?"), total,
                   "how many question marks the answer has (a throwaway metric of this test).",
                   line={"qa": "marks {value}"})
    monkeypatch.setattr(metric_table, "METRICS", (*metric_table.METRICS, marks))
    questions = [EvalQuestion("a", "Combien ?", "factual", facts=[["10 à 50 k€"]], sources=["p.md"]),
                 EvalQuestion("b", "Et la durée ?", "follow-up", facts=[["5 ans"]], sources=["p.md"])]
    run = run_systems("qa", [ScriptedSystem()], questions, Settings())
    assert run["summary"]["scripted"]["all"]["question_marks"] == 2
    assert run["summary"]["scripted"]["all"]["accuracy"] == 0.5
    line = summary_line(run)
    assert line.startswith("evals: accuracy 0.50 · lead 0.00 · verdict — · support 0.50 · R@5 1.00 · ")
    assert line.endswith(" · marks 2 (scripted, 2 questions)")
    report = qa_report(run, "python -m evals", "evals/qa.jsonl", "Skipped.")
    assert "| Question marks in the answer | 2 |" in report
    assert "## Question marks in the answer per category" in report and "| follow-up | 1 |" in report
    assert "- **Question marks in the answer**: how many question marks" in report
    assert "question_marks" not in definitions("squad")


def test_the_squad_line_reads_all_and_held_out_figures():
    questions = [SquadQuestion("e", "Combien ?", "10 à 50 k€", "000-00.md"),
                 SquadQuestion("o", "Combien ?", "5 ans", "001-00.md")]  # article 1: held out
    run = run_systems("squad", [ScriptedSystem()], questions, Settings())
    line = summary_line(run)
    assert line.startswith("evals squad: R@1 0.00 · R@5 0.00 · MRR 0.00 · answer contains gold 0.50 "
                           "(held-out articles 0.00) · short answer EM 0.00 F1 0.00 (held-out 0.00 / 0.00) · "
                           "median answer ")
    assert "Held-out articles (1 questions)" in squad_report(run, "python -m evals --squad x", "x.json")


def test_reports_name_paths_from_the_project_and_the_settings_that_ran():
    assert display_path(PROJECT_DIR / "corpus") == "corpus"
    assert display_path(WORK_DIR / "index-abc") == "$TMP/assistant-evals/index-abc"
    shown = public_settings(Settings(corpus_dir=PROJECT_DIR / "corpus", index_dir=WORK_DIR / "index-abc"))
    assert shown["corpus_dir"] == "corpus" and shown["index_dir"] == "$TMP/assistant-evals/index-abc"
    assert {"retrieve_k", "fusion", "dense_weight", "answerer", "abstain_threshold", "embedding_model",
            "chunk_size"} <= shown.keys() and "top_k" not in shown


def test_a_malformed_eval_line_says_where(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "question": "?", "category": "factual"}\n{"id": "b", "question": "?", "category": "oops"}\n')
    with pytest.raises(ValueError, match="set.jsonl:2: unknown category"):
        load_questions(path)


def test_a_translation_loads_beside_its_english_question(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "question": "what is ANITI", "fr": "c\'est quoi ANITI", "category": "english"}\n'
                    '{"id": "b", "question": "ANITI c\'est quoi", "category": "factual"}\n', encoding="utf-8")
    english, french = load_questions(path)
    assert english.translation == "c'est quoi ANITI" and english.record()["fr"] == "c'est quoi ANITI"
    assert french.translation is None and "fr" not in french.record()


def test_every_english_question_of_the_shipped_set_has_a_french_translation():
    questions = load_questions(DEFAULT_SET)
    english = {q.id for q in questions if detect_language(q.question) == "en"}
    translated = {q.id for q in questions if q.translation}
    assert english and translated == english
    assert all(detect_language(q.translation) == "fr" for q in questions if q.translation)


class FrenchOnlySystem:
    """Finds the loan's figure when asked in French, the wrong document first when asked in English."""

    name = "french-only"

    def __init__(self, french: set[str]):
        self.french, self.asked = french, []

    def respond(self, question: str, history: list[dict]) -> Response:
        self.asked.append((question, history))
        if question in self.french:
            lead = "Le prêt va de 10 à 50 k€ [1]."
            return Response(answer=lead, abstained=False, cited=[lead], ranked=["p.md"], latency_ms=1.0, lead=lead)
        return Response(answer="See [1].", abstained=False, cited=[], ranked=["other.md", "p.md"], latency_ms=1.0)


def test_the_parity_asks_each_english_question_again_in_french_with_the_same_history():
    history = [{"role": "user", "content": "Prêt Croissance TPE ?"}, {"role": "assistant", "content": "Un prêt."}]
    questions = [
        EvalQuestion("e1", "How much is the loan?", "english", facts=[["10 à 50 k€"]], sources=["p.md"],
                     translation="Le prêt c'est combien ?"),
        EvalQuestion("f1", "Le prêt dure combien ?", "factual", facts=[["5 ans"]], sources=["p.md"]),
        EvalQuestion("e2", "and how much?", "follow-up-switch", facts=[["10 à 50 k€"]], sources=["p.md"],
                     history=history, translation="et ça monte à combien ?"),
        EvalQuestion("o1", "weather in Toulouse tomorrow?", "out-of-scope", translation="météo à Toulouse demain ?"),
    ]
    system = FrenchOnlySystem({q.translation for q in questions if q.translation})
    parity = run_parity(system, questions)

    assert [p["id"] for p in parity["per_pair"]] == ["e1", "e2", "o1"]  # the translated questions only
    english = ["How much is the loan?", "and how much?", "weather in Toulouse tomorrow?"]
    french = ["Le prêt c'est combien ?", "et ça monte à combien ?", "météo à Toulouse demain ?"]
    assert [q for q, _ in system.asked] == english[:1] + english + french[:1] + french  # each after a warm-up
    assert [h for q, h in system.asked if "how much?" in q or "monte" in q] == [history, history]  # kept as is
    follow_up = parity["per_pair"][1]
    assert (follow_up["en"]["question"], follow_up["fr"]["question"]) == ("and how much?", "et ça monte à combien ?")
    en, fr = parity["summary"]["en"], parity["summary"]["fr"]
    assert en["questions"] == fr["questions"] == 3
    assert (en["accuracy"], fr["accuracy"]) == (0.0, pytest.approx(2 / 3))  # neither abstains out of scope
    assert (en["recall@1"], fr["recall@1"]) == (0.0, 1.0) and en["abstention_rate"] == fr["abstention_rate"] == 0.0
    assert parity["english"] == {"worse": 2, "better": 0, "mixed": 0}
    assert [p["english"] for p in parity["per_pair"]] == ["worse", "worse", "same"]
    assert parity_line(parity) == "parity: EN accuracy 0.00 vs FR 0.67 · R@1 0.00 vs 1.00 · EN worse 2 better 0 " \
                                  "(french-only, 3 pairs)"

    run = run_systems("qa", [system], questions, Settings()) | {"parity": parity}
    report = qa_report(run, "python -m evals", "evals/qa.jsonl", "Skipped.")
    assert "## English parity" in report and "| Answer accuracy | 0.00 | 0.67 |" in report
    assert "| `e2` | follow-up-switch | ✗ / ✓ |" in report
    assert "  - FR « météo à Toulouse demain ? » → « Le prêt va de 10 à 50 k€ [1]. » (wrong; first source p.md)" in report


# CSV eval sets (a spreadsheet's export): evals/dataset.py reads them as well as JSON lines.

EXAMPLE_CSV = DEFAULT_SET.parent / "questions-example.csv"


def write_csv(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_the_shipped_example_csv_loads_and_names_real_documents():
    questions = load_questions(EXAMPLE_CSV)
    assert EXAMPLE_CSV.read_bytes().startswith(b"\xef\xbb\xbf") and ";" in EXAMPLE_CSV.read_text("utf-8-sig")
    assert len(questions) == len({q.id for q in questions}) >= 8
    assert {q.category for q in questions} >= {"factual", "eligibility", "out-of-scope"}
    assert all(q.facts or q.sources for q in questions if not q.out_of_scope)
    assert all(not q.facts and not q.sources for q in questions if q.out_of_scope)
    cited = {s for q in questions for s in q.sources}
    assert cited and all((PROJECT_DIR / "corpus" / s).exists() for s in cited)
    assert any(len(q.facts) > 1 for q in questions) and any(len(g) > 1 for q in questions for g in q.facts)


def test_a_csv_with_commas_and_english_headers_reads_as_one_with_semicolons_a_bom_and_french_headers(tmp_path):
    french = write_csv(tmp_path / "fr.csv", "\ufeffQuestion;Faits attendus;Sources attendues;Catégorie;Doit s'abstenir;Notes\n"
                       "Quel est le plafond ?;50 000 € / 50 k€ | 2017;programmes/startoc-process.md;;non;à revoir\n"
                       "Recette du cassoulet ?;;;;oui;\n\n")
    english = write_csv(tmp_path / "en.csv", "question,expected facts,expected sources,category,must-abstain\n"
                        "Quel est le plafond ?,50 000 € / 50 k€ | 2017,programmes/startoc-process.md,factual,no\n"
                        '"Recette du cassoulet ?",,,out-of-scope,yes\n')
    windows = write_csv(tmp_path / "excel.csv", "question;faits;sources;categorie;abstention\n"
                        "Quel est le plafond ?;50 000 € / 50 k€ | 2017;programmes/startoc-process.md;factual;0\n"
                        "Recette du cassoulet ?;;;out-of-scope;x\n", encoding="cp1252")
    loaded = [load_questions(path) for path in (french, english, windows)]
    for questions in loaded:
        plafond, cassoulet = questions
        assert plafond.facts == [["50 000 €", "50 k€"], ["2017"]] and plafond.sources == ["programmes/startoc-process.md"]
        assert (plafond.category, plafond.out_of_scope, cassoulet.category, cassoulet.out_of_scope) == (
            "factual", False, "out-of-scope", True)
        assert (plafond.id, cassoulet.id) == ("row-2", "row-3")  # the spreadsheet's row numbers, header = row 1


@pytest.mark.parametrize("rows, expected", [
    ("Intitulé;Réponse\nQuel plafond ?;50 000 €\n",
     "pas de colonne « question » (colonnes lues : « Intitulé », « Réponse »)"),
    ("question;faits;catégorie\nQuel plafond ?;50 000 €;factual\nEt la date ?;2017;facutal\n",
     "ligne 3, colonne « catégorie » : catégorie inconnue « facutal »"),
    ("question;faits;doit s'abstenir\nQuel plafond ?;50 000 €;peut-être\n",
     "ligne 2, colonne « doit s'abstenir » : « peut-être » n'est ni oui ni non"),
    ("question;faits;Catégorie;abstention\nQuel plafond ?;50 000 €;factual;oui\n",
     "ligne 2, colonne « abstention » : « oui », mais la catégorie « factual » attend une réponse"),
    ("question;faits;sources\nQuel plafond ?;;\n",
     "ligne 2, colonne « faits » : ni fait attendu ni source attendue"),
    ("question;faits\n;50 000 €\n", "ligne 2, colonne « question » : la question est vide"),
    ("id;question;faits\na;Quel plafond ?;50 000 €\na;Et la date ?;2017\n",
     "ligne 3, colonne « id » : l'identifiant « a » est déjà celui de la ligne 2"),
    ("question;faits;verdict\nÉligible ?;moins de 8 ans;peut-être\n",
     "ligne 2, colonne « verdict » : verdict inconnu « peut-être »"),
    ("question;faits\n\n", "aucune question"),
])
def test_a_bad_csv_row_is_refused_naming_its_row_and_column(tmp_path, rows, expected):
    path = write_csv(tmp_path / "questions.csv", rows)
    with pytest.raises(ValueError) as refused:
        load_questions(path)
    assert expected in str(refused.value) and str(path) in str(refused.value)


def test_csv_errors_can_be_given_in_english(tmp_path):
    path = write_csv(tmp_path / "questions.csv", "question,facts,category\nWhat cap?,50 000 €,factal\n")
    with pytest.raises(ValueError, match='row 2, column "category": unknown category "factal"'):
        load_questions(path, language="en")


@pytest.mark.slow
def test_python_m_evals_runs_a_csv_set(indexed, tmp_path):
    from evals.__main__ import main

    shutil.copytree(indexed.index_dir, tmp_path / "index")  # the session's index, so nothing is re-embedded
    csv_set = write_csv(tmp_path / "région.csv", "\ufeffquestion;faits attendus;sources attendues;doit s'abstenir\n"
                        "Quel est le plafond de START'OC PROcess ?;50 000 €;programmes/startoc-process.md;non\n"
                        "Quel temps fera-t-il à Albi ?;;;oui\n")
    code = main(["--set", str(csv_set), "--index", str(tmp_path / "index"), "--output", str(tmp_path / "out"),
                 "--set-option", f"corpus_dir={indexed.corpus_dir}", "--no-baselines", "--no-judge", "--no-parity"])
    assert code == 0
    run = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert set(run["questions"]) == {"row-2", "row-3"}
    assert run["questions"]["row-3"]["category"] == "out-of-scope"
    assert set(run["summary"]["ours"]) == {"all", "factual", "out-of-scope"}  # the CSV's categories, scored
    assert "région.csv" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_python_m_evals_refuses_a_bad_csv_with_its_row_and_column(tmp_path, capsys):
    from evals.__main__ import main

    path = write_csv(tmp_path / "questions.csv", "question;faits;catégorie\nQuel plafond ?;50 000 €;facutal\n")
    assert main(["--set", str(path), "--output", str(tmp_path / "out"), "--no-baselines"]) == 2
    assert "ligne 2, colonne « catégorie » : catégorie inconnue « facutal »" in capsys.readouterr().err


# Issue 18: matching, comparisons, confidently wrong answers and the paraphrase set.

SOP, SID, JEI, PRETS = ("programmes/startoc-process.md", "programmes/start-up-industrie-de-demain.md",
                        "programmes/jeune-entreprise-innovante.md", "programmes/prets-region-bpifrance.md")


def said(lead: str | None = None, short: str | None = None, verdict: str | None = None, abstained: bool = False,
         programmes: list[dict] | None = None) -> Response:
    """An answer as a system would give it: its lead is also its text."""
    return Response(answer=lead or "", abstained=abstained, cited=[], ranked=[], latency_ms=1.0, lead=lead,
                    short_answer=short, verdict=verdict, programmes=programmes or [])


def fit(source: str, fit: str) -> dict:
    return {"name": source, "source": source, "fit": fit, "reason": ""}


def test_matching_scores_the_programmes_listed_as_eligible_or_to_check_against_the_expected_ones():
    robotics = EvalQuestion("m", "robotique, 2 ans, 5 salariés, à quoi ai-je droit ?", "matching",
                            programmes=ProgrammeGold((SOP, SID, JEI), (PRETS,)))

    def precision_recall_of(response: Response):
        scores = score(robotics, response, "qa")
        return scores["matching_precision"], scores["matching_recall"]

    listed = said("START'OC PROcess et Start-up Industrie de demain [1].",
                  programmes=[fit(SOP, "eligible"), fit(SID, "check"), fit(JEI, "not_eligible"), fit(PRETS, "closed")])
    assert precision_recall_of(listed) == (1.0, pytest.approx(2 / 3))  # not_eligible and closed are not offered
    with_excluded = said("…", programmes=[fit(SOP, "eligible"), fit(PRETS, "eligible")])
    assert precision_recall_of(with_excluded) == (0.5, pytest.approx(1 / 3))  # the loans need 3 years: a wrong offer
    assert precision_recall_of(said("Rien [1].")) == (0.0, 0.0)  # nothing listed matches nothing
    assert precision_recall_of(said(abstained=True, programmes=[fit(SOP, "eligible")])) == (0.0, 0.0)
    factual = score(EvalQuestion("f", "?", "factual", facts=[["x"]]), listed, "qa")
    assert factual["matching_precision"] is None and factual["matching_recall"] is None


def test_a_comparison_needs_a_fact_of_each_side_in_its_lead():
    ages = EvalQuestion("c", "START'OC PROcess ou Start-up Industrie de demain : quelle limite d'âge ?", "comparison",
                        facts=[["moins de 3 ans"], ["moins de 8 ans"]])
    both = said("START'OC PROcess : moins de 3 ans [1] ; Start-up Industrie de demain : moins de 8 ans [2].")
    assert score(ages, both, "qa")["comparison_both_sides"] is True
    assert score(ages, said("START'OC PROcess : moins de 3 ans [1]."), "qa")["comparison_both_sides"] is False
    assert score(ages, said(abstained=True), "qa")["comparison_both_sides"] is False
    assert score(EvalQuestion("f", "?", "factual", facts=[["x"]]), both, "qa")["comparison_both_sides"] is None


def test_a_verdict_against_the_gold_is_confidently_wrong_but_an_unsure_gold_contradicts_nothing():
    def wrong(question: EvalQuestion, response: Response):
        return score(question, response, "qa")["confidently_wrong"]

    closed = EvalQuestion("s", "Le Pass Occitanie est encore ouvert ?", "status", facts=[["plus disponible"]], verdict="no")
    assert wrong(closed, said("Oui, il est ouvert [1].")) is True
    assert wrong(closed, said("Il est ouvert [1].", verdict="yes")) is True  # Answer.verdict counts too
    assert wrong(closed, said("Non, il n'est plus disponible [1].")) is False
    assert wrong(closed, said("Les sources ne permettent pas de trancher [1].")) is False  # a miss, not a contradiction
    assert wrong(closed, said("Oui, il est ouvert.", abstained=True)) is False  # an abstention asserts nothing
    unknown = EvalQuestion("u", "START'OC PROcess est encore ouvert ?", "status", facts=[["inconnu"]], verdict="unsure")
    assert wrong(unknown, said("Non, il est fermé [1].")) is False
    assert wrong(EvalQuestion("o", "recette du cassoulet", "out-of-scope"), said("Oui [1].")) is None


def test_a_lead_figure_is_confidently_wrong_when_none_of_its_kind_agrees_with_the_gold():
    plan = EvalQuestion("f", "Combien la Région met dans l'IA ?", "factual", facts=[["60 M€"]])
    loan = EvalQuestion("l", "Le pret croissance TPE c combien ?", "factual", facts=[["10 000 à 50 000 €"]])
    grant = EvalQuestion("g", "la petite aide pour les TPE elle donne combien ?", "factual", facts=[["20 000 €"]])

    def wrong(question: EvalQuestion, response: Response):
        return score(question, response, "qa")["confidently_wrong"]

    assert wrong(plan, said("10 M€ [1], selon midenews.", short="10 M€")) is True
    assert wrong(plan, said("Le plan a été porté à 60 M€ sur 2024-2028 [1], dont 10 M€ pour les projets régionaux [1].")) is False
    assert wrong(plan, said("Le plan IA a été adopté le 11 juillet 2024 [1].")) is False  # no amount stated
    assert wrong(plan, said("Le plan vise 100 projets en 5 ans [1].")) is False  # counts and durations: not the gold's kind
    assert wrong(plan, said("Environ 60 000 000 € [1].")) is False  # one value however written
    assert wrong(loan, said("Jusqu'à 50 000 € [1].", short="50 000 €")) is False  # a value the gold's range reaches
    assert wrong(grant, said("De 10 000 à 50 000 € [1].", short="de 10 000 à 50 000 €")) is True  # another figure
    asked = EvalQuestion("a", "ma biotech a 9 ans, quelle limite pour START'OC ?", "factual", facts=[["7 ans"]])
    assert wrong(asked, said("Portée à 7 ans [1] (vous : 9 ans).")) is False  # the asker's own figure is left out
    assert wrong(asked, said("Moins de 3 ans [1] (vous : 9 ans).")) is True
    threshold = EvalQuestion("r", "JEI seuil de R&D ?", "conflict", facts=[["15 %"], ["20 %"]])
    assert wrong(threshold, said("Au moins 30 % [1].", short="au moins 30 %")) is True
    assert wrong(threshold, said("Les sources ne permettent pas de trancher : détenue à 50 % au moins [1].")) is False


def test_on_a_yes_no_question_only_the_short_answer_figure_is_compared():
    jei = EvalQuestion("j", "startup de 3 ans, statut JEI ?", "eligibility", facts=[["moins de 8 ans"], ["15 %", "20 %"]],
                       verdict="unsure")
    criteria = said("Oui pour l'âge (moins de 8 ans) [1] ; reste à vérifier : détenue à 50 % au moins [2].")
    assert score(jei, criteria, "qa")["confidently_wrong"] is False  # 50 % is another criterion, not a wrong threshold
    total = EvalQuestion("t", "le budget total c'est les 100 M€ ?", "total-vs-parts", facts=[["450 M€"], ["100 M€"]],
                         verdict="no")
    assert score(total, said("Non : doté de 500 M€ [1].", short="doté de 500 M€"), "qa")["confidently_wrong"] is True
    assert score(total, said("Non : 450 M€ sur 2023-2027 [1].", short="450 M€"), "qa")["confidently_wrong"] is False


def test_a_rewrite_agrees_with_its_original_on_abstaining_lead_facts_and_verdict():
    question = EvalQuestion("q", "pass occitanie encore ouvert ?", "status", facts=[["plus disponible"], ["avril 2022"]],
                            verdict="no")
    original = said("Non : il n'est plus disponible depuis avril 2022 [1].")

    def agreement(response: Response, against: Response = original):
        rewrite = replace(rewrite_of(question, "q-casual", "casual", "pass occitanie tjr ouvert ?"), original=against)
        return score(rewrite, response, "paraphrase")["paraphrase_agreement"]

    assert agreement(said("No: it is « plus disponible » since « avril 2022 » [1].")) is True  # same groups, same verdict
    assert agreement(said("Non : il n'est plus disponible [1].")) is False  # one fact group fewer
    assert agreement(said("Oui : plus disponible en avril 2022 ? [1]")) is False  # another verdict
    assert agreement(said(abstained=True)) is False
    assert agreement(said(abstained=True), against=said(abstained=True)) is True
    wrong_twice = said("Oui [1].")
    assert agreement(wrong_twice, against=wrong_twice) is True  # consistency, not correctness
    assert score(question, original, "paraphrase")["paraphrase_agreement"] is None  # an original has nothing to agree with


def test_the_programmes_gold_and_the_new_categories_load_from_the_set(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"id": "m", "question": "?", "category": "matching", "programmes": {"expected": ["a.md", "b.md"], "excluded": ["c.md"]}}\n'
        '{"id": "c", "question": "?", "category": "comparison", "facts": [["3 ans"], ["8 ans"]]}\n'
        '{"id": "s", "question": "?", "category": "story", "verdict": "non"}\n', encoding="utf-8")
    matching, comparison, story = load_questions(path)
    assert matching.programmes == ProgrammeGold(("a.md", "b.md"), ("c.md",))
    assert matching.record()["programmes"] == {"expected": ["a.md", "b.md"], "excluded": ["c.md"]}
    assert comparison.programmes is None and "programmes" not in comparison.record() and story.verdict == "no"


@pytest.mark.parametrize("line, expected", [
    ('{"id": "m", "question": "?", "category": "matching"}', 'a matching question, and only one, has "programmes"'),
    ('{"id": "f", "question": "?", "category": "factual", "programmes": {"expected": ["a.md"]}}', "only one"),
    ('{"id": "m", "question": "?", "category": "matching", "programmes": {"expected": []}}', "expected is empty"),
    ('{"id": "m", "question": "?", "category": "matching", "programmes": {"expected": ["a.md"], "excluded": ["a.md"]}}',
     "expected and excluded at once"),
    ('{"id": "m", "question": "?", "category": "matching", "programmes": {"expectd": ["a.md"]}}', "programmes must be"),
])
def test_a_bad_programmes_gold_is_refused_naming_its_line(tmp_path, line, expected):
    path = tmp_path / "set.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="set.jsonl:1: ") as refused:
        load_questions(path)
    assert expected in str(refused.value)


def test_the_shipped_set_has_the_kinds_of_issue_18_with_their_gold():
    questions = load_questions(DEFAULT_SET)
    kinds = {c: [q for q in questions if q.category == c] for c in ("matching", "comparison", "story")}
    assert len(kinds["matching"]) >= 12 and len(kinds["comparison"]) >= 8 and len(kinds["story"]) >= 8
    named = {s for q in kinds["matching"] for s in q.programmes.expected + q.programmes.excluded}
    assert all((PROJECT_DIR / "corpus" / s).exists() for s in named)
    assert any(detect_language(q.question) == "en" for q in kinds["matching"])
    assert all(len(q.facts) >= 2 for q in kinds["comparison"]) and all(q.verdict for q in kinds["story"])


def test_the_shipped_paraphrases_rewrite_every_question_in_three_styles():
    questions = load_questions(DEFAULT_SET)
    rewrites = load_paraphrases(DEFAULT_PARAPHRASES, questions)  # refuses an id, original or history that differs
    assert {(r.of, r.style) for r in rewrites} == {(q.id, style) for q in questions for style in STYLES}
    assert len(rewrites) == 3 * len(questions)
    originals = {q.id: q for q in questions}
    assert all(r.question.strip() != originals[r.of].question.strip() for r in rewrites)
    assert all(r.facts == originals[r.of].facts and r.verdict == originals[r.of].verdict for r in rewrites)


@pytest.mark.parametrize("line, expected", [
    ('{"id": "a-en", "of": "a", "style": "formal", "question": "?"}', "unknown style 'formal'"),
    ('{"id": "z-en", "of": "z", "style": "english", "question": "?"}', "'z' is not a question of the set"),
    ('{"id": "a-english", "of": "a", "style": "english", "question": "?"}', "has the id a-en, not 'a-english'"),
    ('{"id": "a-en", "of": "a", "style": "english", "question": "?"}', "the history differs from a's"),
    ('{"id": "a-en", "of": "a", "style": "english"}', "not a valid rewrite"),
])
def test_a_bad_rewrite_is_refused_naming_its_line(tmp_path, line, expected):
    history = [{"role": "user", "content": "Pass Occitanie ?"}, {"role": "assistant", "content": "Une aide."}]
    path = tmp_path / "paraphrases.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="paraphrases.jsonl:1: ") as refused:
        load_paraphrases(path, [EvalQuestion("a", "Et son montant ?", "follow-up", history=history)])
    assert expected in str(refused.value)


class CasualOnlySystem:
    """States the loan's figure for the set's own words and its casual rewrite, abstains in English."""

    name = "casual-only"

    def __init__(self):
        self.asked = []

    def respond(self, question: str, history: list[dict]) -> Response:
        self.asked.append((question, history))
        if question.startswith("How"):
            return said(abstained=True)
        return said("Le prêt va de 10 000 à 50 000 € [1].", short="de 10 000 à 50 000 €")


def test_the_paraphrase_pass_asks_originals_and_rewrites_and_reports_agreement_per_style():
    history = [{"role": "user", "content": "Prêt Croissance TPE ?"}, {"role": "assistant", "content": "Un prêt."}]
    loan = EvalQuestion("p", "Et ça monte à combien ?", "follow-up", facts=[["10 000 à 50 000 €"]], history=history)
    rewrites = [rewrite_of(loan, f"p-{SUFFIXES[style]}", style, text) for style, text in
                (("casual", "et sa monte a cb ?"), ("english", "How much is it?"), ("story", "Ma TPE a 5 salariés. Combien ?"))]
    system = CasualOnlySystem()
    paraphrases = run_paraphrases(system, [loan], rewrites)

    assert [q for q, _ in system.asked] == ["Et ça monte à combien ?"] * 2 + ["et sa monte a cb ?", "et sa monte a cb ?",
                                                                          "How much is it?", "Ma TPE a 5 salariés. Combien ?"]
    assert all(h == history for _, h in system.asked)  # a follow-up stays a follow-up
    summary = paraphrases["summary"]
    assert (summary["casual"]["paraphrase_agreement"], summary["english"]["paraphrase_agreement"],
            summary["story"]["paraphrase_agreement"], summary["all"]["paraphrase_agreement"]) == (1.0, 0.0, 1.0, pytest.approx(2 / 3))
    assert summary["originals"]["accuracy"] == 1.0 and summary["all"]["accuracy"] == pytest.approx(2 / 3)
    assert summary["all"]["confidently_wrong"] == 0
    assert [r["differs"] for r in paraphrases["per_rewrite"]] == ["", "abstained, the original answered", ""]

    run = run_systems("qa", [system], [loan], Settings()) | {"paraphrases": paraphrases}
    assert summary_line(run).endswith("(casual-only, 1 questions) · paraphrases (3 rewrites): agreement 0.67 "
                                      "(casual 1.00, english 0.00, story 1.00) · confidently wrong 0")
    report = qa_report(run, "python -m evals", "evals/qa.jsonl", "Skipped.")
    assert "| Paraphrase agreement | — | 1.00 | 0.00 | 1.00 | 0.67 |" in report
    assert "- `p-en` (follow-up) « How much is it? »: abstained, the original answered" in report


def test_the_report_lists_the_confidently_wrong_answers():
    questions = [EvalQuestion("w", "Le pret croissance TPE dure combien ?", "factual", facts=[["5 ans"]],
                              reference="5 ans dont 1 an de différé."),
                 EvalQuestion("r", "Le pret croissance TPE c combien ?", "factual", facts=[["10 000 à 50 000 €"]])]
    run = run_systems("qa", [CasualOnlySystem()], questions, Settings())
    assert run["summary"]["casual-only"]["all"]["confidently_wrong"] == 0  # an amount where a duration is asked: not compared
    run["questions"]["w"]["systems"]["casual-only"]["scores"]["confidently_wrong"] = True
    report = qa_report(run, "python -m evals", "evals/qa.jsonl", "Skipped.")
    assert "- `w` (factual) Le pret croissance TPE dure combien ? — « Le prêt va de 10 000 à 50 000 € [1]. » (gold « 5 ans" in report
    assert "`r`" not in report.split("## Confidently wrong (ours)")[1]


def test_a_csv_cell_past_the_readers_field_limit_is_refused_naming_its_line(tmp_path):
    path = write_csv(tmp_path / "questions.csv", "question;faits\nQuel plafond ?;50 000 €\n"
                     f"{'Quel plafond ? ' * 15_000};50 000 €\n")
    with pytest.raises(ValueError, match=r"ligne 3 : une cellule dépasse 131072 caractères"):
        load_questions(path)
