"""Make hostile strings safe for a terminal.

DNS TXT records, PTR names, SMTP replies and log lines are attacker-controlled. rich
drops a few control characters but passes ESC through, so a TXT record could recolour,
hide or rewrite what the terminal shows (or set its title). Every dynamic string the
text renderers print goes through `terminal_safe`: C0/C1 controls (except newline and
tab) and Unicode bidirectional overrides (the "Trojan Source" characters) are shown as
visible escapes instead of being interpreted.
"""

from __future__ import annotations

from rich.text import Text

from audit.render.visible import visible


def terminal_safe(text: str) -> str:
    return visible(text)


def safe_text(text: str, style: str = "") -> Text:
    """A rich `Text` of `text` with every unsafe character made visible."""
    return Text(terminal_safe(text), style=style)
