"""DNSSEC and DANE (RFC 4035, RFC 7672, RFC 6698) end to end: DNSSEC-signed fixture zones
made by the test (tests/support/signed_zones.py) served by the lab DNS server, the
test's own trust anchor (the parent zone's DS), and TLSA records that match or do not
match the certificate a real Postfix on loopback presents. Skipped without Postfix
unless MAILHYGIENE_REQUIRE_POSTFIX=1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from support.mxlab import codes, run_mx
from support.postfix_tls import TlsPostfix, start_tls_postfix, stop_tls_postfix
from support.signed_zones import SignedTree
from support.tlslab import Issued, TestPki

from checks.mx.dane.tlsa import association

PARENT = "dnssec.test"
LABELS = ("good", "mismatch", "expired", "nods", "plain", "pkix", "norpt")

pytestmark = pytest.mark.postfix


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> TestPki:
    folder = tmp_path_factory.mktemp("dane-pki")
    folder.chmod(0o755)
    return TestPki(folder)


@pytest.fixture(scope="module")
def issued(pki: TestPki) -> Issued:
    return pki.issue("dane-valid", tuple(f"mx.{label}.{PARENT}" for label in LABELS))


@pytest.fixture(scope="module")
def postfix(issued: Issued) -> Iterator[TlsPostfix]:
    instance = start_tls_postfix({"valid": issued})
    yield instance
    stop_tls_postfix(instance)


@pytest.fixture(scope="module")
def tree(issued: Issued) -> SignedTree:
    der = x509.load_pem_x509_certificate(issued.cert.read_bytes()).public_bytes(Encoding.DER)
    good = f"3 1 1 {association(der, 1, 1)}"
    other = f"3 1 1 {'ab' * 32}"
    pkix = f"1 1 1 {association(der, 1, 1)}"
    rpt = '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@example.test"\n'

    def body(tlsa: str, with_rpt: bool = True) -> str:
        return f"@ MX 10 mx\nmx A 127.0.0.1\n_25._tcp.mx TLSA {tlsa}\n" + (rpt if with_rpt else "")

    signed = SignedTree(PARENT)
    signed.child("good", body(good))
    signed.child("mismatch", body(other))
    signed.child("expired", body(good), expired=True)
    signed.child("nods", body(good), ds=False)
    signed.child("plain", body(good), signed=False)
    signed.child("pkix", body(pkix))
    signed.child("norpt", body(good, with_rpt=False))
    return signed


def run_dane(dns_server, tree: SignedTree, postfix: TlsPostfix, pki: TestPki, label: str):
    server = dns_server(zones=tree.zones())
    domain = f"{label}.{PARENT}"
    return run_mx(
        server.nameserver,
        domain,
        smtp_hosts=[f"mx.{domain}:{postfix.ports['valid']}"],
        ca_file=str(pki.ca_file),
        trust_anchors=(tree.anchor,),
    )


def dane_codes(result) -> dict[str, str]:
    return {c: s for c, s in codes(result).items() if c.startswith(("MX_DANE", "MX_DNSSEC"))}


def test_tlsa_matching_the_postfix_certificate_in_a_secure_zone(dns_server, tree, postfix, pki):
    result = run_dane(dns_server, tree, postfix, pki, "good")
    dnssec = result.evidence["dnssec"]
    assert dnssec["domain"]["status"] == "secure"
    assert dnssec["hosts"][0]["dnssec"]["status"] == "secure"
    assert dnssec["hosts"][0]["matched"] is True
    assert dane_codes(result) == {}
    assert "MX_TLSRPT_MISSING" not in codes(result)


def test_tlsa_that_does_not_match_the_certificate_is_critical(dns_server, tree, postfix, pki):
    result = run_dane(dns_server, tree, postfix, pki, "mismatch")
    assert result.evidence["dnssec"]["hosts"][0]["matched"] is False
    assert dane_codes(result) == {"MX_DANE_TLSA_MISMATCH": "critical"}


def test_expired_signatures_are_bogus(dns_server, tree, postfix, pki):
    result = run_dane(dns_server, tree, postfix, pki, "expired")
    assert result.evidence["dnssec"]["domain"]["status"] == "bogus"
    assert dane_codes(result) == {"MX_DNSSEC_BOGUS": "high"}


def test_a_signed_zone_without_ds_is_not_anchored(dns_server, tree, postfix, pki):
    result = run_dane(dns_server, tree, postfix, pki, "nods")
    assert result.evidence["dnssec"]["hosts"][0]["dnssec"]["status"] == "no_ds"
    assert dane_codes(result) == {"MX_DNSSEC_NO_DS": "medium", "MX_DANE_TLSA_INSECURE": "medium"}


def test_tlsa_in_an_unsigned_zone_is_ignored_by_senders(dns_server, tree, postfix, pki):
    result = run_dane(dns_server, tree, postfix, pki, "plain")
    assert result.evidence["dnssec"]["hosts"][0]["dnssec"]["status"] == "unsigned"
    assert dane_codes(result) == {"MX_DANE_TLSA_INSECURE": "medium"}


def test_pkix_usages_are_flagged(dns_server, tree, postfix, pki):
    result = run_dane(dns_server, tree, postfix, pki, "pkix")
    assert dane_codes(result)["MX_DANE_TLSA_PKIX_USAGE"] == "low"


def test_dane_without_tls_rpt_is_low(dns_server, tree, postfix, pki):
    result = run_dane(dns_server, tree, postfix, pki, "norpt")
    assert codes(result)["MX_TLSRPT_MISSING"] == "low"
    finding = next(f for f in result.findings if f.code == "MX_TLSRPT_MISSING")
    assert finding.evidence["used_by"] == ["DANE"]


def test_without_the_test_anchor_nothing_validates(dns_server, tree, postfix, pki):
    # given the default anchor (the root's): the fixture's parent zone has no DS above it
    server = dns_server(zones=tree.zones())
    result = run_mx(server.nameserver, f"good.{PARENT}", relay_probe=False)
    # then nothing is secure, so the TLSA records are not used (and not judged a mismatch)
    assert result.evidence["dnssec"]["domain"]["status"] == "no_ds"
    assert "MX_DANE_TLSA_MISMATCH" not in codes(result)
    assert codes(result)["MX_DANE_TLSA_INSECURE"] == "medium"
