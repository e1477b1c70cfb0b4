"""Postfix syslog lines -> normalized events, correlated by queue id.

smtpd logs `QID: client=host[ip], sasl_method=..., sasl_username=user`; pickup logs
`QID: uid=33 from=<...>` for local sendmail(1) submissions; qmgr logs `QID: from=<s>,
size=N, nrcpt=N (queue active)` (again on every retry, the digest de-duplicates);
smtp/lmtp/local/virtual log `QID: to=<r>, [orig_to=<a>,] relay=host[ip]:port, ...,
status=sent|deferred|bounced (reply)`; qmgr `QID: removed` ends the message. See
https://www.postfix.org/MAILLOG_README.html. Both classic and RFC 3339 stamps parse.
"""

from __future__ import annotations

import ipaddress
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from checks.maillog.records import DeliveryEvent, DeliveryStatus, Event, SubmissionEvent
from checks.maillog.timestamps import SyslogClock, parse_rfc3339

MAX_QUEUE_STATE = 100_000  # queue ids remembered at once (bounded memory)

CLASSIC = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) {1,2}(?P<day>\d{1,2}) (?P<time>\d\d:\d\d:\d\d) (?P<rest>.*)$"
)
RFC3339 = re.compile(r"^(?P<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*) (?P<rest>.*)$")
PROGRAM = re.compile(r"^\S+ (?P<program>[\w./-]+?)(?:\[\d+\])?: (?P<message>.*)$")
QUEUED = re.compile(r"^(?P<qid>[0-9A-Za-z]{5,20}): (?P<body>.*)$")
CLIENT = re.compile(r"client=(?P<name>[^\[\s,]*)\[(?P<ip>[^\]]+)\]")
SASL_USER = re.compile(r"sasl_username=(?P<user>[^,\s]+)")
PICKUP = re.compile(r"^uid=(?P<uid>\d+) from=<(?P<sender>[^>]*)>")
QMGR_FROM = re.compile(r"^from=<(?P<sender>[^>]*)>, size=\d+, nrcpt=(?P<nrcpt>\d+)")
TO = re.compile(r"^to=<(?P<rcpt>[^>]*)>")
ORIG_TO = re.compile(r", orig_to=<[^>]*>")
RELAY = re.compile(r", relay=(?P<host>[^\[,\s]+)(?:\[(?P<ip>[^\]]*)\](?::\d+)?)?")
STATUS = re.compile(r", status=(?P<status>sent|deferred|bounced|expired)(?: \((?P<reply>.*)\))?")
REMOTE_SERVICES = frozenset({"smtp"})


@dataclass
class _Queued:
    client_ip: str | None = None
    account: str | None = None
    local: bool = False
    submitted: bool = False  # qmgr logs from= again on every retry: report it once


def _is_local_ip(ip: str | None) -> bool:
    if ip is None:
        return True
    try:
        return ipaddress.ip_address(ip.removeprefix("IPv6:")).is_loopback
    except ValueError:
        return False


def _to_content_filter(relay: re.Match[str] | None) -> bool:
    """smtp to 127.0.0.1:10024 (amavis and friends) is a content filter, not the internet."""
    return relay is not None and relay["ip"] is not None and _is_local_ip(relay["ip"])


class PostfixParser:
    """One parser per file: it holds the year inference and the queue-id state."""

    def __init__(self, reference: date) -> None:
        self.clock = SyslogClock(reference)
        self.queue: OrderedDict[str, _Queued] = OrderedDict()

    def parse(self, line: str) -> list[Event] | None:
        """Events of one line; [] for lines of no interest; None for a malformed line."""
        at, rest = self._split_stamp(line)
        if rest is None:
            return None
        program = PROGRAM.match(rest)
        if program is None:
            return None
        name = program["program"]
        if "postfix" not in name:
            return []  # another daemon sharing the log (dovecot, opendkim, ...)
        queued = QUEUED.match(program["message"])
        if queued is None:
            return []  # NOQUEUE rejects, connect/disconnect, warnings
        service = name.rsplit("/", 1)[-1]
        return self._queued(at, service, queued["qid"], queued["body"])

    def _split_stamp(self, line: str) -> tuple[datetime | None, str | None]:
        if match := CLASSIC.match(line):
            return self.clock.stamp(match["mon"], match["day"], match["time"]), match["rest"]
        if (match := RFC3339.match(line)) and (at := parse_rfc3339(match["ts"])):
            return at, match["rest"]
        return None, None

    def _queued(self, at: datetime | None, service: str, qid: str, body: str) -> list[Event]:
        if service == "smtpd" and (client := CLIENT.search(body)):
            user = SASL_USER.search(body)
            ip = client["ip"]
            self._remember(qid, _Queued(ip, user["user"] if user else None, _is_local_ip(ip)))
        elif service == "pickup" and (pickup := PICKUP.match(body)):
            self._remember(qid, _Queued(None, f"local:uid={pickup['uid']}", True))
        elif service == "qmgr" and (sent := QMGR_FROM.match(body)):
            state = self.queue.get(qid) or self._remember(qid, _Queued())
            if state.submitted:
                return []
            state.submitted = True
            return [
                SubmissionEvent(
                    at, qid, state.account, state.client_ip, sent["sender"] or None,
                    int(sent["nrcpt"]), state.local,
                )
            ]  # fmt: skip
        elif service == "qmgr" and body == "removed":
            self.queue.pop(qid, None)
        elif to := TO.match(body):
            return self._delivery(at, service, qid, to["rcpt"], body)
        return []

    def _delivery(
        self, at: datetime | None, service: str, qid: str, rcpt: str, body: str
    ) -> list[Event]:
        status = STATUS.search(body)
        if status is None:
            return []
        relay = RELAY.search(body)
        state = self.queue.get(qid, _Queued())
        value = "bounced" if status["status"] == "expired" else status["status"]
        return [
            DeliveryEvent(
                at=at,
                message_id=qid,
                recipient=rcpt,
                status=DeliveryStatus(value),
                remote=service in REMOTE_SERVICES and not _to_content_filter(relay),
                relay_host=relay["host"] if relay else None,
                relay_ip=relay["ip"] if relay else None,
                reply=status["reply"] or "",
                forwarded=ORIG_TO.search(body) is not None,
                account=state.account,
            )
        ]

    def _remember(self, qid: str, state: _Queued) -> _Queued:
        self.queue[qid] = state
        self.queue.move_to_end(qid)
        while len(self.queue) > MAX_QUEUE_STATE:
            self.queue.popitem(last=False)
        return state
