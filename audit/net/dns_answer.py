"""One judgement of a DNS response into a `Lookup`, for every transport.

`DnsClient` (dnspython) and `MuxDnsClient` (hand-read wire format, bulk DNSBL runs)
both reduce a response to `Record`s and its RCODE, then call `judge_response`: the
same answer gets the same outcome whichever command asked. The transports only accept
a response to their own query (QR set, same ID and question, RFC 5452 §9.1) with
well-formed records; anything else is discarded as a spoof or garbage would be.

The judgement:
- the answer section holds the query name's CNAME chain and the data at its end
  (RFC 1034 §4.3.2); a record owned by another name, or of a type nobody asked for,
  makes the answer malformed, never "no record";
- a chain that loops or runs longer than MAX_CNAME_CHAIN is cname_loop;
- an answer beyond the bounds a run keeps is answer_too_large, never silently cut.

Record types, RCODEs and plain names are handled here by number and by hand, so the
multiplexed transport never imports dnspython (~35 ms); a type or RCODE outside the
tables, or a name with characters that need dnspython's escaping rules (RFC 4343 §2.1,
RFC 1035 §5.1), is passed to dnspython as before.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple, cast

from audit.model import UnknownReason

if TYPE_CHECKING:
    import dns.message
    import dns.name
    import dns.rdata

    from audit.model.document import LookupDocument, LookupStatusLabel

# Hostile-input bounds: a TXT answer is data from whoever controls the zone. An answer
# beyond a bound is unknown(answer_too_large), never silently cut: a cut RRset can hide
# a second SPF record (RFC 7208 §4.5) and a cut record can change its meaning.
# - Records per RRset: big domains publish TXT RRsets of 100+ records; a DNS message is
#   at most 65,535 octets (RFC 1035 §4.2.2), which holds a few thousand tiny records.
# - Characters per record: one RDATA is at most 65,535 octets (RFC 1035 §3.2.1), so a
#   record DNS can carry is kept whole; the bound guards only the decoded text.
MAX_RECORDS_PER_ANSWER = 1000
MAX_RECORD_CHARS = 65535
# dnspython follows at most 16 links; real chains are 1-3 long (CDNs).
MAX_CNAME_CHAIN = 16
# The record types queried or met beside them, by their registered numbers (RFC 1035
# §3.2.2, RFC 3596 §2.1, RFC 2782, RFC 6672 §2.1, RFC 4034, RFC 6698 §7.1).
RDATATYPES = {
    "A": 1,
    "NS": 2,
    "CNAME": 5,
    "SOA": 6,
    "PTR": 12,
    "MX": 15,
    "TXT": 16,
    "AAAA": 28,
    "SRV": 33,
    "DNAME": 39,
    "DS": 43,
    "RRSIG": 46,
    "NSEC": 47,
    "DNSKEY": 48,
    "NSEC3": 50,
    "TLSA": 52,
}
RDATATYPE_NAMES = {number: name for name, number in RDATATYPES.items()}
CNAME, TXT, DNAME, RRSIG = RDATATYPES["CNAME"], RDATATYPES["TXT"], 39, 46
# RFC 1035 §4.1.1 RCODEs.
NOERROR, SERVFAIL, NXDOMAIN, REFUSED = 0, 2, 3, 5
# Signatures ride along with the RRsets they sign (RFC 4035 §3.1.1).
ALONGSIDE = frozenset({RRSIG})
# A name whose text and wire forms are the same labels, nothing escaped (host names,
# RFC 952/1123, plus the `_` of service labels and a wildcard `*`).
PLAIN_NAME_RE = re.compile(r"[A-Za-z0-9_*-]+(?:\.[A-Za-z0-9_*-]+)*\.?|\.")
PLAIN_LABEL_RE = re.compile(rb"[A-Za-z0-9_*-]+")
MAX_LABEL_OCTETS = 63  # RFC 1035 §2.3.4
MAX_NAME_OCTETS = 255


class LookupStatus(enum.StrEnum):
    ANSWER = "answer"
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    UNKNOWN = "unknown"


class Lookup(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    """The outcome of one query. `records` hold rdata as text (TXT: decoded, joined)."""

    name: str
    rdtype: str
    status: LookupStatus
    records: tuple[str, ...] = ()
    ttl: int | None = None
    reason: UnknownReason | None = None
    detail: str = ""
    canonical_name: str | None = None
    elapsed_ms: float = 0.0

    @property
    def answered(self) -> bool:
        """True when the name's data is known (answer, NXDOMAIN or NODATA)."""
        return self.status is not LookupStatus.UNKNOWN

    @property
    def exists(self) -> bool:
        return self.status is LookupStatus.ANSWER

    def to_evidence(self) -> LookupDocument:
        evidence: LookupDocument = {
            "name": self.name,
            "type": self.rdtype,
            "status": cast("LookupStatusLabel", self.status.value),
            "records": list(self.records),
        }
        if self.ttl is not None:
            evidence["ttl"] = self.ttl
        if self.reason is not None:
            evidence["reason"] = self.reason.value
        if self.canonical_name:
            evidence["canonical_name"] = self.canonical_name
        return evidence


class Record(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    """One answer-section record as a transport read it. Names are in uncompressed,
    lowercased wire form (RFC 4343: DNS names compare case-insensitively, ASCII only),
    so a label holding a dot cannot pass for two labels."""

    owner: bytes
    rdtype: int
    ttl: int
    text: str  # A: dotted quad; TXT: the strings joined (RFC 7208 §3.3); CNAME: target
    target: bytes | None = None  # CNAME only


def unknown(name: str, rdtype: str, reason: UnknownReason, detail: str) -> Lookup:
    return Lookup(name, rdtype, LookupStatus.UNKNOWN, reason=reason, detail=detail)


def _plain_wire(name: str) -> bytes | None:
    """A plain name's lowercased wire form (RFC 4343: ASCII case folds), else None."""
    if not PLAIN_NAME_RE.fullmatch(name):
        return None
    labels = [label.encode("ascii").lower() for label in name.rstrip(".").split(".") if label]
    if any(len(label) > MAX_LABEL_OCTETS for label in labels):
        return None  # dnspython says why
    wire = b"".join(bytes([len(label)]) + label for label in labels) + b"\x00"
    return wire if len(wire) <= MAX_NAME_OCTETS else None


def name_wire(name: dns.name.Name | str) -> bytes:
    """The uncompressed, lowercased wire form of a name (relative text names are taken
    as absolute, as dnspython's `from_text` does)."""
    if isinstance(name, str):
        plain = _plain_wire(name)
        if plain is not None:
            return plain
        import dns.name

        name = dns.name.from_text(name)
    wire = name.canonicalize().to_wire()
    assert wire is not None  # to_wire without a file returns the bytes
    return wire


def _plain_text(wire: bytes) -> str | None:
    """The text of a plain wire name ("." for the root), else None."""
    labels, position = [], 0
    while position < len(wire) and wire[position]:
        end = position + 1 + wire[position]
        label = wire[position + 1 : end]
        if end >= len(wire) or not PLAIN_LABEL_RE.fullmatch(label):
            return None
        labels.append(label.decode("ascii"))
        position = end
    if position != len(wire) - 1:
        return None
    return ".".join(labels) + "."


def name_text(wire: bytes) -> str:
    plain = _plain_text(wire)
    if plain is not None:
        return plain
    import dns.name

    return dns.name.from_wire(wire, 0)[0].to_text()


def rdatatype_number(rdtype: str) -> int:
    number = RDATATYPES.get(rdtype.upper())
    if number is not None:
        return number
    import dns.rdatatype

    return int(dns.rdatatype.from_text(rdtype))


def rdatatype_name(number: int) -> str:
    name = RDATATYPE_NAMES.get(number)
    if name is not None:
        return name
    import dns.rdatatype

    return dns.rdatatype.to_text(number)  # type: ignore[arg-type]


def rcode_unknown(rcodes: Iterable[int]) -> tuple[UnknownReason, str]:
    """Why an error RCODE (RFC 1035 §4.1.1, RFC 6895 §2.3) leaves the lookup unknown."""
    codes = set(rcodes)
    if REFUSED in codes:
        return UnknownReason.REFUSED, "the nameserver refused the query (REFUSED)"
    if SERVFAIL in codes:
        return UnknownReason.SERVFAIL, "the nameserver answered SERVFAIL"
    import dns.rcode

    names = ", ".join(sorted(dns.rcode.to_text(dns.rcode.Rcode(code)) for code in codes))
    return UnknownReason.SERVFAIL, f"the nameserver answered {names}"


def judge_response(name: str, rdtype: str, rcode: int, records: Sequence[Record]) -> Lookup:
    """A response to the query `name`/`rdtype` -> its outcome. Pure."""
    if rcode == NXDOMAIN:
        return Lookup(name, rdtype, LookupStatus.NXDOMAIN)
    if rcode != NOERROR:
        return unknown(name, rdtype, *rcode_unknown([rcode]))
    return judge_answer(name, rdtype, records)


def judge_answer(name: str, rdtype: str, records: Sequence[Record]) -> Lookup:
    """A NOERROR answer section -> answer, NODATA or unknown. Pure."""
    qtype = rdatatype_number(rdtype)
    chain = _chain(name_wire(name), qtype, records)
    if chain is None:
        return unknown(
            name, rdtype, UnknownReason.CNAME_LOOP, "the CNAME chain loops or is too long to follow"
        )
    stray = _stray(chain, qtype, records)
    if stray is not None:
        return unknown(name, rdtype, UnknownReason.MALFORMED, stray)
    end = chain[-1]
    canonical_name = name_text(end) if len(chain) > 1 else None
    data = [record for record in records if record.owner == end and record.rdtype == qtype]
    if not data:
        return Lookup(name, rdtype, LookupStatus.NODATA, canonical_name=canonical_name)
    # An RRset is unordered (RFC 2181 §5) and servers rotate it: sort, so evidence and
    # reports are the same from one run to the next.
    texts = tuple(sorted(record.text for record in data))
    too_large = _too_large(texts)
    if too_large is not None:
        detail = f"the answer is larger than a run keeps: {too_large}"
        return unknown(name, rdtype, UnknownReason.ANSWER_TOO_LARGE, detail)
    ttl = min(record.ttl for record in data)  # an RRset has one TTL (RFC 2181 §5.2)
    return Lookup(name, rdtype, LookupStatus.ANSWER, texts, ttl, canonical_name=canonical_name)


def _chain(qname: bytes, qtype: int, records: Sequence[Record]) -> list[bytes] | None:
    """The query name and the CNAME targets it leads to; None when it loops."""
    cnames = {r.owner: r.target for r in records if r.rdtype == CNAME and r.target}
    owners_of_data = {r.owner for r in records if r.rdtype == qtype}
    chain = [qname]
    while qtype != CNAME and chain[-1] in cnames and chain[-1] not in owners_of_data:
        target = cnames[chain[-1]]
        if target is None or target in chain or len(chain) > MAX_CNAME_CHAIN:
            return None
        chain.append(target)
    return chain


def _stray(chain: list[bytes], qtype: int, records: Sequence[Record]) -> str | None:
    """Why the answer section holds something other than the chain and its data."""
    owners = set(chain)
    for record in records:
        if record.rdtype == DNAME and any(_below(name, record.owner) for name in chain):
            continue  # RFC 6672 §3.1: the DNAME beside the CNAME synthesised from it
        if record.owner not in owners:
            owner = name_text(record.owner)[:255]
            return f"the answer holds records for another name ({owner})"
        if record.rdtype not in (qtype, CNAME) and record.rdtype not in ALONGSIDE:
            found, wanted = rdatatype_name(record.rdtype), rdatatype_name(qtype)
            return f"the answer to a {wanted} query holds a {found} record"
    return None


def _below(name: bytes, ancestor: bytes) -> bool:
    return len(name) > len(ancestor) and name.endswith(ancestor)


def _too_large(records: Sequence[str]) -> str | None:
    """Why an answer exceeds the bounds we keep, or None when it is within them."""
    if len(records) > MAX_RECORDS_PER_ANSWER:
        return f"{len(records)} records, more than the {MAX_RECORDS_PER_ANSWER} kept"
    longest = max((len(record) for record in records), default=0)
    if longest > MAX_RECORD_CHARS:
        return f"a record of {longest} characters, more than the {MAX_RECORD_CHARS} kept"
    return None


def rdata_text(rdata: dns.rdata.Rdata) -> str:
    if rdata.rdtype == TXT:
        # RFC 7208 §3.3: the character-strings of one TXT record are concatenated.
        joined = b"".join(rdata.strings)  # type: ignore[attr-defined]
        return joined.decode("utf-8", errors="replace")
    return rdata.to_text()


def records_of(message: dns.message.Message) -> list[Record]:
    """The answer section of a dnspython message as `Record`s."""
    records = []
    for rrset in message.answer:
        owner = name_wire(rrset.name)
        for rdata in rrset:
            target = None
            if rrset.rdtype == CNAME:
                target = name_wire(rdata.target)  # type: ignore[attr-defined]
            records.append(Record(owner, rrset.rdtype, rrset.ttl, rdata_text(rdata), target))
    return records
