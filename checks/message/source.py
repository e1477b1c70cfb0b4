"""Reading messages: one .eml, an mbox of several, or stdin (`-`), within bounds.

The bounds keep a hostile or runaway input from costing more than the audit is worth:
a message larger than MAX_MESSAGE_BYTES, or more than MAX_MESSAGES in a run, is not
analysed and becomes an unknown (input_limit), never a silent cut.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from audit.model.errors import InputError

MAX_MESSAGE_BYTES = 25 * 1024 * 1024  # Gmail's own size limit for a message
MAX_MESSAGES = 5000  # per run, over every file
MAX_FILE_BYTES = 512 * 1024 * 1024
# mboxrd/mboxo (RFC 4155): a message starts at a line "From " after a blank line (or at
# the start of the file); the From_ line itself is not part of the message.
FROM_LINE = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)


@dataclass(frozen=True)
class RawMessage:
    """One message as read: where it came from and its bytes (None: over the size bound)."""

    source: str  # "path" or "path#3" for the third message of an mbox
    data: bytes | None
    size: int


def _split_mbox(data: bytes) -> list[bytes]:
    starts = [m for m in FROM_LINE.finditer(data) if m.start() == 0 or _after_blank(data, m)]
    messages = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(data)
        messages.append(_unquote_from(data[match.end() : end]))
    return messages


def _after_blank(data: bytes, match: re.Match[bytes]) -> bool:
    before = data[max(match.start() - 2, 0) : match.start()]
    return (
        before.endswith(b"\n\n") or data[max(match.start() - 4, 0) : match.start()] == b"\r\n\r\n"
    )


def _unquote_from(message: bytes) -> bytes:
    """mboxrd quoting (">From " -> "From ") undone; the separator's blank line dropped."""
    message = re.sub(rb"(?m)^>(>*From )", rb"\1", message)
    return message[:-1] if message.endswith(b"\n\n") else message


def is_mbox(data: bytes) -> bool:
    return data.startswith(b"From ") and FROM_LINE.match(data) is not None


def read_bytes(path: str) -> bytes:
    """The file's bytes ('-' = stdin); an unreadable or oversized file is exit 2."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        try:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read message file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"message file {path} is larger than {MAX_FILE_BYTES} bytes")
    return data


def messages_in(path: str, data: bytes) -> list[RawMessage]:
    """Each message of one file: an mbox holds several, anything else is one."""
    name = "stdin" if path == "-" else path
    parts = _split_mbox(data) if is_mbox(data) else [data]
    several = len(parts) > 1
    return [
        RawMessage(f"{name}#{index}" if several else name, _bounded(part), len(part))
        for index, part in enumerate(parts, start=1)
    ]


def _bounded(data: bytes) -> bytes | None:
    return data if len(data) <= MAX_MESSAGE_BYTES else None


def validate_message_files(paths: list[str]) -> tuple[str, ...]:
    """--message / `message` FILE arguments: each readable (exit 2 before any run)."""
    if paths.count("-") > 1:
        raise InputError("'-' (stdin) can be given only once")
    for path in paths:
        if path != "-" and not Path(path).is_file():
            raise InputError(f"message file {path} does not exist or is not a file")
    return tuple(paths)
