"""The committed state of an index: which chunks are live, for which embedding model, and their
lexical index. Written atomically (temp file + rename): a killed run leaves the previous state."""

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.models import Chunk
from assistant.profiles.builder import build_profiles
from assistant.profiles.model import Profile
from assistant.retrieval.lexical import LexicalIndex

STATE_FILE = "state.json"


@dataclass
class IndexState:
    model: str
    chunks: list[Chunk]
    lexical_file: str
    files: dict[str, str]  # source -> content hash of the file, for the summary
    lexical_parameters: dict | None = None  # BM25 k1, b and analyser version of the stored weights
    collection: str | None = None  # the Chroma collection of this state's vectors (None: collection_name(model))
    faults: list[dict] = field(default_factory=list)  # files the run skipped or read with a workaround: {source, reason, skipped}
    indexed_at: dict[str, str] = field(default_factory=dict)  # source -> when its current content was indexed (ISO UTC)
    profiles: list[Profile] | None = None  # the programmes' profiles (assistant/profiles/), built with the state
    orders: dict[str, list[str]] = field(default_factory=dict)  # source -> its sentences giving the assistant orders (never evidence)

    @classmethod
    def load(cls, index_dir: Path) -> "IndexState | None":
        path = index_dir / STATE_FILE
        if not path.exists():
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        chunks = [Chunk(**c) for c in raw["chunks"]]
        return cls(
            model=raw["model"],
            chunks=chunks,
            lexical_file=raw["lexical_file"],
            files=raw.get("files", {}),
            lexical_parameters=raw.get("lexical_parameters"),  # absent in states written before it was stored
            collection=raw.get("collection"),
            faults=raw.get("faults", [dict(s, skipped=True) for s in raw.get("skipped", [])]),  # "skipped": older states
            indexed_at=raw.get("indexed_at", {}),
            # A state written before profiles were stored: built from its chunks, as the indexer would.
            profiles=[Profile.model_validate(p) for p in raw["profiles"]] if "profiles" in raw else build_profiles(chunks),
            orders=raw.get("orders", {}),
        )

    def load_lexical(self, index_dir: Path) -> LexicalIndex:
        return LexicalIndex.load(index_dir / self.lexical_file, self.lexical_parameters)

    def commit(self, index_dir: Path, lexical: LexicalIndex) -> None:
        """Write the lexical index under a fresh name, then swap the state file in one rename."""
        index_dir.mkdir(parents=True, exist_ok=True)
        if self.profiles is None:
            self.profiles = build_profiles(self.chunks)
        self.lexical_file = f"lexical-{time.time_ns()}.npz"
        self.lexical_parameters = lexical.parameters
        lexical.save(index_dir / self.lexical_file)
        payload = {
            "model": self.model,
            "lexical_file": self.lexical_file,
            "lexical_parameters": self.lexical_parameters,
            "files": self.files,
            "collection": self.collection,
            "faults": self.faults,
            "indexed_at": self.indexed_at,
            "profiles": [p.model_dump(mode="json") for p in self.profiles],
            "orders": self.orders,
            "chunks": [asdict(c) for c in self.chunks],
        }
        tmp = index_dir / f".{STATE_FILE}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / STATE_FILE)
        for old in index_dir.glob("lexical-*"):
            if not old.name.startswith(self.lexical_file.removesuffix(".npz")):
                old.unlink(missing_ok=True)
