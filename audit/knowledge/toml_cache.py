"""The shipped knowledge's parsed TOML, cached on disk and keyed on the text it was parsed from.

tomllib is pure Python: parsing the DNSBL catalog and the bounce providers (~95 KB) takes
~25 ms, a tenth of a short command (`explain TEXT`, `blacklist IP`). The parsed document is
kept, pickled, in the user's cache directory (XDG Base Directory Specification:
$XDG_CACHE_HOME, else ~/.cache; then mailhygiene/), one file per data file, together with
the whole text it was parsed from: it is used only when that text equals the data file's
text now (a comparison, cheaper than hashing), so it is never stale; an edited file is
parsed afresh and its cache file replaced. The document goes through the same validation as
a freshly parsed one (the loaders beside each TOML); only the parse is saved.

The cache can only save time, never change a result: a directory that cannot be written, a
file that cannot be read or does not unpickle into a document means parsing the text, as
without a cache. Unpickling admits only what TOML yields (builtins and the datetime types,
pickle's "restricting globals"), so a file planted there cannot run code.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_ENV = "XDG_CACHE_HOME"
FORMAT = "toml-v1"  # in every file's name: a new layout never reads an old file
Entry = tuple[str, dict[str, Any]]  # (the text, its document)
# What tomllib returns beyond builtins (TOML dates, times, offsets).
_DATETIME_TYPES = frozenset({"date", "datetime", "time", "timezone", "timedelta"})


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/mailhygiene, else ~/.cache/mailhygiene; None without a home."""
    base = os.environ.get(CACHE_ENV) or ""
    if os.path.isabs(base):  # XDG: a relative $XDG_CACHE_HOME is invalid and is ignored
        return Path(base) / "mailhygiene"
    home = os.path.expanduser("~")  # unexpanded ("~") when there is no home to find
    return Path(home) / ".cache" / "mailhygiene" if os.path.isabs(home) else None


class _TomlUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _DATETIME_TYPES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"not part of a TOML document: {module}.{name}")


def _read(path: Path, text: str) -> dict[str, Any] | None:
    """The cached document of `text`; None when the file holds another text's, or no file."""
    try:
        entry = _TomlUnpickler(io.BytesIO(path.read_bytes())).load()
    except FileNotFoundError:
        return None
    except Exception as exc:  # unreadable or not ours: parse instead (and overwrite it)
        log.debug("ignoring cached %s: %s", path, exc)
        return None
    if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], dict)):
        return None
    return entry[1] if entry[0] == text else None


def _write(path: Path, entry: Entry) -> None:
    """Write atomically (a concurrent reader sees the old file or the whole new one)."""
    import tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            pickle.dump(entry, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out.name, path)
    except OSError as exc:
        log.debug("not caching %s: %s", path, exc)


def parse_toml(text: str, name: str | None) -> dict[str, Any]:
    """`tomllib.loads(text)` (same errors: TOMLDecodeError is a ValueError), from the cache
    when this text was parsed before; tomllib itself (~3 ms) loads only to parse.

    `name` (e.g. "dnsbl-10-spamhaus") names the shipped data file the text comes from: a new
    version of it replaces the cached one. None: a user's file, parsed and not cached.
    """
    folder = cache_dir() if name is not None else None
    path = folder / f"{name}-{FORMAT}.pickle" if folder is not None else None
    cached = _read(path, text) if path is not None else None
    if cached is not None:
        return cached
    import tomllib

    document = tomllib.loads(text)
    if path is not None:
        _write(path, (text, document))
    return document
