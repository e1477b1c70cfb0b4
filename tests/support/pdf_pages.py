"""Page count of a PDF, for the report's size tests and bench/bench_report.py."""

from __future__ import annotations

import re
import zlib


def page_count(pdf: bytes) -> int:
    """Page objects, looked for in the file and in its (compressed) object streams."""
    texts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", text)) for text in texts)
