"""How a lab SMTP server behaves: an `SmtpScript` (immutable data) and its presets.

A script describes a correctly closed MX, an open relay, one that wants AUTH, a
greylister, a tarpit, one that accepts address-syntax tricks (percent hack, bang paths)
at RCPT time and drops the mail later, or a hostile one that sends replies a careful
client must bound (over-long lines, thousands of continuation lines, non-UTF-8 bytes, a
multiline reply that never ends). `classify_recipient` says where mail for a RCPT path
would go, which the relay policy then accepts or denies.

`audit.lab.smtpserver.ScriptedSmtpServer` serves a script.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from audit.lab.smtpwire import Reply

COMMAND_LINE_OCTETS = 512  # RFC 5321 §4.5.3.1.4, CRLF included

POSTFIX_RELAY_DENIED = "554 5.7.1 <{recipient}>: Relay access denied"
SENDMAIL_RELAY_DENIED = "550 5.7.1 <{recipient}>... Relaying denied"
# '@hop1,@[192.0.2.1]:' in front of a mailbox (RFC 5321 §4.1.2 A-d-l)
SOURCE_ROUTE = re.compile(r"^(?:@(?:\[[^\]]*\]|[^,:\[]*),?)+:")
DEFAULT_EHLO_LINES = ("PIPELINING", "SIZE 10240000", "VRFY", "ENHANCEDSTATUSCODES", "8BITMIME")


class RelayPolicy(enum.StrEnum):
    """Which recipients the server accepts at RCPT time."""

    CLOSED = "closed"  # local domains only (a correctly configured MX)
    OPEN = "open"  # every recipient
    ACCEPT_THEN_DROP = "accept_then_drop"  # also routing tricks aimed at local domains


class Hostility(enum.StrEnum):
    """How a hostile server mangles one reply (tests of the client's bounds)."""

    LONG_LINE = "long_line"  # one reply line of `hostile_size` octets
    MANY_LINES = "many_lines"  # `hostile_size` continuation lines before the real reply
    NON_UTF8 = "non_utf8"  # the real reply with invalid UTF-8 bytes in its text
    ENDLESS = "endless"  # continuation lines until the client leaves


class RecipientKind(enum.StrEnum):
    LOCAL = "local"  # a mailbox in one of our domains
    RELAY = "relay"  # a mailbox in a foreign domain: plain relaying
    ROUTED = "routed"  # addressed to us, but the local part routes elsewhere (%, !, @)


@dataclass(frozen=True)
class SmtpScript:
    """How a `ScriptedSmtpServer` behaves. Build one from a preset and adjust with
    `dataclasses.replace` or the presets' keyword arguments."""

    hostname: str = "mx1.example.test"
    greeting: str = "220 mx1.example.test ESMTP Postfix"
    local_domains: frozenset[str] = frozenset({"example.test"})
    local_users: frozenset[str] | None = None  # None: every local part exists
    relay: RelayPolicy = RelayPolicy.CLOSED
    relay_denied_reply: str = POSTFIX_RELAY_DENIED  # "{recipient}" is filled in
    ehlo_lines: tuple[str, ...] = DEFAULT_EHLO_LINES
    starttls: bool = False  # advertise STARTTLS (answered 454 without a tls_context)
    # The server side of STARTTLS (RFC 3207): 220 and the handshake with this context.
    tls_context: ssl.SSLContext | None = field(default=None, compare=False, hash=False)
    auth_mechanisms: tuple[str, ...] = ()  # e.g. ("PLAIN", "LOGIN"): advertise AUTH
    auth_required_at: str | None = None  # "MAIL" or "RCPT": answer 530 there
    greylist: bool = False  # every RCPT gets 450
    # verb or "BANNER" -> reply text, used whenever the command is in sequence. A DATA
    # override should refuse (a 354 here would make the body be read as commands).
    replies: Mapping[str, str] = field(default_factory=dict, hash=False)
    banner_delay_s: float = 0.0
    max_line_length: int = COMMAND_LINE_OCTETS
    idle_timeout_s: float = 300.0
    hostility: Hostility | None = None
    hostile_at: str = "BANNER"  # "BANNER" or a verb such as "EHLO"
    hostile_size: int | None = None  # octets (LONG_LINE: 100 000) or lines (MANY_LINES: 10 000)

    def __post_init__(self) -> None:
        domains = frozenset(domain.lower() for domain in self.local_domains)
        object.__setattr__(self, "local_domains", domains)
        if self.local_users is not None:
            object.__setattr__(self, "local_users", frozenset(self.local_users))
        object.__setattr__(self, "replies", {k.upper(): v for k, v in self.replies.items()})
        object.__setattr__(self, "hostile_at", self.hostile_at.upper())
        if self.auth_required_at not in (None, "MAIL", "RCPT"):
            raise ValueError(f"auth_required_at must be MAIL or RCPT: {self.auth_required_at!r}")
        for reply_text in (self.greeting, *self.replies.values()):
            Reply.parse(reply_text)  # fail at construction, not mid-session

    # -- presets -------------------------------------------------------------------

    @classmethod
    def closed(cls, **overrides: Any) -> SmtpScript:
        """A correctly configured MX: RCPT accepted only for its local domains."""
        return cls(**overrides)

    @classmethod
    def open_relay(cls, **overrides: Any) -> SmtpScript:
        return cls(**{"relay": RelayPolicy.OPEN, **overrides})

    @classmethod
    def auth_required(cls, at: str = "MAIL", **overrides: Any) -> SmtpScript:
        defaults = {"auth_required_at": at, "auth_mechanisms": ("PLAIN", "LOGIN")}
        return cls(**{**defaults, **overrides})

    @classmethod
    def greylisting(cls, **overrides: Any) -> SmtpScript:
        return cls(**{"greylist": True, **overrides})

    @classmethod
    def tarpit(cls, delay_s: float, **overrides: Any) -> SmtpScript:
        """A server that waits `delay_s` before its banner (anti-spam tarpitting)."""
        return cls(**{"banner_delay_s": delay_s, **overrides})

    @classmethod
    def hostile(
        cls, kind: Hostility | str = Hostility.ENDLESS, at: str = "BANNER", **overrides: Any
    ) -> SmtpScript:
        return cls(**{"hostility": Hostility(kind), "hostile_at": at, **overrides})

    @classmethod
    def accept_then_drop(cls, **overrides: Any) -> SmtpScript:
        """Rejects plain relaying but accepts routing tricks aimed at a local domain
        (percent hack, bang path, `user@other@[ip]`), like OpenSMTPD issue #754."""
        return cls(**{"relay": RelayPolicy.ACCEPT_THEN_DROP, **overrides})

    @classmethod
    def banner(cls, text: str, **overrides: Any) -> SmtpScript:
        """A closed MX greeting with `text` ('220 mx1.example.test ESMTP Postfix' or
        without the code); its first word becomes the EHLO hostname."""
        greeting = text if re.match(r"^\d{3}[ -]", text) else f"220 {text}"
        words = greeting[4:].split()
        defaults = {"greeting": greeting, "hostname": words[0] if words else "localhost"}
        return cls(**{**defaults, **overrides})

    def replace(self, **changes: Any) -> SmtpScript:
        return dataclasses.replace(self, **changes)

    # -- derived -------------------------------------------------------------------

    def extensions(self) -> tuple[str, ...]:
        extra = ["STARTTLS"] if self.starttls else []
        if self.auth_mechanisms:
            extra.append("AUTH " + " ".join(self.auth_mechanisms))
        return (*self.ehlo_lines, *extra)


def classify_recipient(path: str, local_domains: Iterable[str]) -> RecipientKind:
    """Where mail for a RCPT path would go. Source routes are ignored (RFC 5321 §3.6.1
    lets a server strip them); a local part holding %, ! or @ routes to another host
    unless that host is one of ours."""
    local = {domain.lower() for domain in local_domains}
    mailbox = SOURCE_ROUTE.sub("", path)
    local_part, at, domain = mailbox.rpartition("@")
    if not at:
        local_part, domain = mailbox, ""
    local_part = local_part.strip('"')
    if domain and domain.lower() not in local:
        return RecipientKind.RELAY
    inner = _routed_domain(local_part)
    if inner is None:
        return RecipientKind.LOCAL
    return RecipientKind.LOCAL if inner.lower() in local else RecipientKind.ROUTED


def _routed_domain(local_part: str) -> str | None:
    """The next hop hidden in a local part: 'u%host', 'u@host' or 'host!u'."""
    if "@" in local_part or "%" in local_part:
        return re.split(r"[@%]", local_part)[-1]
    if "!" in local_part:
        return local_part.split("!", 1)[0]
    return None
