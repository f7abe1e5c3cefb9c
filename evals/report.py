"""Render a run as Markdown tables (one per metric, systems side by side), a chart and one summary line.

Everything shown comes from the metric table (evals/metric_table.py): its rows, titles, definitions,
the summary line's words and the chart's bars. Nothing here names a metric, except the misses list,
which reads answer accuracy, the English parity's pairs, which read it too, and the confidently wrong
list, which reads that metric.
"""

import math
from pathlib import Path

from evals.machine import describe
from evals.metric_table import Metric, metrics_for

LINE_PREFIX = {"qa": "evals:", "squad": "evals squad:", "parity": "parity:"}
PREAMBLE = "How each figure is computed (deterministic; no model judges these):"


def fmt(value, kind: str = "ratio") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "count":
        return f"{value:.0f}"
    if kind == "ms":
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_brief(value, kind: str = "ratio") -> str:
    """As in the summary line: milliseconds without decimals."""
    return fmt(value, "count" if kind == "ms" else kind)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def metrics_table(run: dict, metrics: list[Metric], group: str = "all") -> str:
    """One row per metric, one column per system, over one group of questions."""
    systems = run["systems"]
    rows = [[m.title] + [fmt(run["summary"][s][group].get(m.name), m.kind) for s in systems] for m in metrics]
    return table(["metric"] + systems, rows)


def category_table(run: dict, metric: Metric, categories: list[str]) -> str:
    systems = run["systems"]
    rows = [[c] + [fmt(run["summary"][s][c].get(metric.name), metric.kind) for s in systems] for c in categories]
    return table(["category"] + systems, rows)


def definitions(kind: str) -> str:
    """One bullet per definition, in table order; metrics that share a definition share its bullet."""
    titles: dict[str, list[str]] = {}
    for metric in metrics_for(kind):
        titles.setdefault(metric.definition, []).append(metric.title)
    bullets = [f"- **{' / '.join(names)}**: {definition}" for definition, names in titles.items()]
    return PREAMBLE + "\n\n" + "\n".join(bullets)


def settings_line(run: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in run["settings"].items())


def header(run: dict, title: str, command: str) -> str:
    return (f"# {title}\n\nCommand: `{command}`  \nMachine: {describe(run['machine'])}  \n"
            f"Settings (ours): {settings_line(run)}\n\nSummary line: `{summary_line(run)}`")


def qa_report(run: dict, command: str, set_path: str, judge_section: str) -> str:
    systems = run["systems"]
    first = run["summary"][systems[0]]
    categories = [c for c in first if c != "all"]
    metrics = metrics_for("qa")
    parts = [
        header(run, f"Evaluation: {set_path} ({first['all']['questions']} questions)", command),
        "## Overall\n\n" + metrics_table(run, metrics),
        "Questions per category: " + ", ".join(f"{c} {first[c]['questions']}" for c in categories),
    ]
    parts += [f"## {m.title} per category\n\n" + category_table(run, m, categories + ["all"])
              for m in metrics if m.per_category]
    if run.get("parity"):
        parts.append("## English parity\n\n" + parity_section(run["parity"]))
    if run.get("paraphrases"):
        parts.append("## Paraphrases\n\n" + paraphrase_section(run["paraphrases"]))
    parts.append("## LLM judge\n\n" + judge_section)
    parts.append("## Chart\n\n![accuracy per category](accuracy.png)")
    parts.append("## Definitions\n\n" + definitions("qa"))
    parts.append("## Misses of ours\n\n" + misses(run, systems[0]))
    parts.append("## Confidently wrong (ours)\n\n" + confidently_wrong(run, systems[0]))
    return "\n\n".join(parts) + "\n"


def misses(run: dict, system: str) -> str:
    lines = []
    for qid, entry in run["questions"].items():
        result = entry["systems"][system]
        if result["scores"]["accuracy"]:
            continue
        answer = " ".join(result["answer"].split())[:220]
        what = "abstained" if result["abstained"] else f"answered « {answer} »"
        lines.append(f"- `{qid}` ({entry['category']}) {entry['question']} — {what}")
    return "\n".join(lines) or "None."


def confidently_wrong(run: dict, system: str) -> str:
    """The answers that contradict their gold, with what they said and what the gold is."""
    lines = []
    for qid, entry in run["questions"].items():
        result = entry["systems"][system]
        if not result["scores"].get("confidently_wrong"):
            continue
        said = " ".join((result["lead"] or result["answer"]).split())[:220]
        gold = f"gold verdict {entry['verdict']}" if entry.get("verdict") else f"gold « {entry['reference'][:160]} »"
        lines.append(f"- `{qid}` ({entry['category']}) {entry['question']} — « {said} » ({gold})")
    return "\n".join(lines) or "None."


def parity_section(parity: dict) -> str:
    """English questions beside their French translations: figures per language, then pair by pair."""
    metrics = metrics_for("parity")
    titles = {m.name: m.title for m in metrics}
    summary, english = parity["summary"], parity["english"]
    figures = table(["metric", "English", "French"],
                    [[m.title] + [fmt(summary[lang].get(m.name), m.kind) for lang in ("en", "fr")] for m in metrics])
    judged = ", ".join(titles[name].lower() for name in parity["judged"])
    rows = [[f"`{p['id']}`", p["category"]] + [pair_cell(p, m.name) for m in metrics] + [p["english"]]
            for p in parity["per_pair"]]
    differ = [pair_lines(p) for p in parity["per_pair"] if p["english"] != "same" or not pair_correct(p)]
    intro = (f"The {parity['pairs']} questions of the set written in English, asked of {parity['system']} as written "
             "and in their French translation (the `fr` field of the set), with the same history, expected facts and "
             "sources (evals/parity.py). A question with two expected documents has a recall@1 of at most 0.50. The "
             "expected facts are French strings: a lead that words the document's criterion in English misses them.")
    verdicts = (f"English is worse on {english['worse']} pairs, better on {english['better']}, mixed on "
                f"{english['mixed']} (judged on {judged}: worse = lower on one, higher on none).")
    per_pair = table(["question", "category"] + [m.title for m in metrics] + ["English"], rows)
    return "\n\n".join([
        intro,
        f"Summary line: `{parity_line(parity)}`",
        figures,
        verdicts,
        "### Per pair (English / French)\n\n" + per_pair,
        "### Pairs that differ or miss\n\n" + ("\n".join(differ) or "None."),
    ])


def paraphrase_section(paraphrases: dict) -> str:
    """The rewrites' figures per style beside their originals', then the rewrites that disagree."""
    metrics = metrics_for("paraphrase")
    summary = paraphrases["summary"]
    groups = [g for g in summary if g != "all"] + ["all"]
    figures = table(["metric"] + [g if g != "all" else "all rewrites" for g in groups],
                    [[m.title] + [fmt(summary[g].get(m.name), m.kind) for g in groups] for m in metrics])
    differ = [f"- `{r['id']}` ({r['category']}) « {r['question']} »: {r['differs']}"
              for r in paraphrases["per_rewrite"] if r["differs"]]
    intro = (f"Each of the {paraphrases['questions']} questions rewritten casual, in English and as a story "
             f"({paraphrases['rewrites']} rewrites, evals/paraphrases.jsonl), asked of {paraphrases['system']} "
             "with its original's history and gold (evals/paraphrases.py); the originals were asked again in the "
             "same pass. The expected facts are French strings: an English lead that words them in English "
             "misses them.")
    return "\n\n".join([intro, figures, f"### Rewrites that disagree with their original ({len(differ)})\n\n"
                         + ("\n".join(differ) or "None.")])


def pair_cell(pair: dict, name: str) -> str:
    return " / ".join(mark(pair[lang]["scores"][name]) for lang in ("en", "fr"))


def mark(value) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return fmt(value)


def pair_correct(pair: dict) -> bool:
    return all(pair[lang]["scores"]["accuracy"] for lang in ("en", "fr"))


def pair_lines(pair: dict) -> str:
    """One pair in a few lines: what each language asked, answered and ranked first."""
    lines = [f"- `{pair['id']}` ({pair['category']}), English {pair['english']}:"]
    for lang in ("en", "fr"):
        side = pair[lang]
        said = "abstained" if side["abstained"] else "« " + " ".join((side["lead"] or side["answer"]).split())[:160] + " »"
        first = side["ranked_sources"][0] if side["ranked_sources"] else "—"
        right = "right" if side["scores"]["accuracy"] else "wrong"
        lines.append(f"  - {lang.upper()} « {side['question']} » → {said} ({right}; first source {first})")
    return "\n".join(lines)


def parity_line(parity: dict) -> str:
    """The parity figures in one line, each metric in the words its `line` gives for the parity set."""
    metrics = metrics_for("parity")
    figures = {lang: {m.name: fmt_brief(values.get(m.name), m.kind) for m in metrics}
               for lang, values in parity["summary"].items()}
    words = [m.line["parity"].format(en=figures["en"][m.name], fr=figures["fr"][m.name])
             for m in metrics if "parity" in m.line]
    english = parity["english"]
    return (f"{LINE_PREFIX['parity']} " + " · ".join(words) + f" · EN worse {english['worse']} better "
            f"{english['better']} ({parity['system']}, {parity['pairs']} pairs)")


def squad_report(run: dict, command: str, path: str) -> str:
    summary = run["summary"][run["systems"][0]]
    metrics = metrics_for("squad")
    return "\n\n".join([
        header(run, f"SQuAD-format evaluation: {path} ({summary['all']['questions']} questions)", command),
        "Each paragraph is one document of a temporary corpus; every system answers every question.",
        "## Results\n\n" + metrics_table(run, metrics),
        f"## Held-out articles ({summary['held-out']['questions']} questions)\n\nOur sentence ranker "
        "(`python -m evals.train_ranker`) learnt from the questions of even-numbered articles; these are the "
        "odd-numbered ones, which it never saw.\n\n" + metrics_table(run, metrics, "held-out"),
        "![squad metrics](squad.png)",
        "## Definitions\n\n" + definitions("squad"),
    ]) + "\n"


def line_words(kind: str, summary: dict) -> list[str]:
    """Each metric of set `kind` in the words its `line` gives, from `summary` (figures per group): `{value}`
    over all questions, `{held_out}`, `{all[name]}` / `{held[name]}` (another metric), and this metric's
    figure over each group whose name is a word (`{casual}`: a style of the paraphrase set)."""
    metrics = metrics_for(kind)
    figures = {group: {m.name: fmt_brief(values.get(m.name), m.kind) for m in metrics}
               for group, values in summary.items()}
    held = figures.get("held-out", {})
    words = []
    for m in metrics:
        if kind in m.line:
            groups = {group: values[m.name] for group, values in figures.items() if group.isidentifier()}
            words.append(m.line[kind].format(**groups | {"value": figures["all"][m.name], "all": figures["all"],
                                                         "held_out": held.get(m.name, "—"), "held": held}))
    return words


def summary_line(run: dict) -> str:
    """The first system's figures in one line, each metric in the words its `line` gives for the set; then,
    after a paraphrase pass, the paraphrase set's words."""
    kind, name = run["kind"], run["systems"][0]
    summary = run["summary"][name]
    line = (f"{LINE_PREFIX[kind]} " + " · ".join(line_words(kind, summary))
            + f" ({name}, {summary['all']['questions']} questions)")
    if run.get("paraphrases"):
        paraphrases = run["paraphrases"]
        line += f" · paraphrases ({paraphrases['rewrites']} rewrites): " + " · ".join(
            line_words("paraphrase", paraphrases["summary"]))
    return line


def bar_chart(groups: list[str], series: dict[str, list[float]], title: str, path: Path) -> None:
    """Grouped bars: one group per label in `groups`, one bar per series (system)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    width = 0.8 / max(len(series), 1)
    figure, axis = plt.subplots(figsize=(max(6, 1.2 * len(groups) * max(1, len(series) / 3)), 4))
    for i, (name, values) in enumerate(series.items()):
        positions = [g + i * width - 0.4 + width / 2 for g in range(len(groups))]
        axis.bar(positions, [0 if v is None or math.isnan(v) else v for v in values], width, label=name)
    axis.set_xticks(range(len(groups)), groups, rotation=20, ha="right")
    axis.set_ylim(0, 1.05)
    axis.set_title(title)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def charted(kind: str) -> list[Metric]:
    return [m for m in metrics_for(kind) if kind in m.chart]


def qa_chart(run: dict, path: Path) -> None:
    """The charted metrics per category (answer accuracy): one bar per system."""
    categories = [c for c in run["summary"][run["systems"][0]] if c != "all"] + ["all"]
    metrics = charted("qa")
    groups = [f"{c} · {m.name}" if len(metrics) > 1 else c for m in metrics for c in categories]
    series = {s: [run["summary"][s][c].get(m.name) for m in metrics for c in categories] for s in run["systems"]}
    bar_chart(groups, series, " · ".join(m.title for m in metrics) + " per category", path)


def squad_chart(run: dict, path: Path) -> None:
    """The charted metrics over all questions, one group of bars per metric."""
    metrics = charted("squad")
    series = {s: [run["summary"][s]["all"].get(m.name) for m in metrics] for s in run["systems"]}
    bar_chart([m.name for m in metrics], series, "SQuAD-format set", path)
