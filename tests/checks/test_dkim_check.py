"""The dkim check against fixture domains on a loopback DNS server (dkim.test.zone)."""

from __future__ import annotations

import pytest
from support.authlab import codes, run_check, zone_files

from audit.knowledge.remediation import catalog
from audit.lab.dnsserver import LabDnsServer
from audit.model import CheckStatus, UnknownReason
from checks.dkim.check import DkimCheck, curated_selectors


@pytest.fixture
def server(dns_server) -> LabDnsServer:  # type: ignore[no-untyped-def]
    return dns_server(
        zone_files=zone_files(), behaviours={"sel._domainkey.slow.dkim.test": "timeout"}
    )


def dkim(server: LabDnsServer, domain: str, *selectors: str, timeout: float = 1.0):  # type: ignore[no-untyped-def]
    return run_check(DkimCheck(), server.nameserver, domain, selectors=selectors, timeout=timeout)


def found(result) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    return {entry["selector"]: entry for entry in result.evidence["found"]}


def test_delegated_2048_bit_key_is_found_and_clean(server: LabDnsServer) -> None:
    # given selector1 delegated by CNAME to the provider's zone (Microsoft 365 style)
    result = dkim(server, "good.dkim.test")
    # then the key is found through the CNAME, 2048 bits, with nothing to report
    assert codes(result) == {}
    entry = found(result)["selector1"]
    assert entry["delegated_to"] == "selector1-good._domainkey.provider.dkim.test"
    assert entry["key"]["bits"] == 2048


def test_1024_bit_key_is_low(server: LabDnsServer) -> None:
    assert codes(dkim(server, "k1024.dkim.test")) == {"DKIM_KEY_1024": "low"}


def test_key_under_1024_bits_is_high(server: LabDnsServer) -> None:
    result = dkim(server, "short.dkim.test")
    assert codes(result) == {"DKIM_KEY_TOO_SHORT": "high"}
    assert found(result)["default"]["key"]["bits"] == 512


def test_testing_mode_is_low(server: LabDnsServer) -> None:
    assert codes(dkim(server, "testing.dkim.test")) == {"DKIM_TESTING_MODE": "low"}


def test_sha1_only_key_is_high(server: LabDnsServer) -> None:
    assert codes(dkim(server, "sha1.dkim.test")) == {"DKIM_SHA1_ONLY": "high"}


def test_key_that_is_not_base64_is_malformed(server: LabDnsServer) -> None:
    assert codes(dkim(server, "malformed.dkim.test")) == {"DKIM_KEY_MALFORMED": "high"}


def test_key_that_is_not_der_is_malformed(server: LabDnsServer) -> None:
    assert codes(dkim(server, "undecodable.dkim.test")) == {"DKIM_KEY_MALFORMED": "high"}


def test_revoked_key_is_info(server: LabDnsServer) -> None:
    result = dkim(server, "revoked.dkim.test")
    assert codes(result) == {"DKIM_KEY_REVOKED": "info"}
    assert result.status is CheckStatus.PASS  # info does not fail the check


def test_ed25519_key_is_recognised(server: LabDnsServer) -> None:
    result = dkim(server, "ed.dkim.test")
    assert codes(result) == {}
    key = found(result)["default"]["key"]
    assert (key["key_type"], key["bits"], key["key_format"]) == ("ed25519", 256, "raw")


def test_pkcs1_rsa_key_is_decoded(server: LabDnsServer) -> None:
    result = dkim(server, "pkcs1.dkim.test")
    assert codes(result) == {}
    key = found(result)["mail"]["key"]
    assert (key["bits"], key["key_format"]) == (2048, "pkcs1")


def test_no_key_at_any_selector_is_medium_and_names_them(server: LabDnsServer) -> None:
    result = dkim(server, "none.dkim.test")
    assert codes(result) == {"DKIM_NOT_FOUND": "medium"}
    finding = result.findings[0]
    assert set(finding.evidence["selectors_tried"]) == set(curated_selectors())
    assert "selector1" in finding.evidence["selectors_tried"]


def test_uncommon_selector_is_missed_without_selector_option(server: LabDnsServer) -> None:
    assert codes(dkim(server, "custom.dkim.test")) == {"DKIM_NOT_FOUND": "medium"}


def test_selector_option_finds_an_uncommon_selector(server: LabDnsServer) -> None:
    result = dkim(server, "custom.dkim.test", "mycustom2024")
    assert codes(result) == {}
    assert found(result)["mycustom2024"]["given"] is True


def test_selector_that_times_out_is_unknown_not_missing(server: LabDnsServer) -> None:
    # given the named selector's lookup never answers and no other key exists
    # (a generous timeout: on a loaded machine the other probes must still answer)
    result = dkim(server, "slow.dkim.test", "sel", timeout=1.0)
    # then nothing is concluded: unknown with the timeout, no DKIM_NOT_FOUND
    assert codes(result) == {}
    assert result.status is CheckStatus.UNKNOWN
    assert [(u.subject, u.reason) for u in result.unknowns] == [
        ("sel._domainkey.slow.dkim.test", UnknownReason.TIMEOUT)
    ]


def test_curated_list_covers_major_providers() -> None:
    selectors = set(curated_selectors())
    assert {
        "google",
        "selector1",
        "selector2",
        "s1",
        "s2",
        "k1",
        "mandrill",
        "amazonses",
        "mx",
        "pm",
        "zoho",
        "fm1",
        "default",
    } <= selectors


def test_every_finding_code_has_a_remediation() -> None:
    assert DkimCheck.finding_codes <= set(catalog())


def test_failed_discovery_probes_are_one_unknown_per_reason(dns_server) -> None:  # type: ignore[no-untyped-def]
    """Given a domain whose selector lookups all time out, when checked, then the
    discovery failures collapse into one unknown instead of one per selector."""
    import asyncio

    from support.context import check_context

    from audit.model import UnknownReason
    from audit.net.dns import DnsClient, Nameserver
    from checks.dkim.check import DkimCheck

    server = dns_server(zones={"slow.test": "@ 300 SOA ns. h. 1 2 3 4 5\n"})
    for selector in ("default", "google", "selector1", "selector2", "s1", "k1"):
        server.store.set_behaviour(f"{selector}._domainkey.slow.test", "timeout")

    async def run():  # type: ignore[no-untyped-def]
        dns = DnsClient([Nameserver.parse(server.nameserver)], timeout=0.3, retries=0)
        return await DkimCheck().run(check_context(dns, "slow.test"))

    result = asyncio.run(run())
    timeouts = [u for u in result.unknowns if u.reason is UnknownReason.TIMEOUT]
    assert len(timeouts) == 1
    assert timeouts[0].subject == "DKIM selectors of slow.test"


def test_wildcard_key_is_reported_once_not_per_selector(server: LabDnsServer) -> None:
    # given *._domainkey.wild.dkim.test holding a 1024-bit key
    result = dkim(server, "wild.dkim.test")
    # then the wildcard is detected and its key judged once, as selector "*"
    assert result.evidence["wildcard"] is True
    assert list(found(result)) == ["*"]
    assert codes(result) == {"DKIM_KEY_1024": "low"}
