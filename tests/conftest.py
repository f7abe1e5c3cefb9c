"""Every test runs offline against temp dirs: no test touches the real index, data or model hub."""

import os
import shutil
from pathlib import Path

import pytest

from assistant.settings import PROJECT_DIR, Settings

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

CORPUS = PROJECT_DIR / "corpus"

# A document and a question that carry script payloads: everything must show them as text.
BUDGET = "Quel est le budget du dispositif Start-up Industrie de demain ?"
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


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    """Default settings point at a temp dir, so a test that forgets to pass settings cannot harm real state."""
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "default-index"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "default-data"))
    from assistant.settings import get_settings

    get_settings.cache_clear()


def make_settings(base: Path, **overrides) -> Settings:
    values = {"corpus_dir": base / "corpus", "index_dir": base / "index", "data_dir": base / "data"}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def indexed(tmp_path_factory) -> Settings:
    """The real corpus, indexed once per session in a temp dir (read-only for tests)."""
    from assistant.indexer import build_index

    base = tmp_path_factory.mktemp("real-corpus")
    shutil.copytree(CORPUS, base / "corpus")
    settings = make_settings(base)
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def assistant(indexed):
    from assistant.assistant import Assistant

    return Assistant(indexed)


@pytest.fixture
def corpus_copy(tmp_path) -> Settings:
    """A private copy of the real corpus, for tests that change it."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path)


def ask_with_document(settings: Settings, name: str, title: str, body: str, question: str):
    """Add a dated Markdown document to a corpus copy, re-index, and ask."""
    from assistant.assistant import Assistant
    from assistant.indexer import build_index

    text = f"---\ntitle: {title}\ndate: 2025-01-01\n---\n# {title}\n\n{body}\n"
    (settings.corpus_dir / name).write_text(text, encoding="utf-8")
    build_index(settings)
    return Assistant(settings).ask(question)
