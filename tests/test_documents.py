from pathlib import Path

import docx
import pytest

from assistant.documents import UnreadableDocument, load_corpus, load_document
from tests.helpers import CORPUS


def write_pdf(path: Path, lines: list[str], title: str = "Fiche PDF") -> None:
    """A minimal, valid one-page PDF with a text layer (no PDF-writing dependency needed)."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Title ({title}) /CreationDate (D:20250301120000) >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)


def test_markdown_front_matter_gives_title_date_and_kind(tmp_path):
    path = tmp_path / "fiche.md"
    path.write_text("---\ntitle: Pass Test\ndate: 2024-05-22\nkind: programme\nurl: https://example.org/p\n---\n# Pass Test\n\nTexte.\n")
    document = load_document(path)
    assert (document.title, document.date, document.kind, document.url) == (
        "Pass Test", "2024-05-22", "programme", "https://example.org/p"
    )
    assert document.text.startswith("# Pass Test")


def test_text_file_without_metadata_is_titled_from_its_name(tmp_path):
    path = tmp_path / "note-de-service.txt"
    path.write_text("Le dispositif est ouvert.", encoding="cp1252")
    document = load_document(path)
    assert document.title == "note de service" and document.date is None
    assert document.text == "Le dispositif est ouvert."


def test_html_keeps_headings_and_metadata_and_drops_scripts(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Aide régionale</title><meta property='article:published_time' content='2025-02-03T10:00'>"
        "<link rel='canonical' href='https://www.laregion.fr/aide'></head><body><nav>Menu</nav>"
        "<h2>Montant</h2><p>Jusqu'à 20 000 €.</p><script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    document = load_document(path)
    assert (document.title, document.date, document.url) == ("Aide régionale", "2025-02-03", "https://www.laregion.fr/aide")
    assert "## Montant" in document.text and "20 000 €" in document.text
    assert "alert" not in document.text and "Menu" not in document.text


def test_pdf_text_layer_title_and_date(tmp_path):
    path = tmp_path / "fiche.pdf"
    write_pdf(path, ["Le Contrat Innovation finance les projets.", "Minimum 40 000 EUR de depenses."])
    document = load_document(path)
    assert document.title == "Fiche PDF" and document.date == "2025-03-01"
    assert "Contrat Innovation" in document.text and "40 000" in document.text


def test_docx_headings_become_sections(tmp_path):
    path = tmp_path / "note.docx"
    doc = docx.Document()
    doc.core_properties.title = "Note READYNOV"
    doc.add_heading("Taux d'aide", level=1)
    doc.add_paragraph("L'aide va de 10 % à 60 % des dépenses.")
    doc.save(path)
    document = load_document(path)
    assert document.title == "Note READYNOV"
    assert "## Taux d'aide" in document.text and "10 % à 60 %" in document.text


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("vide.md", b"", "empty"),
        ("casse.pdf", b"%PDF-1.4\nceci n'est pas un PDF", "PDF"),
        ("casse.docx", b"PK\x03\x04 pas un zip", "DOCX"),
        ("image.png", b"\x89PNG\r\n", "unsupported"),
        ("binaire.txt", b"\x00\x01\x02" * 10, "binary"),
        ("scan.pdf", None, "no text"),
    ],
)
def test_unreadable_files_say_why(tmp_path, name, content, reason):
    path = tmp_path / name
    if content is None:
        write_pdf(path, [])
    else:
        path.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=reason):
        load_document(path)


def test_corpus_skips_bad_files_by_name_and_keeps_the_rest(tmp_path):
    (tmp_path / "bon.md").write_text("# Bon\n\nUn texte lisible.")
    (tmp_path / "vide.txt").write_text("")
    (tmp_path / "casse.pdf").write_bytes(b"%PDF-1.4 garbage")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.md").write_text("hidden")
    documents, skipped = load_corpus(tmp_path)
    assert [d.source for d in documents] == ["bon.md"]
    assert sorted(s.source for s in skipped) == ["casse.pdf", "vide.txt"]
    assert all(s.reason for s in skipped)


def test_real_corpus_loads_without_skips():
    documents, skipped = load_corpus(CORPUS)
    assert not skipped
    assert len(documents) >= 13
    assert all(d.title and d.date for d in documents)
