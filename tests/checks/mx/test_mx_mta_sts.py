"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) against a lab DNS server and a real HTTPS
server on loopback serving policies per Host, with the test CA given as --ca-file.

The policy URL names mta-sts.DOMAIN: the check resolves it through the run's DNS (the
fixture maps it to 127.0.0.1) and connects to the test server's port
(`MxOptions.https_port`, a hook without a flag)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from support.mxlab import codes, run_mx, zone
from support.tlslab import PolicyServer, Served, StarttlsServer, TestPki, server_context

from audit.model import UnknownReason

SCENARIOS = ("valid", "wrongmx", "testing", "redirect", "oversize", "slow", "invalid", "norpt")
POLICY = "version: STSv1\r\nmode: {mode}\r\nmx: {mx}\r\nmax_age: 604800\r\n"


def policy(domain: str, mode: str = "enforce", mx: str | None = None) -> Served:
    return Served(POLICY.format(mode=mode, mx=mx or f"mx.{domain}").encode())


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> TestPki:
    return TestPki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def policy_server(pki: TestPki) -> Iterator[PolicyServer]:
    names = tuple(f"mta-sts.{s}.test" for s in SCENARIOS)
    issued = pki.issue("policy", names)
    answers = {
        "mta-sts.valid.test": policy("valid.test"),
        "mta-sts.norpt.test": policy("norpt.test"),
        "mta-sts.wrongmx.test": policy("wrongmx.test", mx="mail.elsewhere.test"),
        "mta-sts.testing.test": policy("testing.test", mode="testing"),
        "mta-sts.redirect.test": Served(status=301, location="https://elsewhere.test/x"),
        "mta-sts.oversize.test": Served(b"mx: a.test\n" * 7000),
        "mta-sts.slow.test": Served(policy("slow.test").body, delay_s=3.0),
        "mta-sts.invalid.test": Served(b"version: STSv2\nmode: strict\n"),
        "mta-sts.badname.test": policy("badname.test"),  # the cert does not name it
    }
    with PolicyServer(server_context(issued), answers) as server:
        yield server


def sts_zone(domain: str, rpt: bool = True, record: str = "v=STSv1; id=20260101") -> dict:
    lines = ["@ MX 10 mx", "mx A 127.0.0.1", f'_mta-sts TXT "{record}"', "mta-sts A 127.0.0.1"]
    if rpt:
        lines.append(f'_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@{domain}"')
    return zone(domain, *lines)


def run_sts(dns_server, pki, policy_server, domain, **kwargs):
    server = dns_server(zones=kwargs.pop("zones", None) or sts_zone(domain))
    return run_mx(
        server.nameserver,
        domain,
        relay_probe=False,
        ca_file=str(pki.ca_file),
        https_port=policy_server.port,
        **kwargs,
    )


def test_a_valid_enforce_policy_is_fetched_and_clean(dns_server, pki, policy_server):
    result = run_sts(dns_server, pki, policy_server, "valid.test")
    sts = result.evidence["mta_sts"]
    assert sts["fetch"] == "fetched"
    assert sts["policy"]["mode"] == "enforce"
    assert sts["policy"]["mx"] == ["mx.valid.test"]
    assert not [c for c in codes(result) if "MTA_STS" in c or "TLSRPT" in c]


def test_no_record_is_low_and_nothing_is_fetched(dns_server, pki, policy_server):
    server = dns_server(zones=zone("none.test", "@ MX 10 mx", "mx A 127.0.0.1"))
    before = len(policy_server.requests)
    result = run_mx(server.nameserver, "none.test", relay_probe=False)
    assert codes(result)["MX_MTA_STS_MISSING"] == "low"
    assert len(policy_server.requests) == before


def test_two_records_are_an_invalid_record(dns_server, pki, policy_server):
    zones = sts_zone("valid.test")
    zones["valid.test"] += '_mta-sts TXT "v=STSv1; id=2"\n'
    result = run_sts(dns_server, pki, policy_server, "valid.test", zones=zones)
    assert codes(result)["MX_MTA_STS_RECORD_INVALID"] == "medium"


def test_an_mx_outside_the_enforce_patterns_is_critical(dns_server, pki, policy_server):
    result = run_sts(dns_server, pki, policy_server, "wrongmx.test")
    assert codes(result)["MX_MTA_STS_MX_MISMATCH"] == "critical"


def test_testing_mode_is_info_and_a_mismatch_under_it_medium(dns_server, pki, policy_server):
    zones = sts_zone("testing.test")
    zones["testing.test"] += "@ MX 20 other.elsewhere.test.\n"
    result = run_sts(dns_server, pki, policy_server, "testing.test", zones=zones)
    assert codes(result)["MX_MTA_STS_TESTING"] == "info"
    assert codes(result)["MX_MTA_STS_MX_MISMATCH"] == "medium"


def test_a_redirect_is_not_followed(dns_server, pki, policy_server):
    result = run_sts(dns_server, pki, policy_server, "redirect.test")
    assert codes(result)["MX_MTA_STS_POLICY_UNAVAILABLE"] == "high"
    assert result.evidence["mta_sts"]["http_status"] == 301
    assert ("elsewhere.test", "/x") not in policy_server.requests


def test_an_oversize_policy_is_refused(dns_server, pki, policy_server):
    result = run_sts(dns_server, pki, policy_server, "oversize.test")
    assert codes(result)["MX_MTA_STS_POLICY_UNAVAILABLE"] == "high"
    assert "larger than" in result.evidence["mta_sts"]["fetch_error"]


def test_a_slow_policy_server_is_unknown_within_the_bound(dns_server, pki, policy_server):
    # given a server that answers after 3 s, and a fetch bounded by 3 x --timeout (0.9 s)
    started = time.perf_counter()
    result = run_sts(dns_server, pki, policy_server, "slow.test", timeout=0.3)
    # then the fetch gives up in time and the policy is unknown, not a finding
    assert time.perf_counter() - started < 2.5
    assert result.evidence["mta_sts"]["fetch"] == "unknown"
    assert UnknownReason.TIMEOUT in {u.reason for u in result.unknowns}
    assert "MX_MTA_STS_POLICY_UNAVAILABLE" not in codes(result)


def test_a_policy_host_certificate_for_another_name_is_refused(dns_server, pki, policy_server):
    result = run_sts(dns_server, pki, policy_server, "badname.test")
    assert codes(result)["MX_MTA_STS_POLICY_UNAVAILABLE"] == "high"
    assert result.evidence["mta_sts"]["fetch_error"].startswith("certificate")


def test_without_the_test_ca_the_policy_host_is_untrusted(dns_server, pki, policy_server):
    server = dns_server(zones=sts_zone("valid.test"))
    result = run_mx(
        server.nameserver, "valid.test", relay_probe=False, https_port=policy_server.port
    )
    assert codes(result)["MX_MTA_STS_POLICY_UNAVAILABLE"] == "high"


def test_an_invalid_policy_is_high(dns_server, pki, policy_server):
    result = run_sts(dns_server, pki, policy_server, "invalid.test")
    assert codes(result)["MX_MTA_STS_POLICY_INVALID"] == "high"
    assert len(result.evidence["mta_sts"]["policy"]["errors"]) >= 3


def test_no_http_leaves_the_policy_unknown(dns_server, pki, policy_server):
    before = len(policy_server.requests)
    result = run_sts(dns_server, pki, policy_server, "valid.test", http=False)
    assert result.evidence["mta_sts"]["fetch"] == "skipped_no_http"
    assert UnknownReason.DEPENDENCY in {u.reason for u in result.unknowns}
    assert len(policy_server.requests) == before


def test_mta_sts_without_tls_rpt_is_low(dns_server, pki, policy_server):
    zones = sts_zone("norpt.test", rpt=False)
    result = run_sts(dns_server, pki, policy_server, "norpt.test", zones=zones)
    assert codes(result)["MX_TLSRPT_MISSING"] == "low"


def test_a_tls_rpt_record_with_a_bad_uri_is_medium(dns_server, pki, policy_server):
    zones = sts_zone("valid.test", rpt=False)
    zones["valid.test"] += '_smtp._tls TXT "v=TLSRPTv1; rua=ftp://reports.test"\n'
    result = run_sts(dns_server, pki, policy_server, "valid.test", zones=zones)
    assert codes(result)["MX_TLSRPT_INVALID"] == "medium"


def test_an_untrusted_mx_certificate_under_enforce_is_critical(dns_server, pki, policy_server):
    # given an enforce policy and an MX whose STARTTLS certificate is self-signed
    issued = pki.issue("self-mx", ("mx.valid.test",), self_signed=True)
    with StarttlsServer(server_context(issued)) as smtp:
        server = dns_server(zones=sts_zone("valid.test"))
        result = run_mx(
            server.nameserver,
            "valid.test",
            smtp_hosts=[f"mx.valid.test:{smtp.port}"],
            ca_file=str(pki.ca_file),
            https_port=policy_server.port,
        )
    # then delivery under the policy fails: critical, and the certificate finding is high
    assert codes(result)["MX_MTA_STS_CERT_INVALID"] == "critical"
    assert codes(result)["MX_CERT_UNTRUSTED"] == "high"
