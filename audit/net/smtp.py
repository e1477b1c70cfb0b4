"""Reading SMTP replies from an untrusted server, with every size bounded.

A reply is one or more lines `CODE-text` ... `CODE text` (RFC 5321 §4.2.1). A hostile
or broken server may send a line without end, thousands of continuation lines, a
reply that never finishes, or bytes that are not UTF-8. The reader bounds the line
length, the number of lines and the total octets of one reply (the caller bounds the
time), decodes with replacement characters, and escapes control characters before any
text reaches the transcript or the report: server text is recorded, never interpreted
beyond its three-digit code.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

# RFC 5321 §4.5.3.1.5 allows 512 octets per reply line (CRLF included); real servers
# exceed it a little (long EHLO AUTH lines), so the bound is generous but finite.
MAX_LINE_OCTETS = 2048
MAX_REPLY_LINES = 100  # an EHLO reply has a few dozen lines at most
MAX_REPLY_OCTETS = 32 * 1024
MAX_EVIDENCE_CHARS = 300  # per transcript line in the report
STREAM_LIMIT = 2 * MAX_LINE_OCTETS  # asyncio's buffer bound for one line

_REPLY_LINE = re.compile(r"^([2-5]\d\d)([ -]|$)(.*)$", re.DOTALL)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class ProtocolViolation(Exception):
    """The server broke the reply format or a size bound; the session is abandoned."""


@dataclass(frozen=True)
class SmtpReply:
    """One reply: the code and its text lines (already sanitized)."""

    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " / ".join(self.lines)

    @property
    def first_word(self) -> str:
        words = self.lines[0].split() if self.lines else []
        return words[0] if words else ""

    def wire(self) -> list[str]:
        last = len(self.lines) - 1
        return [f"{self.code}{'-' if i < last else ' '}{line}" for i, line in enumerate(self.lines)]


def sanitize(text: str, limit: int = MAX_EVIDENCE_CHARS) -> str:
    """Control and bidi characters as \\xNN escapes; long text cut with a marker."""
    escaped = _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return escaped if len(escaped) <= limit else escaped[:limit] + f"... ({len(text)} chars)"


def decode(raw: bytes) -> str:
    """Server bytes as text: invalid UTF-8 becomes U+FFFD, never an exception."""
    return raw.decode("utf-8", errors="replace")


async def read_line(reader: asyncio.StreamReader) -> str:
    try:
        raw = await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError:
        raise ProtocolViolation(f"a reply line exceeded {STREAM_LIMIT} octets") from None
    except asyncio.IncompleteReadError as incomplete:
        raise ConnectionResetError("connection closed by the server") from incomplete
    if len(raw) > MAX_LINE_OCTETS:
        raise ProtocolViolation(f"reply line of {len(raw)} octets (limit {MAX_LINE_OCTETS})")
    return decode(raw.rstrip(b"\r\n"))


async def read_reply(reader: asyncio.StreamReader) -> tuple[SmtpReply, int]:
    """One complete reply and the octets it took. Raises ProtocolViolation when a bound
    is exceeded or a line is not `CODE[ -]text`, ConnectionResetError on EOF."""
    lines: list[str] = []
    octets = 0
    code: str | None = None
    while True:
        line = await read_line(reader)
        octets += len(line) + 2
        match = _REPLY_LINE.match(line)
        if match is None or (code is not None and match.group(1) != code):
            raise ProtocolViolation(f"not an SMTP reply line: {sanitize(line, 80)!r}")
        code = match.group(1)
        lines.append(sanitize(match.group(3)))
        if match.group(2) != "-":
            return SmtpReply(int(code), tuple(lines)), octets
        if len(lines) >= MAX_REPLY_LINES or octets > MAX_REPLY_OCTETS:
            raise ProtocolViolation(
                f"reply exceeded {MAX_REPLY_LINES} lines or {MAX_REPLY_OCTETS} octets"
            )
