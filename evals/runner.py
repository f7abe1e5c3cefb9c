"""Run systems over questions and score every answer with the metric table: one loop for the Q&A set
and SQuAD-format sets, which differ only in their metrics (evals/metric_table.py) and their groups."""

import sys
import time
from pathlib import Path

from assistant.ingest.indexer import build_index
from assistant.settings import Settings
from evals.baselines import NaiveRAG, RetrieverBaseline
from evals.dataset import EvalQuestion
from evals.machine import machine
from evals.metric_table import score, summarize
from evals.paths import WORK_DIR, display_path, eval_index_dir
from evals.squad import SquadQuestion, held_out
from evals.systems import OurAssistant, Response

PROGRESS_EVERY = 500  # questions between progress lines (SQuAD sets have thousands)
# Settings that shape what ours answers; top_k is left out: only `python -m assistant search` reads it.
RUN_SETTINGS = ("corpus_dir", "index_dir", "embedding_model", "chunk_size", "retrieve_k", "fusion", "dense_weight",
                "secondary_weight", "answerer", "abstain_threshold")


def with_eval_index(settings: Settings, index_dir: Path | None = None) -> Settings:
    """`settings` on a dedicated eval index (built or brought up to date), passage vectors kept under
    the work dir: an eval re-run or another configuration embeds nothing it embedded before."""
    settings = settings.model_copy(update={"index_dir": index_dir or eval_index_dir(settings),
                                           "embedding_cache_dir": settings.embedding_cache_dir or WORK_DIR / "vectors"})
    report = build_index(settings)
    log(f"index {display_path(settings.index_dir)}: {report.summary().splitlines()[0]}")
    return settings


def build_systems(settings: Settings, compare: Settings | None, baselines: bool) -> list:
    systems = [OurAssistant(settings, "ours")]
    if compare is not None:
        systems.append(OurAssistant(compare, f"ours ({describe_difference(settings, compare)})"))
    if baselines:
        started = time.perf_counter()
        naive = NaiveRAG(settings, WORK_DIR)
        log(f"naive baseline: {naive.chunks} chunks, {naive.embedded} embedded, {time.perf_counter() - started:.1f} s")
        assistant = systems[0].assistant
        systems += [naive, RetrieverBaseline(assistant, "lexical"), RetrieverBaseline(assistant, "dense")]
    return systems


def describe_difference(base: Settings, other: Settings) -> str:
    changed = [f"{k}={v}" for k, v in other.model_dump().items() if k != "index_dir" and base.model_dump().get(k) != v]
    return ", ".join(changed) or "same settings"


def run_eval(settings: Settings, questions: list[EvalQuestion], compare: Settings | None = None,
             baselines: bool = True) -> dict:
    """Every system on the Q&A set; summaries overall ("all") and per category."""
    return run_systems("qa", build_systems(settings, compare, baselines), questions, settings)


def run_squad(settings: Settings, questions: list[SquadQuestion], baselines: bool = True) -> dict:
    """Every system on a SQuAD-format set; summaries overall ("all") and on the held-out articles."""
    return run_systems("squad", build_systems(settings, None, baselines), questions, settings)


def groups(kind: str, questions: list) -> dict[str, list[bool]]:
    """Which questions each summary covers: "all", then the categories (qa) or the held-out articles (squad)."""
    everything = {"all": [True] * len(questions)}
    if kind == "squad":
        return everything | {"held-out": [held_out(q) for q in questions]}
    return everything | {c: [q.category == c for q in questions] for c in sorted({q.category for q in questions})}


def run_systems(kind: str, systems: list, questions: list, settings: Settings) -> dict:
    """Each system answers every question; each answer is scored with the metric table of `kind`
    ("qa" or "squad") and the scores aggregated per group. `settings` are ours, as reported."""
    run = {"kind": kind, "machine": machine(), "settings": public_settings(settings), "systems": [],
           "summary": {}, "questions": {}}
    kept = groups(kind, questions)
    for system in systems:
        log(f"{system.name}: {len(questions)} questions")
        responses = answer_all(system, questions)
        scores = [score(q, r, kind) for q, r in zip(questions, responses)]
        run["systems"].append(system.name)
        run["summary"][system.name] = {
            group: summarize([s for s, keep in zip(scores, picked) if keep], kind) for group, picked in kept.items()
        }
        for q, r, s in zip(questions, responses, scores):
            entry = run["questions"].setdefault(q.id, {**q.record(), "systems": {}})
            entry["systems"][system.name] = response_record(r, s, with_citations=kind == "qa")
    return run


def answer_all(system, questions: list) -> list[Response]:
    """One untimed warm-up (loading models and indexes), then every question in order."""
    if questions:
        system.respond(questions[0].question, questions[0].history)
    responses = []
    for i, question in enumerate(questions, 1):
        responses.append(system.respond(question.question, question.history))
        if i % PROGRESS_EVERY == 0:
            log(f"  {system.name}: {i}/{len(questions)}")
    return responses


def response_record(response: Response, scores: dict, with_citations: bool) -> dict:
    """What results.json keeps of one answer. Citations only when asked: the LLM judge reads them on
    the Q&A set, and on a SQuAD set of thousands of questions they would make the file huge."""
    record = {
        "answer": response.answer,
        "lead": response.lead,
        "short_answer": response.short_answer,
        "verdict": response.verdict,
        "abstained": response.abstained,
        "query": response.query,
        "ranked_sources": response.ranked[:5],
        "latency_ms": round(response.latency_ms, 2),
        "scores": scores,
    }
    record |= {"programmes": response.programmes} if response.programmes else {}
    return record | ({"citations": response.citations} if with_citations else {})


def public_settings(settings: Settings) -> dict:
    """The settings ours ran with, paths named from the project (or $TMP), not this machine's layout."""
    shown = {k: getattr(settings, k) for k in RUN_SETTINGS}
    if settings.answerer == "llm":
        shown["llm_model"] = settings.llm_model
    return {k: display_path(v) if isinstance(v, Path) else str(v) for k, v in shown.items()}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
