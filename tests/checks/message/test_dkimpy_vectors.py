"""dkimpy's own public test vectors (tests/fixtures/dkimpy/, licence beside them), verified
by the message check with their keys served by the fixture DNS."""

from __future__ import annotations

import asyncio

import pytest
from support.context import check_context
from support.paths import FIXTURES

from audit.net.dns import DnsClient, Nameserver
from checks.message.check import MessageCheck
from checks.message.options import MessageOptions

VECTORS = FIXTURES / "dkimpy"
SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"
KEY = (VECTORS / "test.txt").read_text().strip()
ED25519 = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="  # test_dkim.py


@pytest.fixture
def verify(dns_server, tmp_path):
    zones = {
        "football.example.com": SOA.format("football.example.com")
        + f'test._domainkey IN TXT "{KEY}"\nbrisbane._domainkey IN TXT "{ED25519}"\n',
        "example.com": SOA.format("example.com") + f'test._domainkey IN TXT "{KEY}"\n',
    }
    server = dns_server(zones=zones)

    def run(data: bytes):
        path = tmp_path / "vector.eml"
        path.write_bytes(data)
        dns = DnsClient([Nameserver.parse(server.nameserver)], timeout=1.0)
        ctx = check_context(dns, options=[MessageOptions(files=(str(path),))])
        result = asyncio.run(MessageCheck().run(ctx))
        return result.evidence["messages"][0]["analysis"]

    return run


def test_the_rfc6376_rsa_vector_verifies_with_its_1024_bit_key(verify):
    analysis = verify((VECTORS / "rfc6376.signed.rsa.msg").read_bytes())
    signature = analysis["dkim"][0]
    assert (signature["result"], signature["key_bits"]) == ("pass", 1024)


def test_the_rfc6376_vector_with_a_changed_body_fails_its_body_hash(verify):
    data = (VECTORS / "rfc6376.signed.rsa.msg").read_bytes().replace(b"hungry", b"thirsty")
    signature = verify(data)["dkim"][0]
    assert (signature["result"], signature["problem"]) == ("fail", "body_hash_mismatch")


def test_the_rfc8463_ed25519_vector_verifies_with_cryptography_alone(verify):
    """dkimpy needs PyNaCl for Ed25519; the signature is checked by `cryptography`."""
    signatures = verify((VECTORS / "rfc6376.signed.msg").read_bytes())["dkim"]
    assert [(s["algorithm"], s["result"], s["key_bits"]) for s in signatures] == [
        ("ed25519-sha256", "pass", 256),
        ("rsa-sha256", "pass", 1024),
    ]


def test_the_ed25519_vector_with_a_changed_subject_fails_its_signature(verify):
    data = (VECTORS / "rfc6376.signed.msg").read_bytes().replace(b"dinner", b"lunch")
    signature = verify(data)["dkim"][0]
    assert (signature["result"], signature["problem"]) == ("fail", "signature_mismatch")


def test_the_ed25519_vector_with_a_changed_body_fails_its_body_hash(verify):
    data = (VECTORS / "rfc6376.signed.msg").read_bytes().replace(b"hungry", b"thirsty")
    signature = verify(data)["dkim"][0]
    assert (signature["result"], signature["problem"]) == ("fail", "body_hash_mismatch")


def test_dkimpys_arc_vector_validates(verify):
    arc = verify((VECTORS / "arc-signed.message").read_bytes())["arc"]
    assert (arc["sets"], arc["result"]) == (1, "pass")
