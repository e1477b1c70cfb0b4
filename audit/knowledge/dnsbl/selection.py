"""Which lists one run queries: `--lists default|all|FILE`, `--dnsbl`, and Spamhaus DQS.

A `SelectedList` pairs a catalog entry with the zone actually queried. With a DQS key
the Spamhaus zones become `<key>.<zone>.dq.spamhaus.net` (Spamhaus DQS docs,
SH-DQS-Q); the key then lives only in `query_zone`, and everything shown to users uses
`display_zone`. Defunct lists are never selected, whatever the user asks.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from audit.knowledge.dnsbl.catalog import (
    Access,
    Catalog,
    CatalogError,
    Category,
    Decode,
    DnsblList,
    Impact,
    ListStatus,
    TargetKind,
    load_catalog_text,
)
from audit.knowledge.dnsbl.parse import DEFAULT_TEST_POINTS, validate_zone

# Spamhaus DQS keys are 26 characters [a-z0-9]; accept any single DNS label of 16-63
# letters and digits, so a key format change does not lock users out.
DQS_KEY_RE = re.compile(r"^[A-Za-z0-9]{16,63}$")
KEY_PLACEHOLDER = "<key>"
MAX_LIST_FILE_BYTES = 1_000_000


class SelectedList(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    entry: DnsblList
    query_zone: str  # may embed a secret key: never rendered, never logged
    display_zone: str
    via_dqs: bool = False

    @property
    def refused_by_public_resolvers(self) -> bool:
        return self.entry.blocks_public_resolvers and not self.via_dqs


class Skipped(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    zone: str
    list_id: str
    reason: str


class Selection(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    lists: tuple[SelectedList, ...]
    skipped: tuple[Skipped, ...]
    secrets: tuple[str, ...] = ()  # keys to redact from every output

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = re.sub(re.escape(secret), KEY_PLACEHOLDER, text, flags=re.IGNORECASE)
        return text


def validate_dqs_key(key: str) -> str:
    """The key itself is never echoed back, not even in the error."""
    if not DQS_KEY_RE.match(key.strip()):
        raise CatalogError(
            "invalid Spamhaus DQS key: expected the key from the Spamhaus DQS portal "
            "(letters and digits only)"
        )
    return key.strip()


def custom_list(zone: str, kind: str) -> DnsblList:
    """A list the catalog does not know: any 127.0.0.0/8 answer is a listing."""
    targets = (
        frozenset({TargetKind.DOMAIN})
        if kind == "domain"
        else frozenset({TargetKind.IPV4, TargetKind.IPV6})
    )
    listed, unlisted = DEFAULT_TEST_POINTS["domain" if kind == "domain" else "ipv4"]
    return DnsblList(
        id=f"custom:{zone}",
        name=zone,
        operator="unknown (custom list)",
        provider="custom",
        zone=zone,
        targets=targets,
        impact=Impact.MEDIUM,
        status=ListStatus.ACTIVE,
        access=Access.FREE,
        default=False,
        blocks_public_resolvers=False,
        txt=True,
        decode=Decode.EXACT,
        codes=MappingProxyType({}),
        error_codes=(),
        error_meanings=MappingProxyType({}),
        error_bits=MappingProxyType({}),
        test_listed=listed,
        test_unlisted=unlisted,
        delisting=None,
        sources=(),
        custom=True,
        unlisted_category=Category.ABUSE,
    )


def _plain(entry: DnsblList) -> SelectedList:
    return SelectedList(entry, entry.zone, entry.zone)


def _with_dqs(entry: DnsblList, key: str) -> SelectedList:
    assert entry.dqs_zone is not None
    return SelectedList(
        entry, f"{key}.{entry.dqs_zone}", f"{KEY_PLACEHOLDER}.{entry.dqs_zone}", via_dqs=True
    )


def _why_not(entry: DnsblList, dqs_key: str | None) -> str | None:
    if entry.status is ListStatus.DEFUNCT:
        return f"defunct since {entry.ended}: never queried"
    if entry.access is Access.KEY:
        return f"needs an API key: add it with --dnsbl KEY.{entry.zone}"
    if entry.access is Access.DQS and not dqs_key:
        return "only available through Spamhaus DQS: pass --spamhaus-dqs-key"
    return None


def _resolve_entry(entry: DnsblList, dqs_key: str | None) -> SelectedList:
    if dqs_key and entry.dqs_zone:
        return _with_dqs(entry, dqs_key)
    return _plain(entry)


# Spamhaus DQS zones carry the customer's key as their first label:
# KEY.zen.dq.spamhaus.net (Spamhaus DQS documentation). Any zone under these suffixes is
# keyed, also one the catalog does not list, so its first label is redacted everywhere.
KEYED_SUFFIXES = (".dq.spamhaus.net", ".dq.spamhaus.com")


class _KeyedZone(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    entry: DnsblList
    key: str
    via_dqs: bool


def _keyed(catalog: Catalog, zone: str) -> _KeyedZone | None:
    """`KEY.combined.mail.abusix.zone` (a key-access list) or `KEY.zen.dq.spamhaus.net`
    (a DQS zone given with --dnsbl instead of --spamhaus-dqs-key): the list and its key."""
    key, _, rest = zone.partition(".")
    if not key or not rest:
        return None
    for entry in catalog.lists:
        if entry.access is Access.KEY and entry.zone == rest:
            return _KeyedZone(entry, key, via_dqs=False)
        if entry.dqs_zone == rest:
            return _KeyedZone(entry, key, via_dqs=True)
    return None


def _unknown_keyed_zone(zone: str) -> tuple[str, str] | None:
    """(key, zone without the key) for a zone under a keyed suffix the catalog lacks."""
    key, _, rest = zone.partition(".")
    under_suffix = any(f".{rest}".endswith(suffix) for suffix in KEYED_SUFFIXES)
    # KEY.LIST.dq.spamhaus.net holds a key; LIST.dq.spamhaus.net alone does not.
    if rest and under_suffix and f".{rest}" not in KEYED_SUFFIXES:
        return key, rest
    return None


class _Builder:
    def __init__(self, catalog: Catalog, dqs_key: str | None) -> None:
        self.catalog = catalog
        self.dqs_key = dqs_key
        self.chosen: dict[str, SelectedList] = {}
        self.skipped: dict[str, Skipped] = {}
        self.secrets: list[str] = [dqs_key] if dqs_key else []

    def add_entry(self, entry: DnsblList) -> None:
        reason = _why_not(entry, self.dqs_key)
        if reason is not None:
            self.skipped.setdefault(entry.zone, Skipped(entry.zone, entry.id, reason))
            return
        self.chosen.setdefault(entry.id, _resolve_entry(entry, self.dqs_key))

    def add_spec(self, spec: str, source: str = "--dnsbl") -> None:
        """`ID`, `ZONE`, or `ZONE:ip|domain` (the `--dnsbl` syntax); `source` names where
        it came from in errors (`--dnsbl`, or a lists file and line)."""
        zone_text, _, kind = spec.strip().partition(":")
        if kind not in ("", "ip", "domain"):
            message = f"{source}: invalid list {spec!r}: the kind after ':' is ip or domain"
            raise CatalogError(message)
        known = self.catalog.get(zone_text)
        if known is not None:
            self.add_entry(known)
            return
        zone = validate_zone(zone_text, source)
        keyed = _keyed(self.catalog, zone)
        if keyed is not None:
            self.secrets.append(keyed.key)
            shown = keyed.entry.dqs_zone if keyed.via_dqs else keyed.entry.zone
            display = f"{KEY_PLACEHOLDER}.{shown}"
            selected = SelectedList(keyed.entry, zone, display, via_dqs=keyed.via_dqs)
            self.chosen.setdefault(keyed.entry.id, selected)
            return
        unknown_keyed = _unknown_keyed_zone(zone)
        if unknown_keyed is not None:
            key, rest = unknown_keyed
            self.secrets.append(key)
            display = f"{KEY_PLACEHOLDER}.{rest}"
            entry = custom_list(display, kind or "ip")
            self.chosen.setdefault(entry.id, SelectedList(entry, zone, display))
            return
        self.chosen.setdefault(f"custom:{zone}", _plain(custom_list(zone, kind or "ip")))

    def build(self) -> Selection:
        lists = tuple(sorted(self.chosen.values(), key=lambda s: s.entry.id))
        skipped = tuple(sorted(self.skipped.values(), key=lambda s: s.zone))
        return Selection(lists, skipped, tuple(self.secrets))


def _base_entries(catalog: Catalog, lists: str, dqs_key: str | None) -> list[DnsblList]:
    if lists == "default":
        chosen = [e for e in catalog.lists if e.default and e.status is ListStatus.ACTIVE]
        # DQS-only Spamhaus lists join the default set when the user has a key.
        if dqs_key:
            chosen += [e for e in catalog.lists if e.access is Access.DQS]
        return chosen
    if lists == "all":
        return [e for e in catalog.lists if e.status is not ListStatus.DEFUNCT]
    return []


def _read_list_file(path: Path) -> str:
    """The file's text: at most MAX_LIST_FILE_BYTES of UTF-8 without NUL bytes (a binary
    file is refused here, not parsed line by line into nonsense zones)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_LIST_FILE_BYTES + 1)
    except OSError as exc:
        raise CatalogError(f"--lists {path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_LIST_FILE_BYTES:
        raise CatalogError(f"--lists {path}: larger than {MAX_LIST_FILE_BYTES} bytes")
    if b"\x00" in data:
        raise CatalogError(f"--lists {path}: binary data, not a catalog or a list of zones")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogError(f"--lists {path}: not UTF-8 text") from None


def _from_file(builder: _Builder, path: Path) -> None:
    """A `.toml` file holds catalog entries (same schema); any other file one ID, ZONE or
    ZONE:ip|domain per line, `#` comments allowed."""
    text = _read_list_file(path)
    if path.suffix.lower() == ".toml":
        for entry in load_catalog_text(text, str(path)):
            others = [e for e in builder.catalog.lists if entry.id != e.id and entry.zone != e.zone]
            builder.catalog = Catalog((*others, entry))
            builder.add_entry(entry)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        spec = line.split("#", 1)[0].strip()
        if spec:
            builder.add_spec(spec, f"--lists {path} line {number}")


def select_lists(
    catalog: Catalog,
    lists: str = "default",
    custom: tuple[str, ...] = (),
    dqs_key: str | None = None,
) -> Selection:
    """Resolve the options into the lists to query. Raises CatalogError on bad input."""
    key = validate_dqs_key(dqs_key) if dqs_key else None
    builder = _Builder(catalog, key)
    for entry in _base_entries(catalog, lists, key):
        builder.add_entry(entry)
    if lists not in ("default", "all"):
        _from_file(builder, Path(lists))
    for spec in custom:
        builder.add_spec(spec)
    selection = builder.build()
    if not selection.lists:
        raise CatalogError(_nothing_selected(lists, selection.skipped))
    return selection


def _nothing_selected(lists: str, skipped: tuple[Skipped, ...]) -> str:
    """A run that would query no list is a usage error, not an empty (clean) result."""
    why = "; ".join(f"{s.list_id}: {s.reason}" for s in skipped[:3])
    more = f" (skipped {why}{'; ...' if len(skipped) > 3 else ''})" if skipped else ""
    return f"no list selected: neither --lists {lists} nor --dnsbl names a list to query{more}"
