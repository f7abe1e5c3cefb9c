"""The machine a figure was measured on (standard library only, so scripts can import it cheaply)."""

import os
import platform
from pathlib import Path


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def describe(figures: dict) -> str:
    return f"{figures['cpu']}, {figures['cores']} cores, Python {figures['python']}"
