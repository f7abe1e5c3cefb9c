"""What a file holds, read from its first bytes, against what its extension promises.

A PDF renamed `.md` decodes as text (its objects are mostly ASCII) and would be indexed as its own
source code; a spreadsheet renamed `.docx` fails in the Word reader with a parser's message. Read
from the signature first, both are refused saying what the file holds. Used by the corpus reader
(assistant/ingest/documents.py, the index report's reason, in English) and by the console's upload
(assistant/ingest/corpus_files.py, a French refusal), so the two never disagree.
"""

import zipfile
from pathlib import Path

HEAD_BYTES = 65_536  # read for the check: a signature is in the first bytes, a NUL in text shows early
PDF_HEADER_WINDOW = 1024  # the PDF specification lets "%PDF-" start anywhere in the first 1024 bytes
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
EXPECTED = {".pdf": "pdf", ".docx": "docx", **{suffix: "text" for suffix in TEXT_SUFFIXES}}

# Leading bytes -> what the file is (no text file starts with these).
SIGNATURES = (
    (b"PK\x03\x04", "zip"),  # refined by its members (_zip_kind)
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # .doc, .xls, .ppt before 2007
    (b"{\\rtf", "rtf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"\x7fELF", "executable"),
    (b"\x1f\x8b", "archive"),  # gzip
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"Rar!\x1a\x07", "archive"),
)
# An Office Open XML or OpenDocument package is a zip: these members tell which.
ZIP_MEMBERS = (("word/document.xml", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"), ("mimetype", "odf"))


def holds(path: Path) -> str | None:
    """What `path` holds when it is not what its extension says ('pdf', 'zip', 'xlsx', 'binary',
    'text'...: the keys of wording's `file_kinds`), else None. A file its extension's reader must
    judge (a damaged zip named .docx, a PDF cut short) is left to that reader, which says more."""
    expected = EXPECTED.get(path.suffix.lower())
    if expected is None:
        return None
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    found = _kind(head, path, expected)
    return None if found == expected else found


def _kind(head: bytes, path: Path, expected: str) -> str | None:
    """The kind of content `head` starts; None for a damaged zip named .docx (its reader says what is wrong)."""
    # In a PDF the header may follow some junk; a text file about PDFs may quote it, but never starts with it.
    window = head[:PDF_HEADER_WINDOW] if expected == "pdf" else head[:16].lstrip(b"\xef\xbb\xbf \t\r\n")[:5]
    if b"%PDF-" in window:
        return "pdf"
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return _zip_kind(path, expected) if kind == "zip" else kind
    return "binary" if b"\x00" in head else "text"


def _zip_kind(path: Path, expected: str) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return None if expected == "docx" else "zip"
    for member, kind in ZIP_MEMBERS:
        if any(name == member or (member.endswith("/") and name.startswith(member)) for name in names):
            return kind
    return "zip"
