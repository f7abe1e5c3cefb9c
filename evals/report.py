"""Render a run as Markdown tables (one per metric, systems side by side), a chart and one summary line."""

import math
from pathlib import Path

from evals.machine import describe

DEFINITIONS = """\
How each figure is computed (deterministic; no model judges these):

- **accuracy**: every fact group of the question has one of its accepted alternatives in the answer
  text, compared in the shared French normal form (`assistant.french.normalize`: lowercase, elisions,
  accents folded; plus all whitespace and non-breaking spaces as one space and digit groups joined).
  An answer that abstains is wrong, except for out-of-scope questions, where accuracy = abstained.
- **support**: the same facts appear in the texts the system shows as its sources (our citations'
  passages; for the baselines, the 4 chunks they retrieved). In-scope questions only.
- **recall@k / MRR** (in-scope questions with expected sources): documents are ranked by the answer's
  citations first (the passages the answer quotes, in order; none when it abstains), then the documents
  of the retriever's ranked passages for the same query (the condensed query for a follow-up),
  duplicates removed. recall@k = share of the expected documents in the first k; MRR = 1 / rank of the
  first expected document. Baselines rank the documents of their own retrieved chunks.
- **abstention precision / recall**: positive = should abstain = out-of-scope. Baselines never abstain,
  so their precision is undefined (—) and their recall 0. **false abstentions**: in-scope questions
  that abstained.
- **latency**: wall-clock time of the call a user waits for (`Assistant.ask`; the baselines' search),
  after one untimed warm-up question.
"""

SQUAD_DEFINITIONS = """\
- **paragraph recall@1/5, MRR**: rank of the gold paragraph among the documents (our citations first,
  then our retriever's ranking; the baselines' own ranking).
- **answer contains gold**: the gold answer span is inside the answer text, both in the shared French
  normal form, not inside a longer word or number. An abstention counts as a miss.
- **median answer length**: characters of the answer text shown to the user (baselines: the best chunk).
"""

QA_METRICS = [
    ("accuracy", "Answer accuracy", "ratio"),
    ("support", "Citation support", "ratio"),
    ("recall@1", "Retrieval recall@1", "ratio"),
    ("recall@3", "Retrieval recall@3", "ratio"),
    ("recall@5", "Retrieval recall@5", "ratio"),
    ("mrr", "MRR", "ratio"),
    ("false_abstentions", "False abstentions (in-scope questions that abstained)", "count"),
    ("latency_p50_ms", "Latency p50 (ms)", "ms"),
    ("latency_p95_ms", "Latency p95 (ms)", "ms"),
]
OVERALL_ONLY = [("abstention_precision", "Abstention precision", "ratio"), ("abstention_recall", "Abstention recall", "ratio")]
SQUAD_METRICS = [
    ("recall@1", "Paragraph recall@1", "ratio"),
    ("recall@5", "Paragraph recall@5", "ratio"),
    ("mrr", "MRR", "ratio"),
    ("contains_answer", "Answer contains gold span", "ratio"),
    ("abstention_rate", "Abstained", "ratio"),
    ("median_answer_chars", "Median answer length (chars)", "count"),
    ("latency_p50_ms", "Latency p50 (ms)", "ms"),
    ("latency_p95_ms", "Latency p95 (ms)", "ms"),
]


def fmt(value, kind: str = "ratio") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "count":
        return f"{value:.0f}"
    if kind == "ms":
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def overall_table(run: dict, metrics: list, group: str = "all") -> str:
    systems = run["systems"]
    rows = [[title] + [fmt(run["summary"][s][group][key], kind) for s in systems] for key, title, kind in metrics]
    return table(["metric"] + systems, rows)


def qa_report(run: dict, command: str, set_path: str, judge_section: str) -> str:
    systems = run["systems"]
    first = run["summary"][systems[0]]
    categories = [c for c in first if c != "all"]
    parts = [
        f"# Evaluation: {set_path} ({first['all']['questions']} questions)",
        f"Command: `{command}`  \nMachine: {machine_line(run)}  \nSettings (ours): "
        + ", ".join(f"{k}={v}" for k, v in run["settings"].items()),
        "Summary line: `" + qa_summary_line(run) + "`",
        "## Overall\n\n" + overall_table(run, QA_METRICS[:6] + OVERALL_ONLY + QA_METRICS[6:]),
        "Questions per category: " + ", ".join(f"{c} {first[c]['questions']}" for c in categories),
    ]
    for key, title, kind in QA_METRICS:
        rows = [[c] + [fmt(run["summary"][s][c][key], kind) for s in systems] for c in categories + ["all"]]
        parts.append(f"## {title} per category\n\n" + table(["category"] + systems, rows))
    parts.append("## LLM judge\n\n" + judge_section)
    parts.append("## Chart\n\n![accuracy per category](accuracy.png)")
    parts.append("## Definitions\n\n" + DEFINITIONS)
    parts.append("## Misses of ours\n\n" + misses(run, systems[0]))
    return "\n\n".join(parts) + "\n"


def misses(run: dict, system: str) -> str:
    lines = []
    for qid, entry in run["questions"].items():
        result = entry["systems"][system]
        if result["verdicts"]["correct"]:
            continue
        answer = " ".join(result["answer"].split())[:220]
        what = "abstained" if result["abstained"] else f"answered « {answer} »"
        lines.append(f"- `{qid}` ({entry['category']}) {entry['question']} — {what}")
    return "\n".join(lines) or "None."


def squad_report(run: dict, command: str, path: str) -> str:
    first = run["summary"][run["systems"][0]]["all"]
    held = run["summary"][run["systems"][0]]["held-out"]
    return "\n\n".join([
        f"# SQuAD-format evaluation: {path} ({first['questions']} questions)",
        f"Command: `{command}`  \nMachine: {machine_line(run)}  \nSettings (ours): "
        + ", ".join(f"{k}={v}" for k, v in run["settings"].items() if k not in ("corpus_dir", "index_dir")),
        "Summary line: `" + squad_summary_line(run) + "`",
        "Each paragraph is one document of a temporary corpus; every system answers every question.",
        "## Results\n\n" + overall_table(run, SQUAD_METRICS),
        f"## Held-out articles ({held['questions']} questions)\n\nOur sentence ranker (`python -m evals.train_ranker`) "
        "learnt from the questions of even-numbered articles; these are the odd-numbered ones, which it never saw.\n\n"
        + overall_table(run, SQUAD_METRICS, "held-out"),
        "![squad metrics](squad.png)",
        "## Definitions\n\n" + SQUAD_DEFINITIONS,
    ]) + "\n"


def machine_line(run: dict) -> str:
    return describe(run["machine"])


def qa_summary_line(run: dict) -> str:
    name = run["systems"][0]
    s = run["summary"][name]["all"]
    return (
        f"evals: accuracy {fmt(s['accuracy'])} · support {fmt(s['support'])} · R@5 {fmt(s['recall@5'])} · "
        f"abstention P {fmt(s['abstention_precision'])} R {fmt(s['abstention_recall'])} · "
        f"p50 {s['latency_p50_ms']:.0f} ms ({name}, {s['questions']} questions)"
    )


def squad_summary_line(run: dict) -> str:
    name = run["systems"][0]
    s = run["summary"][name]["all"]
    held = run["summary"][name]["held-out"]
    return (
        f"evals squad: R@1 {fmt(s['recall@1'])} · R@5 {fmt(s['recall@5'])} · MRR {fmt(s['mrr'])} · "
        f"answer contains gold {fmt(s['contains_answer'])} (held-out articles {fmt(held['contains_answer'])}) · "
        f"median answer {s['median_answer_chars']:.0f} chars · "
        f"p50 {s['latency_p50_ms']:.0f} ms ({name}, {s['questions']} questions)"
    )


def bar_chart(groups: list[str], series: dict[str, list[float]], title: str, path: Path) -> None:
    """Grouped bars: one group per label in `groups`, one bar per series (system)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    width = 0.8 / max(len(series), 1)
    figure, axis = plt.subplots(figsize=(max(6, 1.2 * len(groups) * max(1, len(series) / 3)), 4))
    for i, (name, values) in enumerate(series.items()):
        positions = [g + i * width - 0.4 + width / 2 for g in range(len(groups))]
        axis.bar(positions, [0 if math.isnan(v) else v for v in values], width, label=name)
    axis.set_xticks(range(len(groups)), groups, rotation=20, ha="right")
    axis.set_ylim(0, 1.05)
    axis.set_title(title)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def qa_chart(run: dict, path: Path) -> None:
    categories = [c for c in run["summary"][run["systems"][0]] if c != "all"] + ["all"]
    series = {s: [run["summary"][s][c]["accuracy"] for c in categories] for s in run["systems"]}
    bar_chart(categories, series, "Answer accuracy per category", path)


def squad_chart(run: dict, path: Path) -> None:
    metrics = ["recall@1", "recall@5", "mrr", "contains_answer"]
    series = {s: [run["summary"][s]["all"][m] for m in metrics] for s in run["systems"]}
    bar_chart(metrics, series, "SQuAD-format set", path)
