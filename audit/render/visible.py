"""Hostile characters made visible, for every output format.

DNS TXT records, PTR names, SMTP replies and log lines are attacker-controlled. A raw
ESC can recolour or rewrite a terminal, NUL and most C0 controls make XML 1.0 ill-formed
(XML 1.0 §2.2 "Char"), and bidirectional overrides (the "Trojan Source" characters,
CVE-2021-42574) reorder what a reader sees. Every renderer shows them as escapes
(`\\x1b`, `\\u202e`) instead: the reader sees that they were there.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# C0 controls but tab and newline, DEL and C1 controls, bidi marks/embeddings/overrides/
# isolates, and what XML 1.0 cannot carry at all (surrogates, U+FFFE, U+FFFF).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every unsafe character replaced by a visible escape."""
    return _UNSAFE.sub(_escape, text)


def safe_text(text: str, style: str = "") -> Text:
    """A rich `Text` of `text` with every unsafe character made visible."""
    from rich.text import Text

    return Text(visible(text), style=style)
