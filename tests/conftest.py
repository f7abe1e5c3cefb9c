"""Every test runs offline against temp dirs: no test touches the real index, data or model hub.

Fixtures only; what tests share besides fixtures is in tests/helpers.py."""

import inspect
import os
import shutil
import tempfile

import pytest

from assistant.settings import Settings

# BUDGET, XSS_DOCUMENT and XSS_QUESTION are re-exported for tests/web/test_browser.py, which still imports
# them from here: drop them once it imports from tests.helpers.
from tests.helpers import BUDGET, CORPUS, XSS_DOCUMENT, XSS_QUESTION, FakeChatServer, make_settings  # noqa: F401

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
# Passage vectors shared by every test and the processes tests start (the CLI, a killed indexer),
# and kept between runs on one machine: the corpus is embedded once, not once per index built.
os.environ.setdefault("ASSISTANT_EMBEDDING_CACHE_DIR", os.path.join(tempfile.gettempdir(), "assistant-test-vectors"))


# A test that indexes a corpus, starts a server, a process or a browser, or opens the app, is marked
# `heavy` (`make test-fast`, -m "not heavy", leaves it out): through a fixture (directly or through
# another one), a PostgreSQL parameter, or a call in its own body.
HEAVY_FIXTURES = {"indexed", "indexed_copy", "corpus_copy", "tiny", "postgres", "browser", "chroma_server",
                  "local_model", "live_server", "fake_server"}
HEAVY_CALLS = ("build_index(", "serving(", "subprocess.", "Assistant(", "Retriever.open(", "create_app(")


def _heavy(item) -> bool:
    if HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    if item.get_closest_marker("slow") or item.get_closest_marker("browser"):
        return True
    if "postgresql" in getattr(getattr(item, "callspec", None), "params", {}).values():
        return True
    try:
        body = inspect.getsource(item.function)
    except (OSError, TypeError):
        return False
    return any(call in body for call in HEAVY_CALLS)


def pytest_collection_modifyitems(items):
    for item in items:
        if _heavy(item):
            item.add_marker(pytest.mark.heavy)


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    """Default settings point at a temp dir, so a test that forgets to pass settings cannot harm real state."""
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "default-index"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "default-data"))
    from assistant.settings import get_settings

    get_settings.cache_clear()


@pytest.fixture(scope="session")
def indexed(tmp_path_factory) -> Settings:
    """The real corpus, indexed once per session in a temp dir (read-only for tests)."""
    from assistant.ingest.indexer import build_index

    base = tmp_path_factory.mktemp("real-corpus")
    shutil.copytree(CORPUS, base / "corpus")
    settings = make_settings(base)
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def indexed_copy(indexed, tmp_path_factory):
    """`indexed_copy(name, extra={path: text}, **settings)`: a private copy of the session's corpus and
    index, with `extra` documents added and indexed on top (only they are embedded). Tests that change
    the corpus or serve extra documents start from here instead of indexing the corpus again."""
    from assistant.ingest.indexer import build_index

    def copy(name: str, extra: dict[str, str] | None = None, **overrides) -> Settings:
        base = tmp_path_factory.mktemp(name)
        shutil.copytree(indexed.corpus_dir, base / "corpus")
        shutil.copytree(indexed.index_dir, base / "index")
        for path, text in (extra or {}).items():
            (base / "corpus" / path).write_text(text, encoding="utf-8")
        settings = make_settings(base, **overrides)
        if extra:
            build_index(settings)
        return settings

    return copy


@pytest.fixture(scope="session")
def assistant(indexed):
    from assistant.assistant import Assistant

    return Assistant(indexed)


@pytest.fixture
def corpus_copy(tmp_path) -> Settings:
    """A private copy of the real corpus, for tests that change it."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def postgres():
    """The admin URL of a real PostgreSQL server started for this session (tests/postgres.py); the
    tests that need it skip, saying why, only where PostgreSQL is not installed."""
    from tests.postgres import INSTALL_HINT, binaries, postgres_server

    if binaries() is None:
        pytest.skip(f"PostgreSQL is not installed here: {INSTALL_HINT} (make test installs it)")
    with postgres_server() as url:
        yield url


@pytest.fixture
def fake_server():
    """`fake_server(reply)`: an LLM server we control, stopped after the test (tests/helpers.py)."""
    servers = []

    def start(reply) -> FakeChatServer:
        servers.append(FakeChatServer(reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
