"""The maintainer's and integrator's commands, run as a person would: `python -m assistant ...`."""

import json
import os
import subprocess
import sys

from assistant.settings import PROJECT_DIR
from assistant.wording import message
from tests.helpers import BUDGET


def run(*args, settings, stdin=None, **environment):
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           **environment}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True, text=True, env=env, cwd=PROJECT_DIR,
        check=False,
    )


def test_index_then_search_shows_the_announcement_budget_passage_first(corpus_copy):
    indexed = run("index", settings=corpus_copy)
    assert indexed.returncode == 0, indexed.stderr
    assert "13 files" in indexed.stdout and "added" in indexed.stdout
    again = run("index", settings=corpus_copy)
    assert "nothing to embed" in again.stdout

    search = run("search", BUDGET, settings=corpus_copy)
    first = search.stdout.split("\n\n")[0]
    assert "annonces/2024-05-region-occitanie-vivatech.md" in first and "2 à 5 M€" in first


def test_search_shows_the_passages_without_answering_so_the_llm_is_not_asked(indexed, fake_server):
    server = fake_server("Le dispositif est doté de 2 à 5 M€ par an [1].")
    llm = {"ASSISTANT_ANSWERER": "llm", "ASSISTANT_LLM_BASE_URL": server.base_url, "ASSISTANT_LLM_MODEL": "fake-model"}
    search = run("search", BUDGET, settings=indexed, **llm)
    assert search.returncode == 0, search.stderr
    assert "annonces/2024-05-region-occitanie-vivatech.md" in search.stdout.split("\n\n")[0]
    assert search.stdout.count("   lexical ") == indexed.top_k
    assert server.requests == []
    asked = run("ask", BUDGET, settings=indexed, **llm)  # the same settings do reach the LLM when answering
    assert asked.returncode == 0, asked.stderr
    assert len(server.requests) == 1


def test_ask_builds_the_index_when_missing_and_answers_as_json(corpus_copy):
    result = run("ask", "--json", BUDGET, settings=corpus_copy)
    assert result.returncode == 0, result.stderr
    assert "building it" in result.stderr
    answer = json.loads(result.stdout)
    assert "2 à 5 M€" in answer["answer"] and not answer["abstained"]
    assert {"n", "source", "title", "section", "date", "url", "text", "score"} <= set(answer["citations"][0])


def test_jsonl_answers_each_line_with_its_id_and_uses_history(indexed):
    lines = [
        {"id": "a", "question": "C'est quoi le Prêt Relance Occitanie ?"},
        {
            "id": "b",
            "question": "Et son taux ?",
            "history": [
                {"role": "user", "content": "C'est quoi le Prêt Relance Occitanie ?"},
                {"role": "assistant", "content": "Un prêt régional."},
            ],
        },
        {"id": "c", "question": ""},
        {"id": "d", "question": "Quelle est la recette du cassoulet ?"},
    ]
    result = run("ask", "--jsonl", settings=indexed, stdin="\n".join(json.dumps(line) for line in lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", "d"]
    assert "0,20 %" in out[1]["answer"]
    assert (out[2]["line"], out[2]["error"]) == (3, message("fr", "empty"))
    assert out[3]["abstained"] is True


def test_jsonl_reports_each_malformed_line_under_its_own_number_and_answers_the_others(indexed):
    good = {"id": "taux", "question": "Quel est le taux du Prêt Relance Occitanie ?"}
    lines = [
        "pas du JSON",  # a malformed first line used to crash the run
        json.dumps(good),
        json.dumps(["une", "liste"]),  # JSON, but not an object
        "",  # blank lines are skipped but still counted, as an editor numbers them
        json.dumps({"id": "pass", "question": "Quel est le montant du Pass Occitanie ?"}),
        json.dumps({"id": "nombre", "question": 42}),  # used to be reported under the previous line's id
        json.dumps({"id": "readynov", "question": "Qu'est-ce que READYNOV ?"}),
        '{"id": "coupee", "question": "Et son ',  # a last line cut short
    ]
    result = run("ask", "--jsonl", settings=indexed, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["id"], o.get("line")) for o in out] == [
        (None, 1), ("taux", None), (None, 3), ("pass", None), ("nombre", 6), ("readynov", None), (None, 8)]
    errors = {o["line"]: o["error"] for o in out if "error" in o}
    assert "line 1 is not valid JSON" in errors[1] and "line 8 is not valid JSON" in errors[8]
    assert errors[3] == "line 3 is not a JSON object"
    assert "line 6" in errors[6] and "'question' must be a string" in errors[6]
    answered = {o["id"]: o for o in out if "error" not in o}
    assert "0,20 %" in answered["taux"]["answer"] and "20 000 €" in answered["pass"]["answer"]
    assert all(not o["abstained"] and o["citations"] for o in answered.values())


def test_ask_prints_sources_for_a_person(corpus_copy):
    result = run("ask", "Le Pass Occitanie est-il encore ouvert ?", settings=corpus_copy)
    assert result.returncode == 0
    assert "Sources :" in result.stdout and "programmes/pass-occitanie.md" in result.stdout


def test_bad_input_is_refused_with_a_message(corpus_copy):
    assert run("ask", "x" * 5000, settings=corpus_copy).returncode == 2
    missing = run("index", "--corpus", str(corpus_copy.corpus_dir / "nope"), settings=corpus_copy)
    assert missing.returncode == 2 and "not found" in missing.stderr
