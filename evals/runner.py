"""Run systems over questions and score every answer; the same code for the eval set and SQuAD."""

import hashlib
import sys
import tempfile
import time
from pathlib import Path

from assistant.indexer import build_index
from assistant.settings import Settings
from evals.baselines import NaiveRAG, RetrieverBaseline
from evals.dataset import EvalQuestion
from evals.machine import machine
from evals.metrics import contains, facts_present, mean, percentile, precision_recall, recall_at_k, reciprocal_rank
from evals.squad import SquadQuestion, held_out
from evals.systems import OurAssistant, Response

RECALL_KS = (1, 3, 5)
WORK_DIR = Path(tempfile.gettempdir()) / "assistant-evals"


def eval_index_dir(settings: Settings) -> Path:
    """A dedicated index per corpus and index-shaping settings, away from the served index; kept
    between runs so a re-run only re-embeds what changed."""
    key = f"{settings.corpus_dir.resolve()}|{settings.embedding_model}|{settings.chunk_size}"
    return WORK_DIR / f"index-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def squad_corpus_dir(path: Path) -> Path:
    """Where a SQuAD file's paragraphs are written as a corpus (stable, so its index is reused)."""
    return WORK_DIR / f"squad-{hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:10]}" / "corpus"


def with_eval_index(settings: Settings, index_dir: Path | None = None) -> Settings:
    settings = settings.model_copy(update={"index_dir": index_dir or eval_index_dir(settings)})
    report = build_index(settings)
    log(f"index {settings.index_dir}: {report.summary().splitlines()[0]}")
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


def answer_all(system, questions: list, progress_every: int = 0) -> list[Response]:
    """One untimed warm-up (loading models and indexes), then every question in order."""
    if questions:
        system.respond(questions[0].question, getattr(questions[0], "history", []))
    responses = []
    for i, question in enumerate(questions, 1):
        responses.append(system.respond(question.question, getattr(question, "history", [])))
        if progress_every and i % progress_every == 0:
            log(f"  {system.name}: {i}/{len(questions)}")
    return responses


def score_question(question: EvalQuestion, response: Response) -> dict:
    in_scope = not question.out_of_scope
    ranked = response.ranked
    verdict = {
        "correct": (not response.abstained and facts_present(response.answer, question.facts))
        if in_scope
        else response.abstained,
        "supported": (not response.abstained and facts_present("\n\n".join(response.cited), question.facts))
        if in_scope
        else None,
        "should_abstain": not in_scope,
        "abstained": response.abstained,
        "false_abstention": in_scope and response.abstained,
        "reciprocal_rank": reciprocal_rank(ranked, question.sources) if in_scope and question.sources else None,
    }
    for k in RECALL_KS:
        verdict[f"recall@{k}"] = recall_at_k(ranked, question.sources, k) if in_scope and question.sources else None
    return verdict


def summarize(verdicts: list[dict], latencies: list[float]) -> dict:
    precision, recall = precision_recall([v["abstained"] for v in verdicts], [v["should_abstain"] for v in verdicts])
    summary = {
        "questions": len(verdicts),
        "accuracy": mean(v["correct"] for v in verdicts),
        "support": mean(v["supported"] for v in verdicts),
        "mrr": mean(v["reciprocal_rank"] for v in verdicts),
        "abstention_precision": precision,
        "abstention_recall": recall,
        "false_abstentions": sum(v["false_abstention"] for v in verdicts),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }
    for k in RECALL_KS:
        summary[f"recall@{k}"] = mean(v[f"recall@{k}"] for v in verdicts)
    return summary


def run_eval(settings: Settings, questions: list[EvalQuestion], compare: Settings | None = None,
             baselines: bool = True) -> dict:
    """Every system on every question; summaries overall ("all") and per category."""
    systems = build_systems(settings, compare, baselines)
    run = {"kind": "qa", "machine": machine(), "settings": public_settings(settings), "systems": [], "summary": {}, "questions": {}}
    categories = sorted({q.category for q in questions})
    for system in systems:
        log(f"{system.name}: {len(questions)} questions")
        responses = answer_all(system, questions)
        verdicts = [score_question(q, r) for q, r in zip(questions, responses)]
        run["systems"].append(system.name)
        run["summary"][system.name] = {"all": summarize(verdicts, [r.latency_ms for r in responses])}
        for category in categories:
            picked = [(v, r) for q, v, r in zip(questions, verdicts, responses) if q.category == category]
            run["summary"][system.name][category] = summarize([v for v, _ in picked], [r.latency_ms for _, r in picked])
        for q, v, r in zip(questions, verdicts, responses):
            entry = run["questions"].setdefault(
                q.id, {"question": q.question, "category": q.category, "reference": q.reference, "systems": {}}
            )
            entry["systems"][system.name] = {
                "answer": r.answer,
                "abstained": r.abstained,
                "query": r.query,
                "citations": r.citations,
                "ranked_sources": r.ranked[:5],
                "latency_ms": round(r.latency_ms, 2),
                "verdicts": v,
            }
    return run


def run_squad(settings: Settings, questions: list[SquadQuestion], baselines: bool = True) -> dict:
    """Paragraph recall@1/5, MRR, gold span inside the answer, answer length, per system."""
    systems = build_systems(settings, None, baselines)
    run = {"kind": "squad", "machine": machine(), "settings": public_settings(settings), "systems": [], "summary": {}, "questions": {}}
    for system in systems:
        log(f"{system.name}: {len(questions)} questions")
        responses = answer_all(system, questions, progress_every=500)
        verdicts = []
        for q, r in zip(questions, responses):
            verdict = {
                "contains_answer": not r.abstained and contains(r.answer, q.answer),
                "abstained": r.abstained,
                "reciprocal_rank": reciprocal_rank(r.ranked, [q.source]),
                "answer_chars": len(r.answer),
                **{f"recall@{k}": recall_at_k(r.ranked, [q.source], k) for k in (1, 5)},
            }
            verdicts.append(verdict)
            entry = run["questions"].setdefault(q.id, {"question": q.question, "gold": q.answer, "source": q.source, "systems": {}})
            entry["systems"][system.name] = {"answer": r.answer, "ranked_sources": r.ranked[:5], "verdicts": verdict}
        run["systems"].append(system.name)
        groups = {"all": [True] * len(questions), "held-out": [held_out(q) for q in questions]}
        run["summary"][system.name] = {
            group: squad_summary([v for v, keep in zip(verdicts, kept) if keep], [r.latency_ms for r, keep in zip(responses, kept) if keep])
            for group, kept in groups.items()
        }
    return run


def squad_summary(verdicts: list[dict], latencies: list[float]) -> dict:
    return {
        "questions": len(verdicts),
        "recall@1": mean(v["recall@1"] for v in verdicts),
        "recall@5": mean(v["recall@5"] for v in verdicts),
        "mrr": mean(v["reciprocal_rank"] for v in verdicts),
        "contains_answer": mean(v["contains_answer"] for v in verdicts),
        "abstention_rate": mean(v["abstained"] for v in verdicts),
        "median_answer_chars": percentile([v["answer_chars"] for v in verdicts], 50),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def public_settings(settings: Settings) -> dict:
    keep = ("corpus_dir", "index_dir", "embedding_model", "chunk_size", "top_k", "dense_weight", "answerer", "abstain_threshold")
    return {k: str(getattr(settings, k)) for k in keep}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
