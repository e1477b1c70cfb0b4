"""The pure rules of the mx check: RFC 6125 name matching, RFC 8461 mx patterns and
policy syntax, RFC 8460 records."""

from __future__ import annotations

import pytest

from checks.mx.policy.records import mx_matches, parse_policy, parse_sts_record, parse_tlsrpt
from checks.mx.tls.certs import name_matches


@pytest.mark.parametrize(
    ("reference", "presented", "expected"),
    [
        ("mx.example.test", ["mx.example.test"], True),
        ("MX.Example.Test.", ["mx.example.test"], True),
        ("mx.example.test", ["*.example.test"], True),
        ("a.mx.example.test", ["*.example.test"], False),  # one label only (§6.4.3)
        ("example.test", ["*.example.test"], False),
        ("mx.test", ["*.test"], False),  # not over a bare suffix
        ("mx.example.test", ["m*.example.test"], False),  # partial wildcards are refused
        ("mx.example.test", ["mail.example.test"], False),
    ],
)
def test_rfc_6125_dns_id_matching(reference, presented, expected):
    assert name_matches(reference, presented) is expected


@pytest.mark.parametrize(
    ("host", "pattern", "expected"),
    [
        ("mx1.example.test", "mx1.example.test", True),
        ("mx1.example.test", "*.example.test", True),
        ("a.mx1.example.test", "*.example.test", False),  # RFC 8461 §4.1: one label
        ("example.test", "*.example.test", False),
    ],
)
def test_rfc_8461_mx_patterns(host, pattern, expected):
    assert mx_matches(host, pattern) is expected


def test_a_policy_with_lf_line_ends_and_unknown_keys_parses():
    policy = parse_policy(
        "version: STSv1\nmode: enforce\nmx: a.test\nmx: *.b.test\nmax_age: 86400\nx: y\n"
    )
    assert policy["errors"] == []
    assert policy["mx"] == ["a.test", "*.b.test"]


def test_max_age_above_a_year_is_an_error():
    policy = parse_policy("version: STSv1\nmode: testing\nmx: a.test\nmax_age: 31557601\n")
    assert any("max_age" in error for error in policy["errors"])


def test_an_sts_id_longer_than_32_characters_is_invalid():
    sts_id, errors = parse_sts_record(["v=STSv1; id=" + "a" * 33])
    assert sts_id is None and errors


def test_tls_rpt_accepts_mailto_and_https_uris():
    rua, errors = parse_tlsrpt(["v=TLSRPTv1; rua=mailto:a@b.test,https://r.test/tls"])
    assert errors == [] and rua == ["mailto:a@b.test", "https://r.test/tls"]


def test_an_address_reference_matches_only_an_ip_address_entry(tmp_path):
    """Given a leaf naming mx1.lab.test and 127.0.0.1, when the server was reached by
    address, then the iPAddress entry decides (RFC 9525 §6.2.1), not a dNSName."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from audit.lab.pki import LabPki
    from checks.mx.tls.certs import identity_matches

    pki = LabPki.create(tmp_path, ("mx1.lab.test",), ("127.0.0.1",))
    leaf = x509.load_pem_x509_certificates(pki.chain_file.read_bytes())[0]
    der = leaf.public_bytes(serialization.Encoding.DER)
    assert identity_matches("127.0.0.1", der, ["mx1.lab.test"]) is True
    assert identity_matches("127.0.0.2", der, ["mx1.lab.test"]) is False
    assert identity_matches("mx1.lab.test", der, ["mx1.lab.test"]) is True
