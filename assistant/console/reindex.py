"""Re-indexing while the assistant serves: one run at a time, in a background thread.

A run builds a new generation beside the serving one: its own Chroma collection (the vectors of
unchanged chunks copied, only new chunks embedded), its own lexical file, then the state file in
one rename (assistant/ingest/indexer.py). Then the Assistant swaps to it in one assignment
(`Assistant.swap`), then the old collection is dropped (kept on a Chroma server, where other app
instances may still read it). Until the swap every answer comes from the
old index, whole, and an answer under way when the swap happens finishes on it: the old collection
is dropped only once no answer holds the old retriever. A run that fails before the swap drops what
it built and leaves the old index serving, with the reason in its status. A run killed before it
could (the process stopped) leaves its generation behind: every generation but the serving one is
dropped when a Reindexer starts and after a failed run (`drop_orphan_generations`), in the embedded
store; on a Chroma server they are listed in the log, since other instances may still read them.
"""

import datetime as dt
import gc
import logging
import re
import threading
import time
import weakref
from dataclasses import asdict, dataclass

from chromadb.errors import NotFoundError

from assistant.assistant import Assistant
from assistant.ingest.indexer import build_index
from assistant.retrieval.embeddings import embedding_space
from assistant.retrieval.index_state import IndexState
from assistant.retrieval.retriever import Retriever
from assistant.retrieval.vectorstore import VectorStore, collection_name

log = logging.getLogger(__name__)

# Share of the progress bar each stage ends at: copying kept vectors, embedding new chunks, the
# lexical index and state, then opening the new index and building the answerer's parts on it.
STAGE_END = {"copying": 15, "embedding": 75, "lexical": 90, "swapping": 99}
# An answer keeps the retriever it started with until it ends (an LLM answer, up to llm_timeout_s).
RELEASE_WAIT_S = 120


def generation_name(model: str) -> str:
    """A fresh collection name for `model`'s vectors: 'chunks-usem3-g1764626400123456789'."""
    prefix = collection_name(model)[:40].rstrip("-._")
    return f"{prefix}-g{time.time_ns()}"


GENERATION = re.compile(r"-g\d{10,}$")  # generation_name's suffix: what only a re-index run creates


def drop_orphan_generations(assistant: Assistant) -> list[str]:
    """Drop the generations no state names (runs killed before they swapped or dropped them); the
    serving collection and those `python -m assistant index` made are kept. Returns their names."""
    store = assistant.retriever.store
    serving = {store.name, assistant.retriever.state.collection}
    committed = IndexState.load(assistant.settings.index_dir)
    if committed is not None:
        serving.add(committed.collection)
    try:
        collections = store.client.list_collections()
    except Exception as error:  # a Chroma server down at start: the app starts anyway, the orphans wait
        log.warning("could not list the vector store's collections (%s): generations left by killed runs not dropped",
                    str(error).splitlines()[0][:200] if str(error) else type(error).__name__)
        return []
    orphans = sorted(c.name for c in collections if GENERATION.search(c.name) and c.name not in serving)
    if orphans and assistant.settings.chroma_url:
        log.info("generations no state names on the Chroma server (drop them once no instance reads them): %s", orphans)
        return []
    for name in orphans:
        try:
            store.client.delete_collection(name)
        except NotFoundError:  # another process dropped it first
            pass
    if orphans:
        log.warning("dropped %d collection(s) left by re-index runs that did not finish: %s", len(orphans), orphans)
    return orphans


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class RunStatus:
    """What the console shows of the current or last run."""

    state: str = "idle"  # idle, running, done, failed
    stage: str = ""  # copying, embedding, lexical, swapping (while running)
    percent: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None  # why a failed run failed; the old index is still serving
    summary: str | None = None  # IndexReport.summary() of a finished run
    documents: int | None = None
    chunks: int | None = None


class Reindexer:
    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self._lock = threading.Lock()
        self._status = RunStatus()
        self._thread: threading.Thread | None = None
        drop_orphan_generations(assistant)  # at start: what killed runs left behind

    def status(self) -> dict:
        with self._lock:
            return asdict(self._status)

    def start(self) -> bool:
        """Start a run in the background; False if one is already running."""
        with self._lock:
            if self._status.state == "running":
                return False
            self._status = RunStatus(state="running", stage="copying", started_at=now_iso())
            self._thread = threading.Thread(target=self._run, name="reindex", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> dict:
        """Block until the current run ends (tests, scripts); returns its status."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status()

    def _progress(self, stage: str, done: int, total: int) -> None:
        start = max((end for s, end in STAGE_END.items() if end < STAGE_END[stage]), default=0)
        share = done / total if total else 1.0
        with self._lock:
            self._status.stage = stage
            self._status.percent = max(self._status.percent, int(start + (STAGE_END[stage] - start) * share))

    def _run(self) -> None:
        settings = self.assistant.settings
        space = embedding_space(settings)
        name = generation_name(space)
        built: VectorStore | None = None
        try:
            live = self.assistant.retriever
            built = VectorStore(live.store.client, name)
            if live.state.model == space:  # same vector space: keep what is embedded
                ids = [c.id for c in live.state.chunks]
                self._progress("copying", 0, len(ids))
                live.store.copy_to(built, ids)
            self._progress("copying", 1, 1)
            report = build_index(settings, collection=name, on_progress=self._progress)
            self._progress("swapping", 0, 1)
            retriever = Retriever.open(settings)
            if retriever.state.collection != name:
                raise RuntimeError("the index was changed by another run during this one")
            self.assistant.swap(retriever)
        except Exception as error:
            log.exception("re-index failed; the previous index keeps serving")
            committed = IndexState.load(settings.index_dir)
            if built is not None and (committed is None or committed.collection != name):
                _drop(built)
            try:
                drop_orphan_generations(self.assistant)
            except Exception:  # the old index serves either way
                log.exception("could not drop the collections of unfinished runs")
            with self._lock:
                self._status.state, self._status.error = "failed", _reason(error)
                self._status.finished_at = now_iso()
            return
        old_store, in_use = live.store, weakref.ref(live)
        del live  # answers under way hold the old retriever: its collection goes once they let it go
        log.info("re-index done, now serving %s: %s", name, report.summary().splitlines()[0])
        with self._lock:
            self._status = RunStatus(state="done", stage="", percent=100, started_at=self._status.started_at,
                                     finished_at=now_iso(), summary=report.summary(), documents=report.files,
                                     chunks=report.chunks)
        if old_store.name == name:
            return
        if settings.chroma_url:  # other app instances on the same Chroma server may still read it
            log.info("kept the previous collection %s on the Chroma server: drop it once no instance reads it",
                     old_store.name)
            return
        _drop_when_released(in_use, old_store)


def _drop_when_released(in_use: weakref.ref, store: VectorStore) -> None:
    """Drop the old collection once no answer holds the retriever that reads it (or after RELEASE_WAIT_S)."""
    deadline = time.monotonic() + RELEASE_WAIT_S
    while in_use() is not None and time.monotonic() < deadline:
        gc.collect()  # a reference cycle would otherwise keep it alive until the next collection
        time.sleep(0.5)
    if in_use() is not None:
        log.warning("an answer still holds the previous index after %d s: dropping its collection anyway", RELEASE_WAIT_S)
    _drop(store)


def _drop(store: VectorStore) -> None:
    try:
        store.drop()
    except NotFoundError:  # already gone
        pass
    except Exception:  # the new index serves either way; an orphan collection only takes space
        log.exception("could not drop collection %s", store.name)


def _reason(error: Exception) -> str:
    text = re.sub(r"\s+", " ", str(error)).strip()
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__
