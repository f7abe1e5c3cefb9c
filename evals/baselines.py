"""Baselines answered on the same corpus and questions: a naive LangChain RAG, and our retriever
alone in lexical or dense mode. Each "answers" with its best chunk and never abstains."""

import time
import uuid
from pathlib import Path

from assistant.condense import conversation_context
from assistant.documents import load_corpus
from assistant.embeddings import load_embeddings
from assistant.models import Message
from assistant.retrieval import Retriever
from assistant.settings import Settings
from evals.metrics import unique
from evals.systems import RANK_DEPTH, Response

NAIVE_TOP_K = 4
EMBED_BATCH = 256


class NaiveRAG:
    """The textbook LangChain pipeline: recursive 1000/200 splits, Chroma, top 4, the question as query
    (no history); it shows the 4 chunks as its sources."""

    name = "naive LangChain"

    def __init__(self, settings: Settings, persist_dir: Path):
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        documents, _ = load_corpus(settings.corpus_dir)
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        chunks = splitter.split_documents(
            [Document(page_content=d.text, metadata={"source": d.source}) for d in documents]
        )
        # Our embedding function: chromadb's default one would download a model.
        self.store = Chroma(
            collection_name=f"naive-{uuid.uuid4().hex[:8]}",
            embedding_function=load_embeddings(settings.embedding_model),
            persist_directory=str(persist_dir),
            client_settings=ChromaSettings(anonymized_telemetry=False),
        )
        for i in range(0, len(chunks), EMBED_BATCH):
            self.store.add_documents(chunks[i : i + EMBED_BATCH])
        self.chunks = len(chunks)

    def respond(self, question: str, history: list[dict]) -> Response:
        started = time.perf_counter()
        found = self.store.similarity_search(question, k=NAIVE_TOP_K)
        latency = (time.perf_counter() - started) * 1000
        return _best_chunk_response([(d.metadata["source"], d.page_content) for d in found], latency)


class RetrieverBaseline:
    """Our retriever in one mode ('lexical' or 'dense'), with our follow-up condensing, no answerer."""

    def __init__(self, retriever: Retriever, mode: str):
        self.name = f"{mode} only"
        self.retriever = retriever
        self.mode = mode

    def respond(self, question: str, history: list[dict]) -> Response:
        started = time.perf_counter()
        context = conversation_context(question, [Message(**m) for m in history])
        passages = self.retriever.search(f"{question} {context}".strip(), k=RANK_DEPTH, mode=self.mode)
        latency = (time.perf_counter() - started) * 1000
        response = _best_chunk_response([(p.chunk.source, p.chunk.text) for p in passages[:NAIVE_TOP_K]], latency)
        response.ranked = unique(p.chunk.source for p in passages)
        return response


def _best_chunk_response(found: list[tuple[str, str]], latency: float) -> Response:
    return Response(
        answer=found[0][1] if found else "",
        abstained=False,
        cited=[text for _, text in found],
        ranked=unique(source for source, _ in found),
        latency_ms=latency,
        citations=[{"n": n, "source": source, "text": text} for n, (source, text) in enumerate(found, 1)],
    )
