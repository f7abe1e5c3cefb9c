"""What recent questions cost to compute, kept: their query vectors here, their analyses and answers in
`Assistant` (assistant/assistant.py), both through `RecentCache`.

`RecentCache` keeps the values of the last `size` keys (least recently used dropped first), safe from
any thread; a key already being computed is not computed a second time: its other askers wait for the
value, and if the computation fails, the next of them tries in turn (a failure is never kept). The lock
is held for dictionary operations only, never while a value is computed.

Repeated questions are the common case on a region's site, and a question is embedded twice per
answer otherwise (for its intent, assistant/question/nearest.py, and for its search): a cached vector
takes the ~25 ms of e5-small out of the answer. `QueryVectorCache`'s key is the question with Unicode
composed (NFC) and its spaces collapsed, and that normalised text is what is embedded, so a vector
always belongs to its key; case is kept (e5's tokenizer reads it).
"""

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

CACHED_QUERIES = 2048  # query vectors kept in memory (384 floats each: a few MB)
SPACES = re.compile(r"\s+")

Value = TypeVar("Value")


def normalised(question: str) -> str:
    return SPACES.sub(" ", unicodedata.normalize("NFC", question)).strip()


class RecentCache(Generic[Value]):
    """`compute()` remembered by key for the last `size` distinct keys, computed once at a time per key."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, Value] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}  # keys being computed now
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                pending = self._pending.get(key)
                if pending is None:
                    self._pending[key] = done = threading.Event()
                    break
            pending.wait()  # another thread computes it; if it failed, this one tries in turn
        try:
            value = compute()
            self.put(key, value)
        finally:
            with self._lock:
                del self._pending[key]
            done.set()
        return value

    def peek(self, key: Hashable) -> Value | None:
        """The value kept for `key` (made the most recent), or None; never computes nor waits."""
        with self._lock:
            if key not in self._values:
                return None
            self._values.move_to_end(key)
            return self._values[key]

    def put(self, key: Hashable, value: Value) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._values.pop(key, None)

    def __len__(self) -> int:
        return len(self._values)


class QueryVectorCache:
    """`embed(text)` remembered for the last `size` distinct normalised questions."""

    def __init__(self, embed: Callable[[str], list[float]], size: int = CACHED_QUERIES):
        self.embed = embed
        self._vectors: RecentCache[list[float]] = RecentCache(size)

    def __call__(self, question: str) -> list[float]:
        key = normalised(question)
        return self._vectors.get(key, lambda: self.embed(key))

    def forget(self, question: str) -> None:
        """Drop the vector kept for `question` (one its caller found wrong)."""
        self._vectors.forget(normalised(question))

    def __len__(self) -> int:
        return len(self._vectors)
