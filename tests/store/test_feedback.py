"""Feedback in the default store: SQLite created on first use, exported as CSV (the store's tests on
SQLite and PostgreSQL alike are in tests/store/test_store.py)."""

import csv
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.store.database import FEEDBACK_COLUMNS as COLUMNS
from assistant.store.database import HEADERS, Store

PROJECT = Path(__file__).resolve().parents[2]
def sqlite_store(path: Path) -> Store:
    return Store(f"sqlite:///{path.resolve()}")


CITATION = {"n": 1, "source": "programmes/pass-occitanie.md", "title": "Pass Occitanie", "text": "Le Pass…"}


def test_the_database_is_created_on_first_use_in_wal_mode(tmp_path):
    store = sqlite_store(tmp_path / "nested" / "feedback.sqlite3")
    assert not (tmp_path / "nested").exists()
    assert store.count_feedback() == 0
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_rating_is_stored_with_its_question_answer_and_citations(tmp_path):
    store = sqlite_store(tmp_path / "feedback.sqlite3")
    row = store.add_feedback("down", "Le Pass Occitanie est-il ouvert ?", "D'après… [1]", [CITATION], "extractive",
                    reason="Réponse inexacte", comment="date ancienne")
    (stored,) = store.feedback_rows()
    assert stored["id"] == row
    assert (stored["rating"], stored["reason"], stored["comment"]) == ("down", "Réponse inexacte", "date ancienne")
    assert stored["question"] == "Le Pass Occitanie est-il ouvert ?"
    assert '"Pass Occitanie"' in stored["citations"]
    assert stored["created_at"].endswith("+00:00")


def test_no_column_can_hold_a_client_address():
    assert not {"ip", "client", "address", "host", "user_agent"} & set(COLUMNS)


def test_only_up_or_down_is_accepted(tmp_path):
    store = sqlite_store(tmp_path / "feedback.sqlite3")
    with pytest.raises(ValueError):
        store.add_feedback("meh", "q", "a")
    assert store.count_feedback() == 0


def test_export_writes_a_header_and_one_line_per_rating_with_formulas_made_inert(tmp_path):
    store = sqlite_store(tmp_path / "feedback.sqlite3")
    store.add_feedback("up", "Qui contacter ?", "AD'OCC [1]", [CITATION], "extractive")
    store.add_feedback("down", "=HYPERLINK(\"http://evil\")", "réponse", comment="@SUM(A1)")
    out = store.export_feedback_csv().decode("utf-8")
    assert out.startswith("\ufeff")  # a BOM: a French spreadsheet reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == 1 + 2
    assert rows[0] == [HEADERS[c] for c in COLUMNS]
    assert rows[1][COLUMNS.index("question")] == "Qui contacter ?"
    assert rows[2][COLUMNS.index("question")].startswith("'=")
    assert rows[2][COLUMNS.index("comment")] == "'@SUM(A1)"


def test_the_export_can_split_cells_on_commas_for_other_tools(tmp_path):
    store = sqlite_store(tmp_path / "feedback.sqlite3")
    store.add_feedback("up", "Qui contacter ?", "AD'OCC [1]")
    rows = list(csv.reader(io.StringIO(store.export_feedback_csv(",").decode("utf-8-sig"))))
    assert rows[0] == [HEADERS[c] for c in COLUMNS] and rows[1][COLUMNS.index("question")] == "Qui contacter ?"


def test_the_cli_exports_the_feedback_of_the_configured_data_dir(tmp_path):
    sqlite_store(tmp_path / "data" / "feedback.sqlite3").add_feedback("up", "Qu'est-ce que READYNOV ?", "READYNOV… [1]")
    output = tmp_path / "feedback.csv"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "feedback", "export", "--output", str(output)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 feedback rows" in done.stdout
    assert "Qu'est-ce que READYNOV ?" in output.read_text(encoding="utf-8-sig")


def test_the_cli_exports_the_question_log_of_the_configured_database(tmp_path, postgres):
    from assistant.store.database import Store
    from tests.postgres import new_database

    url = new_database(postgres)
    Store(url).log_question("Où est l'agence AD'OCC à Toulouse ?", "fr", False, "À Toulouse [1].",
                            ["programmes/adocc.md"], 9.0, "extractive")
    output = tmp_path / "questions.csv"
    env = {**os.environ, "ASSISTANT_DATABASE_URL": url, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "questions", "export", "--delimiter", ",", "--output", str(output)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 questions rows" in done.stdout
    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert row["Question"] == "Où est l'agence AD'OCC à Toulouse ?" and row["Sources citées"] == "programmes/adocc.md"
