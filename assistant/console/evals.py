"""The console's "Évaluer" page: an eval set run in the background on the assistant that serves
(its current index), through the evals' own runner and metrics (evals/runner.py), one run at a
time; every run, its summary and each question's verdict kept in the store."""

import datetime as dt
import logging
import math
import tempfile
import threading
from pathlib import Path

from assistant.assistant import Assistant

log = logging.getLogger(__name__)

# A question's verdict, from the answer-accuracy metric and whether the assistant abstained.
VERDICTS = ("correct", "wrong", "false_abstention", "missed_abstention")


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


def shipped_set():
    from evals.dataset import DEFAULT_SET, load_questions

    return load_questions(DEFAULT_SET)


def verdict(question, scores: dict, abstained: bool) -> str:
    if question.out_of_scope:
        return "correct" if abstained else "missed_abstention"
    if abstained:
        return "false_abstention"
    return "correct" if scores.get("accuracy") else "wrong"


class EvalRuns:
    def __init__(self, assistant: Assistant, store):
        self.assistant = assistant
        self.store = store
        self._lock = threading.Lock()
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
            run_id = self.store.add_eval_run(started_at=_now(), finished_at=None, set_name=set_name, summary={},
                                             results=[], status="running")
            self._running = {"id": run_id, "done": 0, "total": len(questions)}
            self._thread = threading.Thread(target=self._run, args=(run_id, questions), name="eval", daemon=True)
        self._thread.start()
        return run_id

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
                response = super().respond(question, history)
                with runs._lock:
                    if runs._running:
                        runs._running["done"] = min(runs._running["done"] + 1, runs._running["total"])
                return response

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
            self.store.update_eval_run(run_id, finished_at=_now(), summary=summary, results=results, status="done")
        except Exception as error:
            log.exception("evaluation run %s failed", run_id)
            self.store.update_eval_run(run_id, finished_at=_now(), status="failed",
                                       error=f"{type(error).__name__}: {error}"[:500])
        finally:
            with self._lock:
                self._running = None


def _finite(summary: dict) -> dict:
    """JSON has no NaN (an aggregate over no question): None instead."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in summary.items()}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
