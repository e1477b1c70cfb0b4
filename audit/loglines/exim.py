"""Exim mainlog lines -> normalized events.

`<=` arrival (`U=` local user, `A=authenticator:id`, `H=... [ip]`, `P=` protocol,
`for r1 r2` with +received_recipients), `=>`/`->` delivery, `**` bounce, `==` deferral;
`I=[ip]` is our outgoing interface with +outgoing_interface. A recipient followed by
`<parent>` was reached through an alias or forward. See the Exim spec, chapter "Log
files" (https://www.exim.org/exim-html-current/doc/html/spec_html/ch-log_files.html).

`read_delivery` (one delivery line, without correlation), `remote_reply` (the remote
server's words inside Exim's "SMTP error from remote mail server after ...:") and
`smtp_reject` (Exim refusing a client at SMTP time) are stateless: the parser uses the
first, `explain` all three on the lines of a pasted log excerpt (audit/loglines/rejected.py).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from audit.loglines.attempts import exim_attempt
from audit.loglines.records import DeliveryEvent, DeliveryStatus, Event, SubmissionEvent
from audit.loglines.timestamps import parse_rfc3339

LINE = re.compile(
    r"^(?P<date>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)(?: (?P<tz>[+-]\d{4}))?"
    r"(?: \[\d+\])? (?P<rest>.*)$"
)
MESSAGE = re.compile(
    r"^(?P<mid>[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) "
    r"(?P<flag><=|=>|->|\*>|\*\*|==) (?P<body>.*)$"
)
HOST_IP = re.compile(r" H=[^\[]*?\[(?P<ip>[0-9A-Fa-f.:]+)\]")
HOST_NAME = re.compile(r" H=(?P<host>[^\s\[(]+)")
# X= is the TLS cipher of the connection (log_selector tls_cipher, on by default): a
# delivery line without it went in clear text
FIELD = re.compile(r" (?P<key>[UAPIRTX])=(?P<value>\S+)")
RECIPIENTS = re.compile(r" for (?P<rcpts>.+)$")
PARENT = re.compile(r"^\S+ <[^>]*>")
REMOTE_ERROR = re.compile(r"\]:?\d*: (?P<reply>(?:SMTP error|host |[2-5]\d\d[ -]).*)$")
SMTP_ERROR = re.compile(
    r"^SMTP error from remote mail(?:er| server) after .*?:\s+"
    r"(?P<reply>(?:4[25]\d|5[0-5]\d)[ -].*)$"
)
SMTP_REJECT = re.compile(r"\brejected (?:RCPT|MAIL|connection|after DATA)[^:]*: (.*)$")
MAX_STAMPS = 4096  # parsed timestamps remembered at once
MAX_STAMP_CHARS = 64  # longer ones are parsed, never remembered
DELIVERY_STATUS = {
    "=>": DeliveryStatus.SENT,
    "->": DeliveryStatus.SENT,
    "**": DeliveryStatus.BOUNCED,
    "==": DeliveryStatus.DEFERRED,
}


class EximDelivery(NamedTuple):
    """One delivery line as logged, before the parser correlates it with its arrival."""

    status: DeliveryStatus
    fields: dict[str, str]  # the U=, A=, P=, I=, R=, T=, X= fields
    relay_host: str | None
    relay_ip: str | None
    reply: str  # C="..." of a delivery, the remote error of a bounce or deferral


def read_delivery(flag: str, body: str) -> EximDelivery:
    """The delivery a `=>`, `->`, `**` or `==` line's body states."""
    host, host_ip = HOST_NAME.search(body), HOST_IP.search(body)
    if flag == "=>" or flag == "->":
        reply = body.partition(' C="')[2].rstrip('"')
    elif error := REMOTE_ERROR.search(body):
        reply = error["reply"]
    else:
        reply = body.partition(": ")[2]
    return EximDelivery(
        DELIVERY_STATUS[flag],
        _fields(body),
        host["host"] if host else None,
        host_ip["ip"] if host_ip else None,
        reply,
    )


def delivery_in_line(line: str) -> EximDelivery | None:
    """The delivery of one mainlog line read alone (no arrival to correlate), else None."""
    stamp = LINE.match(line)
    message = MESSAGE.match(stamp["rest"]) if stamp else None
    if message is None or message["flag"] not in DELIVERY_STATUS:
        return None
    return read_delivery(message["flag"], message["body"])


def remote_reply(reply: str) -> str | None:
    """The remote server's reply inside "SMTP error from remote mail server after …: 550 …"."""
    found = SMTP_ERROR.match(reply)
    return found["reply"] if found else None


def smtp_reject(line: str) -> str | None:
    """The reply of a `rejected RCPT|MAIL|connection|after DATA` line, else None."""
    found = SMTP_REJECT.search(line)
    return found.group(1) if found else None


def _fields(body: str) -> dict[str, str]:
    return {m["key"]: m["value"] for m in FIELD.finditer(body)}


def _account(fields: dict[str, str]) -> str | None:
    if auth := fields.get("A"):
        return auth.partition(":")[2] or auth
    if fields.get("P") == "local" and (user := fields.get("U")):
        return f"local:{user}"
    return None


class EximParser:
    def __init__(self) -> None:
        self.accounts: dict[str, str | None] = {}
        self.stamps: dict[tuple[str, str | None], datetime | None] = {}  # parsed stamps

    def parse(self, line: str) -> list[Event] | None:
        """Events of one line; [] for lines of no interest; None for a malformed line."""
        stamp = LINE.match(line)
        if stamp is None:
            return None
        key = (stamp["date"], stamp["tz"])
        if key in self.stamps:
            at = self.stamps[key]
        else:
            date, zone = key
            at = parse_rfc3339(date + (f"{zone[:3]}:{zone[3:]}" if zone else ""))
            if len(self.stamps) >= MAX_STAMPS:
                self.stamps.clear()
            if len(date) <= MAX_STAMP_CHARS:
                self.stamps[key] = at
        message = MESSAGE.match(stamp["rest"])
        if message is None:  # queue runs, connections, rejections at SMTP time
            attempt = exim_attempt(at, stamp["rest"])
            return [] if attempt is None else [attempt]
        if message["flag"] == "<=":
            return [self._arrival(at, message["mid"], message["body"])]
        if message["flag"] in DELIVERY_STATUS:
            return [self._delivery(at, message["mid"], message["flag"], message["body"])]
        return []

    def _arrival(self, at: datetime | None, mid: str, body: str) -> SubmissionEvent:
        fields = _fields(body)
        account = _account(fields)
        if len(self.accounts) > 100_000:
            self.accounts.clear()  # bounded memory; only later deliveries lose their account
        self.accounts[mid] = account
        client = HOST_IP.search(body)
        rcpts = RECIPIENTS.search(body)
        sender = body.split(" ", 1)[0]
        return SubmissionEvent(
            at=at,
            message_id=mid,
            account=account,
            client_ip=client["ip"] if client else None,
            sender=None if sender == "<>" else sender,
            recipients=len(rcpts["rcpts"].split()) if rcpts else 1,
            local=fields.get("P") == "local" or client is None,
        )

    def _delivery(self, at: datetime | None, mid: str, flag: str, body: str) -> DeliveryEvent:
        status, fields, relay_host, relay_ip, reply = read_delivery(flag, body)
        local_ip = fields.get("I", "").strip("[]").rsplit("]:", 1)[0].strip("[]") or None
        remote = relay_host is not None and "lmtp" not in fields.get("T", "")
        return DeliveryEvent(
            at=at,
            message_id=mid,
            recipient=body.split(" ", 1)[0].rstrip(":"),
            status=status,
            remote=remote,
            relay_host=relay_host,
            relay_ip=relay_ip,
            reply=reply,
            local_ip=local_ip,
            forwarded=PARENT.match(body) is not None,
            account=self.accounts.get(mid),
            tls="X" in fields if remote else None,
        )
