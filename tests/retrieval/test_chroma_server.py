"""With ASSISTANT_CHROMA_URL set, the same code indexes and queries through a real `chroma run` server."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.ingest.indexer import build_index
from assistant.retrieval.retriever import Retriever
from tests.helpers import free_port


def start_chroma(data: Path, port: int) -> subprocess.Popen:
    """A `chroma run` server on `port` keeping its data in `data`, once it answers its heartbeat."""
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        chroma = shutil.which("chroma")
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    pytest.fail("chroma server did not start")


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    process = start_chroma(tmp_path / "server-data", port)
    yield f"http://127.0.0.1:{port}", tmp_path / "server-data"
    process.terminate()
    process.wait(timeout=10)


def test_index_and_search_through_a_chroma_server(corpus_copy, chroma_server):
    url, server_data = chroma_server
    corpus_copy.chroma_url = url
    report = build_index(corpus_copy)
    assert report.embedded == report.chunks > 50
    assert not (corpus_copy.index_dir / "chroma").exists()  # vectors live on the server, not locally
    assert any(server_data.iterdir())

    retriever = Retriever.open(corpus_copy)
    assert len(retriever.store.all_ids()) == report.chunks
    best = retriever.search("Le Pass Occitanie est-il encore disponible ?", k=3)
    assert best[0].chunk.source == "programmes/pass-occitanie.md"
    vector = retriever.query_vector("Le Pass Occitanie est-il encore disponible ?")
    assert len(retriever.store.query(vector, 10 * report.chunks)) == report.chunks  # more asked than held: all
    assert build_index(corpus_copy).embedded == 0
