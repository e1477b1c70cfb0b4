"""What the report's tests and bench/bench_report.py read out of a PDF: its page count and
the embedded font names, looked for in the file and in its (compressed) object streams."""

from __future__ import annotations

import re
import zlib

# A stream's bytes are its dictionary's /Length: compressed data may itself end in CR or LF,
# which a pattern up to "endstream" would drop (a 50-IP report's object stream did: its
# pages were counted as 0).
_STREAM = re.compile(rb"/Length (\d+)(?:\s*/[^>]*)?>>\s*stream\r?\n")


def pdf_texts(pdf: bytes) -> list[bytes]:
    """The file itself, then each stream that inflates."""
    texts = [pdf]
    for match in _STREAM.finditer(pdf):
        stream = pdf[match.end() : match.end() + int(match.group(1))]
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
