"""The corpus folder as the console changes it: a file uploaded, replaced or removed, and the list of
documents with what the serving index knows of each.

An upload goes through the same reader as the folder (assistant/ingest/documents.py `load_document`) before
it lands: it is written to a hidden temp file in the corpus (hidden files are never indexed), read,
and only then renamed into place, so a file the index would skip is refused with the reason instead.
Nothing is indexed here: the next re-index (assistant/console/reindex.py) picks the change up.
"""

import datetime as dt
import logging
import os
import re
import secrets
import unicodedata
from pathlib import Path

from assistant.ingest.documents import UnreadableDocument, load_document
from assistant.retrieval.index_state import IndexState

log = logging.getLogger(__name__)

ACCEPTED = (".pdf", ".docx", ".html", ".htm", ".md", ".txt")
UPLOADS_TMP = ".uploads"  # hidden: load_corpus skips it


class Refused(ValueError):
    """The change is refused; `key` and `values` name the message in assistant/wording.py."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


def safe_name(filename: str) -> str:
    """The file's own name, NFC, without folders, with only letters, digits, '.', '-' and '_'."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    stem, dot, suffix = name.rpartition(".")
    stem = re.sub(r"[^\w.-]+", "-", stem if dot else name, flags=re.UNICODE).strip("-.")
    if not stem or not dot:
        raise Refused("upload_bad_name", name=filename[:100])
    return f"{stem[:120]}.{suffix.lower()}"


def folders(corpus_dir: Path) -> list[str]:
    """The corpus's top-level folders an upload may go to ('' is the corpus itself)."""
    return [""] + sorted(p.name for p in corpus_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def corpus_path(corpus_dir: Path, source: str) -> Path:
    """The file of `source` (a path relative to the corpus), refused if it leads outside it."""
    root = corpus_dir.resolve()
    resolved = (corpus_dir / source).resolve()
    if root not in resolved.parents or any(part.startswith(".") for part in Path(source).parts) or not resolved.is_file():
        raise Refused("document_missing", source=source[:200])
    return corpus_dir / source


def save_upload(corpus_dir: Path, filename: str, data: bytes, max_bytes: int, folder: str = "",
                replace: str | None = None) -> str:
    """Check and place an uploaded file; returns its source. `replace` is the source it replaces
    (same type of file); otherwise a file of the same name is refused."""
    if len(data) > max_bytes:
        raise Refused("upload_too_large", size=len(data), limit=max_bytes)
    if replace is not None:
        target = corpus_path(corpus_dir, replace)
        if Path(filename or "").suffix.lower() != target.suffix.lower():
            raise Refused("upload_other_type", source=replace, suffix=target.suffix.lower())
    else:
        name = safe_name(filename)
        if Path(name).suffix not in ACCEPTED:
            raise Refused("upload_type", suffix=Path(name).suffix, allowed=", ".join(ACCEPTED))
        if folder not in folders(corpus_dir):
            raise Refused("upload_bad_folder", folder=folder[:100])
        target = corpus_dir / folder / name
        if target.exists():
            raise Refused("upload_exists", source=target.relative_to(corpus_dir).as_posix())
    source = target.relative_to(corpus_dir).as_posix()
    staging = corpus_dir / UPLOADS_TMP
    staging.mkdir(exist_ok=True)
    temp = staging / f"{secrets.token_hex(8)}{target.suffix}"
    try:
        temp.write_bytes(data)
        try:
            load_document(temp, source)
        except UnreadableDocument as error:
            raise Refused("upload_unreadable", reason=str(error)) from error
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    log.info("corpus: %s %s (%d bytes)", "replaced" if replace else "added", source, len(data))
    return source


def remove(corpus_dir: Path, source: str) -> None:
    corpus_path(corpus_dir, source).unlink()
    log.info("corpus: removed %s", source)


def documents(state: IndexState, corpus_dir: Path) -> list[dict]:
    """Every document the serving index holds, and every corpus file it does not hold yet, with its
    change since: 'indexed', 'new' (on disk, not indexed), 'changed' (modified since) or 'removed'."""
    rows: dict[str, dict] = {}
    for chunk in state.chunks:
        row = rows.get(chunk.source)
        if row is None:
            rows[chunk.source] = row = {
                "source": chunk.source, "title": chunk.title, "kind": chunk.kind, "date": chunk.date,
                "as_of": chunk.as_of, "status": chunk.status, "chunks": 0,
                "indexed_at": state.indexed_at.get(chunk.source), "change": "indexed",
            }
        row["chunks"] += 1
    on_disk = {}
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if path.is_file() and not any(p.startswith(".") for p in relative.parts):
            on_disk[relative.as_posix()] = path
    skipped = {f["source"] for f in state.faults if f["skipped"]}
    for source, path in on_disk.items():
        row = rows.get(source)
        if row is None:
            if source not in skipped and path.suffix.lower() in ACCEPTED:
                rows[source] = {"source": source, "title": path.name, "kind": None, "date": None, "as_of": None,
                                "status": None, "chunks": 0, "indexed_at": None, "change": "new"}
        elif row["indexed_at"] and _modified(path) > row["indexed_at"]:
            row["change"] = "changed"
    for source, row in rows.items():
        if row["chunks"] and source not in on_disk:
            row["change"] = "removed"
    return sorted(rows.values(), key=lambda r: r["source"])


def _modified(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
