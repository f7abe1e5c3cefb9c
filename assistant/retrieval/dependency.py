"""A server the question path calls (the Chroma server, the embeddings endpoint), with a deadline and a
small circuit breaker, so that a server down, slow or wrong costs an answer at most `deadline_s` and
then nothing: after a failure the server is skipped for `retry_s` (the answer is given without it), then
tried again by the next question. One log line when it fails, one when it answers again.

The call runs in a thread of a small shared pool, so that a server that never answers (frozen, not
closed) holds a thread, never the question; the client's own timeout (set where the client is made)
frees the thread later.
"""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitTimeout
from typing import TypeVar

log = logging.getLogger(__name__)

CALLERS = 8  # threads shared by every dependency's calls; a call waiting for one counts against its deadline
_pool = ThreadPoolExecutor(max_workers=CALLERS, thread_name_prefix="dependency")

T = TypeVar("T")


class Unavailable(RuntimeError):
    """A dependency failed, timed out or is skipped after a recent failure; the message says which and why."""


class Dependency:
    def __init__(self, name: str, deadline_s: float, retry_s: float, remote: bool = True):
        """`remote=False` (an embedded store, an in-process model): called in the caller's thread, with no
        deadline (it cannot hang on a network), its errors handled the same way."""
        self.name = name
        self.deadline_s = deadline_s
        self.retry_s = retry_s
        self.remote = remote
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self.reason: str | None = None

    def call(self, function: Callable[..., T], *args) -> T:
        """`function(*args)`, or Unavailable saying why it failed, timed out, or is skipped."""
        with self._lock:
            if self._failed_at is not None and time.monotonic() - self._failed_at < self.retry_s:
                raise Unavailable(f"{self.name}: {self.reason} (skipped for {self.retry_s:g} s after a failure)")
        future = _pool.submit(function, *args) if self.remote else None
        try:
            result = future.result(timeout=self.deadline_s) if future is not None else function(*args)
        except WaitTimeout:
            future.cancel()  # not started yet: never runs
            self._failed(f"no answer within {self.deadline_s:g} s")
            raise Unavailable(f"{self.name}: no answer within {self.deadline_s:g} s") from None
        except Exception as error:
            self._failed(_one_line(error))
            raise Unavailable(f"{self.name}: {_one_line(error)}") from None
        self._answered()
        return result

    def problem(self) -> str | None:
        """Why the dependency is skipped, for /api/health; None once it answered again or could be tried."""
        with self._lock:
            return f"{self.name}: {self.reason}" if self._failed_at is not None else None

    def _failed(self, reason: str) -> None:
        with self._lock:
            if self._failed_at is None:
                log.warning("%s unavailable (%s): answering without it, tried again after %g s", self.name, reason,
                            self.retry_s)
            self._failed_at, self.reason = time.monotonic(), reason

    def _answered(self) -> None:
        with self._lock:
            if self._failed_at is not None:
                log.warning("%s answers again", self.name)
            self._failed_at, self.reason = None, None


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__
