"""Corpus files read in a child process with a memory limit and a time limit, so that a hostile file
costs the server nothing but a refusal.

The budgets of assistant/ingest/documents.py refuse what can be seen before parsing (declared zip
sizes, the count of HTML tags, PDF pages); what cannot (a DOCX whose 90 MB of declared XML builds
gigabytes of nodes, or whose 28,000 paragraphs take python-docx minutes; a PDF of compressed streams)
is bounded here. Each file is read by `documents.read_file` in a child (`python -m
assistant.ingest.reading_worker`) whose address space is capped by RLIMIT_AS: a reading that needs
more fails in the child, which says so and exits; one that takes longer than the time limit is killed.
Either way the file is refused with the limit it passed (`ReadingLimit`), and the server's memory and
its cores for answering are untouched. Children are reused (one starts in ~0.3 s, a corpus file is
read in milliseconds): a caller takes an idle one or starts one, so an upload during a re-index does
not wait for it; at most IDLE_WORKERS wait between readings. A child whose parent dies sees its pipe
close and exits.
"""

import atexit
import logging
import os
import resource
import subprocess
import sys
import threading
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path

from assistant.ingest import documents
from assistant.ingest.documents import UnreadableDocument
from assistant.models import SourceDocument

log = logging.getLogger(__name__)

NEAR_LIMIT = 0.9  # a reading that fails with the address space this close to its limit failed for memory
IDLE_WORKERS = 2  # one for the indexer, one for an upload at the same time
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # where `assistant` is imported from, for the child


class ReadingLimit(UnreadableDocument):
    """Reading the file passed the worker's memory (`kind` "memory") or time ("time") limit, `limit`
    in MB or seconds; the message, for the index report, says which."""

    def __init__(self, kind: str, limit: float):
        self.kind, self.limit = kind, limit
        if kind == "memory":
            text = (f"reading it needs more than {limit:,.0f} MB of memory (ASSISTANT_READER_MEMORY_MB): "
                    "a compressed bomb, or a file to split")
        else:
            text = f"reading it takes more than {limit:g} s (ASSISTANT_READER_TIMEOUT_S): a file to split or simplify"
        super().__init__(text)


class WorkerGone(Exception):
    """The worker was dead before the file was sent: another one reads it."""


class _Worker:
    """One child process and its two pipes: a path goes in, a document or the reason it is refused comes back."""

    def __init__(self, memory_mb: int):
        request_out, request_in = os.pipe()
        answer_out, answer_in = os.pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.ingest.reading_worker", str(memory_mb), str(request_out), str(answer_in)],
            pass_fds=(request_out, answer_in), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
        os.close(request_out)
        os.close(answer_in)
        self.requests = Connection(request_in, readable=False)
        self.answers = Connection(answer_out, writable=False)

    def read(self, path: Path, source: str, memory_mb: int, timeout_s: float) -> tuple[SourceDocument, list[str]]:
        """What `documents.read_file` returns; UnreadableDocument, ReadingLimit or OSError as it raises. After a
        ReadingLimit the worker is dead (`alive` is False)."""
        try:
            self.requests.send((str(path), source))
        except OSError:  # it died while idle (killed by hand, or by the system)
            self.close()
            raise WorkerGone from None
        if not self.answers.poll(timeout_s):
            self.close()
            raise ReadingLimit("time", timeout_s)
        try:
            outcome, value = self.answers.recv()
        except (EOFError, OSError):  # killed while reading (out of memory in C code, where no MemoryError is raised)
            self.close()
            raise ReadingLimit("memory", memory_mb) from None
        if outcome == "memory":
            self.close()
            raise ReadingLimit("memory", memory_mb)
        if outcome == "unreadable":
            raise UnreadableDocument(value)
        if outcome == "oserror":
            raise OSError(value)
        return value

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        for connection in (self.requests, self.answers):
            connection.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class CorpusReader:
    """Reads corpus files in worker processes under `memory_mb` and `timeout_s`; safe from any thread."""

    def __init__(self, memory_mb: int, timeout_s: float):
        self.memory_mb, self.timeout_s = memory_mb, timeout_s
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        atexit.register(self.close)  # the idle workers would exit anyway once their pipe closes; this says so

    def __call__(self, path: Path, source: str | None = None) -> tuple[SourceDocument, list[str]]:
        """The document at `path` and the workarounds its reading needed, as `documents.read_file` gives them."""
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None or not worker.alive:
            worker = _Worker(self.memory_mb)
        try:
            try:
                found = worker.read(path, source or path.name, self.memory_mb, self.timeout_s)
            except WorkerGone:
                worker = _Worker(self.memory_mb)
                found = worker.read(path, source or path.name, self.memory_mb, self.timeout_s)
        except ReadingLimit as error:
            log.warning("refused %s: %s", source or path.name, error)
            raise
        except (UnreadableDocument, OSError):  # answered by the worker, which stays usable
            self._release(worker)
            raise
        except BaseException:  # interrupted between a request and its answer: the pipe is out of step
            worker.close()
            raise
        self._release(worker)
        return found

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if worker.alive and len(self._idle) < IDLE_WORKERS:
                self._idle.append(worker)
                return
        worker.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


@lru_cache(maxsize=4)
def corpus_reader(memory_mb: int, timeout_s: float) -> CorpusReader:
    """One reader per limits per process (the indexer's and the console's share their workers)."""
    return CorpusReader(memory_mb, timeout_s)


def _peak_bytes() -> int:
    """The most address space this process has held (VmPeak), or 0 where /proc does not say."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith("VmPeak:")), "VmPeak: 0 kB")
    return int(line.split()[1]) * 1024


def serve(memory_mb: int, requests: Connection, answers: Connection) -> None:
    """The child's loop: read each path sent, answer the document or why it is refused, until the pipe closes."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            path, source = requests.recv()
        except EOFError:  # the server stopped, or closed this worker
            return
        try:
            answers.send(("ok", documents.read_file(Path(path), source)))
        except MemoryError:
            answers.send(("memory", None))
            return  # what the failed reading left in the heap is unknown: a fresh worker takes over
        except UnreadableDocument as error:
            if _peak_bytes() >= NEAR_LIMIT * limit:  # libxml2 out of memory says "XMLSyntaxError: unknown error"
                answers.send(("memory", None))
                return
            answers.send(("unreadable", str(error)))
        except OSError as error:
            answers.send(("oserror", error.strerror or str(error)))
        except Exception as error:  # a reader's fault outside what read_file wraps: this file's, not the run's
            answers.send(("unreadable", f"cannot be read: {type(error).__name__}: {error}"[:500]))


if __name__ == "__main__":
    serve(int(sys.argv[1]), Connection(int(sys.argv[2]), writable=False), Connection(int(sys.argv[3]), readable=False))
