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
