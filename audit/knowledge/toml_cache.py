"""The shipped knowledge's parsed TOML, cached on disk under a name that is its content's hash.

tomllib is pure Python: parsing the DNSBL catalog and the bounce providers (~95 KB) takes
~25 ms, a tenth of a short command (`explain TEXT`, `blacklist IP`). The parsed document is
kept, pickled, in the user's cache directory (XDG Base Directory Specification:
$XDG_CACHE_HOME, else ~/.cache; then mailhygiene/), in a file named by the SHA-256 of the
text: an edited data file gets a new name and is parsed afresh, so nothing is ever stale
and nothing needs invalidating. The document goes through the same validation as a freshly
parsed one (the loaders beside each TOML); only the parse is saved.

The cache can only save time, never change a result: a directory that cannot be written, a
file that cannot be read or does not unpickle into a document means parsing the text, as
without a cache. Unpickling admits only what TOML yields (builtins and the datetime types,
pickle's "restricting globals"), so a file planted there cannot run code.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_ENV = "XDG_CACHE_HOME"
FORMAT = "toml-v1"  # in every file's name: a new layout never reads an old file
# What tomllib returns beyond builtins (TOML dates, times, offsets).
_DATETIME_TYPES = frozenset({"date", "datetime", "time", "timezone", "timedelta"})


def cache_dir() -> Path:
    base = os.environ.get(CACHE_ENV) or ""
    # XDG: a relative $XDG_CACHE_HOME is invalid and is ignored.
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "mailhygiene"


class _TomlUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _DATETIME_TYPES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"not part of a TOML document: {module}.{name}")


def _read(path: Path) -> dict[str, Any] | None:
    try:
        document = _TomlUnpickler(io.BytesIO(path.read_bytes())).load()
    except FileNotFoundError:
        return None
    except Exception as exc:  # unreadable or not ours: parse instead (and overwrite it)
        log.debug("ignoring cached %s: %s", path, exc)
        return None
    return document if isinstance(document, dict) else None


def _write(path: Path, document: dict[str, Any], stale: list[Path]) -> None:
    """Write atomically (a concurrent reader sees the old file or the whole new one)."""
    import tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            pickle.dump(document, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out.name, path)
        for old in stale:  # the same file's earlier content
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("not caching %s: %s", path, exc)


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """`tomllib.loads(text)` (same errors), from the cache when this text was parsed before.

    `name` (e.g. "dnsbl-10-spamhaus") names the data file the text comes from: a new
    version of it replaces the cached one.
    """
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    folder = cache_dir()
    path = folder / f"{name}-{FORMAT}-{digest}.pickle"
    cached = _read(path)
    if cached is not None:
        return cached
    import tomllib

    document = tomllib.loads(text)
    stale = [old for old in folder.glob(f"{name}-{FORMAT}-*.pickle") if old != path]
    _write(path, document, stale)
    return document
