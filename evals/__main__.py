"""`python -m evals`: the eval set (or a SQuAD-format file) through our assistant and the baselines, the
set's English questions through ours again in their French translations (the English parity), and its
paraphrase set through ours (each question rewritten casual, in English and as a story)."""

import argparse
import json
import shlex
import sys
from pathlib import Path

from assistant.settings import Settings
from evals.dataset import DEFAULT_SET, load_questions
from evals.judge import llm_judge
from evals.paraphrases import DEFAULT_PARAPHRASES, load_paraphrases, run_paraphrases
from evals.parity import run_parity
from evals.paths import display_path, eval_index_dir, squad_corpus_dir
from evals.report import parity_line, qa_chart, qa_report, squad_chart, squad_report, summary_line
from evals.runner import build_systems, log, run_squad, run_systems, with_eval_index
from evals.squad import load_squad

EVALS_DIR = Path(__file__).resolve().parent
INDEX_SHAPE = ("corpus_dir", "embedding_model", "chunk_size")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = ("python -m evals " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))).strip()
    overrides = options(args)
    settings = Settings(**overrides)
    output = args.output
    output.mkdir(parents=True, exist_ok=True)

    if args.squad:
        return squad(args, settings, command)

    try:
        questions = load_questions(args.set)
        rewrites = [] if args.no_paraphrases else paraphrases_of(args, questions)
    except (OSError, ValueError) as error:  # a bad row names its row and column: no traceback for it
        print(f"error: {error}", file=sys.stderr)
        return 2
    settings = with_eval_index(settings, args.index)
    compare = None
    if args.compare:
        compare = Settings(**{**overrides, **pairs(args.compare)})
        same_index = all(getattr(compare, k) == getattr(settings, k) for k in INDEX_SHAPE)
        compare = with_eval_index(compare, settings.index_dir if same_index else eval_index_dir(compare))
    systems = build_systems(settings, compare, baselines=not args.no_baselines)
    run = run_systems("qa", systems, questions, settings)  # as run_eval, keeping ours for the parity pass
    if not args.no_parity and any(q.translation for q in questions):
        run["parity"] = run_parity(systems[0], questions)
    if rewrites:
        run["paraphrases"] = run_paraphrases(systems[0], questions, rewrites)
    judge_section, judge_scores = ("Skipped (--no-judge).", {}) if args.no_judge else llm_judge(settings, run, run["systems"][0])
    run["judge"] = judge_scores
    write_results(run, command, output / "results.json")
    qa_chart(run, output / "accuracy.png")
    (output / "report.md").write_text(qa_report(run, command, display_path(args.set), judge_section), encoding="utf-8")
    log(f"wrote {output / 'report.md'}, {output / 'results.json'}, {output / 'accuracy.png'}")
    print(run["summary_line"])
    if run.get("parity"):
        print(run["parity"]["summary_line"])
    return 0


def paraphrases_of(args, questions: list) -> list:
    """The rewrites of the set's questions: `--paraphrases`, else evals/paraphrases.jsonl for the default set
    (another set has other ids), else none."""
    path = args.paraphrases or (DEFAULT_PARAPHRASES if args.set.resolve() == DEFAULT_SET else None)
    return load_paraphrases(path, questions) if path else []


def squad(args, settings: Settings, command: str) -> int:
    path = args.squad.resolve()
    corpus = squad_corpus_dir(path)
    questions = load_squad(path, corpus, args.limit)
    settings = with_eval_index(settings.model_copy(update={"corpus_dir": corpus}), args.index)
    run = run_squad(settings, questions, baselines=not args.no_baselines)
    write_results(run, command, args.output / "results-squad.json")
    squad_chart(run, args.output / "squad.png")
    (args.output / "report-squad.md").write_text(squad_report(run, command, display_path(args.squad)), encoding="utf-8")
    log(f"wrote {args.output / 'report-squad.md'}, {args.output / 'results-squad.json'}, {args.output / 'squad.png'}")
    print(run["summary_line"])
    return 0


def write_results(run: dict, command: str, path: Path) -> None:
    """The run as JSON, with the command and the summary line as printed (evals/bench.py quotes them)."""
    run["command"], run["summary_line"] = command, summary_line(run)
    if run.get("parity"):
        run["parity"]["summary_line"] = parity_line(run["parity"])
    indent = 1 if run["kind"] == "qa" else None  # a SQuAD run has thousands of questions: kept compact
    path.write_text(json.dumps(run, ensure_ascii=False, indent=indent, default=str), encoding="utf-8")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    p.add_argument("--set", type=Path, default=DEFAULT_SET, help="eval set, JSON lines or CSV (default: evals/qa.jsonl)")
    p.add_argument("--squad", type=Path, help="evaluate on a SQuAD-format file instead (its paragraphs become the corpus)")
    p.add_argument("--limit", type=int, help="with --squad: the first N questions only")
    p.add_argument("--index", type=Path, help="index directory (default: a dedicated one under the temp dir)")
    p.add_argument("--output", type=Path, default=EVALS_DIR, help="where reports go (default: evals/)")
    p.add_argument("--answerer", choices=["extractive", "llm"])
    p.add_argument("--embedding-model")
    p.add_argument("--abstain-threshold", type=float)
    p.add_argument("--dense-weight", type=float)
    p.add_argument("--set-option", action="append", default=[], metavar="KEY=VALUE", help="any setting, repeatable")
    p.add_argument("--compare", action="append", default=[], metavar="KEY=VALUE",
                   help="also run ours with these settings changed (repeatable, all in one second configuration)")
    p.add_argument("--no-baselines", action="store_true", help="ours only")
    p.add_argument("--no-judge", action="store_true", help="skip the LLM judge even when an LLM is configured")
    p.add_argument("--no-parity", action="store_true",
                   help="skip the English parity pass (ours on the English questions and their French translations)")
    p.add_argument("--paraphrases", type=Path,
                   help="paraphrase set of --set's questions (default: evals/paraphrases.jsonl with evals/qa.jsonl)")
    p.add_argument("--no-paraphrases", action="store_true",
                   help="skip the paraphrase pass (ours on three rewrites of every question)")
    return p


def options(args) -> dict:
    overrides = pairs(args.set_option)
    for key in ("answerer", "embedding_model", "abstain_threshold", "dense_weight"):
        if getattr(args, key) is not None:
            overrides[key] = getattr(args, key)
    return overrides


def pairs(items: list[str]) -> dict:
    result = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key.strip().replace("-", "_") not in Settings.model_fields:
            raise SystemExit(f"error: {item!r} is not KEY=VALUE with KEY a setting ({', '.join(Settings.model_fields)})")
        result[key.strip().replace("-", "_")] = value.strip()
    return result


if __name__ == "__main__":
    sys.exit(main())
