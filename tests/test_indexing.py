"""Incremental, interruptible indexing against a real Chroma store and the real embedding model."""

import subprocess
import sys
import textwrap

from assistant.documents import load_document
from assistant.index_state import IndexState
from assistant.indexer import build_index
from assistant.retrieval import Retriever

NEW_DOC = "# Aide fictive Zéphyr\n\n## Montant\n\nL'aide Zéphyr finance les coopératives de pêcheurs à hauteur de 12 000 €.\n"


def test_unchanged_corpus_embeds_nothing_and_says_so(corpus_copy):
    first = build_index(corpus_copy)
    assert first.embedded == first.chunks == first.added > 50
    again = build_index(corpus_copy)
    assert (again.embedded, again.added, again.removed, again.kept) == (0, 0, 0, first.chunks)
    assert "nothing to embed" in again.summary()


def test_changed_file_reembeds_only_its_changed_chunks_and_deleted_file_goes(corpus_copy):
    build_index(corpus_copy)
    sheet = corpus_copy.corpus_dir / "programmes" / "readynov.md"
    sheet.write_text(sheet.read_text().replace("60 %", "65 %"), encoding="utf-8")
    (corpus_copy.corpus_dir / "programmes" / "aniti.md").unlink()
    report = build_index(corpus_copy)
    aniti_chunks = 0 < report.removed
    assert aniti_chunks and 1 <= report.embedded <= 3 and report.added == report.embedded
    state = IndexState.load(corpus_copy.index_dir)
    assert not any(c.source == "programmes/aniti.md" for c in state.chunks)
    assert any("65 %" in c.text for c in state.chunks)
    retriever = Retriever.open(corpus_copy)
    assert len(retriever.store.all_ids()) == len(state.chunks)  # no orphan vectors left in Chroma
    assert all(p.chunk.source != "programmes/aniti.md" for p in retriever.search("ANITI institut toulousain IA", k=5))


def test_moving_text_does_not_reembed_it_but_updates_offsets(corpus_copy):
    build_index(corpus_copy)
    sheet = corpus_copy.corpus_dir / "programmes" / "pass-occitanie.md"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("\n\n", "\n\n\n", 3), encoding="utf-8")
    report = build_index(corpus_copy)
    assert report.embedded == 0
    state = IndexState.load(corpus_copy.index_dir)
    body = load_document(sheet).text
    for chunk in (c for c in state.chunks if c.source == "programmes/pass-occitanie.md"):
        assert body[chunk.start : chunk.end] == chunk.text


def test_new_embedding_model_triggers_full_rebuild(corpus_copy):
    first = build_index(corpus_copy)
    corpus_copy.embedding_model = "minilm"
    report = build_index(corpus_copy)
    assert report.rebuilt and report.embedded == first.chunks
    assert IndexState.load(corpus_copy.index_dir).model == "minilm"
    retriever = Retriever.open(corpus_copy)
    assert retriever.search("Pass Occitanie", k=1, mode="dense")


def test_run_killed_halfway_keeps_old_index_answering_and_next_run_completes(corpus_copy):
    build_index(corpus_copy)
    for i in range(6):  # enough new chunks for several embedding batches
        (corpus_copy.corpus_dir / f"zephyr-{i}.md").write_text(
            NEW_DOC + "".join(f"\n## Partie {j}\n\n" + f"Paragraphe {i}-{j} sur l'aide Zéphyr. " * 12 for j in range(20)),
            encoding="utf-8",
        )
    # A real SIGKILL of the indexing process after its first batch of vectors reached Chroma.
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        import assistant.indexer as indexer
        from assistant.settings import Settings
        real = indexer.VectorStore.add
        def add_then_die(self, *args, **kwargs):
            real(self, *args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        indexer.VectorStore.add = add_then_die
        indexer.build_index(Settings(corpus_dir=Path({str(corpus_copy.corpus_dir)!r}), index_dir=Path({str(corpus_copy.index_dir)!r})))
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert killed.returncode == -9, killed.stderr

    before = Retriever.open(corpus_copy)
    assert not any(c.source.startswith("zephyr") for c in before.state.chunks)
    assert before.search("Pass Occitanie montant de la subvention", k=3)[0].chunk.source == "programmes/pass-occitanie.md"

    report = build_index(corpus_copy)
    new_chunks = report.added
    assert 0 < report.embedded < new_chunks  # what the killed run stored is not embedded again
    after = Retriever.open(corpus_copy)
    assert after.search("aide Zéphyr coopératives de pêcheurs", k=1)[0].chunk.source.startswith("zephyr")
