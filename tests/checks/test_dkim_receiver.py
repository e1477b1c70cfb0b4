"""Key records judged as verifiers judge them (RFC 6376 §3.6.1 and §6.1.2, RFC 8301),
against fixture domains on a loopback DNS server (dkim.test.zone)."""

from __future__ import annotations

import pytest
from support.authlab import codes, run_check, zone_files

from audit.lab.dnsserver import LabDnsServer
from audit.model import CheckResult, CheckStatus
from checks.dkim.check import DkimCheck


@pytest.fixture
def server(dns_server) -> LabDnsServer:  # type: ignore[no-untyped-def]
    return dns_server(zone_files=zone_files())


def dkim(server: LabDnsServer, label: str) -> CheckResult:
    return run_check(DkimCheck(), server.nameserver, f"{label}.dkim.test")


def test_a_key_for_another_service_is_ignored(server: LabDnsServer) -> None:
    # given v=DKIM1; s=tlsrpt; p=<2048-bit>, the only key
    result = dkim(server, "tlsrpt")
    # then it is not a key for email (RFC 6376 §3.6.1: MUST be ignored)
    assert codes(result) == {"DKIM_KEY_NOT_FOR_EMAIL": "medium"}
    assert result.status is not CheckStatus.PASS


def test_a_key_for_email_is_clean(server: LabDnsServer) -> None:
    assert codes(dkim(server, "emailsvc")) == {}


@pytest.mark.parametrize("label", ["sha512", "badhash"])
def test_a_hash_list_without_sha256_or_sha1_is_unusable(server: LabDnsServer, label: str) -> None:
    result = dkim(server, label)
    assert codes(result) == {"DKIM_KEY_NO_USABLE_HASH": "high"}


def test_md5_and_sha1_is_sha1_only(server: LabDnsServer) -> None:
    assert codes(dkim(server, "md5sha1")) == {"DKIM_SHA1_ONLY": "high"}


def test_sha1_beside_sha256_is_clean(server: LabDnsServer) -> None:
    assert codes(dkim(server, "bothhash")) == {}


def test_a_revoked_key_as_the_only_key_is_not_a_pass(server: LabDnsServer) -> None:
    result = dkim(server, "onlyrevoked")
    assert codes(result) == {"DKIM_KEY_REVOKED": "info", "DKIM_ONLY_REVOKED_KEYS": "medium"}
    assert result.status is not CheckStatus.PASS
