"""`python -m assistant index | search | ask | mcp | feedback export | questions export`."""

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.settings import Settings
from assistant.wording import message


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
    ask.add_argument("--provenance", action="store_true",
                     help="with --json or --jsonl: include how the answer was made (query, passages, decision)")
    with_paths(commands.add_parser("mcp", help="serve the MCP tools (ask, search, programmes) over stdio, "
                                               "for a desktop client"))
    for name, about in (("feedback", "feedback records"), ("questions", "the question log")):
        records = commands.add_parser(name, help=about)
        records.add_argument("action", choices=["export"])
        records.add_argument("--delimiter", choices=[";", ","], default=";",
                             help="cell separator: ';' for a French spreadsheet (default), ',' for other tools")
        records.add_argument("--output", type=Path, help="CSV file, UTF-8 with BOM (default: stdout)")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    overrides = {}
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = args.corpus
    if getattr(args, "index", None):
        overrides["index_dir"] = args.index
    settings = Settings(**overrides)
    commands = {"index": _index, "search": _search, "ask": _ask, "mcp": _mcp, "feedback": _export, "questions": _export}
    return commands[args.command](settings, args)


def _index(settings: Settings, args) -> int:
    from assistant.ingest.indexer import build_index
    from assistant.retrieval.embeddings import EmbeddingsUnavailable

    try:
        report = build_index(settings, progress=sys.stderr.isatty())
    except (FileNotFoundError, EmbeddingsUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


def _search(settings: Settings, args) -> int:
    """The passages `ask` considers for the question, found as `ask` finds them but not answered (no
    answerer runs, so no LLM is called), or, with --mode lexical|dense, one retriever alone."""
    from assistant.assistant import Assistant, InvalidQuestion

    assistant = Assistant(settings)
    k = args.k or settings.top_k
    try:
        analysis = assistant.prepare(args.question)
    except InvalidQuestion as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.mode == "hybrid":
        retrieval = assistant.retrieve(analysis)
        passages = retrieval.considered[:k]
        print(f"query: {retrieval.query} (the answerer reads the first {settings.retrieve_k})", file=sys.stderr)
    else:
        passages = assistant.retriever.search(analysis.query, k=k, mode=args.mode)
    for rank, passage in enumerate(passages, 1):
        chunk = passage.chunk
        date = chunk.date or message(analysis.language, "undated")
        print(f"{rank}. [{passage.score:.3f}] {chunk.breadcrumb}  ({chunk.source}, {date})")
        print(f"   lexical {passage.lexical:.2f} · dense {passage.dense:.3f}")
        print("   " + chunk.text.replace("\n", "\n   ")[:700])
        print()
    return 0


def _ask(settings: Settings, args) -> int:
    from assistant.assistant import Assistant, InvalidQuestion

    assistant = Assistant(settings)
    if args.jsonl:
        for number, line in enumerate(sys.stdin, 1):
            if line.strip():
                out = _answer_line(assistant, number, line, args.provenance)
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
        print(answer.model_dump_json(exclude=_hidden(args.provenance)))
        return 0
    print(answer.answer)
    if answer.citations:
        print("\n" + message(answer.language, "sources_heading"))
        for citation in answer.citations:
            where = " > ".join(p for p in (citation.title, citation.section) if p)
            date = citation.date or message(answer.language, "undated")
            print(f"[{citation.n}] {where} — {date} — {citation.source}")
            for quote in citation.quotes:
                print(f"    « {quote} »")
    return 0


def _mcp(settings: Settings, args) -> int:
    """The MCP server over stdio: stdout carries the protocol, the log goes to stderr. The index is
    opened before the first message, so that the client's first call does not wait for it."""
    import importlib.metadata

    import anyio

    from assistant.answering.extractive import short_answer
    from assistant.assistant import Assistant
    from assistant.store.database import Store
    from assistant.store.question_log import QuestionLog
    from assistant.web.mcp_server import mcp_server
    from assistant.web.security import RateLimiter

    assistant = Assistant(settings)
    assistant.answerer  # noqa: B018 - opens the index and builds the answerer
    short_answer.load_model()
    try:
        version = importlib.metadata.version("assistant-innovation-occitanie")
    except importlib.metadata.PackageNotFoundError:
        version = ""
    store = Store.from_settings(settings)
    question_log = QuestionLog(store)
    try:
        anyio.run(mcp_server(assistant, question_log, RateLimiter(0), version).run_stdio_async)
    finally:
        question_log.close()
        store.close()
    return 0


def _answer_line(assistant, number: int, line: str, provenance: bool) -> dict:
    """One --jsonl line: the answer with the line's id, or the error with the line's id (or number)."""
    from assistant.assistant import InvalidQuestion

    try:
        request = json.loads(line)
    except json.JSONDecodeError as error:
        return {"id": None, "line": number, "error": f"line {number} is not valid JSON: {error.msg}"}
    if not isinstance(request, dict):
        return {"id": None, "line": number, "error": f"line {number} is not a JSON object"}
    question, history = request.get("question", ""), request.get("history") or []
    if not isinstance(question, str) or not isinstance(history, list):
        return {"id": request.get("id"), "line": number,
                "error": f"line {number}: 'question' must be a string and 'history' a list"}
    try:
        answer = assistant.ask(question, history)
    except InvalidQuestion as error:
        return {"id": request.get("id"), "line": number, "error": str(error)}
    return {"id": request.get("id"), **answer.model_dump(mode="json", exclude=_hidden(provenance))}


def _hidden(provenance: bool) -> set[str] | None:
    return None if provenance else {"provenance"}


def _export(settings: Settings, args) -> int:
    """`feedback export` or `questions export`: the store's rows as CSV (UTF-8 with BOM, formula-safe)."""
    from assistant.store.database import Store

    store = Store.from_settings(settings)
    if args.command == "feedback":
        count, data = store.count_feedback(), store.export_feedback_csv(args.delimiter)
    else:
        count, data = store.count_questions(), store.export_questions_csv(args.delimiter)
    if args.output:
        args.output.write_bytes(data)
        print(f"{count} {args.command} rows written to {args.output}")
    else:
        sys.stdout.buffer.write(data)
    return 0
