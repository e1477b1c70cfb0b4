"""The relay probe's evidence: what was probed, what was said, what each attempt got.

Plain data, filled by `checks.relay.probe` and judged by `checks.relay.judge`. Nothing
here talks to the network.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from audit.net.smtp import SmtpReply, sanitize
from audit.net.smtp_tls import TlsHandshake
from checks.relay.evidence import AttemptOutcome, RelayAttemptEvidence

MAX_TRANSCRIPT_LINES = 300  # both directions; a full 16-variant session is ~120 lines


class ProbeError(enum.StrEnum):
    """Why a session ended before every variant was tried."""

    CONNECT = "connect_failed"  # refused, unreachable, or no answer to the SYN
    TIMEOUT = "timeout"  # a reply did not arrive within the command timeout
    BUDGET = "budget"  # the whole session outlived its share of the check's time
    PROTOCOL = "protocol_violation"  # a size bound or the reply format was broken
    CLOSED = "connection_closed"  # the server hung up (or said 421, RFC 5321 §3.8)
    REFUSED = "session_refused"  # 554 greeting (RFC 5321 §3.1) or HELO refused


@dataclass(frozen=True)
class ProbeTarget:
    """One address to probe; `host` is the name it came from (or the IP itself)."""

    host: str
    ip: str
    port: int
    source: str  # "given" (--smtp-host) or "mx"

    @property
    def label(self) -> str:
        address = f"[{self.ip}]" if ":" in self.ip else self.ip
        name = "" if self.host == self.ip else f"{self.host} "
        return f"{name}{address}:{self.port}"


@dataclass(frozen=True)
class Attempt:
    """One MAIL FROM / RCPT TO combination and the replies it got."""

    variant: str
    kind: str  # "plain" or "trick" (see checks/relay/variants.toml)
    mail_from: str
    rcpt_to: str
    mail_reply: SmtpReply | None
    rcpt_reply: SmtpReply | None
    elapsed_ms: float

    @property
    def errors(self) -> int:
        """4xx/5xx replies: what servers count toward their error limits (Postfix)."""
        replies = (self.mail_reply, self.rcpt_reply)
        return sum(1 for reply in replies if reply is not None and reply.code >= 400)

    def to_evidence(self, outcome: AttemptOutcome) -> RelayAttemptEvidence:
        return {
            "variant": self.variant,
            "kind": self.kind,
            "mail_from": f"<{self.mail_from}>",
            "rcpt_to": f"<{self.rcpt_to}>",
            "mail_reply": self.mail_reply.wire()[-1] if self.mail_reply else None,
            "rcpt_reply": self.rcpt_reply.wire()[-1] if self.rcpt_reply else None,
            "outcome": outcome,
            "elapsed_ms": self.elapsed_ms,
        }


@dataclass
class StarttlsSeen:
    """STARTTLS asked at the end of the probe's last connection, for the mx check
    (RFC 3207): its reply, the handshake when it got 220, why it failed."""

    reply: str | None = None  # None: not asked (the EHLO reply did not offer it)
    handshake: TlsHandshake | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    transcript: list[str] = field(default_factory=list)  # greeting, EHLO, STARTTLS, TLS


@dataclass
class HostProbe:
    """Everything one session with one server showed (filled while probing)."""

    target: ProbeTarget
    source_ip: str | None = None
    banner: SmtpReply | None = None
    hello_verb: str = "EHLO"
    hello: SmtpReply | None = None
    attempts: list[Attempt] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    transcript_dropped: int = 0
    error: ProbeError | None = None
    error_detail: str = ""
    quit_sent: bool = False
    connect_ms: float | None = None  # the first connection's
    total_ms: float = 0.0
    connections: int = 0  # made one after another (checks.relay.probe)
    starttls_seen: StarttlsSeen | None = None  # only when the mx check runs too

    def record(self, direction: str, line: str) -> None:
        if len(self.transcript) < MAX_TRANSCRIPT_LINES:
            self.transcript.append(f"{direction}: {sanitize(line)}")
        else:
            self.transcript_dropped += 1

    def fail(self, error: ProbeError, detail: str) -> None:
        if self.error is None:  # the first cause is the one worth reporting
            self.error, self.error_detail = error, sanitize(detail)

    @property
    def capabilities(self) -> tuple[str, ...]:
        """EHLO keywords (RFC 5321 §4.1.1.1), upper-cased; empty after HELO."""
        if self.hello is None or self.hello_verb != "EHLO":
            return ()
        return tuple(line.split(" ", 1)[0].upper() for line in self.hello.lines[1:] if line)

    @property
    def auth_mechanisms(self) -> tuple[str, ...]:
        """Mechanisms after the AUTH keyword (RFC 4954 §3), bounded."""
        for line in self.hello.lines[1:] if self.hello and self.hello_verb == "EHLO" else ():
            keyword, _, rest = line.partition(" ")
            if keyword.upper() == "AUTH":
                return tuple(word.upper() for word in rest.split()[:20])
        return ()

    @property
    def starttls(self) -> bool:
        return "STARTTLS" in self.capabilities  # RFC 3207 §4
