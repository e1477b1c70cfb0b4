"""Judge relay-probe evidence: pure functions from a `HostProbe` to findings, unknowns.

A 2xx to RCPT TO means "accepted at RCPT time", nothing more: some servers (OpenSMTPD
issue #754) accept address tricks and drop the mail later, and a probe run from inside
the server's trusted networks (Postfix `mynetworks`, Exim `relay_from_hosts`) sees an
open relay that outsiders do not (docker-mailserver #128). So every finding names the
probe's source address and says when that address looks internal. 4xx answers
(greylisting, RFC 6647) decide nothing; 530 means authentication is required (RFC 4954
§6) and is a refusal.
"""

from __future__ import annotations

import enum
import ipaddress

from audit.model import CheckId, Finding, Severity, Unknown, UnknownReason
from checks.relay.evidence import (
    RelayAcceptedEvidence,
    RelayServerEvidence,
    RelayVantageEvidence,
)
from checks.relay.model import Attempt, HostProbe, ProbeError

# Address space a server's admin typically trusts to relay (Postfix mynetworks_style =
# subnet, Docker networks, VPNs): RFC 1918, RFC 6598 (CGNAT), RFC 3927 / RFC 4291
# link-local, RFC 4193 unique-local.
LOCAL_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
        "169.254.0.0/16", "fc00::/7", "fe80::/10",
    )
)  # fmt: skip
UNKNOWN_REASONS = {
    ProbeError.CONNECT: UnknownReason.NETWORK,
    ProbeError.TIMEOUT: UnknownReason.TIMEOUT,
    ProbeError.BUDGET: UnknownReason.TIMEOUT,
    ProbeError.PROTOCOL: UnknownReason.MALFORMED,
    ProbeError.CLOSED: UnknownReason.NETWORK,
    ProbeError.REFUSED: UnknownReason.REFUSED,
}


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted_at_rcpt"  # 2xx to RCPT: relaying accepted, at least for now
    REJECTED = "rejected"  # 5xx to RCPT
    TEMP_REJECTED = "temporarily_rejected"  # 4xx to MAIL or RCPT (e.g. greylisting)
    AUTH_REQUIRED = "auth_required"  # 530 (RFC 4954 §6)
    SENDER_REJECTED = "sender_rejected"  # 5xx to MAIL: RCPT not tried


RELAY_CODES = frozenset({"RELAY_OPEN", "RELAY_ADDRESS_TRICK_ACCEPTED"})
DEFINITE_REFUSALS = {Outcome.REJECTED, Outcome.AUTH_REQUIRED, Outcome.SENDER_REJECTED}


def classify(attempt: Attempt) -> Outcome:
    reply = attempt.rcpt_reply or attempt.mail_reply
    code = reply.code if reply else 0
    if code == 530 or (code // 100 == 5 and "5.7.0" in (reply.text if reply else "")):
        return Outcome.AUTH_REQUIRED
    if code // 100 == 4:
        return Outcome.TEMP_REJECTED
    if attempt.rcpt_reply is None:
        return Outcome.SENDER_REJECTED
    return Outcome.ACCEPTED if code // 100 == 2 else Outcome.REJECTED


def vantage(source_ip: str | None, server_ip: str) -> RelayVantageEvidence:
    """Where the probe ran from, and why the server may trust that address."""
    if source_ip is None:
        return {"source_ip": None, "internal": None, "reason": "no connection was made"}
    source = ipaddress.ip_address(source_ip.split("%")[0])
    server = ipaddress.ip_address(server_ip)
    prefix = 24 if source.version == 4 else 64
    same_net = source.version == server.version and server in ipaddress.ip_network(
        f"{source}/{prefix}", strict=False
    )
    reason = None
    if source.is_loopback:
        reason = "loopback: the server itself"
    elif any(source in network for network in LOCAL_NETWORKS):
        reason = "a private address, inside a local network"
    elif same_net:
        reason = f"in the server's own /{prefix} network"
    public = "a public address" if reason is None else "an address the server may trust"
    return {"source_ip": str(source), "internal": reason is not None, "reason": reason or public}


def _vantage_caveat(facts: RelayVantageEvidence) -> str:
    where = f"The probe ran from {facts['source_ip']}"
    if not facts["internal"]:
        return f"{where}, a public address."
    return (
        f"{where} ({facts['reason']}). Servers trust such addresses (Postfix mynetworks, "
        "Exim relay_from_hosts), so this may be a false alarm: repeat the probe from "
        "outside the server's networks."
    )


def _attempt_list(attempts: list[Attempt]) -> str:
    return ", ".join(f"{a.variant} <{a.rcpt_to}>" for a in attempts)


def relay_findings(probe: HostProbe) -> list[Finding]:
    accepted = [a for a in probe.attempts if classify(a) is Outcome.ACCEPTED]
    plain = [a for a in accepted if a.kind == "plain"]
    tricks = [a for a in accepted if a.kind == "trick"]
    facts = vantage(probe.source_ip, probe.target.ip)
    evidence: RelayAcceptedEvidence = {
        "vantage": facts,
        "banner": probe.banner.wire()[-1] if probe.banner else None,
        "accepted": [a.to_evidence(Outcome.ACCEPTED.value) for a in accepted],
    }
    subject, caveat = probe.target.label, _vantage_caveat(facts)
    if plain:
        detail = (
            f"RCPT TO a foreign domain was accepted for {len(plain)} plain variant(s) "
            f"({_attempt_list(plain)}), without authentication. Accepted at RCPT time: "
            f"DATA was never sent. {caveat}"
        )
        title = f"{subject} accepts mail for foreign domains (open relay)"
        return [
            Finding(
                CheckId.RELAY, "RELAY_OPEN", Severity.CRITICAL, subject, title, detail, evidence
            )
        ]
    if tricks:
        detail = (
            f"Plain relaying is refused, but {len(tricks)} address trick(s) were accepted at "
            f"RCPT time ({_attempt_list(tricks)}). The server may still drop or bounce "
            f"them later (accept-then-drop); verify in its logs and queue. {caveat}"
        )
        title = f"{subject} accepts relay address tricks at RCPT time"
        code, severity = "RELAY_ADDRESS_TRICK_ACCEPTED", Severity.HIGH
        return [Finding(CheckId.RELAY, code, severity, subject, title, detail, evidence)]
    return []


def host_unknowns(probe: HostProbe, variant_count: int) -> list[Unknown]:
    """What this session could not determine. A proven relay needs no unknown."""
    outcomes = [classify(a) for a in probe.attempts]
    if Outcome.ACCEPTED in outcomes:
        return []
    subject = probe.target.label
    if probe.error is not None:
        tried = f"{len(probe.attempts)} of {variant_count} variants tried"
        detail = f"{probe.error.value}: {probe.error_detail} ({tried})"
        return [Unknown(subject, UNKNOWN_REASONS[probe.error], detail)]
    plain = [o for a, o in zip(probe.attempts, outcomes, strict=True) if a.kind == "plain"]
    if not any(outcome in DEFINITE_REFUSALS for outcome in plain):
        detail = (
            "every plain relay attempt was refused only temporarily (4xx, e.g. greylisting, "
            "RFC 6647): whether the server relays is undetermined; probe again later"
        )
        return [Unknown(subject, UnknownReason.REFUSED, detail)]
    return []


def host_evidence(probe: HostProbe) -> RelayServerEvidence:
    """The appendix entry of one probed server: session facts, attempts, transcript."""
    return {
        "host": probe.target.host,
        "ip": probe.target.ip,
        "port": probe.target.port,
        "source": probe.target.source,
        "vantage": vantage(probe.source_ip, probe.target.ip),
        "banner": probe.banner.wire() if probe.banner else None,
        "hello": probe.hello_verb,
        "esmtp_extensions": list(probe.capabilities),
        "starttls": probe.starttls if probe.hello else None,
        "auth_mechanisms": list(probe.auth_mechanisms),
        "attempts": [a.to_evidence(classify(a).value) for a in probe.attempts],
        "error": probe.error.value if probe.error else None,
        "error_detail": probe.error_detail or None,
        "quit_sent": probe.quit_sent,
        "connections": probe.connections,
        "timings_ms": {"connect": probe.connect_ms, "total": probe.total_ms},
        "transcript": list(probe.transcript),
        "transcript_lines_dropped": probe.transcript_dropped,
    }
