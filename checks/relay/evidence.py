"""The relay check's evidence, as the JSON result holds it: each SMTP server probed
(its greeting, EHLO keywords, where the probe ran from, every MAIL FROM / RCPT TO
attempt and what it got, the transcript); and the evidence each relay finding carries.

Built by `checks.relay.judge` and `checks.relay.model`, read by `checks.relay.report`,
described by the `$defs` of audit/schema/result.schema.json
(tests/checks/test_evidence_schema.py keeps them equal).
"""

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

AttemptOutcome = Literal[
    "accepted_at_rcpt", "rejected", "temporarily_rejected", "auth_required", "sender_rejected"
]


class RelayVantageEvidence(TypedDict):
    """Where the probe ran from, and why the server may trust that address."""

    source_ip: str | None  # None: no connection was made
    internal: bool | None
    reason: str


class RelayAttemptEvidence(TypedDict):
    variant: str
    kind: str  # plain | trick (checks/relay/variants.toml)
    mail_from: str  # <address>, as sent
    rcpt_to: str
    mail_reply: str | None  # the reply's last line
    rcpt_reply: str | None  # None: RCPT was not reached
    outcome: AttemptOutcome
    elapsed_ms: float


class RelayTimingsEvidence(TypedDict):
    connect: float | None
    total: float


class RelayServerEvidence(TypedDict):
    """One session with one server."""

    host: str
    ip: str
    port: int
    source: str  # given (--smtp-host) | mx
    vantage: RelayVantageEvidence
    banner: list[str] | None  # the greeting's lines; None: no greeting
    hello: str  # EHLO | HELO
    esmtp_extensions: list[str]
    starttls: bool | None  # None: no EHLO/HELO reply
    auth_mechanisms: list[str]
    attempts: list[RelayAttemptEvidence]
    error: str | None  # a ProbeError value
    error_detail: str | None
    quit_sent: bool
    # connections made, one after another, to stay below the server's error limit
    connections: NotRequired[int]  # absent from documents of earlier versions
    timings_ms: RelayTimingsEvidence
    transcript: list[str]
    transcript_lines_dropped: int


class RelayEvidenceDocument(TypedDict):
    foreign_recipient_domain: str
    variants: int  # address variants tried per server
    servers: list[RelayServerEvidence]


class RelayAcceptedEvidence(TypedDict):
    vantage: RelayVantageEvidence
    banner: str | None  # the greeting's last line
    accepted: list[RelayAttemptEvidence]


class RelayStarttlsEvidence(TypedDict):
    hello: str
    esmtp_extensions: list[str]


class RelayBannerEvidence(TypedDict):
    banner_name: str
    ptr: list[str]


FINDING_EVIDENCE: Mapping[str, type] = {
    "RELAY_OPEN": RelayAcceptedEvidence,
    "RELAY_ADDRESS_TRICK_ACCEPTED": RelayAcceptedEvidence,
    "RELAY_NO_STARTTLS": RelayStarttlsEvidence,
    "RELAY_BANNER_MISMATCH": RelayBannerEvidence,
}
