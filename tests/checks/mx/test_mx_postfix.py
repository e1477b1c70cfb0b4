"""End-to-end: the mx check's STARTTLS part against a real Postfix on loopback, one
listener per certificate the test made (a test CA; valid, expired, not yet valid,
expiring, wrong name, self-signed), and against a minimal STARTTLS server for what
Postfix on this OpenSSL will not serve (TLS 1.0 only, RSA 1024, SHA-1). The MX name
mx.tls-lab.test resolves to 127.0.0.1 through the lab DNS server; --smtp-host gives
the port. Skipped without Postfix unless MAILHYGIENE_REQUIRE_POSTFIX=1."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from support.mxlab import codes, run_mx, zone
from support.postfix_tls import TlsPostfix, start_tls_postfix, stop_tls_postfix
from support.tlslab import DAY, NOW, StarttlsServer, TestPki, issue_sha1, server_context

from audit.model import UnknownReason

DOMAIN = "tls-lab.test"
MX = f"mx.{DOMAIN}"


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> TestPki:
    folder = tmp_path_factory.mktemp("mx-pki")
    folder.chmod(0o755)  # Postfix reads the files as root at start; the folder must be open
    return TestPki(folder)


@pytest.fixture(scope="module")
def postfix(pki: TestPki) -> Iterator[TlsPostfix]:
    certificates = {
        "valid": pki.issue("valid", (MX,)),
        "wildcard": pki.issue("wildcard", (f"*.{DOMAIN}",)),
        "expired": pki.issue("expired", (MX,), NOW - 90 * DAY, NOW - DAY),
        "future": pki.issue("future", (MX,), NOW + 10 * DAY, NOW + 100 * DAY),
        "expiring": pki.issue("expiring", (MX,), NOW - 80 * DAY, NOW + 5 * DAY),
        "wrongname": pki.issue("wrongname", ("mail.elsewhere.test",)),
        "selfsigned": pki.issue("selfsigned", (MX,), self_signed=True),
    }
    instance = start_tls_postfix(certificates)
    yield instance
    stop_tls_postfix(instance)


@pytest.fixture
def nameserver(dns_server) -> str:
    return dns_server(zones=zone(DOMAIN, "@ MX 10 mx", "mx A 127.0.0.1")).nameserver


def run_tls(nameserver: str, port: int, pki: TestPki, **kwargs):
    return run_mx(
        nameserver, DOMAIN, smtp_hosts=[f"{MX}:{port}"], ca_file=str(pki.ca_file), **kwargs
    )


def tls_codes(result) -> dict[str, str]:
    return {
        c: s for c, s in codes(result).items() if c.startswith(("MX_CERT", "MX_TLS", "MX_STARTTLS"))
    }


pytestmark = pytest.mark.postfix


def test_a_valid_certificate_from_the_test_ca_is_clean(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["valid"], pki)
    session = result.evidence["tls"][0]
    assert session["protocol"] in ("TLSv1.2", "TLSv1.3")
    assert session["cipher"]
    assert session["trusted"] is True and session["name_matches"] is True
    assert session["chain"][0]["key_type"] == "EC"
    assert tls_codes(result) == {}
    assert "C: QUIT" in session["transcript"]


def test_a_wildcard_certificate_names_the_mx(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["wildcard"], pki)
    assert result.evidence["tls"][0]["name_matches"] is True
    assert tls_codes(result) == {}


def test_without_the_ca_file_the_chain_is_untrusted(postfix, nameserver):
    result = run_mx(nameserver, DOMAIN, smtp_hosts=[f"{MX}:{postfix.ports['valid']}"])
    assert tls_codes(result) == {"MX_CERT_UNTRUSTED": "low"}


def test_an_expired_certificate(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["expired"], pki)
    assert tls_codes(result) == {"MX_CERT_EXPIRED": "medium"}


def test_a_certificate_not_valid_yet(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["future"], pki)
    assert tls_codes(result) == {"MX_CERT_NOT_YET_VALID": "medium"}


def test_a_certificate_expiring_within_14_days(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["expiring"], pki)
    assert tls_codes(result) == {"MX_CERT_EXPIRING": "low"}


def test_a_certificate_for_another_name(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["wrongname"], pki)
    assert tls_codes(result) == {"MX_CERT_NAME_MISMATCH": "low"}


def test_a_self_signed_certificate(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["selfsigned"], pki)
    assert tls_codes(result) == {"MX_CERT_UNTRUSTED": "low"}
    assert result.evidence["tls"][0]["chain"][0]["self_signed"] is True


def test_a_listener_without_tls_does_not_offer_starttls(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["plain"], pki)
    assert tls_codes(result) == {"MX_STARTTLS_MISSING": "medium"}


def test_no_relay_probe_makes_no_connection(postfix, pki, nameserver):
    result = run_tls(nameserver, postfix.ports["valid"], pki, relay_probe=False)
    assert result.evidence["tls_probe"] == "skipped"
    assert result.evidence["tls"] == []


def test_a_server_that_only_speaks_tls_1_0(pki, nameserver):
    issued = pki.issue("legacy", (MX,))
    with StarttlsServer(server_context(issued, legacy=True)) as smtp:
        result = run_tls(nameserver, smtp.port, pki)
    assert result.evidence["tls"][0]["protocol"] == "TLSv1"
    assert tls_codes(result) == {"MX_TLS_LEGACY_ONLY": "high"}


def test_a_1024_bit_rsa_key(pki, nameserver):
    issued = pki.issue("rsa1024", (MX,), rsa_bits=1024)
    with StarttlsServer(server_context(issued)) as smtp:
        result = run_tls(nameserver, smtp.port, pki)
    assert result.evidence["tls"][0]["chain"][0]["key_bits"] == 1024
    assert tls_codes(result)["MX_CERT_WEAK_KEY"] == "medium"


def test_a_sha1_signature(pki, nameserver):
    issued = issue_sha1(pki, "sha1", MX)
    with StarttlsServer(server_context(issued)) as smtp:
        result = run_tls(nameserver, smtp.port, pki)
    assert tls_codes(result)["MX_CERT_WEAK_SIGNATURE"] == "medium"


def test_starttls_that_fails_to_start(pki, nameserver, smtp_server):
    # given the lab's scripted server: STARTTLS advertised, answered 454
    server = smtp_server(starttls=True)
    result = run_tls(nameserver, server.port, pki)
    assert tls_codes(result) == {"MX_STARTTLS_FAILED": "high"}
    assert result.evidence["tls"][0]["starttls_reply"].startswith("454")


def test_an_unreachable_server_is_unknown_not_a_finding(pki, nameserver):
    # given a loopback port nobody listens on
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        result = run_tls(nameserver, reserved.getsockname()[1], pki)
    # then the session decides nothing: no STARTTLS finding, one unknown
    assert tls_codes(result) == {}
    assert len(result.unknowns) == 1
    assert result.unknowns[0].subject.startswith(f"STARTTLS on {MX}")


def test_a_tiny_smtp_timeout_really_bounds_the_session(pki, nameserver, smtp_server):
    # given a server that waits 5 s before its greeting, and 0.2 s per command (the
    # greeting gets 3 x that)
    server = smtp_server(banner_delay_s=5.0)
    started = time.perf_counter()
    result = run_tls(nameserver, server.port, pki, smtp_timeout=0.2)
    # then the session gives up within the bound and decides nothing
    assert time.perf_counter() - started < 3.0
    assert [u.reason for u in result.unknowns] == [UnknownReason.TIMEOUT]
    assert tls_codes(result) == {}
