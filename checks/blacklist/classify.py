"""Pure classification of one DNSBL answer: listed, clean, or unknown with a reason.

RFC 5782 §2.1: listed entries answer A records in 127.0.0.0/8; NXDOMAIN means "not
listed". Operators overload that range: Spamhaus answers 127.255.255.0/24 for refused
queries (SH-788, SH-807), URIBL 127.0.0.1 (URIBL-REF), SenderScore 127.255.255.255
(SSCORE), DNSWL 127.0.0.255 — all *unknown*, never listings. Allow-list codes (DNSWL,
Mailspike rep >= .14, Hostkarma white) are not listings either. An answer outside
127.0.0.0/8 is not a DNSBL answer (NXDOMAIN rewriting, hijacked zone): unknown.
"""

from __future__ import annotations

import enum
import ipaddress
from typing import NamedTuple

from audit.knowledge.dnsbl.catalog import Category, CodeMeaning, Decode, DnsblList
from audit.model import UnknownReason
from audit.net.dns import Lookup, LookupStatus

LOOPBACK_NET = ipaddress.IPv4Network("127.0.0.0/8")
MAX_TXT_RECORDS = 4
MAX_TXT_CHARS = 300
# Order of seriousness when one answer carries several codes (ZEN: SBL + PBL).
CATEGORY_RANK = {Category.ABUSE: 3, Category.REPUTATION: 2, Category.POLICY: 1, Category.ALLOW: 0}


class State(enum.StrEnum):
    LISTED = "listed"
    CLEAN = "clean"
    UNKNOWN = "unknown"


class Verdict(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    state: State
    codes: tuple[str, ...] = ()  # raw A values
    meanings: tuple[CodeMeaning, ...] = ()  # the listing meanings (allow codes excluded)
    category: Category | None = None
    txt: tuple[str, ...] = ()
    reason: UnknownReason | None = None
    detail: str = ""
    allowlisted: tuple[CodeMeaning, ...] = ()

    def to_unknown(self, reason: UnknownReason, detail: str) -> Verdict:
        return Verdict(State.UNKNOWN, self.codes, (), None, self.txt, reason, detail)


def clean_txt(lookup: Lookup | None) -> tuple[str, ...]:
    """TXT comes from whoever runs the zone: keep printable text, bounded."""
    if lookup is None or not lookup.exists:
        return ()
    cleaned = []
    for record in lookup.records[:MAX_TXT_RECORDS]:
        printable = "".join(ch if ch.isprintable() else " " for ch in record)
        cleaned.append(" ".join(printable.split())[:MAX_TXT_CHARS])
    return tuple(cleaned)


def _undocumented(entry: DnsblList, code: str) -> CodeMeaning:
    what = "undocumented return code" if entry.codes else "listed (the catalog has no code map)"
    return CodeMeaning(code, what, entry.unlisted_category)


def _error_meaning(entry: DnsblList, address: ipaddress.IPv4Address) -> str | None:
    if any(address in network for network in entry.error_codes):
        return entry.error_meanings.get(str(address), "error/refusal code")
    if entry.decode is Decode.BITMASK:
        flags = int(address) & 0xFF
        for bit, meaning in entry.error_bits.items():
            if flags & bit:
                return meaning
    return None


def _meanings(entry: DnsblList, address: ipaddress.IPv4Address) -> list[CodeMeaning]:
    if entry.decode is Decode.EXACT:
        return [entry.codes.get(str(address)) or _undocumented(entry, str(address))]
    flags = int(address) & 0xFF  # SURBL/URIBL: a sum of flags in the last octet
    found = [
        entry.codes[str(bit)]
        for bit in (2**n for n in range(8))
        if flags & bit and str(bit) in entry.codes
    ]
    unknown_bits = flags & ~sum(int(code) for code in entry.codes) & ~sum(entry.error_bits)
    if unknown_bits or not found:
        found.append(_undocumented(entry, f"{address} (flags {flags})"))
    return found


class _Decoded(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    listings: list[CodeMeaning]
    allows: list[CodeMeaning]
    errors: list[str]
    invalid: list[str]


def _decode(entry: DnsblList, codes: tuple[str, ...]) -> _Decoded:
    decoded = _Decoded([], [], [], [])
    for code in codes:
        try:
            address = ipaddress.IPv4Address(code)
        except ValueError:
            decoded.invalid.append(code)
            continue
        if address not in LOOPBACK_NET:
            decoded.invalid.append(code)
            continue
        error = _error_meaning(entry, address)
        if error is not None:
            decoded.errors.append(f"{code}: {error}")
            continue
        for meaning in _meanings(entry, address):
            target = decoded.allows if meaning.category is Category.ALLOW else decoded.listings
            target.append(meaning)
    return decoded


def _worst(meanings: list[CodeMeaning]) -> Category:
    return max((m.category for m in meanings), key=CATEGORY_RANK.__getitem__)


def classify(entry: DnsblList, a: Lookup, txt: Lookup | None = None) -> Verdict:
    """One (target, list) answer -> a three-state verdict. Pure."""
    if a.status is LookupStatus.UNKNOWN:
        return Verdict(State.UNKNOWN, reason=a.reason or UnknownReason.NETWORK, detail=a.detail)
    if a.status is not LookupStatus.ANSWER:
        return Verdict(State.CLEAN)  # NXDOMAIN (RFC 5782 §2.1) or NODATA
    codes = tuple(sorted(a.records))
    decoded = _decode(entry, codes)
    if decoded.invalid:
        # RFC 5782 §2.1: a DNSBL answers only in 127.0.0.0/8. One address outside it
        # means the answer is not the list's (NXDOMAIN rewriting, a hijacked zone), so
        # neither its listings nor its silence count.
        detail = f"answer {', '.join(decoded.invalid)} is outside 127.0.0.0/8 (RFC 5782 §2.1)"
        return Verdict(State.UNKNOWN, codes, reason=UnknownReason.MALFORMED, detail=detail)
    if decoded.listings:
        return Verdict(
            State.LISTED,
            codes,
            tuple(decoded.listings),
            _worst(decoded.listings),
            clean_txt(txt),
            allowlisted=tuple(decoded.allows),
        )
    if decoded.errors:
        detail = "; ".join(decoded.errors)
        return Verdict(
            State.UNKNOWN,
            codes,
            txt=clean_txt(txt),
            reason=UnknownReason.QUERY_REFUSED,
            detail=detail,
        )
    return Verdict(State.CLEAN, codes, allowlisted=tuple(decoded.allows))
