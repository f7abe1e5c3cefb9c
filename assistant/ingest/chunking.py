"""Structure-aware chunking: headings give each chunk its breadcrumb; paragraphs are packed up to a
target size and split only at French sentence boundaries. Offsets always point into the source text."""

import hashlib
import re

from assistant.models import Chunk, SourceDocument
from assistant.text.french import split_sentences

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


def chunk_document(document: SourceDocument, chunk_size: int = 800) -> list[Chunk]:
    chunks = []
    seen: dict[str, int] = {}
    for section, start, end in _pieces(document, chunk_size):
        text = document.text[start:end]
        # The offset is not part of the identity: an edit above a chunk moves it without re-embedding it.
        identity = (document.source, document.title, section, text, document.date, document.url, document.status)
        key = "\0".join(map(str, identity))
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha1(f"{key}\0{seen[key]}".encode()).hexdigest()
        chunks.append(
            Chunk(
                id=digest[:20],
                source=document.source,
                title=document.title,
                section=section,
                text=text,
                start=start,
                end=end,
                date=document.date,
                kind=document.kind,
                url=document.url,
                publisher=document.publisher,
                status=document.status,
                as_of=document.as_of,
            )
        )
    return chunks


def _pieces(document: SourceDocument, chunk_size: int):
    """Yield (section breadcrumb, start, end) for each chunk."""
    for section, paragraphs in _sections(document):
        group: list[tuple[int, int]] = []
        for para in paragraphs:
            for span in _fit(document.text, para, chunk_size):
                if group and span[1] - group[0][0] > chunk_size:
                    yield section, group[0][0], group[-1][1]
                    group = []
                group.append(span)
        if group:
            yield section, group[0][0], group[-1][1]


def _sections(document: SourceDocument):
    """Group paragraph spans under their heading path."""
    headings: dict[int, str] = {}
    paragraphs: list[tuple[int, int]] = []
    current = ""
    para_start = None
    offset = 0
    for line in document.text.splitlines(keepends=True):
        stripped = line.strip()
        heading = HEADING.match(stripped)
        if heading or not stripped:
            if para_start is not None:
                paragraphs.append(_trim(document.text, para_start, offset))
                para_start = None
        if heading:
            if paragraphs:
                yield current, paragraphs
                paragraphs = []
            level, title = len(heading.group(1)), heading.group(2).strip()
            headings = {lvl: t for lvl, t in headings.items() if lvl < level}
            headings[level] = title
            current = " > ".join(
                t for lvl, t in sorted(headings.items()) if not (lvl == 1 and t.strip() == document.title.strip())
            )
        elif stripped and para_start is None:
            para_start = offset
        offset += len(line)
    if para_start is not None:
        paragraphs.append(_trim(document.text, para_start, offset))
    if paragraphs:
        yield current, paragraphs


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _fit(text: str, para: tuple[int, int], chunk_size: int):
    """A paragraph longer than chunk_size is cut at sentence boundaries (and, for a giant sentence, at spaces)."""
    start, end = para
    if end - start <= chunk_size:
        yield para
        return
    piece_start, piece_end = None, None
    for s, e in split_sentences(text[start:end]):
        s, e = s + start, e + start
        for sub in _hard_cut(text, s, e, chunk_size):
            if piece_start is not None and sub[1] - piece_start > chunk_size:
                yield piece_start, piece_end
                piece_start = None
            if piece_start is None:
                piece_start = sub[0]
            piece_end = sub[1]
    if piece_start is not None:
        yield piece_start, piece_end


def _hard_cut(text: str, start: int, end: int, size: int):
    while end - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        cut = cut if cut > start else start + size
        yield _trim(text, start, cut)
        start = cut
    yield _trim(text, start, end)
