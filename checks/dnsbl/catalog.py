"""The DNSBL catalog: one immutable `DnsblList` per list, loaded from TOML and validated.

The data lives in audit/data/dnsbl/*.toml (knowledge as data, STYLE.md §7); every fact
there carries the source ids of /work/shared/reference/dnsbl-and-provider-facts.md.
Validation is strict: a malformed shipped entry is a bug and fails loudly at load, and a
user's `--lists FILE` gets the same checks (reported as a usage error by the CLI).
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

from checks.dnsbl.catalog_parse import CatalogError, parse_list

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


class TargetKind(enum.StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    DOMAIN = "domain"


class Category(enum.StrEnum):
    """What a return code says about the target."""

    ABUSE = "abuse"  # seen sending spam / infected / exploited: the cause must be fixed
    POLICY = "policy"  # e.g. Spamhaus PBL, SpamRATS Dyna/NoPtr: "should not send direct to MX"
    REPUTATION = "reputation"  # a score or neighbourhood verdict, not a proven abuse event
    ALLOW = "allow"  # good or neutral reputation (DNSWL, Mailspike rep .14+): not a listing


class Impact(enum.StrEnum):
    HIGH = "high"  # used to reject mail by large mailbox providers and many MTAs
    MEDIUM = "medium"
    LOW = "low"


class ListStatus(enum.StrEnum):
    ACTIVE = "active"
    UNCERTAIN = "uncertain"  # conflicting evidence about liveness: never in the default set
    DEFUNCT = "defunct"  # never queried; kept so users learn why it is absent


class Access(enum.StrEnum):
    FREE = "free"
    REGISTRATION = "registration"  # the querying resolver's IP must be registered
    KEY = "key"  # needs an API key we do not handle: never queried
    DQS = "dqs"  # Spamhaus Data Query Service only: queried with --spamhaus-dqs-key


class Decode(enum.StrEnum):
    EXACT = "exact"  # each A value has its own meaning
    BITMASK = "bitmask"  # the last octet is a sum of flags (SURBL, URIBL)


@dataclass(frozen=True)
class CodeMeaning:
    code: str  # "127.0.0.2", or the bit value ("8") for bitmask lists
    meaning: str
    category: Category
    sublist: str | None = None
    delisting: Delisting | None = None  # overrides the list's route (ZEN: PBL vs SBL)


@dataclass(frozen=True)
class Delisting:
    method: str  # self-service | manual | automatic | provider-only | none
    summary: str
    steps: tuple[str, ...]
    url: str | None = None
    expiry: str | None = None
    fee: str | None = None


@dataclass(frozen=True)
class DnsblList:
    """One DNS list, as data. `zone` is the public zone; DQS zones get the key later."""

    id: str
    name: str
    operator: str
    provider: str
    zone: str
    targets: frozenset[TargetKind]
    impact: Impact
    status: ListStatus
    access: Access
    default: bool
    blocks_public_resolvers: bool
    txt: bool
    decode: Decode
    codes: Mapping[str, CodeMeaning]
    error_codes: tuple[ipaddress.IPv4Network, ...]
    error_meanings: Mapping[str, str]
    error_bits: Mapping[int, str]
    test_listed: tuple[str, ...]
    test_unlisted: tuple[str, ...]
    delisting: Delisting | None
    sources: tuple[str, ...]
    dqs_zone: str | None = None
    ended: str | None = None  # ISO date, YYYY, YYYY-MM, or "unknown"
    note: str = ""
    custom: bool = False
    unlisted_category: Category = Category.ABUSE  # for 127/8 codes the catalog lacks
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def queryable(self) -> bool:
        return self.status is not ListStatus.DEFUNCT and self.access is not Access.KEY

    def serves(self, kind: TargetKind) -> bool:
        return kind in self.targets


@dataclass(frozen=True)
class Catalog:
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


def load_catalog_text(text: str, source: str) -> tuple[DnsblList, ...]:
    """Parse one catalog TOML document (shipped file or a user's `--lists FILE`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{source}: {exc}") from exc
    raw_lists = data.get("lists")
    if not isinstance(raw_lists, list) or not raw_lists:
        raise CatalogError(f"{source}: expected one or more [[lists]] tables")
    return tuple(parse_list(raw, f"{source}[{index}]") for index, raw in enumerate(raw_lists))


def load_catalog() -> Catalog:
    folder = resources.files("audit") / "data" / "dnsbl"
    entries: list[DnsblList] = []
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".toml"):
            entries.extend(load_catalog_text(item.read_text(encoding="utf-8"), item.name))
    return Catalog(tuple(entries))


@functools.cache
def shipped_catalog() -> Catalog:
    """The bundled catalog, loaded once per process and immutable afterwards."""
    return load_catalog()
