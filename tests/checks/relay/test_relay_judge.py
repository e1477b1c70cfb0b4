"""Pure judgement of relay-probe evidence: outcomes, vantage, STARTTLS, banner name."""

from __future__ import annotations

import pytest

from audit.net.smtp import SmtpReply
from checks.relay.judge import Outcome, classify, host_unknowns, relay_findings, vantage
from checks.relay.model import Attempt, HostProbe, ProbeTarget
from checks.relay.server_judge import banner_findings, starttls_findings

PUBLIC_MX = ProbeTarget("mx1.example.com", "192.0.2.10", 25, "mx")


def reply(code: int, *lines: str) -> SmtpReply:
    return SmtpReply(code, lines or ("text",))


def attempt(rcpt: int | None, mail: int = 250, kind: str = "plain", text: str = "x") -> Attempt:
    rcpt_reply = reply(rcpt, text) if rcpt is not None else None
    return Attempt("v", kind, "a@example.com", "b@c.invalid", reply(mail, text), rcpt_reply, 1.0)


def host(*attempts: Attempt, source_ip: str = "198.51.100.7", **fields: object) -> HostProbe:
    probe = HostProbe(PUBLIC_MX, source_ip=source_ip, attempts=list(attempts))
    probe.banner = reply(220, "mx1.example.com ESMTP")
    probe.hello = reply(250, "mx1.example.com", "PIPELINING", "STARTTLS")
    for name, value in fields.items():
        setattr(probe, name, value)
    return probe


@pytest.mark.parametrize(
    ("given", "outcome"),
    [
        (attempt(250), Outcome.ACCEPTED),
        (attempt(251), Outcome.ACCEPTED),
        (attempt(554), Outcome.REJECTED),
        (attempt(450), Outcome.TEMP_REJECTED),
        (attempt(None, mail=451), Outcome.TEMP_REJECTED),
        (attempt(None, mail=530), Outcome.AUTH_REQUIRED),
        (attempt(530), Outcome.AUTH_REQUIRED),
        (attempt(550, text="5.7.0 Authentication required"), Outcome.AUTH_REQUIRED),
        (attempt(None, mail=553), Outcome.SENDER_REJECTED),
    ],
)
def test_classify(given: Attempt, outcome: Outcome) -> None:
    assert classify(given) is outcome


def test_plain_acceptance_is_an_open_relay() -> None:
    found = relay_findings(host(attempt(554), attempt(250)))
    assert [(f.code, f.severity.label) for f in found] == [("RELAY_OPEN", "critical")]


def test_trick_acceptance_alone_is_high() -> None:
    found = relay_findings(host(attempt(554), attempt(250, kind="trick")))
    assert [(f.code, f.severity.label) for f in found] == [("RELAY_ADDRESS_TRICK_ACCEPTED", "high")]


def test_public_vantage_has_no_false_alarm_caveat() -> None:
    finding = relay_findings(host(attempt(250)))[0]
    assert finding.evidence["vantage"]["internal"] is False
    assert "false alarm" not in finding.detail


@pytest.mark.parametrize(
    ("source", "server", "internal"),
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("10.1.2.3", "192.0.2.10", True),
        ("100.64.0.9", "192.0.2.10", True),
        ("192.0.2.77", "192.0.2.10", True),  # same /24 as the server
        ("198.51.100.7", "192.0.2.10", False),
        ("2001:db8:1::5", "2001:db8:1::25", True),  # same /64
        ("2001:db8:2::5", "2001:db8:1::25", False),
    ],
)
def test_vantage(source: str, server: str, internal: bool) -> None:
    assert vantage(source, server)["internal"] is internal


def test_greylisted_plain_attempts_are_unknown() -> None:
    unknowns = host_unknowns(host(attempt(450), attempt(554, kind="trick")), 2)
    assert [u.reason.value for u in unknowns] == ["refused"]


def test_one_definite_plain_refusal_settles_it() -> None:
    assert host_unknowns(host(attempt(450), attempt(554)), 2) == []


def test_missing_starttls() -> None:
    probe = host(hello=reply(250, "mx1.example.com", "PIPELINING"))
    assert [(f.code, f.severity.label) for f in starttls_findings(probe)] == [
        ("RELAY_NO_STARTTLS", "medium")
    ]
    assert starttls_findings(host()) == []


def test_banner_mismatch_is_info_only() -> None:
    found = banner_findings(host(), ("mail.example.net.",))
    assert [(f.code, f.severity.label) for f in found] == [("RELAY_BANNER_MISMATCH", "info")]


@pytest.mark.parametrize("ptr", [(), ("MX1.example.com.",)])
def test_banner_matching_or_without_ptr_is_fine(ptr: tuple[str, ...]) -> None:
    assert banner_findings(host(), ptr) == []
