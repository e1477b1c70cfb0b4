"""DNSSEC-signed fixture zones, made by the test with dnspython (`dns.dnssec.sign_zone`),
for the lab DNS server (which sends RRSIGs when a query sets DO).

`SignedTree(parent)` holds one parent zone with its own key (the test's trust anchor is
its DS) and child zones: signed with a DS in the parent (secure), signed without a DS
(no chain of trust), signed with signatures already expired (bogus), or unsigned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import dns.dnssec
import dns.name
import dns.rdatatype
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n@ 300 IN NS ns.{0}.\n"
NOW = dt.datetime.now(dt.UTC)
ALGORITHM = dns.dnssec.Algorithm.ECDSAP256SHA256


@dataclass
class Key:
    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def dnskey(self) -> dns.rdata.Rdata:
        return dns.dnssec.make_dnskey(self.private.public_key(), ALGORITHM, flags=257)

    def ds(self, zone: str) -> str:
        return dns.dnssec.make_ds(dns.name.from_text(zone), self.dnskey, "SHA256").to_text()


def signed_text(
    origin: str, body: str, key: Key, inception: dt.datetime, expiration: dt.datetime
) -> str:
    zone = dns.zone.from_text(SOA.format(origin) + body, origin=origin, relativize=False)
    with zone.writer() as txn:
        dns.dnssec.sign_zone(
            zone, txn, keys=[(key.private, key.dnskey)], inception=inception, expiration=expiration
        )
    return zone.to_text(relativize=False)


@dataclass
class SignedTree:
    parent: str
    key: Key = field(default_factory=Key)
    children: dict[str, str] = field(default_factory=dict)  # origin -> zone text
    delegations: list[str] = field(default_factory=list)  # parent lines (NS, DS)

    @property
    def anchor(self) -> str:
        """The trust anchor for `MxOptions.trust_anchors`: the parent's DS."""
        return f"{self.parent}. DS {self.key.ds(self.parent)}"

    def child(
        self, label: str, body: str, *, ds: bool = True, expired: bool = False, signed: bool = True
    ) -> str:
        origin = f"{label}.{self.parent}"
        # The delegation (RFC 4035 §2.4): the parent's NSEC there proves a missing DS.
        self.delegations.append(f"{label} 300 IN NS ns.{origin}.")
        if not signed:
            self.children[origin] = SOA.format(origin) + body
            return origin
        key = Key()
        start, end = (NOW - 30 * DAY, NOW - DAY) if expired else (NOW - DAY, NOW + 30 * DAY)
        self.children[origin] = signed_text(origin, body, key, start, end)
        if ds:
            self.delegations.append(f"{label} 300 IN DS {key.ds(origin)}")
        return origin

    def zones(self) -> dict[str, str]:
        parent_body = "".join(f"{line}\n" for line in self.delegations)
        parent = signed_text(self.parent, parent_body, self.key, NOW - DAY, NOW + 30 * DAY)
        return {self.parent: parent, **self.children}


DAY = dt.timedelta(days=1)
