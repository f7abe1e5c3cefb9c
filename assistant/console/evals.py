"""The console's "Évaluer" page: an eval set run in the background on the assistant that serves
(its current index), through the evals' own runner and metrics (evals/runner.py), one run at a
time; every run, its summary and each question's verdict kept in the store.

A set is bounded (`check_set`: MAX_SET_QUESTIONS questions, each cell MAX_CELL_CHARS, the question
itself the assistant's own limit), so an upload cannot queue hours of work. A run beats while it
goes (its summary holds `owner` and `heartbeat`): one whose process has stopped (a restart, a crash)
is marked "interrupted" when the app starts, or once its heartbeat is STALE_S old when the runs are
listed (another instance on the same store may be running it, and its pid means nothing here).
A run can be cancelled: it stops before its next question, "cancelled".

A run's verdicts are shown failures first, each with how it changed since the previous run of the same
set (`compared`: fixed, broken). The console's own set, the answers an operator marked wrong
(`review_set_csv`), and the template to fill are CSV files in the columns `load_set` reads back.
"""

import datetime as dt
import logging
import math
import os
import socket
import tempfile
import threading
from pathlib import Path

from assistant.assistant import Assistant
from assistant.store.database import csv_bytes
from assistant.wording import eval_field, message

log = logging.getLogger(__name__)

# A question's verdict, from the answer-accuracy metric and whether the assistant abstained.
VERDICTS = ("correct", "wrong", "false_abstention", "missed_abstention")
# About 2 minutes at the 35-60 ms an answer takes here (the shipped set: 198 questions, ~10 s); the
# issue's 100,000-row set would have been 1.2 hours of both cores, with no way to stop it.
MAX_SET_QUESTIONS = 2000
MAX_CELL_CHARS = 5000  # expected facts, sources, reference or id; the question has the assistant's own limit
HEARTBEAT_S = 15  # a running run writes its heartbeat this often
STALE_S = 60  # four heartbeats missed: the process running it has stopped
INTERRUPTED = "interrupted: the server stopped during the run (a restart or a crash); start it again"
# Failures first (an answer that misleads, then one that should not have been given, then a refusal
# that was not needed), the correct ones last.
VERDICT_ORDER = {"wrong": 0, "missed_abstention": 1, "false_abstention": 2, "correct": 3}
# A set as a French spreadsheet writes it, in the columns evals/dataset.py reads (its French names).
SET_COLUMNS = ("identifiant", "question", "faits attendus", "sources attendues", "catégorie", "doit s'abstenir",
               "réponse attendue")
REVIEW_SET = "reponses-signalees.csv"  # the console's own set: the answers marked wrong
TEMPLATE_ROWS = [
    {"identifiant": "q1", "question": "Quel est le montant de la subvention du Pass Occitanie ?",
     "faits attendus": "20 000 € / 20 000 euros", "sources attendues": "programmes/pass-occitanie.md",
     "catégorie": "factual", "doit s'abstenir": False,
     "réponse attendue": "Le Pass Occitanie est une subvention de 20 000 € au plus."},
    {"identifiant": "q2", "question": "Quel temps fera-t-il demain à Toulouse ?", "faits attendus": "",
     "sources attendues": "", "catégorie": "out-of-scope", "doit s'abstenir": True, "réponse attendue": ""},
]


def load_set(data: bytes, filename: str):
    """The questions of an uploaded set (CSV or JSON lines, by its name), read by evals/dataset.py;
    ValueError names the row and column at fault."""
    from evals.dataset import load_questions

    suffix = ".jsonl" if filename.lower().endswith((".jsonl", ".json")) else ".csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"set{suffix}"
        path.write_bytes(data)
        try:
            return load_questions(path)
        except ValueError as error:  # its message names the temp file: name the upload instead
            raise ValueError(str(error).replace(str(path), filename)) from error


def check_set(questions: list, name: str, max_question_chars: int, language: str = "fr") -> None:
    """ValueError, in `language`, when the set is larger than a run should be or a cell longer than
    it can be: the question past the assistant's limit (every answer would be refused), another cell
    past MAX_CELL_CHARS."""
    if len(questions) > MAX_SET_QUESTIONS:
        raise ValueError(f"{name} : " + message(language, "eval_too_many", count=len(questions), limit=MAX_SET_QUESTIONS))
    for question in questions:
        cells = {"question": (question.question, max_question_chars), "id": (question.id, MAX_CELL_CHARS),
                 "facts": (" | ".join(" / ".join(g) for g in question.facts), MAX_CELL_CHARS),
                 "sources": (" | ".join(question.sources), MAX_CELL_CHARS),
                 "reference": (question.reference or "", MAX_CELL_CHARS)}
        for field, (text, limit) in cells.items():
            if len(text) > limit:
                raise ValueError(f"{name} : " + message(language, "eval_cell_too_long", id=question.id[:50],
                                                        field=eval_field(language, field), length=len(text), limit=limit))


def template_csv() -> bytes:
    """A set to fill in a spreadsheet: the columns, one question to answer and one to decline."""
    return csv_bytes(SET_COLUMNS, TEMPLATE_ROWS)


def review_set_csv(reviews: list[dict]) -> bytes:
    """The answers marked wrong (store.reviews()) as a set `load_set` reads, to run or to download."""
    rows = [{"identifiant": f"signalee-{r['id']}", "question": r["question"], "faits attendus": r["facts"],
             "sources attendues": r["sources"], "catégorie": "out-of-scope" if r["must_abstain"] else "factual",
             "doit s'abstenir": r["must_abstain"], "réponse attendue": r["reference"]} for r in reviews]
    return csv_bytes(SET_COLUMNS, rows)


def _passed(result: dict) -> bool:
    return result.get("verdict") == "correct"


def compared(run: dict, runs: list[dict], load_run) -> dict:
    """The run with its verdicts failures first and, against the previous finished run of the same set
    (matched by question text), each result's `change` ("fixed", "broken" or None) and `previous`
    ({id, started_at, fixed, broken}; None for a set's first run). `runs` as store.eval_runs() lists them,
    `load_run(id)` reads one with its results."""
    earlier = [r for r in runs if r["status"] == "done" and r["set_name"] == run["set_name"]
               and (r["started_at"], r["id"]) < (run["started_at"], run["id"])]
    before = load_run(max(earlier, key=lambda r: (r["started_at"], r["id"]))["id"]) if earlier else None
    passed = {r["question"]: _passed(r) for r in (before or {}).get("results") or []}
    results = []
    for result in run.get("results") or []:
        was = passed.get(result["question"])
        change = None if was is None or was == _passed(result) else ("fixed" if _passed(result) else "broken")
        results.append(result | {"change": change})
    results.sort(key=lambda r: (r["change"] != "broken", VERDICT_ORDER.get(r["verdict"], 0)))
    previous = None
    if before is not None:
        previous = {"id": before["id"], "started_at": before["started_at"],
                    "fixed": sum(r["change"] == "fixed" for r in results),
                    "broken": sum(r["change"] == "broken" for r in results)}
    return run | {"results": results, "previous": previous}


def interrupt_abandoned_runs(store, starting: bool = False) -> list[int]:
    """Mark "interrupted" the runs left "running" by a process that stopped: at start, those of a
    process of this host that no longer exists; always, those whose heartbeat is STALE_S old."""
    now = _now()
    interrupted = []
    for run in store.eval_runs():
        if run["status"] != "running":
            continue
        summary = run.get("summary") or {}
        try:
            beat = dt.datetime.fromisoformat(summary["heartbeat"])
        except (KeyError, TypeError, ValueError):  # a run from before heartbeats
            beat = None
        host, _, pid = str(summary.get("owner", "")).rpartition(":")
        gone = starting and host == socket.gethostname() and pid.isdigit() and not _alive(int(pid))
        if gone or beat is None or (now - beat).total_seconds() > STALE_S:
            store.update_eval_run(run["id"], status="interrupted", finished_at=now, error=INTERRUPTED)
            interrupted.append(run["id"])
    if interrupted:
        log.warning("evaluation runs %s were left running by a stopped server: marked interrupted", interrupted)
    return interrupted


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def shipped_set():
    from evals.dataset import DEFAULT_SET, load_questions

    return load_questions(DEFAULT_SET)


def verdict(question, scores: dict, abstained: bool) -> str:
    if question.out_of_scope:
        return "correct" if abstained else "missed_abstention"
    if abstained:
        return "false_abstention"
    return "correct" if scores.get("accuracy") else "wrong"


class Cancelled(Exception):
    """The operator stopped the run: it ends at the next question."""


class EvalRuns:
    def __init__(self, assistant: Assistant, store):
        self.assistant = assistant
        self.store = store
        self._lock = threading.Lock()
        self._writing = threading.Lock()  # a heartbeat never lands after the run's last word
        self._cancel = threading.Event()
        self._running: dict | None = None  # {"id", "done", "total"} of the run under way
        self._thread: threading.Thread | None = None

    def progress(self) -> dict | None:
        with self._lock:
            return dict(self._running) if self._running else None

    def start(self, questions: list, set_name: str) -> int | None:
        """Start a run; None if one is under way."""
        with self._lock:
            if self._running is not None:
                return None
            run_id = self.store.add_eval_run(started_at=_now(), finished_at=None, set_name=set_name,
                                             summary=_heartbeat(0, len(questions)), results=[], status="running")
            self._running = {"id": run_id, "done": 0, "total": len(questions)}
            self._cancel.clear()
            self._thread = threading.Thread(target=self._run, args=(run_id, questions), name="eval", daemon=True)
        self._thread.start()
        return run_id

    def cancel(self) -> int | None:
        """Stop the run under way after the question it is answering; its id, or None if none runs."""
        with self._lock:
            if self._running is None:
                return None
            self._cancel.set()
            return self._running["id"]

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, run_id: int, questions: list) -> None:
        from evals.runner import run_systems
        from evals.systems import OurAssistant

        settings = self.assistant.settings
        runs = self

        class Counted(OurAssistant):
            """The serving assistant, counting answers for the progress bar."""

            def respond(self, question, history):
                if runs._cancel.is_set():
                    raise Cancelled()
                response = super().respond(question, history)
                with runs._lock:
                    if runs._running:
                        runs._running["done"] = min(runs._running["done"] + 1, runs._running["total"])
                return response

        stop = threading.Event()
        threading.Thread(target=self._beat, args=(run_id, stop), name="eval-heartbeat", daemon=True).start()
        try:
            run = run_systems("qa", [Counted(settings, "ours", self.assistant)], questions, settings)
            results = []
            for q in questions:
                entry = run["questions"][q.id]
                answer = entry["systems"]["ours"]
                results.append({
                    "id": q.id, "question": q.question, "category": q.category,
                    "expected_sources": q.sources, "expected_facts": [" / ".join(g) for g in q.facts],
                    "verdict": verdict(q, answer["scores"], answer["abstained"]),
                    "abstained": answer["abstained"], "lead": answer["lead"], "answer": answer["answer"],
                    "ranked_sources": answer["ranked_sources"][:3], "latency_ms": answer["latency_ms"],
                })
            summary = _finite(run["summary"]["ours"]["all"]) | {
                "verdicts": {v: sum(r["verdict"] == v for r in results) for v in VERDICTS}}
            with self._writing:
                stop.set()
                self.store.update_eval_run(run_id, finished_at=_now(), summary=summary, results=results, status="done")
        except Cancelled:
            log.info("evaluation run %s cancelled", run_id)
            with self._writing:
                stop.set()
                self.store.update_eval_run(run_id, finished_at=_now(), status="cancelled")
        except Exception as error:
            log.exception("evaluation run %s failed", run_id)
            with self._writing:
                stop.set()
                self.store.update_eval_run(run_id, finished_at=_now(), status="failed",
                                           error=f"{type(error).__name__}: {error}"[:500])
        finally:
            stop.set()
            with self._lock:
                self._running = None

    def _beat(self, run_id: int, stop: threading.Event) -> None:
        """Say every HEARTBEAT_S that the run goes on, until it ends (`interrupt_abandoned_runs` reads it)."""
        while not stop.wait(HEARTBEAT_S):
            with self._lock:
                if self._running is None or self._running["id"] != run_id:
                    return
                done, total = self._running["done"], self._running["total"]
            try:
                with self._writing:
                    if not stop.is_set():
                        self.store.update_eval_run(run_id, summary=_heartbeat(done, total))
            except Exception:  # the store is down: the run goes on, and says so when it ends
                log.warning("could not write the heartbeat of evaluation run %s", run_id, exc_info=True)


def _heartbeat(done: int, total: int) -> dict:
    """A running run's summary: who runs it, when it last said so, how far it is."""
    return {"owner": f"{socket.gethostname()}:{os.getpid()}", "heartbeat": _now().isoformat(), "done": done,
            "total": total}


def _finite(summary: dict) -> dict:
    """JSON has no NaN (an aggregate over no question): None instead."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in summary.items()}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
