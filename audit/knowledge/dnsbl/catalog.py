"""The DNSBL catalog: one immutable `DnsblList` per list, loaded from TOML and validated.

The data lives in audit/knowledge/dnsbl/*.toml (knowledge as data, STYLE.md §7); every fact
there carries the source ids of /work/shared/reference/dnsbl-and-provider-facts.md.
Validation is strict: a malformed shipped entry is a bug and fails loudly at load, and a
user's `--lists FILE` gets the same checks (reported as a usage error by the CLI).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from audit.knowledge.dnsbl.entries import (
    Access,
    Category,
    CodeMeaning,
    Decode,
    Delisting,
    DnsblList,
    Impact,
    ListStatus,
    TargetKind,
)
from audit.knowledge.dnsbl.parse import CatalogError, parse_list
from audit.knowledge.toml_cache import parse_toml

__all__ = [
    "Access",
    "Catalog",
    "CatalogError",
    "Category",
    "CodeMeaning",
    "Decode",
    "Delisting",
    "DnsblList",
    "Impact",
    "ListStatus",
    "TargetKind",
    "load_catalog",
    "load_catalog_text",
    "shipped_catalog",
]


@dataclass(frozen=True)
class Catalog:
    """Every known list, ids and zones unique (checked when built)."""

    lists: tuple[DnsblList, ...]

    def __post_init__(self) -> None:
        seen_ids: set[str] = set()
        seen_zones: set[str] = set()
        for entry in self.lists:
            if entry.id in seen_ids:
                raise CatalogError(f"duplicate list id {entry.id}")
            if entry.zone in seen_zones:
                raise CatalogError(f"duplicate zone {entry.zone}")
            seen_ids.add(entry.id)
            seen_zones.add(entry.zone)

    @functools.cached_property
    def by_key(self) -> Mapping[str, DnsblList]:
        """Lookup by id or by zone (both unique)."""
        keys = {entry.id: entry for entry in self.lists}
        keys.update({entry.zone: entry for entry in self.lists})
        return MappingProxyType(keys)

    def get(self, id_or_zone: str) -> DnsblList | None:
        return self.by_key.get(id_or_zone.strip().lower().rstrip("."))

    @property
    def active(self) -> tuple[DnsblList, ...]:
        return tuple(e for e in self.lists if e.status is not ListStatus.DEFUNCT)

    @property
    def defunct(self) -> tuple[DnsblList, ...]:
        return tuple(e for e in self.lists if e.status is ListStatus.DEFUNCT)


def load_catalog_text(
    text: str, source: str, cache_name: str | None = None
) -> tuple[DnsblList, ...]:
    """Parse one catalog TOML document (shipped file or a user's `--lists FILE`); a shipped
    file's parse is cached under `cache_name` (audit/knowledge/toml_cache.py)."""
    try:
        data = parse_toml(text, cache_name)
    except ValueError as exc:  # tomllib.TOMLDecodeError (tomllib loads only on a cache miss)
        raise CatalogError(f"{source}: {exc}") from exc
    except RecursionError:  # tomllib recurses per nesting level
        raise CatalogError(f"{source}: nested too deeply to be a catalog") from None
    raw_lists = data.get("lists")
    if not isinstance(raw_lists, list) or not raw_lists:
        raise CatalogError(f"{source}: expected one or more [[lists]] tables")
    return tuple(parse_list(raw, f"{source}[{index}]") for index, raw in enumerate(raw_lists))


def load_catalog() -> Catalog:
    # The TOML beside this module, read as files: importlib.resources (and the zip reader
    # it brings) costs ~8 ms to import and the package is always installed unpacked.
    folder = Path(__file__).parent
    entries: list[DnsblList] = []
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".toml"):
            text = item.read_text(encoding="utf-8")
            cache_name = "dnsbl-" + item.name.removesuffix(".toml")
            entries.extend(load_catalog_text(text, item.name, cache_name))
    return Catalog(tuple(entries))


@functools.cache
def shipped_catalog() -> Catalog:
    """The bundled catalog, loaded once per process and immutable afterwards."""
    return load_catalog()
