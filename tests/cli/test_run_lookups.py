"""One run asks each DNS question once, and checks take each other's facts from the run.

The runs go through the CLI against the fixture DNS server on loopback, which records
every (name, type) it is asked (tests/fixtures/runs/acme.test.zone: SPF with nested
includes and mx, DMARC with an external authorized report destination, DKIM keys).
"""

from __future__ import annotations

import json

import pytest
from support.paths import FIXTURES

from audit.cli import main
from audit.lab.dnsserver import LabDnsServer

DOMAIN = "acme.test"


def zone_files() -> list:
    return [FIXTURES / "auth" / "test.zone", *sorted((FIXTURES / "runs").glob("*.zone"))]


@pytest.fixture
def acme(dns_server) -> LabDnsServer:
    return dns_server(zone_files=zone_files())


def audit(capsys, server: LabDnsServer, checks: str) -> dict:
    argv = ["audit", DOMAIN, "--nameserver", server.nameserver, "--checks", checks]
    with pytest.raises(SystemExit):
        main([*argv, "--format", "json", "-o", "-"])
    return json.loads(capsys.readouterr().out)


def check(document: dict, check_id: str) -> dict:
    return next(c for c in document["checks"] if c["id"] == check_id)


def test_spf_dkim_and_dmarc_together_ask_no_question_twice(capsys, acme):
    # given the three checks that share SPF results and DKIM keys
    # when they run together
    document = audit(capsys, acme, "spf,dkim,dmarc")
    # then every (name, type) reached the server once
    assert {c["id"] for c in document["checks"]} == {"spf", "dkim", "dmarc"}
    assert acme.repeated_questions() == {}


def test_dmarc_alone_asks_no_question_twice(capsys, acme):
    # given dmarc without the checks that provide its facts
    # when it runs alone
    audit(capsys, acme, "dmarc")
    # then the facts are established once, for it alone
    assert acme.repeated_questions() == {}


def test_dmarc_alone_asks_only_what_its_facts_need(capsys, dns_server, acme):
    # given the same domain audited with and without the spf check
    audit(capsys, acme, "dmarc")
    alone = set(acme.questions)
    other = dns_server(zone_files=zone_files())
    audit(capsys, other, "spf,dkim,dmarc")
    together = set(other.questions)
    # then dmarc alone skips the record types only checkdmarc's SPF view reads
    assert alone < together
    assert {rdtype for _, rdtype in together - alone} <= {"SPF", "CNAME"}


def test_dmarc_alone_reports_the_same_alignment_as_with_its_providers(capsys, dns_server, acme):
    # given dmarc run alone and beside spf and dkim
    alone = check(audit(capsys, acme, "dmarc"), "dmarc")
    other = dns_server(zone_files=zone_files())
    together = check(audit(capsys, other, "spf,dkim,dmarc"), "dmarc")
    # then the facts it took from the run are the same either way
    assert alone["evidence"] == together["evidence"]
    assert alone["evidence"]["alignment"], "the fixture domain has sending IPs"
