"""The corpus folder as the console changes it: a file uploaded, replaced or removed, and the list of
documents with what the serving index knows of each.

An upload goes through the same reader as the folder (assistant/ingest/documents.py `read_file`, in a worker
process under memory and time limits: assistant/ingest/reading_worker.py) before it lands: it is written to a hidden temp file in the corpus (hidden files are never indexed), read,
and only then renamed into place, so a file the index would skip is refused with the reason instead.
Nothing is indexed here: the next re-index (assistant/console/reindex.py) picks the change up.

Every change stays inside the corpus by its resolved path: no file is written, replaced or removed
through a symbolic link to a folder (one elsewhere would take the file out of the corpus, one inside
would file it under a name the index does not read), and a name no file system takes (a NUL, more
than NAME_BYTES bytes) is refused with the reason before any file is touched.
"""

import datetime as dt
import logging
import os
import re
import secrets
import unicodedata
from pathlib import Path, PurePosixPath

from assistant.ingest.documents import UnreadableDocument, read_file
from assistant.ingest.file_types import holds
from assistant.ingest.reading_worker import CorpusReader, ReadingLimit
from assistant.retrieval.index_state import IndexState
from assistant.wording import file_kind, message

log = logging.getLogger(__name__)

ACCEPTED = (".pdf", ".docx", ".html", ".htm", ".md", ".txt")
UPLOADS_TMP = ".uploads"  # hidden: load_corpus skips it
NAME_BYTES = 255  # the longest file or folder name ext4, XFS, Btrfs and ZFS take, counted in UTF-8 bytes


class Refused(ValueError):
    """The change is refused; `key` and `values` name the message in assistant/wording.py."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values

    def message(self, language: str) -> str:
        values = dict(self.values)
        if "kind" in values:  # what a file holds, named in the reader's language
            values["kind"] = file_kind(language, values["kind"])
        return message(language, self.key, **values)


def safe_name(filename: str) -> str:
    """The file's own name, NFC, without folders, with only letters, digits, '.', '-' and '_'."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    stem, dot, suffix = name.rpartition(".")
    stem = re.sub(r"[^\w.-]+", "-", stem if dot else name, flags=re.UNICODE).strip("-.")
    if not stem or not dot:
        raise Refused("upload_bad_name", name=_shown(filename))
    safe = f"{stem}.{suffix.lower()}"
    check_names(safe)
    return safe


def check_names(relative: str) -> None:
    """Refused, saying why, when a part of `relative` can name no file: a NUL (no file system takes
    one; Python refuses the path) or more than NAME_BYTES bytes once encoded (the file system would)."""
    for part in PurePosixPath(relative).parts:
        if "\0" in part:
            raise Refused("name_nul", name=_shown(relative))
        size = len(part.encode("utf-8", "surrogatepass"))
        if size > NAME_BYTES:
            raise Refused("name_too_long", name=_shown(part), size=size, limit=NAME_BYTES)


def _shown(name: str) -> str:
    """A name as a refusal quotes it: short, its NULs visible."""
    name = name.replace("\0", "\\0")
    return name if len(name) <= 100 else f"{name[:100]}…"


def folders(corpus_dir: Path) -> list[str]:
    """The corpus's top-level folders an upload may go to ('' is the corpus itself). A link to a
    folder is none: a file put through it would land where the link points."""
    return [""] + sorted(p.name for p in corpus_dir.iterdir()
                         if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def refuse_links(corpus_dir: Path, relative: str, file_link: bool = False) -> None:
    """Refused when a part of `relative` in the corpus is a symbolic link, saying whether it leads out
    of the corpus. With `file_link`, the file itself may be a link to a file of the corpus (the index
    reads those): replacing or removing it changes the link, never its target."""
    root = corpus_dir.resolve()
    parts = PurePosixPath(relative).parts
    for depth in range(1, len(parts) + 1):
        path = root.joinpath(*parts[:depth])
        if not path.is_symlink():
            continue
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # a link to nothing, or a loop of links
            target = None
        inside = target is not None and target.is_relative_to(root)
        if inside and file_link and depth == len(parts) and target.is_file():
            return
        raise Refused("link_inside" if inside else "link_outside", path=PurePosixPath(*parts[:depth]).as_posix())


def corpus_path(corpus_dir: Path, source: str) -> Path:
    """The file of `source` (a path relative to the corpus), refused if it names no file of the corpus
    or reaches one through a link to a folder."""
    check_names(source)
    relative = PurePosixPath(source)
    if relative.is_absolute() or not relative.parts or any(part.startswith(".") for part in relative.parts):
        raise Refused("document_missing", source=_shown(source))
    refuse_links(corpus_dir, source, file_link=True)
    path = corpus_dir / source
    if not path.is_file():
        raise Refused("document_missing", source=_shown(source))
    return path


def destination(corpus_dir: Path, folder: str) -> Path:
    """The folder an upload goes to: one of `folders`; a link among them is refused with its reason."""
    if folder in folders(corpus_dir):
        return corpus_dir / folder
    if folder in {p.name for p in corpus_dir.iterdir() if p.is_symlink()}:
        refuse_links(corpus_dir, folder)
    raise Refused("upload_bad_folder", folder=_shown(folder))


def save_upload(corpus_dir: Path, filename: str, data: bytes, max_bytes: int, folder: str = "",
                replace: str | None = None, reader: CorpusReader | None = None) -> str:
    """Check and place an uploaded file; returns its source. `replace` is the source it replaces
    (same type of file); otherwise a file of the same name is refused. `reader` reads it (the
    console's: in a worker process under memory and time limits); by default, in this process."""
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
        target = destination(corpus_dir, folder) / name
        if target.exists():
            raise Refused("upload_exists", source=target.relative_to(corpus_dir).as_posix())
    source = target.relative_to(corpus_dir).as_posix()
    staging = corpus_dir / UPLOADS_TMP
    refuse_links(corpus_dir, UPLOADS_TMP)
    staging.mkdir(exist_ok=True)
    temp = staging / f"{secrets.token_hex(8)}{target.suffix}"
    try:
        temp.write_bytes(data)
        found = holds(temp)
        if found:
            raise Refused("upload_content", name=_shown(filename or target.name), suffix=target.suffix, kind=found)
        try:
            (reader or read_file)(temp, source)
        except ReadingLimit as error:
            raise Refused(f"upload_reader_{error.kind}", limit=f"{error.limit:g}") from error
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
    change since: 'indexed', 'new' (on disk, not indexed), 'changed' (modified since) or 'removed', and
    its sentences giving the assistant orders, which answers ignore ('orders')."""
    rows: dict[str, dict] = {}
    for chunk in state.chunks:
        row = rows.get(chunk.source)
        if row is None:
            rows[chunk.source] = row = {
                "source": chunk.source, "title": chunk.title, "kind": chunk.kind, "date": chunk.date,
                "as_of": chunk.as_of, "status": chunk.status, "chunks": 0,
                "indexed_at": state.indexed_at.get(chunk.source), "change": "indexed",
                "orders": state.orders.get(chunk.source, []),
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
                                "status": None, "chunks": 0, "indexed_at": None, "change": "new", "orders": []}
        elif row["indexed_at"] and _modified(path) > row["indexed_at"]:
            row["change"] = "changed"
    for source, row in rows.items():
        if row["chunks"] and source not in on_disk:
            row["change"] = "removed"
    return sorted(rows.values(), key=lambda r: r["source"])


def _modified(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
