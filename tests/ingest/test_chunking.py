from assistant.ingest.chunking import chunk_document
from assistant.models import SourceDocument

TEXT = """# Guide des aides

Introduction courte.

## Start-up Industrie de demain

### Montants

Ce dispositif sera doté de 2 à 5 M€ par an. Il entre en vigueur en juillet.

Second paragraphe sur les montants.

## Conditions

""" + " ".join(f"Phrase numéro {i} sur les conditions d'éligibilité des entreprises." for i in range(40))


def document(text=TEXT):
    return SourceDocument(source="guide.md", title="Guide des aides", text=text, date="2024-05-22")


def test_chunks_quote_the_source_exactly():
    doc = document()
    for chunk in chunk_document(doc, chunk_size=300):
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text


def test_each_chunk_carries_its_heading_breadcrumb():
    chunks = chunk_document(document(), chunk_size=300)
    amounts = next(c for c in chunks if "2 à 5 M€" in c.text)
    assert amounts.section == "Start-up Industrie de demain > Montants"
    assert amounts.breadcrumb == "Guide des aides > Start-up Industrie de demain > Montants"
    assert chunks[0].section == "" and chunks[0].text == "Introduction courte."
    assert all("#" not in c.text for c in chunks)


def test_long_sections_are_cut_at_sentence_boundaries_within_size():
    chunks = [c for c in chunk_document(document(), chunk_size=300) if c.section == "Conditions"]
    assert len(chunks) > 3
    for chunk in chunks:
        assert len(chunk.text) <= 300
        assert chunk.text.startswith("Phrase numéro") and chunk.text.endswith("entreprises.")


def test_paragraphs_are_packed_together_when_they_fit():
    chunks = chunk_document(document(), chunk_size=300)
    amounts = next(c for c in chunks if "2 à 5 M€" in c.text)
    assert "Second paragraphe" in amounts.text


def test_ids_are_content_hashes():
    first, again = chunk_document(document()), chunk_document(document())
    assert [c.id for c in first] == [c.id for c in again]
    changed = chunk_document(document(TEXT.replace("2 à 5 M€", "3 M€")))
    assert len({c.id for c in first} - {c.id for c in changed}) == 1


def test_a_giant_sentence_is_still_cut():
    doc = document("mot " * 2000)
    chunks = chunk_document(doc, chunk_size=500)
    assert all(len(c.text) <= 500 for c in chunks) and len(chunks) >= 16
