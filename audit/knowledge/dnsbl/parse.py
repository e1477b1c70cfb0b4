"""Validation of one `[[lists]]` table into a `DnsblList` (every rule in one place).

Rules: zones are lowercase host names; codes are 127.0.0.0/8 addresses (RFC 5782 §2.1)
or, for bitmask lists, powers of two; every active list names its operator, impact,
delisting route and sources; links are https; defunct lists carry their end date.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from types import MappingProxyType
from typing import Any

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

ZONE_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
LOOPBACK_NET = ipaddress.IPv4Network("127.0.0.0/8")
ENDED_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DELISTING_METHODS = frozenset({"self-service", "manual", "automatic", "provider-only", "none"})

# RFC 5782 §5: IPv4 lists list 127.0.0.2 and not 127.0.0.1; domain lists list TEST and
# not INVALID. A list may override (DBL documents dbltest.com) or drop the positive point.
DEFAULT_TEST_POINTS = {
    "ipv4": (("127.0.0.2",), ("127.0.0.1",)),
    "ipv6": (("::ffff:7f00:2",), ("::ffff:7f00:1",)),
    "domain": (("test",), ("invalid",)),
}


class CatalogError(ValueError):
    """A catalog entry is malformed (shipped data bug, or a user's --lists file)."""


def _require(raw: dict[str, Any], key: str, source: str) -> Any:
    if key not in raw:
        raise CatalogError(f"{source}: missing '{key}'")
    return raw[key]


def _text(raw: dict[str, Any], key: str, source: str, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{source}: '{key}' must be a non-empty string")
    return value.strip()


def _strings(raw: dict[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CatalogError(f"{source}: '{key}' must be a list of strings")
    return tuple(value)


def validate_zone(zone: str, source: str) -> str:
    normalized = zone.strip().lower().rstrip(".")
    if not ZONE_RE.match(normalized):
        raise CatalogError(f"{source}: invalid zone {zone!r}")
    return normalized


def _https(url: str, source: str) -> str:
    if not url.startswith("https://"):
        raise CatalogError(f"{source}: links must be https:// URLs, got {url!r}")
    return url


def parse_delisting(raw: object, source: str) -> Delisting:

    if not isinstance(raw, dict):
        raise CatalogError(f"{source}: delisting must be a table")
    method = _text(raw, "method", source)
    if method not in DELISTING_METHODS:
        raise CatalogError(f"{source}: delisting method must be one of {sorted(DELISTING_METHODS)}")
    steps = _strings(raw, "steps", source)
    if not steps:
        raise CatalogError(f"{source}: delisting needs at least one step")
    url = raw.get("url")
    return Delisting(
        method=method,
        summary=_text(raw, "summary", source),
        steps=steps,
        url=_https(url, source) if url else None,
        expiry=raw.get("expiry"),
        fee=raw.get("fee"),
    )


def _code_key(code: str, bitmask: bool, source: str) -> str:
    if bitmask:
        if not code.isdigit() or int(code) not in {2**n for n in range(8)}:
            raise CatalogError(f"{source}: bitmask code {code!r} must be a power of two < 256")
        return str(int(code))
    try:
        address = ipaddress.IPv4Address(code)
    except ValueError:
        raise CatalogError(f"{source}: return code {code!r} is not an IPv4 address") from None
    if address not in LOOPBACK_NET:
        raise CatalogError(f"{source}: return code {code} is outside 127.0.0.0/8 (RFC 5782 §2.1)")
    return str(address)


def parse_codes(raw: object, bitmask: bool, source: str) -> dict[str, CodeMeaning]:

    if not isinstance(raw, dict):
        raise CatalogError(f"{source}: codes must be a table")
    codes: dict[str, CodeMeaning] = {}
    for code, entry in raw.items():
        where = f"{source}.codes.{code}"
        if not isinstance(entry, dict):
            raise CatalogError(f"{where}: must be a table")
        key = _code_key(code, bitmask, where)
        try:
            category = Category(_text(entry, "category", where))
        except ValueError:
            raise CatalogError(f"{where}: unknown category") from None
        delisting = entry.get("delisting")
        codes[key] = CodeMeaning(
            code=key,
            meaning=_text(entry, "meaning", where),
            category=category,
            sublist=entry.get("sublist"),
            delisting=parse_delisting(delisting, where) if delisting else None,
        )
    return codes


def _error_networks(raw: dict[str, Any], source: str) -> tuple[ipaddress.IPv4Network, ...]:
    networks = []
    for text in _strings(raw, "error_codes", source):
        try:
            network = ipaddress.IPv4Network(text)
        except ValueError:
            raise CatalogError(f"{source}: bad error code {text!r}") from None
        if not network.subnet_of(LOOPBACK_NET):
            raise CatalogError(f"{source}: error code {text} is outside 127.0.0.0/8")
        networks.append(network)
    return tuple(networks)


def _test_points(raw: dict[str, Any], kinds: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    first = "domain" if "domain" in kinds else ("ipv4" if "ipv4" in kinds else "ipv6")
    listed, unlisted = DEFAULT_TEST_POINTS[first]
    return (
        tuple(raw.get("test_listed", listed)),
        tuple(raw.get("test_unlisted", unlisted)),
    )


def _ended(raw: dict[str, Any], defunct: bool, source: str) -> str | None:
    """End date of a defunct list: a TOML date, "YYYY", "YYYY-MM", or "unknown" (with a
    note): the facts file does not always give the day, and inventing one would lie."""
    ended = raw.get("ended")
    if ended is None and not defunct:
        return None
    if isinstance(ended, date):
        return ended.isoformat()
    if isinstance(ended, str) and (
        ENDED_RE.match(ended) or (ended == "unknown" and raw.get("note"))
    ):
        return ended
    raise CatalogError(
        f"{source}: a defunct list needs 'ended' (date, YYYY, YYYY-MM, or unknown + note)"
    )


def _enum(cls: Any, raw: dict[str, Any], key: str, source: str, default: str | None = None) -> Any:
    value = raw.get(key, default)
    try:
        return cls(value)
    except ValueError:
        raise CatalogError(f"{source}: '{key}' has invalid value {value!r}") from None


def parse_list(raw: object, source: str) -> DnsblList:

    if not isinstance(raw, dict):
        raise CatalogError(f"{source}: each [[lists]] entry must be a table")
    list_id = _text(raw, "id", source)
    if not ID_RE.match(list_id):
        raise CatalogError(f"{source}: id {list_id!r} must be lowercase letters, digits, '-'")
    source = f"{source}({list_id})"
    status = _enum(ListStatus, raw, "status", source, "active")
    kinds = frozenset(
        _enum(TargetKind, {"t": t}, "t", source) for t in _strings(raw, "targets", source)
    )
    if not kinds:
        raise CatalogError(f"{source}: 'targets' must name ipv4, ipv6 and/or domain")
    decode = _enum(Decode, raw, "decode", source, "exact")
    codes = parse_codes(raw.get("codes", {}), decode is Decode.BITMASK, source)
    delisting_raw = raw.get("delisting")
    if status is not ListStatus.DEFUNCT and not delisting_raw:
        raise CatalogError(f"{source}: an active list needs a [delisting] route")
    ended = _ended(raw, status is ListStatus.DEFUNCT, source)
    listed, unlisted = _test_points(raw, frozenset(k.value for k in kinds))
    dqs_zone = raw.get("dqs_zone")
    entry = DnsblList(
        id=list_id,
        name=_text(raw, "name", source),
        operator=_text(raw, "operator", source),
        provider=_text(raw, "provider", source),
        zone=validate_zone(_text(raw, "zone", source), source),
        targets=kinds,
        impact=_enum(Impact, raw, "impact", source, "low"),
        status=status,
        access=_enum(Access, raw, "access", source, "free"),
        default=bool(raw.get("default", False)),
        blocks_public_resolvers=bool(raw.get("blocks_public_resolvers", False)),
        txt=bool(raw.get("txt", True)),
        decode=decode,
        codes=MappingProxyType(codes),
        error_codes=_error_networks(raw, source),
        error_meanings=MappingProxyType(dict(raw.get("error_meanings", {}))),
        error_bits=MappingProxyType({int(k): str(v) for k, v in raw.get("error_bits", {}).items()}),
        test_listed=listed,
        test_unlisted=unlisted,
        delisting=parse_delisting(delisting_raw, source) if delisting_raw else None,
        sources=_strings(raw, "sources", source),
        dqs_zone=validate_zone(dqs_zone, source) if dqs_zone else None,
        ended=ended,
        note=str(raw.get("note", "")).strip(),
        unlisted_category=_enum(Category, raw, "unlisted_category", source, "abuse"),
    )
    _check_consistency(entry, source)
    return entry


def _check_consistency(entry: DnsblList, source: str) -> None:

    if entry.status is ListStatus.DEFUNCT:
        return
    if not entry.sources:
        raise CatalogError(f"{source}: an active list needs 'sources'")
    if entry.decode is Decode.BITMASK and not entry.codes:
        raise CatalogError(f"{source}: a bitmask list needs its bits under [codes]")
    for code in entry.codes:
        if entry.decode is Decode.EXACT and any(
            ipaddress.IPv4Address(code) in network for network in entry.error_codes
        ):
            raise CatalogError(f"{source}: code {code} is also an error code")
