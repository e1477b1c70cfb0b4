"""Signed DNS answers: an RRset with the RRSIGs that cover it, for DNSSEC validation.

`DnsClient.query` returns record texts; DNSSEC needs the wire RRsets and their
signatures. A query here sets the DO bit (RFC 4035 §3.2.1) and CD (RFC 4035 §3.2.2:
a validating resolver then hands over bogus data too, so that *we* can say it is bogus
rather than see a SERVFAIL), over UDP with TCP fallback (RFC 7766), to the run's
nameservers with the run's timeout. One `SignedResolver` per check run caches each
(name, type) once, as `DnsClient` does; every lookup is also logged in the client's
`lookups` for the evidence appendix.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from audit.model import UnknownReason
from audit.net.dns import MAX_LOGGED_LOOKUPS, DnsClient, Lookup, LookupStatus

EDNS_PAYLOAD = 1232  # DNS flag day 2020


@dataclass(frozen=True)
class SignedAnswer:
    name: str
    rdtype: str
    status: LookupStatus
    rrset: dns.rrset.RRset | None = None
    signatures: dns.rrset.RRset | None = None  # the RRSIGs covering `rrset`
    reason: UnknownReason | None = None
    detail: str = ""
    # NODATA: the NSEC at the name from the authority section, and its RRSIGs (RFC 4035
    # §3.1.3.1): what proves the type absent, for the validator to check.
    denial: dns.rrset.RRset | None = None
    denial_signatures: dns.rrset.RRset | None = None

    @property
    def records(self) -> tuple[str, ...]:
        return tuple(rdata.to_text() for rdata in self.rrset) if self.rrset else ()


def _answer(name: str, rdtype: str, response: dns.message.Message) -> SignedAnswer:
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return SignedAnswer(name, rdtype, LookupStatus.NXDOMAIN)
    if rcode != dns.rcode.NOERROR:
        reason = UnknownReason.SERVFAIL if rcode == dns.rcode.SERVFAIL else UnknownReason.REFUSED
        return SignedAnswer(
            name, rdtype, LookupStatus.UNKNOWN, reason=reason, detail=dns.rcode.to_text(rcode)
        )
    owner, kind = dns.name.from_text(name), dns.rdatatype.from_text(rdtype)
    rrset = _find(response.answer, owner, kind)
    if rrset is None:
        nsec = dns.rdatatype.NSEC
        denial, proof = (
            _find(response.authority, owner, nsec),
            _signatures(response.authority, owner, nsec),
        )
        return SignedAnswer(
            name, rdtype, LookupStatus.NODATA, denial=denial, denial_signatures=proof
        )
    signatures = _signatures(response.answer, owner, kind)
    return SignedAnswer(name, rdtype, LookupStatus.ANSWER, rrset, signatures)


def _find(
    section: list[dns.rrset.RRset], owner: dns.name.Name, kind: int
) -> dns.rrset.RRset | None:
    return next((r for r in section if r.name == owner and r.rdtype == kind), None)


def _signatures(
    section: list[dns.rrset.RRset], owner: dns.name.Name, kind: int
) -> dns.rrset.RRset | None:
    covering = (r for r in section if r.name == owner and r.rdtype == dns.rdatatype.RRSIG)
    return next((r for r in covering if r.covers == kind), None)


class SignedResolver:
    """Signed lookups through the run's nameservers, each asked once per run."""

    def __init__(self, client: DnsClient) -> None:
        self.client = client
        self._cache: dict[tuple[str, str], asyncio.Future[SignedAnswer]] = {}

    async def query(self, name: str, rdtype: str) -> SignedAnswer:
        key = (name.lower().rstrip(".") + ".", rdtype.upper())
        pending = self._cache.get(key)
        if pending is None:
            pending = self._cache[key] = asyncio.ensure_future(self._resolve(*key))
        return await asyncio.shield(pending)

    async def _resolve(self, name: str, rdtype: str) -> SignedAnswer:
        query = dns.message.make_query(
            name, rdtype, want_dnssec=True, use_edns=0, payload=EDNS_PAYLOAD
        )
        query.flags |= dns.flags.CD
        answer = SignedAnswer(
            name,
            rdtype,
            LookupStatus.UNKNOWN,
            reason=UnknownReason.NETWORK,
            detail="no nameserver could be reached",
        )
        for nameserver in self.client.nameservers:
            try:
                response, _ = await dns.asyncquery.udp_with_fallback(
                    query, nameserver.host, timeout=self.client.timeout, port=nameserver.port
                )
            except dns.exception.Timeout:
                answer = SignedAnswer(
                    name,
                    rdtype,
                    LookupStatus.UNKNOWN,
                    reason=UnknownReason.TIMEOUT,
                    detail=f"no answer within {self.client.timeout:g}s",
                )
                continue
            except (dns.exception.DNSException, OSError) as exc:
                answer = SignedAnswer(
                    name,
                    rdtype,
                    LookupStatus.UNKNOWN,
                    reason=UnknownReason.MALFORMED,
                    detail=f"{type(exc).__name__}: {exc}"[:300],
                )
                continue
            answer = _answer(name, rdtype, response)
            if answer.status is not LookupStatus.UNKNOWN:
                break
        if len(self.client.lookups) < MAX_LOGGED_LOOKUPS:
            self.client.lookups.append(
                Lookup(
                    name,
                    rdtype,
                    answer.status,
                    answer.records,
                    reason=answer.reason,
                    detail=answer.detail,
                )
            )
        return answer
