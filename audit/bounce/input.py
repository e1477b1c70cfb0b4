"""Reading explain input safely: bounded, decoded with replacement, never fetched.

Caps (whatever the source): 5 MB read, 100,000 lines, 8,192 characters a line. Bytes decode
as UTF-8 with replacement; control characters (NUL, ESC, ...) become spaces, so nothing from a
bounce can drive the terminal. Binary input (more than 30 % control or non-UTF-8 bytes in the
first 8 KiB) is refused with one line naming it, before the rest is read. URLs in
bounces are data: nothing here, or anywhere in explain, opens them.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from audit.model.errors import InputError

logger = logging.getLogger(__name__)

MAX_INPUT_BYTES = 5 * 1024 * 1024
MAX_LINES = 100_000
MAX_LINE_CHARS = 8192
BINARY_SAMPLE = 8192
BINARY_RATIO = 0.30
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")


@dataclass(frozen=True)
class InputText:
    name: str  # "argument", "<stdin>", or the file path
    text: str
    truncated: bool


def looks_binary(data: bytes) -> bool:
    """True for data that is neither text nor a message, judged on its first chunk: more
    than BINARY_RATIO of its bytes are control characters (NUL included) or not UTF-8.
    A stray NUL or ESC in a pasted bounce is blanked, not fatal; legacy 8-bit bounces
    (Latin-1 text in a raw part) stay far below the ratio; random bytes (about 55 %),
    images and archives are far above it."""
    sample = data[:BINARY_SAMPLE]
    if not sample:
        return False
    control = sum(1 for byte in sample if byte < 0x20 and byte not in TEXT_CONTROLS)
    # A multi-byte character cut at the sample's end is not an error: decode without `final`.
    decoded = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample)
    undecodable = decoded.count("\ufffd") - sample.count("\ufffd".encode())
    return (control + undecodable) / len(sample) > BINARY_RATIO


def clean_text(text: str) -> tuple[str, bool]:
    """Normalised newlines, control characters blanked, lines and line count capped."""
    lines = CONTROL_RE.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    truncated = len(lines) > MAX_LINES or any(len(line) > MAX_LINE_CHARS for line in lines)
    capped = [line[:MAX_LINE_CHARS] for line in lines[:MAX_LINES]]
    return "\n".join(capped), truncated


def decode(name: str, data: bytes, truncated: bool = False) -> InputText:
    if looks_binary(data):
        raise InputError(f"{name}: looks like binary data, not a bounce or log text")
    text, capped = clean_text(data.decode("utf-8", errors="replace"))
    if not text.strip():
        raise InputError(f"{name}: empty input: nothing to explain")
    if truncated or capped:
        logger.warning("%s: input was longer than the limits and was cut", name)
    return InputText(name, text, truncated or capped)


def read_stream(name: str, stream: BinaryIO) -> InputText:
    """At most MAX_INPUT_BYTES; the first chunk is judged before the rest is read, so
    `--file /dev/urandom` stops after BINARY_SAMPLE bytes."""
    head = stream.read(BINARY_SAMPLE)
    if looks_binary(head):
        raise InputError(f"{name}: looks like binary data, not a bounce or log text")
    data = head + stream.read(MAX_INPUT_BYTES + 1 - len(head))
    return decode(name, data[:MAX_INPUT_BYTES], len(data) > MAX_INPUT_BYTES)


def directory_files(path: str) -> list[str]:
    """The regular files under a directory (a maildir's cur/ and new/ too), sorted, hidden
    ones skipped; an empty directory is an InputError (nothing to explain)."""
    root = Path(path)
    files = sorted(
        str(item)
        for item in root.rglob("*")
        if item.is_file() and not any(p.startswith(".") for p in item.relative_to(root).parts)
    )
    if not files:
        raise InputError(f"{path}: a directory without files: nothing to explain")
    return files


def read_paths(paths: Iterable[str]) -> Iterator[InputText]:
    """Each file's bounded text, read one at a time (a directory: each file under it), so a
    run over many files holds one input at a time."""
    for path in paths:
        if Path(path).is_dir():
            yield from map(read_file, directory_files(path))
        else:
            yield read_file(path)


def read_file(path: str) -> InputText:
    try:
        with Path(path).open("rb") as handle:
            return read_stream(path, handle)
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def from_argument(text: str) -> InputText:
    return decode("TEXT", text.encode("utf-8", errors="replace")[:MAX_INPUT_BYTES])
