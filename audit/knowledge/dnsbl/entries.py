"""The catalog's entry types: a DnsblList and what its answers mean (TOML-independent).

`parse` builds these from TOML; `catalog` holds the loaded set. Kept apart so neither of
those two imports the other (no import cycle).

No `from __future__ import annotations` here: typing.NamedTuple compiles every string
annotation into a ForwardRef (38 fields, ~1 ms of every `blacklist` start), while these
annotations are all defined at runtime (each class before the ones that name it).
"""

import enum
import ipaddress
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple


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


class Delisting(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    method: str  # self-service | manual | automatic | provider-only | none
    summary: str
    steps: tuple[str, ...]
    url: str | None = None
    expiry: str | None = None
    fee: str | None = None


class CodeMeaning(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    code: str  # "127.0.0.2", or the bit value ("8") for bitmask lists
    meaning: str
    category: Category
    sublist: str | None = None
    delisting: Delisting | None = None  # overrides the list's route (ZEN: PBL vs SBL)


class DnsblList(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
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
    extra: Mapping[str, Any] = MappingProxyType({})  # read-only: shared safely

    @property
    def queryable(self) -> bool:
        return self.status is not ListStatus.DEFUNCT and self.access is not Access.KEY

    def serves(self, kind: TargetKind) -> bool:
        return kind in self.targets
