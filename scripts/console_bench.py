"""Benchmark of the console's data endpoints on a large question log: a store filled with N realistic
logged questions (default 100,000, over the retention's 90 days, with feedback on some), then each
endpoint timed through the real app, median of several runs. A benchmark, not a test.

    python scripts/console_bench.py                         # SQLite in a temp dir
    python scripts/console_bench.py --postgres              # also on a throwaway PostgreSQL (tests/postgres.py)
    python scripts/console_bench.py --questions 20000 --runs 3

The questions are the eval set's wordings (evals/*.jsonl) and variants of them, citing the sources the
eval set names; out-of-scope ones abstain. The index served is ASSISTANT_INDEX_DIR's (the corpus must be
indexed: `python -m assistant index`). Prints each figure and the machine it ran on.
"""

import argparse
import datetime as dt
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from assistant.assistant import Assistant  # noqa: E402
from assistant.console import gaps  # noqa: E402
from assistant.retrieval.embeddings import load_embeddings  # noqa: E402
from assistant.server import create_app  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.store.database import DATABASE_FILE, Store, feedback, question_sources, questions  # noqa: E402
from evals.machine import describe, machine  # noqa: E402

TOKEN = "jeton-du-banc-console-0123456789"
EVAL_FILES = ("qa.jsonl", "paraphrases.jsonl", "heldout.jsonl")
OPENINGS = ("", "Bonjour, ", "bonjour ", "Svp ", "Rebonjour, ")
ENDINGS = ("", " merci", " ?", " svp")
ABSTAINED_SHARE = 0.08  # besides the out-of-scope questions, which always abstain
FEEDBACK_SHARE = 0.04  # questions given a thumbs up or down
CHANGED_MIND = 0.2  # of those, rated twice
DOWN_SHARE = 0.6
REASONS = ("Réponse inexacte", "Pas de réponse", "Information obsolète", None)
BATCH = 5000
FILLED: dict = {}  # what fill() wrote, for the record
LATEST_ON_QUESTIONS = "rating" in questions.c  # schema 3 on; the script also runs on older code, for "before" figures


def wordings(rng: random.Random) -> list[dict]:
    """Distinct questions as people type them: the eval set's wordings, with openings and endings."""
    base, by_id = [], {}
    for name in EVAL_FILES:
        for line in (PROJECT / "evals" / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            by_id.setdefault(item["id"], item)
            base.append(item)
    pool = []
    for item in base:
        origin = by_id.get(item.get("of"), item)
        out_of_scope = origin.get("category") == "out-of-scope" or not origin.get("sources")
        for _ in range(4):
            text = rng.choice(OPENINGS) + item["question"] + rng.choice(ENDINGS)
            pool.append({"question": text, "sources": origin.get("sources") or [],
                         "abstained": out_of_scope or rng.random() < ABSTAINED_SHARE})
    return list({p["question"]: p for p in pool}.values())


def fill(store: Store, count: int, seed: int = 22) -> dict:
    """`count` logged questions over the last 89 days (oldest first, as they were logged) and feedback."""
    rng = random.Random(seed)
    pool = wordings(rng)
    now = dt.datetime.now(dt.timezone.utc)
    step = dt.timedelta(days=89) / count
    store.version()  # creates the schema
    rated = 0
    with store.engine.begin() as connection:
        for start in range(0, count, BATCH):
            rows, cited, votes = [], [], []
            for n in range(start, min(start + BATCH, count)):
                item = rng.choice(pool)
                asked = now - dt.timedelta(days=89) + n * step
                rows.append({"id": n + 1, "asked_at": asked, "question": item["question"], "language": "fr",
                             "abstained": item["abstained"], "lead": None if item["abstained"] else "Oui [1].",
                             "latency_ms": rng.uniform(20, 200), "answerer": "extractive"}
                            | ({"rating": None, "reason": None} if LATEST_ON_QUESTIONS else {}))
                sources = ["contacts.md"] if item["abstained"] else item["sources"]
                cited += [{"question_id": n + 1, "position": p, "source": s} for p, s in enumerate(sources)]
                if rng.random() < FEEDBACK_SHARE:
                    for _ in range(2 if rng.random() < CHANGED_MIND else 1):
                        rating = "down" if rng.random() < DOWN_SHARE else "up"
                        votes.append({"created_at": asked.isoformat(timespec="seconds"), "rating": rating,
                                      "reason": rng.choice(REASONS) if rating == "down" else None, "comment": None,
                                      "question": item["question"], "answer": "Oui [1].", "citations": "[]",
                                      "answerer": "extractive", "question_id": n + 1})
                        if LATEST_ON_QUESTIONS:  # as Store.add_feedback keeps it
                            rows[-1] |= {"rating": rating, "reason": votes[-1]["reason"]}
            connection.execute(insert(questions), rows)
            if cited:
                connection.execute(insert(question_sources), cited)
            if votes:
                connection.execute(insert(feedback), votes)
                rated += len(votes)
    if not store.sqlite:  # the statistics autovacuum gathers within a minute on a live database
        with store.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return {"questions": count, "wordings": len(pool), "feedback": rated}


def timed(client: TestClient, path: str, runs: int) -> tuple[float, int]:
    """Median seconds of `runs` GETs of `path` (the whole body read), and the body's size."""
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        size = len(response.content)
        times.append(time.perf_counter() - start)
        response.raise_for_status()
    return statistics.median(times), size


def endpoints(client: TestClient) -> dict[str, str]:
    total = client.get("/admin/api/questions?limit=1").json()["total"]
    return {
        "questions, first page": "/admin/api/questions?limit=100",
        "questions, last page": f"/admin/api/questions?limit=100&offset={max(total - 100, 0)}",
        "filter: cited source": "/admin/api/questions?limit=100&source=programmes/pass-occitanie.md",
        "filter: rare source, last page": "/admin/api/questions?limit=100&source=contacts.md&offset=5000",
        "filter: abstained": "/admin/api/questions?limit=100&abstained=true",
        "filter: thumbs down": "/admin/api/questions?limit=100&rating=down",
        "filter: dates + thumbs down": f"/admin/api/questions?limit=100&rating=down&since={dt.date.today() - dt.timedelta(days=30)}",
        "export questions.csv": "/admin/api/exports/questions.csv",
        "export feedback.csv": "/admin/api/exports/feedback.csv",
        "gaps (Ce qui manque)": "/admin/api/gaps",
    }


def bench(url: str, label: str, settings: Settings, assistant: Assistant, count: int, runs: int,
          only: list[str] | None = None, cold: bool = True) -> dict:
    store = Store(url)
    started = time.perf_counter()
    filled = fill(store, count)
    store.close()
    FILLED.update(filled)
    print(f"{label}: {filled['questions']} questions ({filled['wordings']} wordings), {filled['feedback']} feedback,"
          f" filled in {time.perf_counter() - started:.1f} s", flush=True)
    app = create_app(settings.model_copy(update={"database_url": url}), assistant)
    figures = {}
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for name, path in endpoints(client).items():
            if only and not any(word in name for word in only):
                continue
            if name.startswith("gaps") and cold:  # embedding does not depend on the store: timed on the first one
                figures |= first_gap_views(client, path, load_embeddings(assistant.retriever.state.model, settings))
            seconds, size = timed(client, path, runs)
            figures[name] = seconds
            print(f"  {name:40} {seconds * 1000:9.0f} ms  {size / 1000:9.1f} kB", flush=True)
            if name.startswith("export"):
                seconds = first_byte(client, path)
                figures[f"{name}, first bytes"] = seconds
                print(f"  {name + ', first bytes':40} {seconds * 1000:9.0f} ms", flush=True)
    return figures


def first_byte(client: TestClient, path: str) -> float:
    """Seconds until the first piece of a streamed response arrives."""
    start = time.perf_counter()
    with client.stream("GET", path) as response:
        next(response.iter_bytes())
        return time.perf_counter() - start


def forget_question_vectors(embeddings) -> None:
    """As after a restart: neither gaps.py (vectors, last grouping) nor the embedder's passage cache (in
    memory) holds a question's vector."""
    gaps._vectors.clear()
    gaps._last_grouping.clear()
    getattr(embeddings, "_vectors", {}).clear()


def first_gap_views(client: TestClient, path: str, embeddings) -> dict[str, float]:
    """"Ce qui manque" viewed with nothing embedded yet (a restart), then viewed after the console was
    opened (a login, which embeds its questions in the background) once that preparation is done."""
    figures = {}
    forget_question_vectors(embeddings)
    figures["gaps, first view, nothing prepared"], _ = timed(client, path, 1)
    forget_question_vectors(embeddings)
    start = time.perf_counter()
    client.post("/admin/api/login", json={"token": TOKEN}).raise_for_status()
    for preparing in [t for t in threading.enumerate() if t.name == "gap-vectors"]:
        preparing.join()
    figures["gaps, preparation on login (background)"] = time.perf_counter() - start
    figures["gaps, first view once prepared"], _ = timed(client, path, 1)
    gaps._last_grouping.clear()  # as when questions came since: grouped again, their vectors known
    figures["gaps, grouped again (new questions)"], _ = timed(client, path, 1)
    for name, seconds in figures.items():
        print(f"  {name:40} {seconds * 1000:9.0f} ms", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="scripts/console_bench.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--questions", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=5, help="repetitions per endpoint; the median is printed")
    p.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL server (tests/postgres.py)")
    p.add_argument("--only", nargs="*", help="endpoints whose name contains one of these words (default: all)")
    p.add_argument("--record", action="store_true",
                   help="write the figures to evals/benchmarks.json and rewrite docs/benchmarks.md")
    args = p.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    with ExitStack() as stack:
        base = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="console-bench-")))
        settings = Settings(data_dir=base, admin_token=TOKEN, trusted_hosts=["testserver"])
        assistant = Assistant(settings)
        targets = [("SQLite", f"sqlite:///{base / DATABASE_FILE}")]
        if args.postgres:
            from tests.postgres import new_database, postgres_server

            targets.append(("PostgreSQL", new_database(stack.enter_context(postgres_server()))))
        figures = {label: bench(url, label, settings, assistant, args.questions, args.runs, args.only, cold=n == 0)
                   for n, (label, url) in enumerate(targets)}
    load = " / ".join(f"{n:.1f}" for n in os.getloadavg())
    if args.record:
        from evals import bench as evals_bench

        command = "python scripts/console_bench.py " + " ".join(sys.argv[1:] if argv is None else argv)
        evals_bench.record("console", figures | FILLED | {
            "runs": args.runs, "machine": machine(), "command": command.strip(),
            "date": dt.datetime.now().isoformat(timespec="seconds"), "load_average": [round(x, 1) for x in os.getloadavg()]})
        evals_bench.DOC.write_text(evals_bench.render(json.loads(evals_bench.RESULTS.read_text())), encoding="utf-8")
        print(f"wrote {evals_bench.DOC}")
    print(f"machine: {describe(machine())}; {time.strftime('%Y-%m-%dT%H:%M:%S')}, median of {args.runs} runs,"
          f" load average {load} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
