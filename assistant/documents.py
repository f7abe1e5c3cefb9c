"""Read corpus files (.md, .txt, .html, .pdf, .docx) into `SourceDocument`s.

A file that cannot be read is reported with its reason and skipped; it never stops the rest.
"""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.models import SourceDocument

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")
MAX_FILE_BYTES = 50_000_000


class UnreadableDocument(Exception):
    """The file exists but yields no usable text; the message says why, for a person."""


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def load_corpus(corpus_dir: Path) -> tuple[list[SourceDocument], list[Skipped]]:
    documents, skipped = [], []
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(corpus_dir).as_posix()
        if any(part.startswith(".") for part in path.relative_to(corpus_dir).parts):
            continue
        try:
            documents.append(load_document(path, relative))
        except UnreadableDocument as error:
            skipped.append(Skipped(relative, str(error)))
    return documents, skipped


def load_document(path: Path, source: str | None = None) -> SourceDocument:
    source = source or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableDocument(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableDocument("empty file")
    if size > MAX_FILE_BYTES:
        raise UnreadableDocument(f"file too large ({size // 1_000_000} MB, limit {MAX_FILE_BYTES // 1_000_000} MB)")
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html}.get(suffix, _read_text)
    try:
        fields = reader(path)
    except UnreadableDocument:
        raise
    except Exception as error:  # each parser fails its own way on a damaged file
        raise UnreadableDocument(f"cannot be read as {suffix[1:].upper()}: {type(error).__name__}: {error}") from error
    text = fields.pop("text")
    if not text.strip():
        raise UnreadableDocument("no text found (empty, or a scanned document without a text layer)")
    title = fields.pop("title", None) or _first_heading(text) or path.stem.replace("-", " ").replace("_", " ")
    return SourceDocument(source=source, title=str(title).strip(), text=text, **_known(fields))


def _known(fields: dict) -> dict:
    out = {}
    for key in ("date", "kind", "url", "publisher", "status", "as_of"):
        value = fields.get(key)
        if value not in (None, ""):
            out[key] = _iso(value) if key in ("date", "as_of") else str(value)
    return out


def _iso(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    match = re.match(r"D?:?(\d{4})-?(\d{2})-?(\d{2})", text)  # ISO dates and PDF's D:YYYYMMDD...
    return f"{match[1]}-{match[2]}-{match[3]}" if match else text


def _first_heading(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        raise UnreadableDocument("binary content, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _read_text(path: Path) -> dict:
    text = _decode(path.read_bytes()).replace("\r\n", "\n")
    fields: dict = {}
    match = FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as error:
            raise UnreadableDocument(f"invalid front matter: {error}") from error
        if isinstance(meta, dict):
            fields.update(meta)
            fields.setdefault("url", meta.get("source_url"))
        text = text[match.end() :]
    fields["text"] = text
    return fields


def _read_html(path: Path) -> dict:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(path.read_bytes()), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "nav", "footer", "form"]):
        tag.decompose()
    meta = {m.get("name") or m.get("property"): m.get("content") for m in soup.find_all("meta")}
    canonical = soup.find("link", rel="canonical")
    fields = {
        "title": (soup.title.string if soup.title and soup.title.string else None) or meta.get("og:title"),
        "date": meta.get("article:published_time") or meta.get("date") or meta.get("dc.date"),
        "url": (canonical.get("href") if canonical else None) or meta.get("og:url"),
        "publisher": meta.get("og:site_name") or meta.get("author"),
    }
    body = soup.body or soup
    lines = []
    for element in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "blockquote", "pre"]):
        if element.find_parent(["p", "li", "td", "blockquote"]):
            continue
        text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        level = int(element.name[1]) if element.name in ("h1", "h2", "h3", "h4") else 0
        lines.append(f"{'#' * level} {text}" if level else text)
    fields["text"] = "\n\n".join(lines) if lines else body.get_text("\n", strip=True)
    return fields


def _read_pdf(path: Path) -> dict:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except PdfReadError as error:
        raise UnreadableDocument(f"corrupt PDF: {error}") from error
    text = "\n\n".join(re.sub(r"[ \t]+\n", "\n", page).strip() for page in pages)
    return {"text": text, "title": info.get("/Title"), "date": info.get("/CreationDate"), "publisher": info.get("/Author")}


def _read_docx(path: Path) -> dict:
    import docx

    document = docx.Document(str(path))
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        level = re.match(r"(?:heading|titre)\s*(\d)", style)
        if style == "title":
            lines.append(f"# {text}")
        elif level:
            lines.append(f"{'#' * (int(level[1]) + 1)} {text}")
        else:
            lines.append(text)
    props = document.core_properties
    return {"text": "\n\n".join(lines), "title": props.title, "date": props.created, "publisher": props.author}
