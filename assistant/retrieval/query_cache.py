"""Query vectors of recent questions, kept by their normalised text.

Repeated questions are the common case on a region's site, and a question is embedded twice per
answer otherwise (for its intent, assistant/question/nearest.py, and for its search): a cached vector
takes the ~25 ms of e5-small out of the answer. The key is the question with Unicode composed (NFC)
and its spaces collapsed, and that normalised text is what is embedded, so a vector always belongs
to its key; case is kept (e5's tokenizer reads it). Bounded (least recently used dropped first),
safe from any thread, and a question already being embedded is not embedded a second time: its
other askers wait for the vector. The lock is never held while the model runs.
"""

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable

CACHED_QUERIES = 2048  # query vectors kept in memory (384 floats each: a few MB)
SPACES = re.compile(r"\s+")


def normalised(question: str) -> str:
    return SPACES.sub(" ", unicodedata.normalize("NFC", question)).strip()


class QueryVectorCache:
    """`embed(text)` remembered for the last `size` distinct normalised questions."""

    def __init__(self, embed: Callable[[str], list[float]], size: int = CACHED_QUERIES):
        self.embed, self.size = embed, size
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._pending: dict[str, threading.Event] = {}  # questions being embedded now
        self._lock = threading.Lock()

    def __call__(self, question: str) -> list[float]:
        key = normalised(question)
        while True:
            with self._lock:
                if key in self._vectors:
                    self._vectors.move_to_end(key)
                    return self._vectors[key]
                pending = self._pending.get(key)
                if pending is None:
                    self._pending[key] = done = threading.Event()
                    break
            pending.wait()  # another thread embeds it; if it failed, this one tries in turn
        try:
            vector = self.embed(key)
            with self._lock:
                self._vectors[key] = vector
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        finally:
            with self._lock:
                del self._pending[key]
            done.set()
        return vector

    def forget(self, question: str) -> None:
        """Drop the vector kept for `question` (one its caller found wrong)."""
        with self._lock:
            self._vectors.pop(normalised(question), None)

    def __len__(self) -> int:
        return len(self._vectors)
