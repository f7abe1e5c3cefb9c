"""Assistant Innovation Occitanie: answers from the region's documents, each claim with its quoted source.

    from assistant import Assistant, Settings
    answer = Assistant(Settings()).ask("Quel est le budget du dispositif Start-up Industrie de demain ?")
    answer.text, answer.citations

The road a question takes, package by package, is drawn in docs/architecture.md. The names below are
imported on first use, so `import assistant` stays light (no Chroma, no web server).
"""

from importlib import import_module
from typing import TYPE_CHECKING

__all__ = ["Answer", "Assistant", "Settings"]

_HOMES = {"Answer": "assistant.models", "Assistant": "assistant.assistant", "Settings": "assistant.settings"}

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.models import Answer
    from assistant.settings import Settings


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
