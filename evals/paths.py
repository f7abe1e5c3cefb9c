"""Where evals keep their work (indexes, SQuAD corpora) and how reports name a path: relative to the
project, or under `$TMP`, never this machine's absolute layout."""

import hashlib
import os
import tempfile
from pathlib import Path

from assistant.settings import PROJECT_DIR, Settings

TEMP_DIR = Path(tempfile.gettempdir())
WORK_DIR = TEMP_DIR / "assistant-evals"


def eval_index_dir(settings: Settings) -> Path:
    """A dedicated index per corpus and index-shaping settings, away from the served index; kept
    between runs so a re-run only re-embeds what changed."""
    key = f"{settings.corpus_dir.resolve()}|{settings.embedding_model}|{settings.chunk_size}"
    return WORK_DIR / f"index-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def squad_corpus_dir(path: Path) -> Path:
    """Where a SQuAD file's paragraphs are written as a corpus (stable, so its index is reused)."""
    return WORK_DIR / f"squad-{hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:10]}" / "corpus"


def display_path(path: Path | str) -> str:
    """`corpus`, `evals/qa.jsonl`, `$TMP/assistant-evals/index-…`, `../shared/…`: the project directory
    (or the temp dir) as the origin, so a report reads the same on every machine."""
    path = Path(path).resolve()
    if path.is_relative_to(PROJECT_DIR):
        return path.relative_to(PROJECT_DIR).as_posix()
    if path.is_relative_to(TEMP_DIR.resolve()):
        return "$TMP/" + path.relative_to(TEMP_DIR.resolve()).as_posix()
    return Path(os.path.relpath(path, PROJECT_DIR)).as_posix()
