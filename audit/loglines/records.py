"""The normalized events every log format is turned into (Postfix, Exim, Mailgun).

A *submission* is a message entering the server for delivery (Postfix qmgr `from=`,
Exim `<=`, Mailgun `accepted`); a *delivery* is one attempt for one recipient (Postfix
smtp `status=`, Exim `=>`/`**`/`==`, Mailgun `delivered`/`failed`). `account` is who
submitted it: the SASL user, Exim's `A=` authenticator id (or `U=` for local
submissions), Mailgun's envelope sender. An *attempt* is a client's try our server refused
at SMTP time that a fail2ban jail would count: a failed SASL login, a relay denied, a
recipient unknown here (a dictionary attack is many of those from one client).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import NamedTuple


class LogFormat(enum.StrEnum):
    POSTFIX = "postfix"
    EXIM = "exim"
    MAILGUN = "mailgun"


class DeliveryStatus(enum.StrEnum):
    SENT = "sent"
    DEFERRED = "deferred"
    BOUNCED = "bounced"


class SubmissionEvent(NamedTuple):
    at: datetime | None
    message_id: str  # queue id / Exim message id / Mailgun Message-Id
    account: str | None  # None: not authenticated (inbound mail or relaying)
    client_ip: str | None  # the submitting client, where the log says it
    sender: str | None
    recipients: int
    local: bool = False  # submitted on the host itself (sendmail, pickup, P=local)


class DeliveryEvent(NamedTuple):
    at: datetime | None
    message_id: str
    recipient: str
    status: DeliveryStatus
    remote: bool  # delivered to another server over SMTP (not a local mailbox)
    relay_host: str | None = None
    relay_ip: str | None = None
    reply: str = ""  # the remote server's reply text
    local_ip: str | None = None  # our sending IP, only where the log states it
    forwarded: bool = False  # an alias/forward (Postfix orig_to=, Exim <parent>)
    account: str | None = None  # filled by parsers that correlate by message id
    # the delivery went over TLS (Postfix `... TLS connection established to` of the same
    # smtp process and relay, Exim `X=`); None where the parser cannot tell (local delivery)
    tls: bool | None = None


class AttemptKind(enum.StrEnum):
    AUTH_FAILED = (
        "auth_failed"  # Postfix `SASL ... authentication failed`, Exim `authenticator failed`
    )
    RELAY_DENIED = "relay_denied"  # Postfix `Relay access denied`, Exim `relay not permitted`
    UNKNOWN_RECIPIENT = "unknown_recipient"  # a local recipient that does not exist


class AttemptEvent(NamedTuple):
    at: datetime | None
    kind: AttemptKind
    client_ip: str
    account: str | None = None  # the login tried (Postfix sasl_username=, Exim set_id=)
    recipient: str | None = None  # RCPT TO of a relay or unknown-recipient attempt


Event = SubmissionEvent | DeliveryEvent | AttemptEvent


def recipient_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()
