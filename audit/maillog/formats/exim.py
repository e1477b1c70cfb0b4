"""Exim mainlog lines -> normalized events.

`<=` arrival (`U=` local user, `A=authenticator:id`, `H=... [ip]`, `P=` protocol,
`for r1 r2` with +received_recipients), `=>`/`->` delivery, `**` bounce, `==` deferral;
`I=[ip]` is our outgoing interface with +outgoing_interface. A recipient followed by
`<parent>` was reached through an alias or forward. See the Exim spec, chapter "Log
files" (https://www.exim.org/exim-html-current/doc/html/spec_html/ch-log_files.html).
"""

from __future__ import annotations

import re
from datetime import datetime

from audit.maillog.formats.timestamps import parse_rfc3339
from audit.maillog.records import DeliveryEvent, DeliveryStatus, Event, SubmissionEvent

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
FIELD = re.compile(r" (?P<key>[UAPIRT])=(?P<value>\S+)")
RECIPIENTS = re.compile(r" for (?P<rcpts>.+)$")
PARENT = re.compile(r"^\S+ <[^>]*>")
REMOTE_ERROR = re.compile(r"\]:?\d*: (?P<reply>(?:SMTP error|host |[2-5]\d\d[ -]).*)$")
MAX_STAMPS = 4096  # parsed timestamps remembered at once
MAX_STAMP_CHARS = 64  # longer ones are parsed, never remembered
DELIVERY_STATUS = {
    "=>": DeliveryStatus.SENT,
    "->": DeliveryStatus.SENT,
    "**": DeliveryStatus.BOUNCED,
    "==": DeliveryStatus.DEFERRED,
}


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
        if message is None:
            return []  # queue runs, connections, rejections at SMTP time
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
        fields = _fields(body)
        host, host_ip = HOST_NAME.search(body), HOST_IP.search(body)
        reply = ""
        if flag == "=>" or flag == "->":
            reply = body.partition(' C="')[2].rstrip('"')
        elif error := REMOTE_ERROR.search(body):
            reply = error["reply"]
        else:
            reply = body.partition(": ")[2]
        local_ip = fields.get("I", "").strip("[]").rsplit("]:", 1)[0].strip("[]") or None
        return DeliveryEvent(
            at=at,
            message_id=mid,
            recipient=body.split(" ", 1)[0].rstrip(":"),
            status=DELIVERY_STATUS[flag],
            remote=host is not None and "lmtp" not in fields.get("T", ""),
            relay_host=host["host"] if host else None,
            relay_ip=host_ip["ip"] if host_ip else None,
            reply=reply,
            local_ip=local_ip,
            forwarded=PARENT.match(body) is not None,
            account=self.accounts.get(mid),
        )
