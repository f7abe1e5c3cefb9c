"""The store (assistant/store/database.py): the same tests on SQLite and on a real PostgreSQL server started
for the session (tests/postgres.py). Feedback, the question log with masking, filters and retention,
evaluation runs, CSV exports, schema versions and the upgrade of the old feedback file."""

import csv
import datetime as dt
import io
import sqlite3
import threading

import pytest
from sqlalchemy import inspect, text

from assistant.store import database as store_module
from assistant.store.database import DATABASE_FILE, HEADERS, QUESTION_COLUMNS, VERSION, Store
from assistant.store.masking import mask
from tests.helpers import make_settings
from tests.postgres import new_database

CITED = ["programmes/pass-occitanie.md", "programmes/adocc.md"]
DAY = dt.timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / DATABASE_FILE}"
    return new_database(request.getfixturevalue("postgres"))


@pytest.fixture
def store(url):
    store = Store(url)
    yield store
    store.close()


def log(store: Store, question: str, abstained: bool = False, sources=(), **others) -> int:
    values = {"language": "fr", "lead": None if abstained else "Oui : le Pass est ouvert [1].",
              "latency_ms": 12.5, "answerer": "extractive"} | others
    return store.log_question(question, abstained=abstained, sources=list(sources), **values)


def raw_questions(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return [r[0] for r in connection.execute(text("SELECT question FROM questions"))]


# Schema

def test_a_new_database_is_created_at_the_latest_version_with_every_table(store, url):
    assert store.version() == VERSION
    tables = set(inspect(store.engine).get_table_names())
    assert {"schema_version", "feedback", "questions", "question_sources", "eval_runs"} <= tables
    if url.startswith("sqlite"):
        with sqlite3.connect(store.path) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_no_table_has_a_column_for_a_client_address_or_a_user(store):
    store.version()
    columns = {c["name"] for t in inspect(store.engine).get_table_names() for c in inspect(store.engine).get_columns(t)}
    assert not {"ip", "client", "address", "host", "user_agent", "user", "user_id", "session"} & columns


def test_instances_starting_together_upgrade_the_schema_once(url):
    stores, errors = [Store(url) for _ in range(4)], []

    def start(store: Store) -> None:
        try:
            store.log_question("Qui contacter ?", "fr", False, "AD'OCC.", [], 1.0, "extractive")
        except Exception as error:  # noqa: BLE001 - collected: an exception in a thread would otherwise be lost
            errors.append(error)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with stores[0].engine.connect() as connection:
        assert connection.execute(text("SELECT version FROM schema_version")).scalars().all() == [VERSION]
    assert stores[0].count_questions() == 4


def test_the_feedback_file_of_earlier_versions_is_upgraded_in_place_without_losing_a_rating(tmp_path):
    path = tmp_path / DATABASE_FILE
    with sqlite3.connect(path) as connection:  # the feedback table as written before the store existed
        connection.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,"
            " rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), reason TEXT, comment TEXT,"
            " question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL DEFAULT '[]', answerer TEXT)")
        connection.execute(
            "INSERT INTO feedback (created_at, rating, reason, comment, question, answer, citations, answerer)"
            " VALUES ('2025-06-01T10:00:00+00:00', 'down', 'Réponse inexacte', 'vieux', 'Le Pass est-il ouvert ?',"
            " 'Oui [1]', '[{\"n\": 1}]', 'extractive')")
    store = Store(f"sqlite:///{path}")
    assert store.version() == VERSION
    (old,) = store.feedback_rows()
    assert (old["id"], old["rating"], old["comment"], old["question"]) == (1, "down", "vieux", "Le Pass est-il ouvert ?")
    assert old["created_at"] == "2025-06-01T10:00:00+00:00" and old["question_id"] is None
    question_id = log(store, "Qui contacter ?")
    assert store.add_feedback("up", "Qui contacter ?", "AD'OCC", question_id=question_id) == 2
    assert store.questions()[0]["rating"] == "up"


def as_version_2(store: Store) -> None:
    """Turn a new store back into schema version 2: no latest rating on questions, the old source index."""
    with store.engine.begin() as connection:
        for index in ("ix_questions_abstained_id", "ix_questions_rating_id", "ix_question_sources_source_question"):
            connection.execute(text(f"DROP INDEX {index}"))
        connection.execute(text("CREATE INDEX ix_question_sources_source ON question_sources (source)"))
        connection.execute(text("ALTER TABLE questions DROP COLUMN rating"))
        connection.execute(text("ALTER TABLE questions DROP COLUMN reason"))
        connection.execute(text("UPDATE schema_version SET version = 2"))


def test_a_version_2_store_keeps_its_questions_and_feedback_and_gives_each_question_its_latest_rating(url):
    old = Store(url)
    old.version()
    as_version_2(old)
    with old.engine.begin() as connection:  # rows as version 2 wrote them
        for n, (question, abstained) in enumerate([("Le Pass est-il ouvert ?", False), ("Quel temps ?", True)], 1):
            connection.execute(text("INSERT INTO questions (id, asked_at, question, language, abstained, latency_ms,"
                                    " answerer) VALUES (:id, :at, :q, 'fr', :abstained, 12.5, 'extractive')"),
                               {"id": n, "at": dt.datetime(2026, 12, 1, 10, n), "q": question, "abstained": abstained})
            connection.execute(text("INSERT INTO question_sources (question_id, position, source) VALUES (:id, 0, :s)"),
                               {"id": n, "s": CITED[n - 1]})
        for rating, reason in (("down", "Réponse inexacte"), ("up", None)):  # the user changed their mind
            connection.execute(text("INSERT INTO feedback (created_at, rating, reason, question, answer, citations,"
                                    " question_id) VALUES ('2026-12-01T10:05:00+00:00', :r, :why,"
                                    " 'Le Pass est-il ouvert ?', 'Oui', '[]', 1)"), {"r": rating, "why": reason})
        connection.execute(text("INSERT INTO feedback (created_at, rating, reason, question, answer, citations,"
                                " question_id) VALUES ('2026-12-01T10:06:00+00:00', 'down', 'Pas de réponse',"
                                " 'Quel temps ?', 'Je ne sais pas', '[]', 2)"))
    old.close()
    store = Store(url)
    assert store.version() == VERSION
    assert [(r["question"], r["rating"], r["reason"]) for r in store.questions()] == [
        ("Quel temps ?", "down", "Pas de réponse"), ("Le Pass est-il ouvert ?", "up", None)]
    assert [r["id"] for r in store.questions(rating="down")] == [2] and store.count_questions(rating="up") == 1
    assert [r["id"] for r in store.questions(source=CITED[1])] == [2]
    assert len(store.feedback_rows()) == 3
    indexes = {i["name"] for i in inspect(store.engine).get_indexes("questions")}
    assert {"ix_questions_abstained_id", "ix_questions_rating_id"} <= indexes


def test_a_database_newer_than_the_code_is_refused(store):
    store.version()
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE schema_version SET version = :v"), {"v": VERSION + 1})
    with pytest.raises(RuntimeError, match="schema version"):
        Store(store.url.render_as_string(hide_password=False)).version()


def test_the_settings_choose_sqlite_in_the_data_dir_or_the_database_url(tmp_path, url):
    settings = make_settings(tmp_path)
    assert Store.from_settings(settings).path == (tmp_path / "data" / DATABASE_FILE).resolve()
    configured = Store.from_settings(settings.model_copy(update={"database_url": url, "question_log": False,
                                                                 "retention_days": 7}))
    assert configured.url.database == Store(url).url.database
    assert (configured.question_log, configured.retention_days) == (False, 7)


# Feedback

def test_feedback_is_stored_and_linked_to_its_question_only_when_the_text_matches(store):
    asked = "Mon entreprise (contact : jean.dupont@example.fr, 06 12 34 56 78) peut-elle avoir le Pass ?"
    question_id = log(store, asked, sources=CITED)
    linked = store.add_feedback("down", asked, "Oui [1]", [{"n": 1, "title": "Pass Occitanie"}], "extractive",
                                reason="Réponse inexacte", comment="écrivez-moi : jean.dupont@example.fr",
                                question_id=question_id)
    forged = store.add_feedback("down", "Une autre question ?", "Non", question_id=question_id)
    missing = store.add_feedback("up", asked, "Oui [1]", question_id=question_id + 1000)
    rows = {r["id"]: r for r in store.feedback_rows()}
    assert rows[linked]["question_id"] == question_id
    assert rows[forged]["question_id"] is None and rows[missing]["question_id"] is None
    assert "jean.dupont" not in rows[linked]["question"] + rows[linked]["comment"]
    assert '"Pass Occitanie"' in rows[linked]["citations"]
    assert rows[linked]["created_at"].endswith("+00:00")
    with pytest.raises(ValueError):
        store.add_feedback("meh", "q", "a")
    assert store.count_feedback() == 3


def test_the_feedback_reason_is_masked_like_the_question(store):
    question_id = log(store, "Le Pass est-il ouvert ?")
    store.add_feedback("down", "Le Pass est-il ouvert ?", "Oui", reason="rappelez-moi au 06 12 34 56 78 ou a@b.fr",
                       question_id=question_id)
    (row,) = store.feedback_rows()
    assert row["reason"] == "rappelez-moi au [téléphone] ou [e-mail]"
    assert store.questions(rating="down")[0]["reason"] == "rappelez-moi au [téléphone] ou [e-mail]"
    assert "06 12" not in store.export_feedback_csv().decode() + store.export_questions_csv().decode()


def test_characters_a_store_refuses_are_dropped_before_they_are_written(store):
    asked = "Le Pass\x00 Occitanie est-il ouvert \ud800?"
    question_id = log(store, asked, sources=["programmes/pass\x00.md"], lead="Oui\x00.")
    (row,) = store.questions()
    assert (row["id"], row["question"], row["lead"]) == (question_id, "Le Pass Occitanie est-il ouvert \ufffd?", "Oui.")
    assert row["sources"] == ["programmes/pass.md"]
    feedback_id = store.add_feedback("down", asked, "Non\x00", [{"n": 1, "title": "Pass\x00 \udc80"}], "extr\x00active",
                                     reason="in\x00exact", comment="\x00", question_id=question_id)
    (feedback,) = store.feedback_rows()
    assert feedback["id"] == feedback_id and feedback["question_id"] == question_id  # linked: same text once cleaned
    assert (feedback["reason"], feedback["answer"], feedback["answerer"]) == ("inexact", "Non", "extractive")
    assert store.questions(source="programmes/pass\x00.md")[0]["id"] == question_id
    assert store.count_questions(source="\x00") == 1  # nothing left of the filter: no filter


def test_concurrent_writes_are_all_kept(store):
    errors = []

    def write(worker: int) -> None:
        try:
            for i in range(15):
                question_id = log(store, f"question {worker}-{i}")
                store.add_feedback("up" if i % 2 else "down", f"question {worker}-{i}", "réponse",
                                   question_id=question_id)
        except Exception as error:  # noqa: BLE001 - collected: an exception in a thread would otherwise be lost
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count_questions() == store.count_feedback() == 90
    assert store.count_questions(rating="down") == 48 and store.count_questions(rating="up") == 42


# Question log

@pytest.mark.parametrize("asked, kept", [
    ("Appelez-moi au 06 12 34 56 78 pour le Pass", "Appelez-moi au [téléphone] pour le Pass"),
    ("mon numéro : 0612345678.", "mon numéro : [téléphone]."),
    ("tel 06.12.34.56.78 ou 06-12-34-56-78", "tel [téléphone] ou [téléphone]"),
    ("joignable au +33 6 12 34 56 78 ou +33612345678", "joignable au [téléphone] ou [téléphone]"),
    ("standard +33 (0)5 61 00 00 00, fixe 05 61 33 50 50", "standard [téléphone], fixe [téléphone]"),
    ("depuis la Belgique : +32 470 12 34 56", "depuis la Belgique : [téléphone]"),
    ("Écrivez à Marie.Dupont+pass@entreprise.co.fr svp", "Écrivez à [e-mail] svp"),
])
def test_emails_and_phone_numbers_are_masked(asked, kept):
    assert mask(asked) == kept


@pytest.mark.parametrize("asked", [
    "Le budget est-il de 2 000 000 € ou de 0,5 M€ ?",
    "Mon SIRET 12345678901234 est-il éligible depuis le 01.02.2024 ?",
    "Les 10 lauréats de 2024 reçoivent 30 000 € chacun",
    "Le dispositif finance 1 200 000 euros sur 36 mois",
])
def test_figures_dates_and_identifiers_are_not_taken_for_phone_numbers(asked):
    assert mask(asked) == asked


def test_a_logged_question_is_stored_masked_with_its_answer_facts(store):
    asked = "Je suis joignable au 06 12 34 56 78 ou à jean.dupont@example.fr : le Pass Occitanie est-il ouvert ?"
    question_id = log(store, asked, sources=CITED + CITED[:1], latency_ms=41.0)
    (row,) = store.questions()
    assert row["id"] == question_id
    assert row["question"] == "Je suis joignable au [téléphone] ou à [e-mail] : le Pass Occitanie est-il ouvert ?"
    assert (row["language"], row["abstained"], row["latency_ms"], row["answerer"]) == ("fr", False, 41.0, "extractive")
    assert row["lead"] == "Oui : le Pass est ouvert [1]."
    assert row["sources"] == CITED  # once each, in citation order
    assert row["rating"] is None and row["reason"] is None
    assert dt.datetime.fromisoformat(row["asked_at"]) > dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    assert set(row) == set(QUESTION_COLUMNS)
    assert all("06 12" not in q and "@" not in q for q in raw_questions(store))


def test_with_the_log_off_nothing_is_stored(url):
    store = Store(url, question_log=False)
    assert log(store, "Le Pass Occitanie est-il ouvert ?") is None
    assert store.count_questions() == 0 and store.questions() == []


def test_the_console_filters_abstained_thumbs_down_dates_and_sources(store):
    answered = log(store, "Le Pass Occitanie est-il ouvert ?", sources=CITED)
    abstained = log(store, "Quel temps fera-t-il demain ?", abstained=True, sources=["programmes/adocc.md"])
    changed_mind = log(store, "Quel est le budget de READYNOV ?", sources=["programmes/readynov.md"])
    store.add_feedback("down", "Le Pass Occitanie est-il ouvert ?", "Oui", reason="Réponse inexacte",
                       question_id=answered)
    store.add_feedback("down", "Quel est le budget de READYNOV ?", "2 M€", question_id=changed_mind)
    store.add_feedback("up", "Quel est le budget de READYNOV ?", "2 M€", question_id=changed_mind)

    def ids(**filters) -> list[int]:
        found = [r["id"] for r in store.questions(**filters)]
        assert store.count_questions(**filters) == len(found)
        return found

    assert ids() == [changed_mind, abstained, answered]  # newest first
    assert ids(abstained=True) == [abstained]
    assert ids(abstained=False) == [changed_mind, answered]
    assert ids(rating="down") == [answered]  # the latest rating counts
    assert ids(rating="up") == [changed_mind]
    assert store.questions(rating="down")[0]["reason"] == "Réponse inexacte"
    assert ids(source="programmes/adocc.md") == [abstained, answered]
    assert ids(source="programmes/readynov.md", rating="up") == [changed_mind]
    assert ids(source="programmes/inconnu.md") == []
    today = dt.datetime.now(dt.timezone.utc).date()
    assert ids(since=today, until=today) == [changed_mind, abstained, answered]
    assert ids(since=today.isoformat(), until=(today + DAY).isoformat()) == [changed_mind, abstained, answered]
    assert ids(until=today - DAY) == [] and ids(since=today + DAY) == []
    assert ids(since=dt.datetime.now() + dt.timedelta(hours=1)) == []
    assert [r["id"] for r in store.questions(limit=2)] == [changed_mind, abstained]
    assert [r["id"] for r in store.questions(limit=2, offset=2)] == [answered]
    with pytest.raises(ValueError):
        store.questions(since="hier")


def test_the_console_pages_through_every_question_once_newest_first(store):
    ids = [log(store, f"Question {n} ?", abstained=n % 3 == 0, sources=CITED[: n % 3]) for n in range(10)]

    def pages(**filters) -> list[list[int]]:
        found, before = [], None
        while page := store.questions(limit=3, before=before, **filters):
            found.append([r["id"] for r in page])
            before = page[-1]["id"]
        return found

    assert pages() == [ids[9:6:-1], ids[6:3:-1], ids[3:0:-1], ids[:1]]
    assert sum(pages(abstained=True), []) == [ids[9], ids[6], ids[3], ids[0]]
    assert sum(pages(source=CITED[1]), []) == [i for n, i in reversed(list(enumerate(ids))) if n % 3 == 2]
    assert [r["id"] for r in store.questions(limit=3, offset=3)] == ids[6:3:-1]


def test_the_question_export_streams_every_question_in_pieces(store, monkeypatch):
    monkeypatch.setattr(store_module, "EXPORT_BATCH", 2)
    for n in range(5):
        log(store, f"Question {n} ?", sources=CITED[: n % 3])
    pieces = list(store.questions_csv())
    assert len(pieces) == 3  # 2 + 2 + 1 rows, the header with the first
    rows = list(csv.DictReader(io.StringIO(b"".join(pieces).decode("utf-8-sig")), delimiter=";"))
    assert [r["Question"] for r in rows] == [f"Question {n} ?" for n in range(4, -1, -1)]
    assert [r["Sources citées"] for r in rows] == [" | ".join(CITED[: n % 3]) for n in range(4, -1, -1)]
    empty = Store(store.url.render_as_string(hide_password=False))
    with empty.engine.begin() as connection:
        connection.execute(text("DELETE FROM question_sources"))
        connection.execute(text("DELETE FROM questions"))
    (header,) = list(empty.questions_csv())
    assert header.decode("utf-8-sig").strip() == ";".join(HEADERS[c] for c in QUESTION_COLUMNS)


def test_the_feedback_export_streams_every_rating_in_pieces(store, monkeypatch):
    monkeypatch.setattr(store_module, "EXPORT_BATCH", 2)
    for n in range(5):
        store.add_feedback("down", f"Question {n} ?", "Oui")
    pieces = list(store.feedback_csv())
    rows = list(csv.DictReader(io.StringIO(b"".join(pieces).decode("utf-8-sig")), delimiter=";"))
    assert len(pieces) == 3 and [r["Question"] for r in rows] == [f"Question {n} ?" for n in range(5)]


def test_citations_are_counted_once_a_question_with_the_refusals_apart(store):
    log(store, "Le Pass est-il ouvert ?", sources=CITED + CITED[:1])
    log(store, "Qui contacter ?", sources=CITED[1:])
    log(store, "Quel temps ?", abstained=True, sources=["contacts.md"])
    assert store.citation_counts() == ({CITED[0]: 1, CITED[1]: 2, "contacts.md": 1}, {"contacts.md": 1})


def test_questions_older_than_the_retention_are_purged_and_their_feedback_kept(url):
    store = Store(url, retention_days=90)
    question_id = log(store, "Le Pass Occitanie est-il ouvert ?", sources=CITED)
    store.add_feedback("down", "Le Pass Occitanie est-il ouvert ?", "Oui", question_id=question_id)
    now = dt.datetime.now(dt.timezone.utc)
    assert store.purge(now=now + 89 * DAY) == 0
    assert store.purge(now=now + 91 * DAY) == 1
    assert store.questions() == []
    (kept,) = store.feedback_rows()
    assert kept["rating"] == "down" and kept["question_id"] is None
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM question_sources")).scalar_one() == 0


def test_old_questions_are_purged_at_start_and_at_most_once_an_hour_on_write(url, monkeypatch):
    def old_question(store: Store) -> None:
        with store.engine.begin() as connection:
            connection.execute(text("INSERT INTO questions (asked_at, question, language, abstained, latency_ms,"
                                    " answerer) VALUES (:at, 'vieille question', 'fr', :no, 1, 'extractive')"),
                               {"at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - 100 * DAY, "no": False})

    first = Store(url, retention_days=90)
    first.version()
    old_question(first)
    restarted = Store(url, retention_days=90)  # a new process: its first write purges
    log(restarted, "Nouvelle question ?")
    assert [r["question"] for r in restarted.questions()] == ["Nouvelle question ?"]
    old_question(restarted)
    log(restarted, "Encore une ?")
    assert restarted.count_questions() == 3  # purged less than an hour ago: not again
    clock = store_module.time.monotonic
    monkeypatch.setattr(store_module.time, "monotonic", lambda: clock() + store_module.PURGE_EVERY_S + 1)
    log(restarted, "Une heure plus tard ?")
    assert "vieille question" not in [r["question"] for r in restarted.questions()]


def test_the_question_export_is_utf8_with_a_bom_and_formula_safe(store):
    log(store, "=HYPERLINK(\"http://evil\") Où déposer mon dossier ?", sources=CITED)
    log(store, "Qu'est-ce que READYNOV ?", abstained=True, lead="-2 + 3")
    data = store.export_questions_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == [HEADERS[c] for c in QUESTION_COLUMNS]  # French headers, cells split on ";"
    assert rows[1]["Question"].startswith("'=HYPERLINK") and "Où déposer" in rows[1]["Question"]
    assert rows[1]["Sources citées"] == " | ".join(CITED)
    assert rows[0]["Réponse (en-tête)"] == "'-2 + 3" and rows[0]["Sans réponse"] == "Oui"
    assert rows[1]["Sans réponse"] == "Non" and "." not in rows[1]["Durée (ms)"]  # a decimal comma


def test_the_feedback_export_is_utf8_with_a_bom_and_formula_safe(store):
    store.add_feedback("down", "Qui contacter à Montpellier ?", "AD'OCC [1]", comment="@SUM(A1)")
    data = store.export_feedback_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    (row,) = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert row["Question"] == "Qui contacter à Montpellier ?" and row["Commentaire"] == "'@SUM(A1)"


# Evaluation runs

def test_evaluation_runs_are_kept_newest_first_with_their_results(store):
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
    first = store.add_eval_run(start, start + dt.timedelta(minutes=3), "evals/qa.jsonl", {"accuracy": 0.71},
                               [{"id": "q1", "verdict": "correct"}], "done")
    second = store.add_eval_run(start + DAY, None, "questions-région.csv", {}, [], "running")
    store.update_eval_run(second, status="failed", error="colonne « question » manquante",
                          finished_at=start + DAY + dt.timedelta(seconds=5))
    runs = store.eval_runs()
    assert [r["id"] for r in runs] == [second, first]
    assert "results" not in runs[0]
    assert (runs[0]["status"], runs[0]["error"]) == ("failed", "colonne « question » manquante")
    assert runs[0]["finished_at"] == "2026-12-01T09:00:05+00:00"
    done = store.eval_run(first)
    assert done["results"] == [{"id": "q1", "verdict": "correct"}] and done["summary"] == {"accuracy": 0.71}
    assert done["started_at"] == "2026-11-30T09:00:00+00:00"
    assert store.eval_run(second + 1000) is None
    with pytest.raises(ValueError):
        store.update_eval_run(first, id=3)


# The console's review (schema version 3)

def test_a_version_2_database_is_upgraded_keeping_its_questions_and_gets_the_review_tables(url):
    store = Store(url)
    question_id = log(store, "Le Pass Occitanie est-il ouvert ?", sources=CITED)
    with store.engine.begin() as connection:  # as version 2 left it
        for table in ("question_answers", "review_questions", "dismissed_gaps"):
            connection.execute(text(f"DROP TABLE {table}"))
        connection.execute(text("UPDATE schema_version SET version = 2"))
    store.close()
    upgraded = Store(url)
    assert upgraded.version() == VERSION == 5
    assert {"question_answers", "review_questions", "dismissed_gaps"} <= set(inspect(upgraded.engine).get_table_names())
    old = upgraded.question(question_id)
    assert old["question"] == "Le Pass Occitanie est-il ouvert ?" and old["answer"] is None and old["citations"] is None
    upgraded.close()


def test_a_version_3_database_takes_question_ids_drawn_before_they_are_written(url):
    """The question log draws a question's id when it is answered (53 bits): version 4 makes room for it."""
    store = Store(url)
    store.version()
    if store.url.get_backend_name() == "postgresql":
        with store.engine.begin() as connection:  # as version 3 left it: 32-bit ids
            for table, column in (("questions", "id"), ("question_sources", "question_id"), ("feedback", "question_id"),
                                  ("question_answers", "question_id"), ("review_questions", "question_id")):
                connection.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE INTEGER"))
            connection.execute(text("UPDATE schema_version SET version = 3"))
    store.close()
    upgraded = Store(url)
    drawn = 2**53 - 7
    assert log(upgraded, "Le Pass Occitanie est-il ouvert ?", sources=CITED, question_id=drawn) == drawn
    assert upgraded.version() == VERSION
    assert upgraded.question(drawn)["sources"] == CITED
    upgraded.add_feedback("up", "Le Pass Occitanie est-il ouvert ?", "Oui.", question_id=drawn)
    assert upgraded.questions(rating="up")[0]["id"] == drawn
    upgraded.close()


def test_what_a_question_was_answered_is_kept_with_it_and_purged_with_it(url):
    store = Store(url, retention_days=90)
    citations = [{"n": 1, "source": CITED[0], "title": "Pass Occitanie", "text": "Le Pass\x00 est ouvert.", "quotes": []}]
    provenance = {"query": "Le Pass Occitanie est-il ouvert ?", "decision": {"reason": "answered", "evidence": 0.9}}
    question_id = log(store, "Le Pass Occitanie est-il ouvert ?", sources=CITED[:1], answer="Oui [1].",
                      citations=citations, provenance=provenance)
    kept = store.question(question_id)
    assert kept["answer"] == "Oui [1]." and kept["provenance"] == provenance
    assert kept["citations"][0]["text"] == "Le Pass est ouvert."  # the NUL dropped, as everywhere
    assert store.purge(now=dt.datetime.now(dt.timezone.utc) + 91 * DAY) == 1
    assert store.question(question_id) is None
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM question_answers")).scalar_one() == 0
    store.close()


def test_reviews_and_dismissed_gaps_are_remembered_masked(store):
    review_id = store.add_review("Mon mail jean@example.fr : le Pass est-il ouvert ?", "Non, clos.", "clos", CITED[0])
    (review,) = store.reviews()
    assert review["id"] == review_id and review["question"] == "Mon mail [e-mail] : le Pass est-il ouvert ?"
    assert (review["facts"], review["sources"], review["must_abstain"]) == ("clos", CITED[0], False)
    assert store.remove_review(review_id) and store.reviews() == [] and not store.remove_review(review_id)
    assert store.dismiss_gaps(["quel temps fait-il ?", "la météo ?"]) == 2
    assert store.dismiss_gaps(["la météo ?"]) == 0  # already dismissed
    assert store.dismissed_gaps() == {"quel temps fait-il ?", "la météo ?"}
    assert store.restore_gaps() == 2 and store.dismissed_gaps() == set()
