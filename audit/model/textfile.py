"""Reading a user's file as text: bounded, UTF-8, and refused early when it is binary.

Config files and saved results are user input like any other: `--config /dev/urandom` must
be one error line, not a read that never ends or a decoder traceback. The file is read in
chunks up to a limit; a NUL byte (no TOML or JSON text holds one: both require control
characters to be escaped) or bytes that are not UTF-8 stop the read at the first chunk.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from audit.model.errors import InputError

CHUNK_BYTES = 64 * 1024


def read_text_file(path: Path, limit: int, what: str) -> str:
    """The file's text, or one InputError: `cannot read {what} PATH: why`."""
    where = f"{what} {path}" if what else str(path)
    decoder = codecs.getincrementaldecoder("utf-8")()
    parts: list[str] = []
    size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise InputError(f"cannot read {where}: larger than {limit:,} bytes")
                if b"\x00" in chunk:
                    raise InputError(f"cannot read {where}: binary data (NUL bytes), not text")
                parts.append(decoder.decode(chunk))
            parts.append(decoder.decode(b"", final=True))
    except IsADirectoryError:
        raise InputError(f"cannot read {where}: is a directory") from None
    except OSError as exc:
        raise InputError(f"cannot read {where}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"cannot read {where}: not UTF-8 text") from None
    return "".join(parts)
