"""What the report's tests and bench/bench_report.py read out of a PDF: its page count and
the embedded font names, looked for in the file and in its (compressed) object streams."""

from __future__ import annotations

import re
import zlib


def pdf_texts(pdf: bytes) -> list[bytes]:
    """The file itself, then each object stream that inflates."""
    texts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return texts


def page_count(pdf: bytes) -> int:
    """Page objects (not the /Pages tree)."""
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", text)) for text in pdf_texts(pdf))


def font_names(pdf: bytes) -> set[str]:
    """Embedded font names, their subset prefix dropped."""
    pattern = rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([\w-]+)"
    return {name.decode() for text in pdf_texts(pdf) for name in re.findall(pattern, text)}
