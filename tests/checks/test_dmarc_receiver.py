"""The dmarc check reads a record as receivers do (RFC 7489 §6.3 and §6.6.3, RFC 9989
§4.7-4.8), against fixture domains on a loopback DNS server (dmarc.test.zone)."""

from __future__ import annotations

import pytest
from support.authlab import codes, run_check, zone_files

from audit.lab.dnsserver import LabDnsServer
from audit.model import CheckResult
from checks.dmarc.check import DmarcCheck
from checks.dmarc.record import receiver_record
from checks.dmarc.warnings import classify


@pytest.fixture
def server(dns_server) -> LabDnsServer:  # type: ignore[no-untyped-def]
    return dns_server(zone_files=zone_files())


def dmarc(server: LabDnsServer, label: str) -> CheckResult:
    return run_check(DmarcCheck(), server.nameserver, f"{label}.dmarc.test")


def parts(result: CheckResult) -> dict[str, str]:
    """{ignored part: finding code}"""
    return {f.evidence["part"]: f.code for f in result.findings if "part" in f.evidence}


def test_a_part_without_equals_is_ignored_and_the_policy_applies(server: LabDnsServer) -> None:
    # given v=DMARC1;p=none;fo:0;... (the shape of many real-world records)
    result = dmarc(server, "fo0")
    # then p=none applies (not DMARC_INVALID) and fo:0 is its own low finding
    assert codes(result) == {"DMARC_POLICY_NONE": "medium", "DMARC_TAG_MALFORMED": "low"}
    assert parts(result) == {"fo:0": "DMARC_TAG_MALFORMED"}
    assert result.evidence["applied_record"] == (
        "v=DMARC1; p=none; adkim=r; rua=mailto:d@good.dmarc.test"
    )


def test_an_invalid_fo_value_is_a_low_finding(server: LabDnsServer) -> None:
    result = dmarc(server, "fox")
    assert codes(result) == {"DMARC_TAG_VALUE_INVALID": "low"}
    assert parts(result) == {"fo=x": "DMARC_TAG_VALUE_INVALID"}


def test_an_invalid_ruf_uri_is_a_low_finding(server: LabDnsServer) -> None:
    result = dmarc(server, "badruf")
    assert codes(result) == {"DMARC_TAG_VALUE_INVALID": "low"}
    assert parts(result) == {"ruf=foo": "DMARC_TAG_VALUE_INVALID"}


def test_an_unrelated_txt_record_beside_the_policy_is_discarded(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "unrelated")) == {}


def test_invalid_alignment_values_are_medium_findings(server: LabDnsServer) -> None:
    result = dmarc(server, "align")
    assert codes(result) == {"DMARC_TAG_VALUE_INVALID": "medium"}
    assert parts(result) == {
        "adkim=strict": "DMARC_TAG_VALUE_INVALID",
        "aspf=relaxed": "DMARC_TAG_VALUE_INVALID",
    }


def test_an_unknown_tag_is_a_low_finding(server: LabDnsServer) -> None:
    result = dmarc(server, "unknowntag")
    assert codes(result) == {"DMARC_TAG_UNKNOWN": "low"}
    assert parts(result) == {"foo=bar": "DMARC_TAG_UNKNOWN"}


@pytest.mark.parametrize("label", ["emptytxt", "vbob", "dmarc2", "spfat"])
def test_a_txt_record_that_is_not_dmarc1_means_no_record(server: LabDnsServer, label: str) -> None:
    assert codes(dmarc(server, label)) == {"DMARC_MISSING": "high"}


@pytest.mark.parametrize("label", ["ftprua", "httprua"])
def test_a_non_mailto_rua_is_no_reports(server: LabDnsServer, label: str) -> None:
    result = dmarc(server, label)
    assert codes(result) == {"DMARC_NO_RUA": "low", "DMARC_REPORT_URI_UNSUPPORTED": "low"}


def test_np_none_under_p_reject_is_medium(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "npnone")) == {"DMARC_NP_POLICY_WEAKER": "medium"}


def test_testing_mode_is_medium(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "testing")) == {"DMARC_TESTING_MODE": "medium"}


@pytest.mark.parametrize("label", ["nomx", "nullmx"])
def test_a_report_destination_without_mx_is_low(server: LabDnsServer, label: str) -> None:
    result = dmarc(server, label)
    assert codes(result) == {"DMARC_REPORT_DESTINATION_NO_MX": "low"}
    assert result.evidence["report_destinations"][0]["mx"] is False


def test_checkdmarc_warnings_become_coded_findings(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "psecond")) == {"DMARC_POLICY_TAG_NOT_SECOND": "low"}
    assert codes(dmarc(server, "obsolete")) == {"DMARC_TAG_OBSOLETE": "info"}


def test_an_unknown_warning_sentence_still_gets_a_code() -> None:
    assert classify("Something checkdmarc 7 might say").code == "DMARC_WARNING"


def test_receiver_record_keeps_the_first_of_repeated_tags() -> None:
    record = receiver_record("v=DMARC1; p=reject; p=none; sp=; ;")
    assert record.applied == "v=DMARC1; p=reject"
    assert [(m.part, m.problem) for m in record.malformed] == [
        ("p=none", "duplicate"),
        ("sp=", "empty_value"),
    ]


def test_a_failed_report_destination_mx_lookup_is_unknown_not_fine(dns_server) -> None:  # type: ignore[no-untyped-def]
    # given a DMARC record whose rua destination's MX lookup gets SERVFAIL
    failing = dns_server(zone_files=zone_files(), behaviours={"nomx.dmarc.test": "servfail"})
    # when the dmarc check runs
    result = dmarc(failing, "nomx")
    # then no finding claims the MX is missing, and the check says it could not tell
    assert "DMARC_REPORT_DESTINATION_NO_MX" not in codes(result)
    assert result.evidence["report_destinations"][0]["mx"] is None
    assert [(u.subject, u.reason.value) for u in result.unknowns] == [
        ("nomx.dmarc.test", "servfail")
    ]
