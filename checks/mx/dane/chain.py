"""DNSSEC validation of an RRset from configured trust anchors (RFC 4035 §5).

From the RRset's signer zone up to a trust anchor: each zone's DNSKEY RRset must hold a
key that a DS record names (RFC 4034 §5) and be signed by it; the DS RRset must be
signed by the parent zone's validated keys; the trust anchor is a DS set for one zone
(the root KSKs by default: `checks.mx.options.ROOT_ANCHORS`). Signatures and their validity
periods are checked by `dns.dnssec.validate` at the run's clock. Outcomes: secure,
unsigned (no RRSIG: an unsigned zone), no_ds (the zone is signed but its parent has no
DS: nothing anchors it), bogus (a signature or a key does not validate) or unknown (a
lookup failed). A missing DS is proven when the NODATA answer carries the parent's NSEC
at the name, signed by the parent's validated keys, whose type bitmap has NS but
neither DS nor SOA (RFC 4035 §5.4, RFC 6840 §4.4: the parent side of the cut); an NSEC
that does not validate or lists DS makes the answer bogus, and a NODATA without NSEC
stays no_ds, unproven (`Verdict.denial`). NSEC3 (RFC 5155) and the denial for unsigned
answers are not validated: an unsigned answer is reported as unsigned, not proven
insecure.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from audit.net.dns import LookupStatus
from audit.net.signed_dns import SignedAnswer, SignedResolver

ChainStatus = Literal["secure", "unsigned", "no_ds", "bogus", "unknown"]
MAX_DEPTH = 16  # zone cuts between an RRset and its anchor


DenialStatus = Literal["proven", "unproven"]


@dataclass(frozen=True)
class Verdict:
    status: ChainStatus
    detail: str = ""
    zone: str | None = None  # the zone that signed the RRset
    denial: DenialStatus | None = None  # no_ds: whether an NSEC proved the DS absent


def parse_anchors(lines: tuple[str, ...]) -> Mapping[dns.name.Name, list[dns.rdata.Rdata]]:
    """`ZONE DS key-tag alg digest-type digest` lines, by zone."""
    anchors: dict[dns.name.Name, list[dns.rdata.Rdata]] = {}
    for line in lines:
        owner, _, text = line.strip().partition(" DS ")
        rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text)
        anchors.setdefault(dns.name.from_text(owner.strip() or "."), []).append(rdata)
    return anchors


class ChainValidator:
    """Validates RRsets for one run; each zone's keys are established once."""

    def __init__(self, resolver: SignedResolver, anchors: tuple[str, ...], now: datetime):
        self.resolver = resolver
        self.anchors = parse_anchors(anchors)
        self.now = now.timestamp()
        self._zones: dict[dns.name.Name, asyncio.Future[tuple[Verdict, Any]]] = {}

    async def validate(self, answer: SignedAnswer, depth: int = 0) -> Verdict:
        if answer.status is LookupStatus.UNKNOWN:
            return Verdict("unknown", f"{answer.rdtype} of {answer.name}: {answer.detail}")
        if answer.rrset is None:
            return Verdict("unsigned", "no data to validate")
        if answer.signatures is None or not len(answer.signatures):
            return Verdict("unsigned", f"{answer.rdtype} of {answer.name} carries no RRSIG")
        signer = answer.signatures[0].signer  # type: ignore[attr-defined]
        verdict, keys = await self._zone_keys(signer, depth)
        if verdict.status != "secure":
            return dataclasses.replace(verdict, zone=signer.to_text())
        try:
            dns.dnssec.validate(answer.rrset, answer.signatures, {signer: keys}, now=self.now)
        except dns.dnssec.ValidationFailure as exc:
            return Verdict("bogus", f"{answer.rdtype} of {answer.name}: {exc}", signer.to_text())
        return Verdict("secure", "", signer.to_text())

    async def _zone_keys(self, zone: dns.name.Name, depth: int) -> tuple[Verdict, Any]:
        pending = self._zones.get(zone)
        if pending is None:
            pending = self._zones[zone] = asyncio.ensure_future(self._establish(zone, depth))
        return await asyncio.shield(pending)

    async def _ds_set(self, zone: dns.name.Name, depth: int) -> tuple[Verdict, list]:
        if zone in self.anchors:
            return Verdict("secure"), self.anchors[zone]
        if depth >= MAX_DEPTH or zone == dns.name.root:
            return Verdict("unknown", f"{zone} is under no trust anchor"), []
        ds = await self.resolver.query(zone.to_text(), "DS")
        if ds.status is LookupStatus.UNKNOWN:
            return Verdict("unknown", f"DS of {zone}: {ds.detail}"), []
        if ds.rrset is None:  # RFC 4035 §5.2: no DS, so no chain of trust to this zone
            return await self._no_ds(zone, ds, depth), []
        verdict = await self.validate(ds, depth + 1)
        return verdict, list(ds.rrset) if verdict.status == "secure" else []

    async def _no_ds(self, zone: dns.name.Name, ds: SignedAnswer, depth: int) -> Verdict:
        """The DS absence and its NSEC proof (RFC 4035 §5.4), see the module doc."""
        missing = f"{zone} is signed but its parent publishes no DS"
        if ds.denial is None:
            return Verdict("no_ds", f"{missing} (no NSEC proof was sent)", denial="unproven")
        nsec = SignedAnswer(ds.name, "NSEC", LookupStatus.ANSWER, ds.denial, ds.denial_signatures)
        verdict = await self.validate(nsec, depth + 1)
        if verdict.status != "secure":
            detail = f"the NSEC denying a DS at {zone} is {verdict.status}: {verdict.detail}"
            return Verdict("bogus", detail, verdict.zone)
        types = _bitmap_types(ds.denial[0])
        if dns.rdatatype.DS in types or dns.rdatatype.SOA in types:
            return Verdict("bogus", f"the NSEC at {zone} does not deny its DS", verdict.zone)
        if dns.rdatatype.NS not in types:  # not a delegation: the proof is off the cut
            return Verdict("bogus", f"the NSEC at {zone} shows no delegation", verdict.zone)
        proof = f"{missing} (proven by the parent's signed NSEC, RFC 4035 §5.4)"
        return Verdict("no_ds", proof, verdict.zone, denial="proven")

    async def _establish(self, zone: dns.name.Name, depth: int) -> tuple[Verdict, Any]:
        (ds_verdict, ds_set), dnskey = await asyncio.gather(
            self._ds_set(zone, depth), self.resolver.query(zone.to_text(), "DNSKEY")
        )
        if ds_verdict.status != "secure":
            return ds_verdict, None
        if dnskey.rrset is None or dnskey.signatures is None:
            if dnskey.status is LookupStatus.UNKNOWN:
                return Verdict("unknown", f"DNSKEY of {zone}: {dnskey.detail}"), None
            return Verdict("bogus", f"{zone} has a DS but no signed DNSKEY set"), None
        named = [key for key in dnskey.rrset if any(_names(zone, key, ds) for ds in ds_set)]
        if not named:
            return Verdict("bogus", f"no DNSKEY of {zone} matches its DS"), None
        anchored = dns.rrset.from_rdata_list(zone, dnskey.rrset.ttl, named)
        try:  # the DNSKEY set signed by a key the DS names (RFC 4035 §5.2)
            dns.dnssec.validate(dnskey.rrset, dnskey.signatures, {zone: anchored}, now=self.now)
        except dns.dnssec.ValidationFailure as exc:
            return Verdict("bogus", f"DNSKEY of {zone}: {exc}"), None
        return Verdict("secure"), dnskey.rrset


def _bitmap_types(nsec: dns.rdata.Rdata) -> set[int]:
    """The types an NSEC's bitmap lists (RFC 4034 §4.1.2: windows of 256 types)."""
    windows: tuple[tuple[int, bytes], ...] = nsec.windows  # type: ignore[attr-defined]
    return {
        window * 256 + index * 8 + bit
        for window, bitmap in windows
        for index, octet in enumerate(bitmap)
        for bit in range(8)
        if octet & (0x80 >> bit)
    }


def _names(zone: dns.name.Name, key: dns.rdata.Rdata, ds: dns.rdata.Rdata) -> bool:
    try:
        made = dns.dnssec.make_ds(zone, key, ds.digest_type)  # type: ignore[attr-defined]
    except (dns.dnssec.UnsupportedAlgorithm, ValueError):
        return False
    return made == ds
