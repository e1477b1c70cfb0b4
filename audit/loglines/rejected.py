"""The rejection one Postfix or Exim log line records, read alone (no file, no correlation).

This is how `explain` reads a pasted log excerpt: each line through the same readers the log
digest's parsers use (audit/loglines/postfix.py, exim.py), keeping the lines that carry a
rejection:
- Postfix `status=bounced|deferred|undeliverable (host X[ip] said: …)` or `(… refused to talk
  to me: …)`: the remote server's reply. Other reasons in the parentheses (a timeout, a local
  error) are Postfix's own words, not a rejection.
- Exim `**`/`==` lines with "SMTP error from remote mail server after …: 550 …".
- Postfix smtpd `NOQUEUE: reject: …` and Exim `rejected RCPT …`: our server's refusals.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.loglines import exim, postfix
from audit.loglines.records import DeliveryStatus

POSTFIX_REJECTED = frozenset({"bounced", "deferred", "undeliverable"})
# How Postfix words a reply it received (MAILLOG_README; smtp(8) "refused to talk to me").
POSTFIX_REMOTE_WORDS = (" said:", "refused to talk to me")


@dataclass(frozen=True)
class LoggedRejection:
    """A rejection as one log line states it: the reply and what the line says around it."""

    reply: str
    remote_host: str | None = None  # Exim's H=; Postfix names it inside the reply
    deferred: bool | None = None  # status=deferred, Exim `==`; None for SMTP-time rejects
    dsn: str | None = None  # Postfix dsn= (RFC 3463)


def _postfix(line: str, delivery: postfix.PostfixDelivery) -> LoggedRejection | None:
    if not any(words in delivery.reply for words in POSTFIX_REMOTE_WORDS):
        return None  # a timeout or a local error: Postfix's own words
    deferred = delivery.status == "deferred"
    return LoggedRejection(delivery.reply, None, deferred, postfix.delivery_dsn(line))


def _exim(line: str) -> LoggedRejection | None:
    delivery = exim.delivery_in_line(line)
    reply = exim.remote_reply(delivery.reply) if delivery is not None else None
    if delivery is None or reply is None:
        return None
    host = delivery.relay_host.lower() if delivery.relay_host else None
    return LoggedRejection(reply, host, delivery.status is DeliveryStatus.DEFERRED)


def logged_rejection(line: str) -> LoggedRejection | None:
    """The rejection `line` records, or None (a delivery, a timeout, any other line)."""
    delivery = postfix.read_delivery(line)
    if delivery is not None and delivery.status in POSTFIX_REJECTED:
        return _postfix(line, delivery)
    remote = _exim(line)
    if remote is not None:
        return remote
    local = postfix.smtpd_reject(line) or exim.smtp_reject(line)
    return LoggedRejection(local) if local is not None else None
