"""Incremental, interruptible indexing against a real Chroma store and the real embedding model, and
a corpus with faulty files: each fault is reported and the rest is indexed, from every entry point."""

import json
import os
import random
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

from assistant.assistant import Assistant
from assistant.ingest.documents import load_document
from assistant.ingest.indexer import build_index
from assistant.retrieval.index_state import IndexState
from assistant.retrieval.retriever import Retriever
from assistant.settings import PROJECT_DIR
from tests.helpers import docx_of_paragraphs, make_settings

NEW_DOC = "# Aide fictive Zéphyr\n\n## Montant\n\nL'aide Zéphyr finance les coopératives de pêcheurs à hauteur de 12 000 €.\n"

OXALIS = ("# Café innovation Oxalis\n\n## Montant\n\n"
          "Le café innovation Oxalis finance les torréfacteurs à hauteur de 9 000 €.\n")
EPSILON = ("# Dispositif Épsilon\n\n## Montant\n\n"
           "Le dispositif Épsilon finance les coopératives à hauteur de 12 000 €.\n\n"
           "## Demande\n\nÉlevée, la demande dépasse l'offre.\n")
# What the summary says of each faulty file, as a maintainer reads it.
FAULT_LINES = (
    "skipped x.md: link to /etc/passwd, outside the corpus: not read",
    "skipped coffre.md: link to ",
    "skipped perdu.md: broken link",
    "warning caf\\xe9-oxalis.md: file name is not valid UTF-8",
    "warning epsilon.md: 1 byte not valid UTF-8",
    "skipped image.md: binary content, not text",
    "skipped fiche.pdf: corrupt PDF",
)


def add_faulty_files(corpus: Path, outside: Path) -> None:
    """What an adversarial test put in the corpus: links out of it or to nothing, a file name that is
    not UTF-8, a UTF-8 file with one stray byte, a binary file renamed .md and a damaged PDF."""
    corpus.mkdir(exist_ok=True)
    outside.mkdir()
    (outside / "coffre.md").write_text("# Coffre\n\nLe code du coffre de la Région est 4417.\n", encoding="utf-8")
    (corpus / "x.md").symlink_to("/etc/passwd")
    (corpus / "coffre.md").symlink_to(outside / "coffre.md")
    (corpus / "perdu.md").symlink_to(corpus / "absent.md")
    with open(os.fsencode(corpus) + b"/caf\xe9-oxalis.md", "wb") as handle:  # Latin-1 "café" in the name
        handle.write(OXALIS.encode("utf-8"))
    (corpus / "epsilon.md").write_bytes(EPSILON.encode("utf-8").replace(b"e, la", b"e\xff, la"))  # one byte not UTF-8
    (corpus / "image.md").write_bytes(random.Random(1).randbytes(30_000).replace(b"\x00", b""))
    (corpus / "fiche.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")


def test_unchanged_corpus_embeds_nothing_and_says_so(corpus_copy):
    first = build_index(corpus_copy)
    assert first.embedded == first.chunks == first.added > 50
    again = build_index(corpus_copy)
    assert (again.embedded, again.added, again.removed, again.kept) == (0, 0, 0, first.chunks)
    assert "nothing to embed" in again.summary()


def test_changed_file_reembeds_only_its_changed_chunks_and_deleted_file_goes(corpus_copy):
    build_index(corpus_copy)
    sheet = corpus_copy.corpus_dir / "programmes" / "readynov.md"
    sheet.write_text(sheet.read_text().replace("60 %", "65 %"), encoding="utf-8")
    (corpus_copy.corpus_dir / "programmes" / "aniti.md").unlink()
    report = build_index(corpus_copy)
    aniti_chunks = 0 < report.removed
    assert aniti_chunks and 1 <= report.embedded <= 3 and report.added == report.embedded
    state = IndexState.load(corpus_copy.index_dir)
    assert not any(c.source == "programmes/aniti.md" for c in state.chunks)
    assert any("65 %" in c.text for c in state.chunks)
    retriever = Retriever.open(corpus_copy)
    assert len(retriever.store.all_ids()) == len(state.chunks)  # no orphan vectors left in Chroma
    assert all(p.chunk.source != "programmes/aniti.md" for p in retriever.search("ANITI institut toulousain IA", k=5))


def test_moving_text_does_not_reembed_it_but_updates_offsets(corpus_copy):
    build_index(corpus_copy)
    sheet = corpus_copy.corpus_dir / "programmes" / "pass-occitanie.md"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("\n\n", "\n\n\n", 3), encoding="utf-8")
    report = build_index(corpus_copy)
    assert report.embedded == 0
    state = IndexState.load(corpus_copy.index_dir)
    body = load_document(sheet).text
    for chunk in (c for c in state.chunks if c.source == "programmes/pass-occitanie.md"):
        assert body[chunk.start : chunk.end] == chunk.text


def test_new_embedding_model_triggers_full_rebuild(corpus_copy):
    first = build_index(corpus_copy)
    corpus_copy.embedding_model = "minilm"
    report = build_index(corpus_copy)
    assert report.rebuilt and report.embedded == first.chunks
    assert IndexState.load(corpus_copy.index_dir).model == "minilm"
    retriever = Retriever.open(corpus_copy)
    assert retriever.search("Pass Occitanie", k=1, mode="dense")


def test_run_killed_halfway_keeps_old_index_answering_and_next_run_completes(corpus_copy):
    build_index(corpus_copy)
    for i in range(6):  # enough new chunks for several embedding batches
        (corpus_copy.corpus_dir / f"zephyr-{i}.md").write_text(
            NEW_DOC + "".join(f"\n## Partie {j}\n\n" + f"Paragraphe {i}-{j} sur l'aide Zéphyr. " * 12 for j in range(20)),
            encoding="utf-8",
        )
    # A real SIGKILL of the indexing process after its first batch of vectors reached Chroma.
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        import assistant.ingest.indexer as indexer
        from assistant.settings import Settings
        real = indexer.VectorStore.add
        def add_then_die(self, *args, **kwargs):
            real(self, *args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        indexer.VectorStore.add = add_then_die
        indexer.build_index(Settings(corpus_dir=Path({str(corpus_copy.corpus_dir)!r}), index_dir=Path({str(corpus_copy.index_dir)!r})))
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert killed.returncode == -9, killed.stderr

    before = Retriever.open(corpus_copy)
    assert not any(c.source.startswith("zephyr") for c in before.state.chunks)
    assert before.search("Pass Occitanie montant de la subvention", k=3)[0].chunk.source == "programmes/pass-occitanie.md"

    report = build_index(corpus_copy)
    new_chunks = report.added
    assert 0 < report.embedded < new_chunks  # what the killed run stored is not embedded again
    after = Retriever.open(corpus_copy)
    assert after.search("aide Zéphyr coopératives de pêcheurs", k=1)[0].chunk.source.startswith("zephyr")


def test_faulty_files_are_reported_one_by_one_and_the_rest_is_indexed_and_answers(corpus_copy, tmp_path):
    add_faulty_files(corpus_copy.corpus_dir, tmp_path / "ailleurs")
    report = build_index(corpus_copy)
    assert report.files == 13 + 2  # the real corpus, the file with a bad name and the one with a stray byte
    for line in FAULT_LINES:
        assert line in report.summary()
    # The readable name is what the state file and Chroma hold; a second run finds everything in place.
    state = IndexState.load(corpus_copy.index_dir)
    assert "caf\\xe9-oxalis.md" in state.files and "x.md" not in state.files and "coffre.md" not in state.files
    retriever = Retriever.open(corpus_copy)
    assert len(retriever.store.all_ids()) == len(state.chunks)
    assert retriever.store.collection.get(where={"source": "caf\\xe9-oxalis.md"}, include=[])["ids"]
    assert build_index(corpus_copy).embedded == 0

    assistant = Assistant(corpus_copy)
    for question, secret in (("Quel est le shell de root ?", "/bin/bash"),
                             ("Quel est le code du coffre de la Région ?", "4417")):
        answer = assistant.ask(question)
        assert secret not in answer.answer and all(secret not in c.text for c in answer.citations)
    answer = assistant.ask("Combien finance le dispositif Épsilon ?")
    assert "12 000 €" in answer.answer and answer.citations[0].title == "Dispositif Épsilon"
    assert not any("Ã" in c.text for c in answer.citations)
    answer = assistant.ask("Combien finance le café innovation Oxalis ?")
    assert "9 000 €" in answer.answer and answer.citations[0].source == "caf\\xe9-oxalis.md"


def test_the_index_command_reports_faulty_files_and_succeeds(tmp_path):
    settings = make_settings(tmp_path)
    add_faulty_files(settings.corpus_dir, tmp_path / "ailleurs")
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "index",
         "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)],
        capture_output=True, text=True, cwd=PROJECT_DIR, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 files, ")
    for line in FAULT_LINES:
        assert line in result.stdout


def test_the_server_builds_its_first_index_despite_faulty_files_and_reports_them(tmp_path):
    settings = make_settings(tmp_path)
    add_faulty_files(settings.corpus_dir, tmp_path / "ailleurs")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
           "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_DATA_DIR": str(settings.data_dir),
           "ASSISTANT_PORT": str(port)}
    log = tmp_path / "server.log"
    with open(log, "w", encoding="utf-8") as output:
        server = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT_DIR, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        health = None
        deadline = time.monotonic() + 180  # a bound for a stuck start, not a speed check
        while health is None and server.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as response:
                    health = json.load(response)
            except OSError:
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    started = log.read_text(encoding="utf-8")
    assert health is not None, started
    assert health["documents"] == 2
    for line in FAULT_LINES:
        assert line in started
    # The build's progress, then the addresses once the server listens: a printed URL answers.
    assert re.search(r"Indexing: 0 / \d+ chunks embedded", started), started
    embedded = started.rindex(" chunks embedded")
    assert embedded < started.index(f"Chat: http://127.0.0.1:{port}/") < started.index(f"Widget: http://127.0.0.1:{port}/widget.js")


def test_a_file_past_the_readers_memory_or_time_limit_is_skipped_with_the_reason_and_the_rest_indexed(corpus_copy):
    settings = corpus_copy.model_copy(update={"reader_memory_mb": 256, "reader_timeout_s": 5})
    (settings.corpus_dir / "bombe.docx").write_bytes(docx_of_paragraphs(90_000_000))  # 90 MB of XML: GBs of nodes
    (settings.corpus_dir / "lente.docx").write_bytes(docx_of_paragraphs(1_000_000))  # python-docx: minutes
    report = build_index(settings)
    assert report.files == 13
    assert "skipped bombe.docx: reading it needs more than 256 MB of memory (ASSISTANT_READER_MEMORY_MB)" in report.summary()
    assert "skipped lente.docx: reading it takes more than 5 s (ASSISTANT_READER_TIMEOUT_S)" in report.summary()
    assert Assistant(settings).ask("Qu'est-ce que READYNOV ?").citations[0].source == "programmes/readynov.md"
