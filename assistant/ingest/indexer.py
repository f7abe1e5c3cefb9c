"""Incremental indexing: corpus -> chunks -> (Chroma vectors, lexical index, committed state).

Each chunk id is a content hash, so a re-run embeds only new or changed chunks. Vectors are added
to Chroma first, then the new state is committed in one rename, then stale vectors are removed:
a run killed at any point leaves the previous state answering, and the next run picks up the
vectors already stored instead of embedding them again. Given a `collection`, the run writes its
vectors there and the state names it (a new generation, assistant/console/reindex.py); else it updates the
state's own collection.
"""

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chromadb.errors import NotFoundError
from tqdm import tqdm

from assistant.ingest.chunking import chunk_document
from assistant.ingest.documents import Fault, load_corpus
from assistant.ingest.reading_worker import corpus_reader
from assistant.retrieval.embeddings import embedding_space, load_embeddings
from assistant.retrieval.index_state import IndexState
from assistant.retrieval.lexical import LexicalIndex, parameters
from assistant.retrieval.vectorstore import VectorStore, chroma_client, collection_name
from assistant.settings import Settings
from assistant.text.instructions import orders

# Chunks embedded and stored per step, each step reported to `on_progress`: 16 costs no more than 64
# (300 chunks in 15-17 s either way with e5-small on this machine) and moves the console's bar every second.
# With an embeddings server, a step is one request (ASSISTANT_EMBEDDINGS_BATCH).
EMBED_BATCH = 16


@dataclass
class IndexReport:
    files: int = 0
    chunks: int = 0
    added: int = 0
    kept: int = 0
    removed: int = 0
    embedded: int = 0
    faults: list[Fault] = field(default_factory=list)  # files skipped, or indexed with a workaround
    orders: dict[str, list[str]] = field(default_factory=dict)  # source -> its sentences giving the assistant orders
    rebuilt: bool = False
    lexical_rebuilt: str = ""  # why the lexical index was rebuilt although no chunk changed
    changed_files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"{self.files} files, {self.chunks} chunks: {self.added} added, {self.kept} kept, "
            f"{self.removed} removed; {self.embedded} embedded"
            + (" (full rebuild: new embedding model)" if self.rebuilt else "")
            + f"; {self.seconds:.1f} s"
        ]
        if self.lexical_rebuilt:
            lines.append(f"Lexical index rebuilt (no re-embedding): {self.lexical_rebuilt}.")
        if self.embedded == 0 and self.added == 0 and self.removed == 0:
            lines.append("Index up to date: nothing to embed.")
        for fault in self.faults:
            lines.append(f"{'skipped' if fault.skipped else 'warning'} {fault.source}: {fault.reason}")
        for source, sentences in self.orders.items():
            quoted = "; ".join(f"« {s[:200]} »" for s in sentences)
            lines.append(f"ignored {source}: {len(sentences)} order{'s' * (len(sentences) > 1)} to the assistant, "
                         f"never quoted nor used as evidence: {quoted}")
        return "\n".join(lines)


def build_index(settings: Settings, corpus_dir: Path | None = None, progress: bool = False,
                collection: str | None = None, on_progress: Callable[[str, int, int], None] | None = None) -> IndexReport:
    """`on_progress(stage, done, total)` is called as the run goes ("embedding", "lexical")."""
    started = time.perf_counter()
    corpus_dir = corpus_dir or settings.corpus_dir
    index_dir = settings.index_dir
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus directory not found: {corpus_dir}")
    documents, faults = load_corpus(corpus_dir, corpus_reader(settings.reader_memory_mb, settings.reader_timeout_s))
    chunks = [c for d in documents for c in chunk_document(d, settings.chunk_size)]
    files = {d.source: _file_hash(d) for d in documents}
    # The same reading as the answerers' (assistant/text/instructions.py): listed here, excluded there.
    found_orders = {d.source: sentences for d in documents if (sentences := orders(d.text))}

    previous = IndexState.load(index_dir)
    model = embedding_space(settings)
    rebuilt = previous is not None and previous.model != model
    old_ids = {c.id for c in previous.chunks} if previous and not rebuilt else set()
    new_ids = [c.id for c in chunks]

    previous_name = previous and (previous.collection or collection_name(previous.model))
    name = collection or (previous_name if previous and not rebuilt else collection_name(model))
    client = chroma_client(settings)
    store = VectorStore(client, name)
    stored = store.existing(new_ids)
    to_embed = [c for c in chunks if c.id not in stored]
    if to_embed:
        embeddings = load_embeddings(model, settings)
        bar = tqdm(total=len(to_embed), desc="embedding", unit="chunk", disable=not progress)
        dimension = store.dimension()  # what every new vector must match: checked before it is kept or stored
        if on_progress:
            on_progress("embedding", 0, len(to_embed))  # the stage shows from its start, not after the first step
        step = settings.embeddings_batch if settings.embeddings_url else EMBED_BATCH
        for i in range(0, len(to_embed), step):
            batch = to_embed[i : i + step]
            vectors = embeddings.embed_documents([c.embedding_text() for c in batch], dimension=dimension)
            store.add([c.id for c in batch], vectors, [c.source for c in batch])
            dimension = dimension or len(vectors[0])
            bar.update(len(batch))
            if on_progress:
                on_progress("embedding", min(i + step, len(to_embed)), len(to_embed))
        bar.close()

    report = IndexReport(
        files=len(documents),
        chunks=len(chunks),
        added=len(set(new_ids) - old_ids),
        kept=len(set(new_ids) & old_ids),
        removed=len(old_ids - set(new_ids)),
        embedded=len(to_embed),
        faults=faults,
        orders=found_orders,
        rebuilt=rebuilt,
        changed_files=sorted(s for s, h in files.items() if not previous or previous.files.get(s) != h),
    )
    seen = [{"source": f.source, "reason": f.reason, "skipped": f.skipped} for f in faults]
    unchanged = (previous is not None and not rebuilt and previous.chunks == chunks and previous.files == files
                 and previous_name == name and previous.faults == seen and previous.orders == found_orders)
    wanted = parameters()
    if unchanged and previous.lexical_parameters != wanted:
        report.lexical_rebuilt = _parameters_change(previous.lexical_parameters, wanted)
    if not unchanged or report.lexical_rebuilt:
        if on_progress:
            on_progress("lexical", 0, 1)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        kept_at = previous.indexed_at if previous else {}
        indexed_at = {s: kept_at.get(s, now) if previous and previous.files.get(s) == h else now for s, h in files.items()}
        state = IndexState(model=model, chunks=chunks, lexical_file="", files=files, collection=name, faults=seen,
                           indexed_at=indexed_at, orders=found_orders)
        state.commit(index_dir, LexicalIndex.build([c.embedding_text() for c in chunks]))
    stale = store.all_ids() - set(new_ids)
    if stale:
        store.delete(sorted(stale))
    if rebuilt and previous_name != name:
        try:
            client.delete_collection(previous_name)
        except NotFoundError:  # already gone (an earlier run was killed after dropping it); any other error is real
            pass
    report.seconds = time.perf_counter() - started
    return report


def _parameters_change(old: dict | None, new: dict) -> str:
    """'BM25 k1 0.7 -> 1.2, analyser v1 -> v2', in words."""
    if not old:
        return f"BM25 parameters were not recorded; now k1 {new['k1']}, b {new['b']}, analyser v{new['analyser']}"
    changes = [f"BM25 {key} {old.get(key)} -> {new[key]}" for key in ("k1", "b") if old.get(key) != new[key]]
    if old.get("analyser") != new["analyser"]:
        changes.append(f"French analyser v{old.get('analyser')} -> v{new['analyser']}")
    elif old.get("analyser_probe") != new["analyser_probe"]:
        changes.append(f"French analyser output changed (v{new['analyser']}: bump lexical.ANALYSER_VERSION)")
    return ", ".join(changes)


def _file_hash(document) -> str:
    return hashlib.sha1(f"{document.title}\0{document.date}\0{document.text}".encode()).hexdigest()[:16]
