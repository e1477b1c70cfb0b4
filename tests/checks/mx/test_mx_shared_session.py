"""The mx and relay checks share one SMTP connection per server, and STARTTLS is one
finding: when both run, the relay probe's last connection asks for STARTTLS after its
attempts (RSET, STARTTLS, handshake, QUIT) and the mx check judges what it saw; the
relay check raises RELAY_NO_STARTTLS only when mx is not in the run.

Both checks run on one context, as the runner runs them, against the lab's scripted
SMTP server on loopback (real STARTTLS with a certificate from `audit.lab.pki`); the
server counts the connections it accepted. A closed MX refuses all 16 variants, so the
probe spreads them over two connections (below Postfix's error limit): relay + mx made
3 connections before the probe was shared, 2 now (the demo's MX: 2 before, 1 now).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from support.context import check_context
from support.mxlab import zone
from support.smtp_fixtures import SmtpFactory

from audit.lab.pki import LabPki
from audit.lab.smtpscript import SmtpScript
from audit.lab.smtpserver import ScriptedSmtpServer
from audit.lab.smtpwire import Direction
from audit.model import CheckId, CheckResult, Severity
from audit.net.dns import DnsClient, Nameserver
from checks.mx.check import MxCheck
from checks.mx.options import MxOptions
from checks.relay.check import RelayCheck
from checks.relay.options import RelayOptions

DOMAIN = "shared.test"
MX = f"mx.{DOMAIN}"
CHECKS = {CheckId.MX: MxCheck, CheckId.RELAY: RelayCheck}


@pytest.fixture
def nameserver(dns_server) -> str:
    return dns_server(zones=zone(DOMAIN, "@ MX 10 mx", "mx A 127.0.0.1")).nameserver


@pytest.fixture
def pki(tmp_path: Path) -> LabPki:
    return LabPki.create(tmp_path, (MX,), ("127.0.0.1",))


def run_checks(
    nameserver: str, server: ScriptedSmtpServer, selected: Sequence[CheckId], **mx: Any
) -> dict[CheckId, CheckResult]:
    """The selected checks concurrently on one context, probing `server` by its name."""

    async def go() -> list[CheckResult]:
        client = DnsClient([Nameserver.parse(nameserver)], timeout=1.0, retries=0)
        options = (RelayOptions((f"{MX}:{server.port}",)), MxOptions(**mx))
        ctx = check_context(client, DOMAIN, (), options, selected, smtp_timeout=5.0)
        return list(await asyncio.gather(*(CHECKS[c]().run(ctx) for c in selected)))

    return {result.check: result for result in asyncio.run(go())}


def relay_connections(results: dict[CheckId, CheckResult]) -> int:
    return int(results[CheckId.RELAY].evidence["servers"][0]["connections"])


def codes(result: CheckResult) -> dict[str, Severity]:
    return {f.code: f.severity for f in result.findings}


def tls_server(smtp_server: SmtpFactory, pki: LabPki) -> ScriptedSmtpServer:
    script = SmtpScript.closed(hostname=MX, starttls=True, tls_context=pki.server_context())
    return smtp_server(script)


def test_relay_and_mx_together_add_no_connection_to_the_probe(smtp_server, nameserver, pki):
    """Given an MX with real STARTTLS, when relay and mx run together, then the server
    accepted only the probe's connections (one more before the probe was shared), and
    the mx check judged the TLS session of the last: TLS 1.2+, trusted, the name right."""
    server = tls_server(smtp_server, pki)
    results = run_checks(nameserver, server, [CheckId.RELAY, CheckId.MX], ca_file=str(pki.ca_file))
    assert len(server.sessions) == relay_connections(results) == 2
    (tls,) = results[CheckId.MX].evidence["tls"]
    assert tls["protocol"] in ("TLSv1.2", "TLSv1.3")
    assert (tls["trusted"], tls["name_matches"]) == (True, True)
    assert not any(
        code.startswith(("MX_CERT", "MX_STARTTLS")) for code in codes(results[CheckId.MX])
    )


def test_the_shared_connection_asks_starttls_after_rset_and_never_sends_data(
    smtp_server, nameserver, pki
):
    """Given relay and mx together, when the probe's attempts are done, then its
    connection sends RSET, STARTTLS, then QUIT inside TLS (RFC 3207 §4), and no DATA."""
    server = tls_server(smtp_server, pki)
    run_checks(nameserver, server, [CheckId.RELAY, CheckId.MX], ca_file=str(pki.ca_file))
    session = server.sessions[-1]
    sent = [line for direction, line in session.lines if direction is Direction.CLIENT]
    assert sent[-3:] == ["RSET", "STARTTLS", "QUIT"]
    assert not server.data_received


def test_the_relay_probe_alone_never_asks_for_starttls(smtp_server, nameserver, pki):
    """Given relay alone, then its connections are as before: no STARTTLS sent."""
    server = tls_server(smtp_server, pki)
    results = run_checks(nameserver, server, [CheckId.RELAY])
    assert len(server.sessions) == relay_connections(results) == 2
    sent = {line for session in server.sessions for direction, line in session.lines
            if direction is Direction.CLIENT}  # fmt: skip
    assert "STARTTLS" not in sent and "QUIT" in sent


def test_the_mx_check_alone_makes_its_own_single_connection(smtp_server, nameserver, pki):
    server = tls_server(smtp_server, pki)
    results = run_checks(nameserver, server, [CheckId.MX], ca_file=str(pki.ca_file))
    assert len(server.sessions) == 1
    assert results[CheckId.MX].evidence["tls"][0]["trusted"] is True


def test_without_starttls_both_checks_report_one_finding(smtp_server, nameserver):
    """Given an MX without STARTTLS, when relay and mx run together, then the one fact
    is one finding, the mx check's (it owns transport security), at the same severity."""
    server = smtp_server(SmtpScript.closed(hostname=MX, starttls=False))
    results = run_checks(nameserver, server, [CheckId.RELAY, CheckId.MX])
    assert "RELAY_NO_STARTTLS" not in codes(results[CheckId.RELAY])
    assert codes(results[CheckId.MX])["MX_STARTTLS_MISSING"] is Severity.MEDIUM
    assert results[CheckId.RELAY].evidence["servers"][0]["starttls"] is False  # evidence kept


def test_without_starttls_the_relay_check_alone_still_says_so(smtp_server, nameserver):
    """Given an MX without STARTTLS, when relay runs alone (`--checks relay`), then it
    reports RELAY_NO_STARTTLS (medium), as before: nobody else would."""
    server = smtp_server(SmtpScript.closed(hostname=MX, starttls=False))
    results = run_checks(nameserver, server, [CheckId.RELAY])
    assert codes(results[CheckId.RELAY]) == {"RELAY_NO_STARTTLS": Severity.MEDIUM}


def test_a_failed_handshake_on_the_shared_connection_is_mx_only(smtp_server, nameserver, pki):
    """Given an MX whose STARTTLS is answered 454, when both run, then mx reports
    MX_STARTTLS_FAILED and the relay verdict is whole: every variant tried, no unknown."""
    server = smtp_server(SmtpScript.closed(hostname=MX, starttls=True))  # 454
    results = run_checks(nameserver, server, [CheckId.RELAY, CheckId.MX])
    assert codes(results[CheckId.MX])["MX_STARTTLS_FAILED"] is Severity.HIGH
    assert results[CheckId.RELAY].unknowns == ()
    assert len(results[CheckId.RELAY].evidence["servers"][0]["attempts"]) == 16
    assert len(server.sessions) == relay_connections(results)


def test_a_server_that_hangs_up_mid_probe_gets_its_own_mx_session(smtp_server, nameserver, pki):
    """Given a server that closes the probe's connection at RCPT (421), when both run,
    then the mx check connects itself and still judges STARTTLS."""
    script = SmtpScript.closed(
        hostname=MX, starttls=True, tls_context=pki.server_context(),
        replies={"RCPT": "421 4.3.2 Service shutting down"},
    )  # fmt: skip
    server = smtp_server(script)
    results = run_checks(nameserver, server, [CheckId.RELAY, CheckId.MX], ca_file=str(pki.ca_file))
    (tls,) = results[CheckId.MX].evidence["tls"]
    assert tls["protocol"] in ("TLSv1.2", "TLSv1.3")
    assert len(server.sessions) == relay_connections(results) + 1


def test_without_a_domain_the_relay_check_keeps_the_starttls_finding(smtp_server):
    """Given relay and mx selected but no domain (mx is skipped), when the server lacks
    STARTTLS, then relay still reports RELAY_NO_STARTTLS: someone must say it."""
    server = smtp_server(SmtpScript.closed(hostname=MX, starttls=False))

    async def go() -> list[CheckResult]:
        client = DnsClient([Nameserver.parse("127.0.0.1:9")], timeout=0.5, retries=0)
        options = (RelayOptions((server.address,)), MxOptions())
        ctx = check_context(client, None, (), options, [CheckId.RELAY, CheckId.MX])
        return list(await asyncio.gather(RelayCheck().run(ctx), MxCheck().run(ctx)))

    relay, mx = asyncio.run(go())
    assert mx.skipped
    assert codes(relay) == {"RELAY_NO_STARTTLS": Severity.MEDIUM}
