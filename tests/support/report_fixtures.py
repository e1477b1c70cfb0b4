"""Shared inputs for the report tests: the demo's saved result and a tiny PNG logo."""

from __future__ import annotations

import copy
import json
import struct
import zlib
from typing import Any

from support.paths import FIXTURES

DEMO_RESULT = FIXTURES / "report" / "northwind-result.json"


def demo_document() -> dict[str, Any]:
    """A fresh copy of the offline lab's result (northwind.example), safe to mutate."""
    return copy.deepcopy(json.loads(DEMO_RESULT.read_text(encoding="utf-8")))


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
