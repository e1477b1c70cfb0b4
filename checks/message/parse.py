"""A message's header section and MIME structure, parsed within bounds.

The header fields are split by hand (RFC 5322 §2.2: a field is a name, a colon and a
body that continues on lines starting with white space), so repeated fields, their
order and over-long lines stay visible to the format rules; the MIME tree is read with
the standard library's parser only after the header count passed its bound.
"""

from __future__ import annotations

import email
import email.utils
import functools
import re
from dataclasses import dataclass, field
from email.message import Message

MAX_HEADER_FIELDS = 1000
MAX_MIME_DEPTH = 20
MAX_MIME_PARTS = 1000
FIELD_NAME = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:")  # RFC 5322 §3.6.8 ftext
LINE_END = re.compile(rb"\r?\n")


class MessageLimitError(ValueError):
    """The message exceeds a bound: it is not analysed (unknown, input_limit)."""


class MessageFormatError(ValueError):
    """The message cannot be read as RFC 5322 at all (unknown, malformed)."""


@dataclass(frozen=True)
class ParsedMessage:
    fields: tuple[tuple[str, str], ...]  # (name as written, unfolded body), in order
    longest_line: int  # octets, without CRLF, over the whole message (RFC 5322 §2.1.1)
    mime_depth: int
    body_bytes: int
    body_start: int = 0  # offset of the body in the message's octets
    # The MIME tree of a multipart message, built once for the depth bound and read
    # again for the body's text parts; None for a single part (its header says it all).
    mime_tree: Message | None = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def _by_name(self) -> dict[str, list[str]]:
        """Field bodies by lower-case name, in order: built once, read by every rule."""
        index: dict[str, list[str]] = {}
        for name, value in self.fields:
            index.setdefault(name.lower(), []).append(value)
        return index

    def all(self, name: str) -> list[str]:
        return list(self._by_name.get(name.lower(), ()))

    @functools.cached_property
    def from_addresses(self) -> tuple[tuple[str, str], ...]:
        """(display name, address) of every usable From address (RFC 5322 §3.6.2)."""
        pairs = email.utils.getaddresses(self.all("from"))
        return tuple(pair for pair in pairs if pair[1])

    def first(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None


def split_header(data: bytes) -> tuple[list[bytes], int]:
    """(header lines, offset of the body) at the first empty line."""
    match = re.search(rb"\r?\n\r?\n", data)
    if match is None:
        return LINE_END.split(data.rstrip(b"\r\n")), len(data)
    return LINE_END.split(data[: match.start()]), match.end()


def _fields(lines: list[bytes]) -> list[tuple[str, str]]:
    fields: list[list[bytes]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += b" " + line.strip()
            continue
        match = FIELD_NAME.match(line)
        if match is None:
            raise MessageFormatError(f"not a header field: {line[:60]!r}")
        fields.append([match.group(1), line[match.end() :].strip()])
        if len(fields) > MAX_HEADER_FIELDS:
            raise MessageLimitError(f"more than {MAX_HEADER_FIELDS} header fields")
    return [(n.decode("ascii"), v.decode("utf-8", "replace")) for n, v in fields]


def mime_depth(message: Message, depth: int = 0, counted: list[int] | None = None) -> int:
    """How deeply multiparts nest; raises MessageLimitError past the bounds."""
    counted = [0] if counted is None else counted
    counted[0] += 1
    if depth > MAX_MIME_DEPTH or counted[0] > MAX_MIME_PARTS:
        raise MessageLimitError(
            f"MIME structure deeper than {MAX_MIME_DEPTH} or over {MAX_MIME_PARTS} parts"
        )
    if not message.is_multipart():
        return depth
    parts = message.get_payload()
    assert isinstance(parts, list)
    children = [part for part in parts if isinstance(part, Message)]
    return max((mime_depth(part, depth + 1, counted) for part in children), default=depth)


def parse_message(data: bytes) -> ParsedMessage:
    lines, body_start = split_header(data)
    fields = _fields(lines)
    if not fields:
        raise MessageFormatError("no header fields")
    longest = max((len(line) for line in LINE_END.split(data)), default=0)
    tree = _mime_tree(data, fields)
    depth = mime_depth(tree) if tree is not None else 0
    return ParsedMessage(tuple(fields), longest, depth, len(data) - body_start, body_start, tree)


def _mime_tree(data: bytes, fields: list[tuple[str, str]]) -> Message | None:
    """A single-part message has depth 0 without building its MIME tree (the common,
    cheap case); a multipart one is parsed, and walked within the bounds by the caller."""
    content_type = next((v for n, v in fields if n.lower() == "content-type"), "")
    if not content_type.strip().lower().startswith("multipart/"):
        return None
    # The default policy is compat32, which keeps the bytes as they are (surrogateescape)
    # without importing email.policy and its header registry (~6 ms of start-up).
    return email.message_from_bytes(data)
