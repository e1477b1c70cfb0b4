"""The judgement's own name, type and RCODE handling (audit/net/dns_answer.py) agrees with
dnspython's, which it stands in for on the multiplexed path: the same wire for a name,
the same text for a wire name, the same numbers and names for types and RCODEs."""

from __future__ import annotations

import dns.exception
import dns.name
import dns.rcode
import dns.rdatatype
import pytest

from audit.net import dns_answer
from audit.net.dns_answer import name_text, name_wire, rdatatype_name, rdatatype_number

NAMES = [
    "2.0.0.127.zen.spamhaus.org",
    "2.0.0.127.ZEN.Spamhaus.ORG.",
    "_dmarc.example.test",
    "*.example.test.",
    "xn--bcher-kva.example",
    "a-b.c_d.e",
    ".",
    "a" * 63 + ".test",
    ".".join(["a" * 63] * 3) + "." + "b" * 61,  # 255 octets of wire
]
NEEDS_DNSPYTHON = [
    "a\\.b.example",  # an escaped dot: one label
    "a\\065.example",  # a decimal escape (RFC 1035 §5.1)
    'quote".example',
    "at@sign.example",
    "space here.example",
]


@pytest.mark.parametrize("name", NAMES + NEEDS_DNSPYTHON)
def test_name_wire_is_dnspythons_canonical_wire(name):
    # given a query name; when its wire form is taken; then it is dnspython's, lowercased
    assert name_wire(name) == dns.name.from_text(name).canonicalize().to_wire()


@pytest.mark.parametrize("name", NAMES + NEEDS_DNSPYTHON)
def test_name_text_is_dnspythons_text(name):
    # given a wire name (case kept); when it is written as text; then as dnspython writes it
    wire = dns.name.from_text(name).to_wire()
    assert name_text(wire) == dns.name.from_text(name).to_text()


@pytest.mark.parametrize("name", ["a..b", "a" * 64 + ".test", ".".join(["a" * 63] * 4)])
def test_a_name_dns_cannot_carry_fails_as_dnspython_fails(name):
    # given an empty, over-long label or an over-long name; then dnspython's error
    with pytest.raises(dns.exception.DNSException):
        name_wire(name)


@pytest.mark.parametrize("rdtype", [*dns_answer.RDATATYPES, "txt", "TYPE65", "HTTPS", "CAA"])
def test_type_numbers_and_names_are_dnspythons(rdtype):
    # given a type name from the table or outside it; then dnspython's number and name
    number = int(dns.rdatatype.from_text(rdtype))
    assert rdatatype_number(rdtype) == number
    assert rdatatype_name(number) == dns.rdatatype.to_text(dns.rdatatype.RdataType(number))


def test_rcodes_are_dnspythons():
    # given the RCODEs judged by number; then they are dnspython's
    assert (dns_answer.NOERROR, dns_answer.SERVFAIL, dns_answer.NXDOMAIN, dns_answer.REFUSED) == (
        dns.rcode.NOERROR,
        dns.rcode.SERVFAIL,
        dns.rcode.NXDOMAIN,
        dns.rcode.REFUSED,
    )
