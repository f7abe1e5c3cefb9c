"""Baselines answered on the same corpus and questions: a naive LangChain RAG, and our retriever
alone in lexical or dense mode. Each "answers" with its best chunk and never abstains; it states no
lead or verdict, and offers the best chunk's first sentence as its short answer (a reference for
SQuAD's exact match and F1: what quoting a whole sentence scores)."""

import hashlib
import time
from pathlib import Path

from assistant.assistant import Assistant
from assistant.ingest.documents import load_corpus
from assistant.retrieval.embeddings import embedding_space, load_embeddings
from assistant.settings import Settings
from assistant.text.french import split_sentences
from evals.metrics import unique
from evals.systems import RANK_DEPTH, Response

NAIVE_TOP_K = 4
EMBED_BATCH = 256


class NaiveRAG:
    """The textbook LangChain pipeline: recursive 1000/200 splits, Chroma, top 4, the question as query
    (no history); it shows the 4 chunks as its sources."""

    name = "naive LangChain"

    def __init__(self, settings: Settings, work_dir: Path):
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        documents, _ = load_corpus(settings.corpus_dir)
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        chunks = splitter.split_documents(
            [Document(page_content=d.text, metadata={"source": d.source}) for d in documents]
        )
        # Kept per (chunks, model) under the work dir: a re-run on the same corpus embeds nothing.
        key = hashlib.sha1(embedding_space(settings).encode())
        for chunk in chunks:
            key.update(f"{chunk.metadata['source']}\0{chunk.page_content}\0".encode())
        # Our embedding function: chromadb's default one would download a model.
        self.store = Chroma(
            collection_name="naive",
            embedding_function=load_embeddings(embedding_space(settings), settings),
            persist_directory=str(work_dir / f"naive-{key.hexdigest()[:12]}"),
            client_settings=ChromaSettings(anonymized_telemetry=False),
        )
        self.embedded = 0
        if self.store._collection.count() != len(chunks):
            self.store.reset_collection()
            for i in range(0, len(chunks), EMBED_BATCH):
                self.store.add_documents(chunks[i : i + EMBED_BATCH])
            self.embedded = len(chunks)
        self.chunks = len(chunks)

    def respond(self, question: str, history: list[dict]) -> Response:
        started = time.perf_counter()
        found = self.store.similarity_search(question, k=NAIVE_TOP_K)
        latency = (time.perf_counter() - started) * 1000
        return _best_chunk_response([(d.metadata["source"], d.page_content) for d in found], latency)


class RetrieverBaseline:
    """Our retriever in one mode ('lexical' or 'dense') on the query ask searches (follow-ups condensed), no answerer."""

    def __init__(self, assistant: Assistant, mode: str):
        self.name = f"{mode} only"
        self.assistant = assistant
        self.mode = mode

    def respond(self, question: str, history: list[dict]) -> Response:
        started = time.perf_counter()
        query = self.assistant.prepare(question, history).query
        passages = self.assistant.retriever.search(query, k=RANK_DEPTH, mode=self.mode)
        latency = (time.perf_counter() - started) * 1000
        response = _best_chunk_response([(p.chunk.source, p.chunk.text) for p in passages[:NAIVE_TOP_K]], latency)
        response.ranked = unique(p.chunk.source for p in passages)
        return response


def _best_chunk_response(found: list[tuple[str, str]], latency: float) -> Response:
    best = found[0][1] if found else ""
    return Response(
        answer=best,
        abstained=False,
        cited=[text for _, text in found],
        ranked=unique(source for source, _ in found),
        latency_ms=latency,
        citations=[{"n": n, "source": source, "text": text} for n, (source, text) in enumerate(found, 1)],
        short_answer=first_sentence(best),
    )


def first_sentence(text: str) -> str | None:
    """The first sentence of `text` that is not a Markdown heading (a chunk may open with its title)."""
    for start, end in split_sentences(text):
        if not text[start:end].startswith("#"):
            return text[start:end]
    return None
