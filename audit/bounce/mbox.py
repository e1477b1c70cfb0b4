"""An mbox (RFC 4155): messages, each opened by a `From ` separator line.

Bounces saved from a mail client or a spool often keep the separator (`From MAILER-DAEMON
Thu Apr 29 23:45:10 2008`); read as text, its headers would be taken for rejections. A
separator opens a message at the start of the input or after an empty line (RFC 4155 §2:
writers quote body lines starting with "From " as ">From "); the quoting is undone as mboxrd
readers do (one ">" less on every `>…>From ` line).
"""

from __future__ import annotations

import re

SEPARATOR_RE = re.compile(r"^From \S+")
QUOTED_FROM_RE = re.compile(r"^>(>*From )", re.MULTILINE)


def is_mbox(text: str) -> bool:
    """True when the input opens with an mbox `From ` separator line."""
    return SEPARATOR_RE.match(text.lstrip("\n")) is not None


def mbox_messages(text: str) -> list[str]:
    """The messages of an mbox, separators removed, `>From ` quoting undone."""
    messages: list[list[str]] = []
    previous_blank = True
    for line in text.lstrip("\n").split("\n"):
        if previous_blank and SEPARATOR_RE.match(line):
            messages.append([])
        elif messages:
            messages[-1].append(line)
        previous_blank = not line.strip()
    return [QUOTED_FROM_RE.sub(r"\1", "\n".join(lines)) for lines in messages]
