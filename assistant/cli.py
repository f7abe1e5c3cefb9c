"""`python -m assistant index | search | ask | feedback export`."""

import argparse
import json
import sys
from pathlib import Path

from assistant.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Assistant innovation Occitanie")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_paths(sub):
        sub.add_argument("--corpus", type=Path, help="corpus directory (default: settings)")
        sub.add_argument("--index", type=Path, help="index directory (default: settings)")
        return sub

    with_paths(commands.add_parser("index", help="index the corpus (incremental)"))
    search = with_paths(commands.add_parser("search", help="show the passages retrieved for a question"))
    search.add_argument("question")
    search.add_argument("-k", type=int, default=None)
    search.add_argument("--mode", choices=["hybrid", "lexical", "dense"], default="hybrid")
    ask = with_paths(commands.add_parser("ask", help="answer a question with its sources"))
    ask.add_argument("question", nargs="?")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the Answer as one JSON object")
    output.add_argument("--jsonl", action="store_true", help="read JSON questions on stdin, one per line")
    feedback = commands.add_parser("feedback", help="feedback records")
    feedback.add_argument("action", choices=["export"])
    feedback.add_argument("--output", type=Path, help="CSV file (default: stdout)")

    args = parser.parse_args(argv)
    overrides = {}
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = args.corpus
    if getattr(args, "index", None):
        overrides["index_dir"] = args.index
    settings = Settings(**overrides)
    return {"index": _index, "search": _search, "ask": _ask, "feedback": _feedback}[args.command](settings, args)


def _index(settings: Settings, args) -> int:
    from assistant.indexer import build_index

    try:
        report = build_index(settings, progress=sys.stderr.isatty())
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


def _search(settings: Settings, args) -> int:
    from assistant.assistant import Assistant

    retriever = Assistant(settings, log=_stderr).retriever
    for rank, passage in enumerate(retriever.search(args.question, k=args.k, mode=args.mode), 1):
        chunk = passage.chunk
        print(f"{rank}. [{passage.score:.3f}] {chunk.breadcrumb}  ({chunk.source}, {chunk.date or 'sans date'})")
        print(f"   lexical {passage.lexical:.2f} · dense {passage.dense:.3f}")
        print("   " + chunk.text.replace("\n", "\n   ")[:700])
        print()
    return 0


def _ask(settings: Settings, args) -> int:
    from assistant.assistant import Assistant, InvalidQuestion

    assistant = Assistant(settings, log=_stderr)
    if args.jsonl:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                answer = assistant.ask(request.get("question", ""), request.get("history") or [])
                out = {"id": request.get("id"), **answer.model_dump()}
            except (InvalidQuestion, ValueError, TypeError, AttributeError) as error:
                out = {"id": request.get("id") if isinstance(request, dict) else None, "error": str(error)}
            print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0
    if not args.question:
        print("error: a question is required (or --jsonl)", file=sys.stderr)
        return 2
    try:
        answer = assistant.ask(args.question)
    except InvalidQuestion as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(answer.model_dump_json())
        return 0
    print(answer.answer)
    if answer.citations:
        print("\nSources :")
        for citation in answer.citations:
            where = " > ".join(p for p in (citation.title, citation.section) if p)
            print(f"[{citation.n}] {where} — {citation.date or 'sans date'} — {citation.source}")
            for quote in citation.quotes:
                print(f"    « {quote} »")
    return 0


def _feedback(settings: Settings, args) -> int:
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as handle:
            count = store.export_csv(handle)
        print(f"{count} feedback rows written to {args.output}")
    else:
        store.export_csv(sys.stdout)
    return 0


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)
