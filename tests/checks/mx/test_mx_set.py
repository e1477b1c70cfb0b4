"""The mx check's MX set judgement against a lab DNS server on loopback (RFC 5321 §5.1,
RFC 7505, RFC 2181 §10.3). No SMTP connection: --no-relay-probe."""

from __future__ import annotations

from support.mxlab import codes, run_mx, zone

from audit.model import UnknownReason


def run_set(dns_server, *lines: str, domain: str = "set.test"):
    server = dns_server(zones=zone(domain, *lines))
    return run_mx(server.nameserver, domain, relay_probe=False)


def test_a_well_formed_mx_set_has_no_set_finding(dns_server):
    # given two MX hosts with addresses
    result = run_set(dns_server, "@ MX 10 mx1", "@ MX 20 mx2", "mx1 A 192.0.2.1", "mx2 A 192.0.2.2")
    # then the set is recorded in preference order and judged clean
    hosts = result.evidence["mx"]["hosts"]
    assert [h["exchange"] for h in hosts] == ["mx1.set.test", "mx2.set.test"]
    assert not [c for c in codes(result) if c.startswith("MX_") and "MTA_STS" not in c]


def test_null_mx_is_info(dns_server):
    result = run_set(dns_server, "@ MX 0 .")
    assert codes(result) == {"MX_NULL": "info"}
    assert result.evidence["mx"]["status"] == "null_mx"


def test_null_mx_beside_other_records_is_high(dns_server):
    result = run_set(dns_server, "@ MX 0 .", "@ MX 10 mx1", "mx1 A 192.0.2.1")
    assert codes(result)["MX_NULL_WITH_OTHERS"] == "high"


def test_no_mx_is_the_implicit_mx(dns_server):
    result = run_set(dns_server, "@ A 192.0.2.7")
    assert codes(result)["MX_IMPLICIT"] == "low"
    assert result.evidence["mx"]["hosts"][0]["addresses"] == ["192.0.2.7"]


def test_an_mx_that_is_a_cname_is_medium(dns_server):
    result = run_set(dns_server, "@ MX 10 alias", "alias CNAME real", "real A 192.0.2.3")
    assert codes(result)["MX_CNAME"] == "medium"
    assert result.evidence["mx"]["hosts"][0]["canonical_name"] == "real.set.test"


def test_an_mx_that_is_an_ip_literal_is_high(dns_server):
    result = run_set(dns_server, "@ MX 10 192.0.2.9.")
    assert codes(result)["MX_IP_LITERAL"] == "high"


def test_an_mx_without_address_is_high(dns_server):
    result = run_set(dns_server, "@ MX 10 gone")
    assert codes(result)["MX_UNRESOLVABLE"] == "high"


def test_an_mx_lookup_that_times_out_is_unknown_not_clean(dns_server):
    server = dns_server(zones=zone("set.test", "@ A 192.0.2.1"), behaviours={"set.test": "timeout"})
    result = run_mx(server.nameserver, "set.test", relay_probe=False)
    assert result.evidence["mx"]["status"] == "unknown"
    assert UnknownReason.TIMEOUT in {u.reason for u in result.unknowns}
