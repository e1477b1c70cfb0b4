"""The compiled mail-log modules, used only when they are the source's (hatch_build.py).

An editable install compiles NATIVE_MODULES beside their sources; editing one of them
afterwards would leave the old compiled module imported in its place (Python prefers an
extension module to a source file). Before the first of them is imported, `check` compares
each source with the checksum it was compiled from (audit/native.txt; a wheel's says
UNCHECKED: its files are not edited, and are stamped with another time): if any differs, or
MAILHYGIENE_PURE_PYTHON=1, all of them are imported from their sources (all: compiled
modules of one group call each other in C, past a source module put in one's place).
Start-up matters here (`explain` imports the Postfix parser): os and zlib only.
"""

from __future__ import annotations

import os
import sys
import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(ROOT, "audit", "native.txt")
_checked = False


def source_of(module: str) -> str:
    return os.path.join(ROOT, *module.split(".")) + ".py"


def checksum(data: bytes) -> str:
    """What the manifest says of a source: its CRC-32 and size (an edit changes them)."""
    return f"{zlib.crc32(data):08x}-{len(data)}"


UNCHECKED = "-"  # a wheel's modules: not compared with their sources


def read_manifest(path: str) -> dict[str, str] | None:
    """module -> checksum of its source when compiled; None: no manifest (not compiled)."""
    try:
        with open(path, encoding="utf-8") as lines:
            entries = [line.split() for line in lines if line.strip()]
    except OSError:
        return None
    return {entry[0]: entry[1] for entry in entries if len(entry) == 2}


def stale(modules: dict[str, str]) -> bool:
    """Whether a compiled module's source is not the one it was compiled from."""
    for module, expected in modules.items():
        if expected == UNCHECKED:
            continue
        try:
            with open(source_of(module), "rb") as source:
                if checksum(source.read()) != expected:
                    return True
        except OSError:
            return True
    return not modules


class _SourceFinder:
    """Finds the named modules' Python sources (never their compiled forms)."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = frozenset(modules)

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name not in self.modules:
            return None
        from importlib.util import spec_from_file_location

        return spec_from_file_location(name, source_of(name))


def check() -> None:
    """Once per process, before a compiled module is imported (the packages holding one
    call it first thing): import them all from source if any is stale, or when asked."""
    global _checked
    if _checked:
        return
    _checked = True
    modules = read_manifest(MANIFEST)
    if modules is None:
        return  # nothing compiled: the sources are what is imported anyway
    if os.environ.get("MAILHYGIENE_PURE_PYTHON") == "1" or stale(modules):
        sys.meta_path.insert(0, _SourceFinder(list(modules)))
