"""Remediation catalog coverage and validity, and a meta-test of the network guard."""

from __future__ import annotations

import re
import socket

import pytest

import audit.net.dns
from audit.knowledge.remediation import (
    RemediationDataError,
    _entry,
    attach,
    blocks_delisting,
    catalog,
)
from audit.model import CheckId, Finding, Severity
from checks.registry import CHECKS

CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
REGISTERED_CODES = sorted(
    (check_id.value, code) for check_id, check in CHECKS.items() for code in check.finding_codes
)


# -- coverage ---------------------------------------------------------------------------------


def test_registry_keys_match_the_checks_ids():
    assert all(check.id is check_id for check_id, check in CHECKS.items())


@pytest.mark.parametrize(("check_id", "code"), REGISTERED_CODES)
def test_every_finding_code_has_a_catalog_entry(check_id, code):
    assert code in catalog()


@pytest.mark.parametrize(("check_id", "code"), REGISTERED_CODES)
def test_finding_codes_are_stable_identifiers(check_id, code):
    assert CODE.match(code)


# -- validity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(catalog()))
def test_catalog_entry_is_complete(code):
    entry = catalog()[code]
    assert CODE.match(entry.code)
    assert entry.summary.strip()
    assert entry.steps and all(step.strip() for step in entry.steps)
    assert all(link.startswith("https://") for link in entry.links)
    assert entry.why


@pytest.mark.parametrize("code", sorted(catalog()))
def test_catalog_entry_renders_without_placeholders(code):
    remediation = catalog()[code].render("192.0.2.1")
    for text in (remediation.summary, *remediation.steps):
        assert "{" not in text and "}" not in text


def test_catalog_is_immutable():
    with pytest.raises(TypeError):
        catalog()["NEW_CODE"] = catalog()["PTR_MISSING"]  # type: ignore[index]


@pytest.mark.parametrize(
    "raw",
    [
        "not a table",
        {"steps": ["x"]},
        {"summary": " ", "steps": ["x"]},
        {"summary": "s", "steps": []},
        {"summary": "s", "steps": "one step"},
        {"summary": "s", "steps": ["x"], "links": ["http://insecure.test"]},
    ],
)
def test_malformed_entry_is_rejected(raw):
    with pytest.raises(RemediationDataError):
        _entry("SOME_CODE", raw, "test.toml")


def test_attach_fills_the_subject():
    finding = attach(Finding(CheckId.PTR, "PTR_MISSING", Severity.HIGH, "192.0.2.7", "t"))
    assert finding.remediation is not None
    assert "192.0.2.7" in finding.remediation.summary


def test_attach_keeps_a_check_specific_remediation():
    own = attach(Finding(CheckId.PTR, "PTR_GENERIC", Severity.MEDIUM, "x", "t")).remediation
    finding = Finding(CheckId.PTR, "PTR_MISSING", Severity.HIGH, "y", "t", remediation=own)
    assert attach(finding).remediation is own


def test_unknown_code_is_not_a_delisting_blocker():
    assert blocks_delisting("NO_SUCH_CODE") is False


# -- the network guard (tests/conftest.py) ---------------------------------------------


def test_guard_fails_a_connect_to_a_non_loopback_address():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(AssertionError, match="non-loopback"),
    ):
        sock.connect(("192.0.2.1", 25))


def test_guard_fails_a_connect_ex_to_a_non_loopback_address():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(AssertionError, match="non-loopback"),
    ):
        sock.connect_ex(("198.51.100.1", 53))


def test_guard_fails_a_datagram_to_a_non_loopback_address():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        pytest.raises(AssertionError, match="non-loopback"),
    ):
        sock.sendto(b"x", ("8.8.8.8", 53))


def test_guard_fails_a_connect_by_host_name():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(AssertionError),
    ):
        sock.connect(("mail.example.com", 25))


def test_guard_fails_the_system_resolver():
    with pytest.raises(AssertionError):
        audit.net.dns.system_nameservers()


def test_guard_allows_loopback():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
