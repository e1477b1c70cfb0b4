"""The proof that a signed zone's parent has no DS (RFC 4035 §5.4): the parent's signed
NSEC at the delegation, sent by the lab DNS server with a DS NODATA when DO is set.

Zones are signed by the test with dnspython (`support.signed_zones`), the parent's DS
is the trust anchor, and the validator is the mx check's (`checks.mx.dane.chain`).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from support.signed_zones import SignedTree

from audit.net.dns import DnsClient, Nameserver
from audit.net.signed_dns import SignedResolver
from checks.mx.dane.chain import ChainValidator, Verdict

PARENT = "denial.test"
CHILD = f"nods.{PARENT}"


def tree() -> SignedTree:
    signed = SignedTree(PARENT)
    signed.child("nods", "@ MX 10 mx\nmx A 127.0.0.1\n", ds=False)
    signed.child("good", "@ MX 10 mx\nmx A 127.0.0.1\n")
    return signed


def validate_mx(dns_server, zones: dict[str, str], anchor: str) -> Verdict:
    nameserver = dns_server(zones=zones).nameserver

    async def go() -> Verdict:
        client = DnsClient([Nameserver.parse(nameserver)], timeout=1.0, retries=0)
        resolver = SignedResolver(client)
        validator = ChainValidator(resolver, (anchor,), datetime.now(UTC))
        return await validator.validate(await resolver.query(CHILD, "MX"))

    return asyncio.run(go())


def parent_lines(zones: dict[str, str], keep) -> dict[str, str]:
    lines = [line for line in zones[PARENT].splitlines() if keep(line)]
    return {**zones, PARENT: "\n".join(lines) + "\n"}


def nsec_at_child(line: str) -> bool:
    return line.startswith(f"{CHILD}. ") and " NSEC " in line


def test_a_missing_ds_is_proven_by_the_parents_signed_nsec(dns_server):
    """Given a signed child without DS under a signed parent, when its MX is validated,
    then it is no_ds, and the parent's NSEC (NS, no DS) proved the DS absent."""
    signed = tree()
    verdict = validate_mx(dns_server, signed.zones(), signed.anchor)
    assert (verdict.status, verdict.denial) == ("no_ds", "proven")


def test_an_nsec_whose_signature_fails_makes_the_answer_bogus(dns_server):
    """Given the parent's NSEC at the delegation altered after signing (DS added to its
    bitmap), then the denial does not validate: bogus, not merely unanchored."""
    signed = tree()
    zones = signed.zones()
    text = re.sub(
        rf"^({re.escape(CHILD)}\. \d+ IN NSEC \S+ NS) ", r"\1 DS ", zones[PARENT], flags=re.M
    )
    assert text != zones[PARENT]
    verdict = validate_mx(dns_server, {**zones, PARENT: text}, signed.anchor)
    assert verdict.status == "bogus"


def test_a_ds_nodata_without_nsec_stays_no_ds_unproven(dns_server):
    """Given a parent that sends no NSEC with the DS NODATA, then the zone is no_ds as
    before, marked unproven."""
    signed = tree()
    zones = parent_lines(signed.zones(), lambda line: not nsec_at_child(line))
    verdict = validate_mx(dns_server, zones, signed.anchor)
    assert (verdict.status, verdict.denial) == ("no_ds", "unproven")


def test_a_child_with_a_ds_needs_no_denial(dns_server):
    signed = tree()
    nameserver = dns_server(zones=signed.zones()).nameserver

    async def go() -> Verdict:
        client = DnsClient([Nameserver.parse(nameserver)], timeout=1.0, retries=0)
        resolver = SignedResolver(client)
        validator = ChainValidator(resolver, (signed.anchor,), datetime.now(UTC))
        return await validator.validate(await resolver.query(f"good.{PARENT}", "MX"))

    verdict = asyncio.run(go())
    assert (verdict.status, verdict.denial) == ("secure", None)
