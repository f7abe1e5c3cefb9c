"""The query-vector cache: a repeated question is not embedded again, however it is spaced or composed;
different questions are; the cache stays within its size; twenty askers of one new question at once
embed it once; a failure is not kept. The embedder is a counting stand-in, to isolate the cache."""

import threading
import time
import unicodedata

import pytest

from assistant.retrieval.query_cache import QueryVectorCache


class CountingEmbedder:
    def __init__(self, seconds: float = 0.0, fail: int = 0):
        self.texts: list[str] = []
        self.seconds, self.fail = seconds, fail
        self._lock = threading.Lock()

    def __call__(self, text: str) -> list[float]:
        with self._lock:
            self.texts.append(text)
            failing = len(self.texts) <= self.fail
        time.sleep(self.seconds)
        if failing:
            raise RuntimeError("embedder down")
        return [float(len(text)), 1.0]


def test_a_repeated_question_is_embedded_once_and_different_questions_each_once():
    embed = CountingEmbedder()
    cache = QueryVectorCache(embed)
    first = cache("Quel est le budget du Pass Occitanie ?")
    again = [cache("Quel est le budget du Pass Occitanie ?"), cache("  Quel est   le budget du Pass Occitanie ?\n"),
             cache(unicodedata.normalize("NFD", "Qu'est-ce que la Région finance ?"))]
    other = cache("Qu'est-ce que la Région finance ?")
    assert again[:2] == [first, first] and other == again[2]
    assert embed.texts == ["Quel est le budget du Pass Occitanie ?", "Qu'est-ce que la Région finance ?"]
    cache("quel est le budget du pass occitanie ?")  # case is kept: e5 reads it
    assert len(embed.texts) == 3


def test_the_cache_keeps_the_most_recent_questions_up_to_its_size():
    embed = CountingEmbedder()
    cache = QueryVectorCache(embed, size=3)
    for question in ("q1", "q2", "q3", "q1", "q4"):  # q1 used again, so q2 is the oldest when q4 comes
        cache(question)
    assert len(cache) == 3 and embed.texts == ["q1", "q2", "q3", "q4"]
    cache("q1"), cache("q3"), cache("q4")
    assert len(embed.texts) == 4
    cache("q2")
    assert embed.texts[-1] == "q2" and len(cache) == 3


def test_twenty_askers_of_one_new_question_at_once_embed_it_once():
    embed = CountingEmbedder(seconds=0.2)
    cache = QueryVectorCache(embed)
    vectors = []
    askers = [threading.Thread(target=lambda: vectors.append(cache("Que fait ANITI à Toulouse ?"))) for _ in range(20)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join(10)
    assert len(vectors) == 20 and len({tuple(v) for v in vectors}) == 1
    assert embed.texts == ["Que fait ANITI à Toulouse ?"]


def test_a_failed_embedding_is_not_kept_and_the_next_ask_embeds_again():
    embed = CountingEmbedder(fail=1)
    cache = QueryVectorCache(embed)
    question = "Qu'est-ce que READYNOV ?"
    with pytest.raises(RuntimeError):
        cache(question)
    assert cache(question) == [float(len(question)), 1.0] and len(embed.texts) == 2
