"""What several test modules share: settings in a temp dir, a corpus document added on the fly, the
questions and hostile document the front-end tests send, and an LLM server we control. Fixtures live
in tests/conftest.py."""

import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import PROJECT_DIR, Settings

if TYPE_CHECKING:
    import uvicorn

CORPUS = PROJECT_DIR / "corpus"

BUDGET = "Quel est le budget du dispositif Start-up Industrie de demain ?"

# A document and a question that carry script payloads: everything must show them as text.
XSS_QUESTION = "Combien finance le dispositif Zorglub ?"
XSS_DOCUMENT = """---
title: "Dispositif Zorglub <img src=x onerror=\\"window.__xss='title'\\">"
kind: programme
date: 2025-03-01
url: "javascript:window.__xss='url'"
---

# Dispositif Zorglub

## Montants

Le dispositif Zorglub finance les projets de licornes violettes à hauteur de 7 M€ par projet <script>window.__xss='script';alert(1)</script>. Le dispositif Zorglub est piloté par la Région <img src=x onerror="window.__xss='img';alert(1)"> avec ses partenaires.
"""


def make_settings(base: Path, **overrides) -> Settings:
    """Settings whose corpus, index and data directories are under `base`."""
    values = {"corpus_dir": base / "corpus", "index_dir": base / "index", "data_dir": base / "data"}
    values.update(overrides)
    return Settings(**values)


def ask_with_document(settings: Settings, name: str, title: str, body: str, question: str):
    """Add a dated Markdown document to a corpus copy, re-index, and ask."""
    from assistant.assistant import Assistant
    from assistant.ingest.indexer import build_index

    text = f"---\ntitle: {title}\ndate: 2025-01-01\n---\n# {title}\n\n{body}\n"
    (settings.corpus_dir / name).write_text(text, encoding="utf-8")
    build_index(settings)
    return Assistant(settings).ask(question)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextmanager
def serving(config: "uvicorn.Config", timeout: float = 60, sockets=None, server: "uvicorn.Server | None" = None):
    """A real uvicorn server in a thread (`server`, or one of `config`), started before the block runs and
    stopped after it (on `sockets` when given, as app.py serves them, else on the config's host and port)."""
    import uvicorn  # here, not at the top: the fast tests import this module without a web server

    server = server or uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(10)


class FakeChatServer:
    """An OpenAI-compatible /v1/chat/completions that streams a reply and records the requests. The
    reply is fixed, or written from the request (a model that reads the passages it is given)."""

    def __init__(self, reply: str | Callable[[dict], str]):
        self.reply, self.requests = reply, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(request)
                reply = fake.reply(request) if callable(fake.reply) else fake.reply
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for i, piece in enumerate(reply.split(" ")):
                    delta = {"content": piece if i == 0 else " " + piece}
                    self._event({"choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                self.wfile.write(b"data: [DONE]\n\n")

            def _event(self, body):
                body = {"id": "fake", "object": "chat.completion.chunk", "created": 0, "model": "fake", **body}
                self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def docx_of_paragraphs(unpacked_bytes: int) -> bytes:
    """A DOCX whose document.xml holds `unpacked_bytes` of one-letter paragraphs, within the declared-size
    budget: written as a stream, so that the test itself never holds the XML in memory."""
    import docx

    blank = io.BytesIO()
    docx.Document().save(blank)
    template = zipfile.ZipFile(blank)
    xml = template.read("word/document.xml").decode()
    head, tail = xml.split("<w:body>")[0] + "<w:body>", "</w:body>" + xml.split("</w:body>")[1]
    paragraph = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in template.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item, template.read(item.filename))
                continue
            with archive.open(item.filename, "w") as member:
                member.write(head.encode())
                for _ in range(unpacked_bytes // (len(paragraph) * 10_000)):
                    member.write(paragraph * 10_000)
                member.write(tail.encode())
    return out.getvalue()
