"""Read corpus files (.md, .txt, .html, .pdf, .docx) into `SourceDocument`s.

Faults are per file and never stop the rest. A file that cannot be read, or a link that leads out
of the corpus (or nowhere), is skipped with its reason; a file read with a workaround (a name or a
few bytes that are not UTF-8) is indexed and the workaround reported. Every string a document
carries is valid UTF-8, so chunk ids, Chroma metadata and the index state can hold it.
"""

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from assistant.ingest.file_types import holds
from assistant.models import SourceDocument
from assistant.wording import file_kind

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")
MAX_FILE_BYTES = 50_000_000
# Budgets a hostile file meets before a parser builds it in memory (a 546 KB DOCX can unpack to 500 MB;
# 19 MB of `<p>` is 2.4 million nodes, 3.4 GB in BeautifulSoup). Zip members are read by zipfile no further
# than their declared size, so checking the declared sizes bounds what python-docx unpacks.
MAX_UNPACKED_BYTES = 100_000_000  # a DOCX's members, all together
MAX_HTML_TAGS = 300_000  # a long regional page has a few thousand
MAX_PDF_PAGES = 2_000


class UnreadableDocument(Exception):
    """The file exists but yields no usable text; the message says why, for a person."""


@dataclass(frozen=True)
class Fault:
    """What went wrong with one corpus file, for the index report: it was skipped, or indexed anyway."""

    source: str
    reason: str
    skipped: bool = True


def load_corpus(corpus_dir: Path, read: Callable[[Path, str], tuple[SourceDocument, list[str]]] | None = None,
                ) -> tuple[list[SourceDocument], list[Fault]]:
    """Every readable file under `corpus_dir` (hidden ones aside), and the faults of the others. `read`
    reads one file as `read_file` does (the indexer's reads it in a worker process under memory and time
    limits: assistant/ingest/reading_worker.py); by default, here."""
    read = read or read_file
    root = corpus_dir.resolve()
    documents: list[SourceDocument] = []
    faults: list[Fault] = []
    names: set[str] = set()
    for path in _entries(root):
        source, renamed = _source_name(path.relative_to(root))
        refusal = _refusal(path, root)
        if refusal is None and source in names:
            refusal = "its name, once made readable, is that of another file: rename it"
        if refusal:
            faults.append(Fault(source, refusal))
            continue
        try:
            document, caveats = read(path.resolve(), source)  # the checked target, not the link
        except UnreadableDocument as error:
            faults.append(Fault(source, _readable(str(error))))
            continue
        except OSError as error:  # removed or locked while we read it
            faults.append(Fault(source, f"cannot be read: {_readable(error.strerror or str(error))}"))
            continue
        if renamed:
            caveats.insert(0, "file name is not valid UTF-8: indexed under this name (rename the file)")
        documents.append(document)
        names.add(source)
        faults.extend(Fault(source, caveat, skipped=False) for caveat in caveats)
    return documents, faults


def _entries(root: Path) -> list[Path]:
    """Files and links under `root`, sorted; hidden names are left out and links to folders are not entered."""
    found = []
    for folder, folders, files in os.walk(root):  # followlinks=False
        folders[:] = [name for name in folders if not name.startswith(".")]
        here = Path(folder)
        links = [name for name in folders if (here / name).is_symlink()]  # listed, to be reported
        found.extend(here / name for name in files + links if not name.startswith("."))
    return sorted(found)


def _refusal(path: Path, root: Path) -> str | None:
    """Why `path` is not read: a link out of the corpus or to nothing, a folder link, not a regular file."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "broken link (its target does not exist)" if path.is_symlink() else "removed while indexing"
    except (OSError, RuntimeError) as error:  # a loop of links
        return f"link that cannot be followed: {_readable(str(error))}"
    if not target.is_relative_to(root):
        return f"link to {_readable(str(target))}, outside the corpus: not read"
    if target.is_dir():
        return "link to a folder: not followed"
    if not target.is_file():
        return "not a regular file (a pipe, socket or device)"
    return None


def _source_name(relative: Path) -> tuple[str, bool]:
    """The path as the index names it, and whether it had to be changed to be valid UTF-8."""
    name = relative.as_posix()
    safe = _readable(name)
    return safe, safe != name


def _readable(text: str) -> str:
    """`text` as valid UTF-8: bytes of a file name that are not UTF-8 shown as \\xNN."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def load_document(path: Path, source: str | None = None) -> SourceDocument:
    return read_file(path, source)[0]


def read_file(path: Path, source: str | None = None) -> tuple[SourceDocument, list[str]]:
    """The document, and the workarounds its reading needed, in words for the index report."""
    source = source or _readable(path.name)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableDocument(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableDocument("empty file")
    if size > MAX_FILE_BYTES:
        raise UnreadableDocument(f"file too large ({size // 1_000_000} MB, limit {MAX_FILE_BYTES // 1_000_000} MB)")
    found = holds(path)
    if found:
        raise UnreadableDocument(f"not a {suffix} file: it holds {file_kind('en', found)}")
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html}.get(suffix, _read_text)
    try:
        fields = reader(path)
    except UnreadableDocument:
        raise
    except Exception as error:  # each parser fails its own way on a damaged file
        raise UnreadableDocument(f"cannot be read as {suffix[1:].upper()}: {type(error).__name__}: {error}") from error
    caveats = [fields.pop("caveat")] if fields.get("caveat") else []
    valid = {key: _valid(value) if isinstance(value, str) else value for key, value in fields.items()}
    if valid != fields:
        caveats.append("characters that are not valid Unicode replaced by U+FFFD")
    fields = valid
    text = fields.pop("text")
    if not text.strip():
        raise UnreadableDocument("no text found (empty, or a scanned document without a text layer)")
    fallback = PurePosixPath(source).stem.replace("-", " ").replace("_", " ")
    title = fields.pop("title", None) or _first_heading(text) or fallback
    return SourceDocument(source=source, title=str(title).strip(), text=text, **_known(fields)), caveats


def _valid(text: str) -> str:
    """Lone surrogates (a YAML escape, a PDF's broken UTF-16) replaced by U+FFFD; surrogate pairs joined."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


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


# Text has next to no control characters; binary data decoded as cp1252 has about one in ten.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
BINARY_CONTROLS = 0.01
ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]")  # a byte that is not UTF-8, kept by surrogateescape


LEGACY_SAMPLE = 200_000  # bytes the detector reads of a file that is not UTF-8
FRENCH_FIRST = "cp1252"  # among code pages the detector finds equally clean, the one French text is written in
CODE_PAGE_NAMES = {"cp1252": "Windows-1252", "cp1251": "Windows-1251", "cp1250": "Windows-1250",
                   "cp1253": "Windows-1253", "iso8859_15": "ISO-8859-15", "latin_1": "ISO-8859-1"}


def _decode(raw: bytes) -> tuple[str, str | None]:
    """The text and how it was read. UTF-8 when the bytes are UTF-8, or when its valid multi-byte
    sequences are at least as many as its stray bytes (those then shown as U+FFFD): in a file of a
    legacy code page, a valid UTF-8 sequence is a rare accident ("Ã©"), so one is evidence. Otherwise
    the code page is chosen by a detector (charset-normalizer), Windows-1252 when it finds it as
    clean as any other. Binary content is refused."""
    if b"\x00" in raw[:4096]:
        raise UnreadableDocument("binary content, not text")
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    stray = len(ESCAPED_BYTE.findall(text))
    caveat = None
    if stray:
        valid = sum(1 for char in text if char > "\x7f") - stray
        if valid >= stray:
            text = ESCAPED_BYTE.sub("\ufffd", text)
            caveat = f"{stray} byte{'s' * (stray > 1)} not valid UTF-8, shown as U+FFFD (the rest is UTF-8)"
        else:
            encoding = _code_page(raw)
            text = raw.decode(encoding, errors="replace")
            caveat = f"not UTF-8: read as {CODE_PAGE_NAMES.get(encoding, encoding)}"
    if len(CONTROL.findall(text)) > BINARY_CONTROLS * len(text):
        raise UnreadableDocument("binary content, not text")
    return text, caveat


def _code_page(raw: bytes) -> str:
    """The legacy code page of bytes that are not UTF-8, by charset-normalizer: the least chaotic
    reading; Windows-1252 among equals (alone, the detector would pick Windows-1250 for short French
    text, which turns "à" into "ŕ")."""
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(raw[:LEGACY_SAMPLE]) if not m.encoding.startswith("utf")]
    if not matches:
        return FRENCH_FIRST
    cleanest = min(m.chaos for m in matches)
    equals = [m.encoding for m in matches if m.chaos <= cleanest]
    return FRENCH_FIRST if FRENCH_FIRST in equals else equals[0]


FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _read_text(path: Path) -> dict:
    text, caveat = _decode(path.read_bytes())
    text = text.replace("\r\n", "\n")
    fields: dict = {"caveat": caveat}
    match = FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as error:
            raise UnreadableDocument(f"invalid front matter: {error}") from error
        if isinstance(meta, dict):
            fields.update(meta)
            fields["url"] = web_address(meta.get("url"), meta.get("source_url"), meta.get("source"))
        text = text[match.end() :]
    fields["text"] = text
    return fields


def _read_html(path: Path) -> dict:
    from bs4 import BeautifulSoup

    raw = path.read_bytes()
    if raw.count(b"<") > MAX_HTML_TAGS:
        raise UnreadableDocument(f"too many HTML elements (more than {MAX_HTML_TAGS:,}): split the page")
    text, caveat = _decode(raw)
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "nav", "footer", "form"]):
        tag.decompose()
    meta = {m.get("name") or m.get("property"): m.get("content") for m in soup.find_all("meta")}
    canonical = soup.find("link", rel="canonical")
    fields = {
        "title": (soup.title.string if soup.title and soup.title.string else None) or meta.get("og:title"),
        "date": meta.get("article:published_time") or meta.get("date") or meta.get("dc.date"),
        "url": web_address(canonical.get("href") if canonical else None, meta.get("og:url")),
        "publisher": meta.get("og:site_name") or meta.get("author"),
        "caveat": caveat,
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
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnreadableDocument(f"too many pages ({len(reader.pages):,}, limit {MAX_PDF_PAGES:,}): split the PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except PdfReadError as error:
        raise UnreadableDocument(f"corrupt PDF: {error}") from error
    text = "\n\n".join(re.sub(r"[ \t]+\n", "\n", page).strip() for page in pages)
    return {"text": text, "title": info.get("/Title"), "date": info.get("/CreationDate"), "publisher": info.get("/Author"),
            "url": web_address(info.get("/URL"), info.get("/Source"), *_xmp_addresses(reader))}


def _xmp_addresses(reader) -> list[str | None]:
    """Where a PDF's XMP metadata says it comes from (dc:source, dc:identifier), when it has any."""
    try:
        xmp = reader.xmp_metadata
        return [xmp.dc_source, xmp.dc_identifier] if xmp is not None else []
    except Exception:  # a damaged XMP packet: the PDF is still read, without an address
        return []


def web_address(*values) -> str | None:
    """The first of `values` that is a web address (http or https): a document's link, shown with its
    citations. A front matter's `source` is often a description ("Communiqué de presse…"), not a link."""
    for value in values:
        if isinstance(value, str) and re.match(r"https?://\S+$", value.strip(), re.IGNORECASE):
            return value.strip()
    return None


def _read_docx(path: Path) -> dict:
    import zipfile

    import docx

    with zipfile.ZipFile(path) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableDocument(f"unpacks to {unpacked // 1_000_000:,} MB (limit {MAX_UNPACKED_BYTES // 1_000_000} MB):"
                                 " a compressed bomb, or images to take out")
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
    return {"text": "\n\n".join(lines), "title": props.title, "date": props.created, "publisher": props.author,
            "url": web_address(props.identifier)}
