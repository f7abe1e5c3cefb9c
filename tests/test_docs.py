"""What the documentation says of the files on disk is true: the widget's size is given once, in the
README and docs/web.md alike, and it is the size of assistant/static/widget.js (raw and gzipped)."""

import gzip
import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
WIDGET = PROJECT / "assistant" / "static" / "widget.js"
SIZE = re.compile(r"([\d  ,]+) bytes \(([\d  ,]+) bytes gzipped\)")


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.mark.parametrize("document", ["README.md", "docs/web.md"])
def test_the_documented_widget_size_is_the_file_on_disk(document):
    sizes = [(number(raw), number(zipped)) for raw, zipped in SIZE.findall((PROJECT / document).read_text())]
    content = WIDGET.read_bytes()
    actual = (len(content), len(gzip.compress(content, compresslevel=9, mtime=0)))
    assert sizes == [actual], f"{document} gives the widget's size as {sizes}; on disk it is {actual} (raw, gzip -9)"


def test_every_setting_of_the_env_example_is_a_setting_and_the_file_loads(tmp_path, monkeypatch):
    from assistant.settings import Settings

    example = (PROJECT / ".env.example").read_text()
    names = re.findall(r"^#? ?ASSISTANT_(\w+)=", example, flags=re.MULTILINE)
    assert {"PORT", "ADMIN_TOKEN", "ALLOWED_ORIGINS"} <= set(names)
    assert [name for name in names if name.lower() not in Settings.model_fields] == []
    uncommented = re.sub(r"^# ?(ASSISTANT_\w+=.+)$", r"\1", example, flags=re.MULTILINE)
    (tmp_path / ".env").write_text(uncommented)  # every example value set (the empty token stays commented)
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.port == 7860 and settings.allowed_origins == ["https://www.laregion.fr"]
