"""The normalized events every log format is turned into (Postfix, Exim, Mailgun).

A *submission* is a message entering the server for delivery (Postfix qmgr `from=`,
Exim `<=`, Mailgun `accepted`); a *delivery* is one attempt for one recipient (Postfix
smtp `status=`, Exim `=>`/`**`/`==`, Mailgun `delivered`/`failed`). `account` is who
submitted it: the SASL user, Exim's `A=` authenticator id (or `U=` for local
submissions), Mailgun's envelope sender.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class LogFormat(enum.StrEnum):
    POSTFIX = "postfix"
    EXIM = "exim"
    MAILGUN = "mailgun"


class DeliveryStatus(enum.StrEnum):
    SENT = "sent"
    DEFERRED = "deferred"
    BOUNCED = "bounced"


@dataclass(frozen=True, slots=True)
class SubmissionEvent:
    at: datetime | None
    message_id: str  # queue id / Exim message id / Mailgun Message-Id
    account: str | None  # None: not authenticated (inbound mail or relaying)
    client_ip: str | None  # the submitting client, where the log says it
    sender: str | None
    recipients: int
    local: bool = False  # submitted on the host itself (sendmail, pickup, P=local)


@dataclass(frozen=True, slots=True)
class DeliveryEvent:
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


Event = SubmissionEvent | DeliveryEvent


def recipient_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()
