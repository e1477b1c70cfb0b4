"""The compiled mail-log modules, used only when they are the source's (hatch_build.py).

An editable install compiles NATIVE_MODULES beside their sources; editing one of them
afterwards would leave the old compiled module imported in its place (Python prefers an
extension module to a source file). Before the first of them is imported, `check` compares
each source with the hash it was compiled from (audit/native.json): if any differs, or
MAILHYGIENE_PURE_PYTHON=1, all of them are imported from their sources (all: compiled
modules of one group call each other in C, past a source module put in one's place).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "audit" / "native.json"
_checked = False


class _SourceFinder:
    """Finds the named modules' Python sources (never their compiled forms)."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = frozenset(modules)

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in self.modules:
            return None
        return importlib.util.spec_from_file_location(name, ROOT / _source(name))


def _source(module: str) -> Path:
    return Path(*module.split(".")).with_suffix(".py")


def stale(manifest: dict[str, object]) -> bool:
    """Whether a compiled module's source is not the one it was compiled from."""
    modules = manifest.get("modules")
    if not isinstance(modules, dict):
        return True
    for module, digest in modules.items():
        try:
            source = (ROOT / _source(module)).read_bytes()
        except OSError:
            return True
        if hashlib.sha256(source).hexdigest() != digest:
            return True
    return False


def check() -> None:
    """Once per process, before a compiled module is imported (the packages holding one
    call it first thing): import them all from source if any is stale, or when asked."""
    global _checked
    if _checked:
        return
    _checked = True
    try:
        manifest = json.loads(MANIFEST.read_text("utf-8"))
    except (OSError, ValueError):
        return  # not compiled: the sources are what is imported anyway
    if not isinstance(manifest, dict):
        return
    modules = manifest.get("modules")
    names = list(modules) if isinstance(modules, dict) else []
    if os.environ.get("MAILHYGIENE_PURE_PYTHON") == "1" or stale(manifest):
        sys.meta_path.insert(0, _SourceFinder(names))
