"""Postfix syslog lines -> normalized events, correlated by queue id.

smtpd logs `QID: client=host[ip], sasl_method=..., sasl_username=user`; pickup logs
`QID: uid=33 from=<...>` for local sendmail(1) submissions; qmgr logs `QID: from=<s>,
size=N, nrcpt=N (queue active)` (again on every retry, the digest de-duplicates);
smtp/lmtp/local/virtual log `QID: to=<r>, [orig_to=<a>,] relay=host[ip]:port, ...,
status=sent|deferred|bounced (reply)`; qmgr `QID: removed` ends the message. See
https://www.postfix.org/MAILLOG_README.html. Both classic and RFC 3339 stamps parse.

`read_delivery` (the `to=<...>, relay=..., dsn=..., status=... (reply)` part) and
`smtpd_reject` (smtpd's `NOQUEUE: reject: ...`) are stateless: the parser uses the first on
each delivery line, and `explain` uses both on the lines of a pasted log excerpt
(audit/loglines/rejected.py).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, NamedTuple

from audit.loglines.attempts import postfix_attempt
from audit.loglines.records import DeliveryEvent, DeliveryStatus, Event, SubmissionEvent
from audit.loglines.timestamps import SyslogClock, parse_rfc3339

MAX_QUEUE_STATE: Final = 100_000  # queue ids remembered at once (bounded memory)
MAX_STAMPS: Final = 4096  # parsed timestamps remembered at once
MAX_CACHED_CHARS: Final = 64  # longer stamps and addresses are parsed, never remembered

CLASSIC: Final = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) {1,2}(?P<day>\d{1,2}) (?P<time>\d\d:\d\d:\d\d) (?P<rest>.*)$"
)
RFC3339: Final = re.compile(r"^(?P<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*) (?P<rest>.*)$")
# `host program[pid]: message`, and `qid: ` when the message starts with a queue id; the
# body is the rest of the line, sliced off after the match (matching it to the end of a
# long line costs more than the rest). Possessive: a program name, a pid or a queue id
# ends where its characters do, so backtracking into them could never find another match.
PROGRAM_QUEUED: Final = re.compile(
    r"\S++ (?P<program>[\w./-]++)(?:\[(?P<pid>\d++)\])?+: (?:(?P<qid>[0-9A-Za-z]{5,20}+): )?+"
)
# smtp(8) with smtp_tls_loglevel >= 1, once per new connection, before its deliveries
# (no queue id): `Trusted TLS connection established to host[ip]:25: TLSv1.3 with ...`
# (Untrusted, Anonymous, Verified, Trusted: how the peer certificate was checked; see
# postconf(5) smtp_tls_loglevel). The relay `host[ip]` is kept to match the deliveries.
TLS_ESTABLISHED: Final = " TLS connection established to "
TLS_PEERS: Final = ("Trusted", "Untrusted", "Anonymous", "Verified")
MAX_TLS_PROCESSES: Final = 10_000  # smtp processes whose TLS connection is remembered
CLIENT: Final = re.compile(r"client=(?P<name>[^\[\s,]*)\[(?P<ip>[^\]]+)\]")
SASL_USER: Final = re.compile(r"sasl_username=(?P<user>[^,\s]+)")
PICKUP: Final = re.compile(r"^uid=(?P<uid>\d+) from=<(?P<sender>[^>]*)>")
QMGR_FROM: Final = re.compile(r"^from=<(?P<sender>[^>]*)>, size=\d+, nrcpt=(?P<nrcpt>\d+)")
TO: Final = re.compile(r"^to=<(?P<rcpt>[^>]*)>")
ORIG_TO: Final = re.compile(r", orig_to=<[^>]*>")
RELAY: Final = re.compile(r", relay=(?P<host>[^\[,\s]+)(?:\[(?P<ip>[^\]]*)\](?::\d+)?)?")
# `status=` starts the line or follows a space or comma (the lookbehind comes after the
# literal so the regex engine can skip to it). `undeliverable` is an address probe's
# outcome (verify(8)): explain reads it, the digest counts no probe.
STATUS: Final = re.compile(
    r"status=(?<![^\s,]status=)(?P<status>sent|deferred|bounced|expired|undeliverable)"
    r"(?: \((?P<reply>.*)\))?"
)
# qmgr's message-level bounce: maximal_queue_lifetime reached, or `postsuper -e` (Postfix 3.x)
EXPIRED: Final = re.compile(r", status=(?:force-)?expired, returned to sender")
DSN: Final = re.compile(r"\bdsn=(?P<dsn>[245]\.\d{1,3}\.\d{1,3})\b")  # RFC 3463 status
# smtpd refusing a client at SMTP time (our server's reject, not a delivery)
SMTPD_REJECT: Final = re.compile(
    r"\b(?:NOQUEUE|[0-9A-F]{6,}): reject: \S+ from \S+: (.*?)(?:; from=<.*)?$"
)
REMOTE_SERVICES: Final = frozenset({"smtp"})
QUEUE_STATE_SERVICES: Final = frozenset({"smtpd", "pickup", "qmgr"})  # the rest only log to=<
OUTCOMES: Final = {
    "sent": DeliveryStatus.SENT,
    "deferred": DeliveryStatus.DEFERRED,
    "bounced": DeliveryStatus.BOUNCED,
    "expired": DeliveryStatus.BOUNCED,
}


class PostfixDelivery(NamedTuple):
    """The outcome part of one delivery line (a tuple: the digest reads millions)."""

    status: str  # as logged: sent, deferred, bounced, expired, undeliverable
    reply: str  # inside the parentheses: the remote reply or Postfix's own reason
    relay_host: str | None  # relay=host[ip]:port; "none" when there was no connection
    relay_ip: str | None


def _found(pattern: re.Pattern[str], text: str, literal: str) -> re.Match[str] | None:
    """`pattern.search(text)` for a pattern that starts with `literal`: from the literal's
    first place on (str.find is faster than the regex's own scan; a lookbehind still sees
    the characters before it)."""
    start = text.find(literal)
    return None if start < 0 else pattern.search(text, start)


def read_delivery(text: str) -> PostfixDelivery | None:
    """`relay=` and `status=` of a delivery line (or of the part of one pasted alone)."""
    status = _found(STATUS, text, "status=")
    if status is None:
        return None
    relay = _found(RELAY, text, ", relay=")
    if relay is None:
        return PostfixDelivery(status["status"], status["reply"] or "", None, None)
    return PostfixDelivery(status["status"], status["reply"] or "", relay["host"], relay["ip"])


def delivery_dsn(text: str) -> str | None:
    """The `dsn=` status of a delivery line (RFC 3463), which the digest does not read."""
    found = DSN.search(text)
    return found["dsn"] if found else None


def smtpd_reject(line: str) -> str | None:
    """The reply of an smtpd `reject:` line (our server refusing a client), else None."""
    found = SMTPD_REJECT.search(line)
    return found.group(1) if found else None


@dataclass(slots=True)
class _Queued:
    client_ip: str | None = None
    account: str | None = None
    local: bool = False
    submitted: bool = False  # qmgr logs from= again on every retry: report it once


def _is_local_ip(ip: str | None) -> bool:
    if ip is None:
        return True
    if ":" not in ip and not ip.startswith("127."):
        return False  # an IPv4 loopback address is 127.0.0.0/8, written from "127." on
    return _is_loopback(ip) if len(ip) <= MAX_CACHED_CHARS else _is_loopback.__wrapped__(ip)


@functools.lru_cache(maxsize=1024)
def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip.removeprefix("IPv6:")).is_loopback
    except ValueError:
        return False


def _to_content_filter(relay_ip: str | None) -> bool:
    """smtp to 127.0.0.1:10024 (amavis and friends) is a content filter, not the internet."""
    return relay_ip is not None and _is_local_ip(relay_ip)


# Another program's syslog line handed over: (program, its message, add) -> the number of
# events it held, or None when that program is not a mail program the caller reads.
Foreign = Callable[[str, str, Callable[[Event], None]], int | None]


class PostfixParser:
    """One parser per file: it holds the year inference and the queue-id state.

    A syslog file holds other programs' lines too (dovecot, amavis, opendkim, Exim logging
    through syslog): `foreign` is given each of them; `postfix_lines` and `other_lines`
    count the syslog lines of Postfix and of programs nobody read (not mail lines)."""

    def __init__(
        self,
        reference: date,
        foreign: Foreign | None = None,
        year: int | None = None,
        last_day: tuple[int, int] | None = None,
    ) -> None:
        self.clock = SyslogClock(reference, year, last_day)
        self.queue: OrderedDict[str, _Queued] = OrderedDict()
        self.stamps: dict[str, datetime] = {}  # stamp prefix (with its space) -> datetime
        self.stamp_chars = 0  # the length of the last prefix remembered
        self.foreign = foreign
        self.postfix_lines = 0
        self.other_lines = 0
        # smtp process id -> `host[ip]` its last TLS connection went to: a delivery of that
        # process to that relay went over it (connection reuse logs no second line)
        self.tls_relays: dict[str, str] = {}
        self.tls_lines = 0

    def parse(self, line: str) -> list[Event] | None:
        """Events of one line; [] for lines of no interest; None for a malformed line."""
        events: list[Event] = []
        _, malformed = self.parse_batch((line,), events.append)
        return None if malformed else events

    def parse_batch(self, lines: Sequence[str], add: Callable[[Event], None]) -> tuple[int, int]:
        """The events of many lines, each passed to `add`: (events, malformed lines).
        One loop, not a call per line: that call would cost as much as the regex."""
        events = malformed = others = handed = 0
        stamps, match_program, queued = self.stamps, PROGRAM_QUEUED.match, self._queued
        foreign, match_to, delivery = self.foreign, TO.match, self._delivery
        match_from, find_client, submitted = QMGR_FROM.match, CLIENT.search, self._submitted
        last_stamp, last_at = "\n", None  # no line starts with a newline
        for line in lines:
            # The previous line's stamp (a prefix test), else one dict lookup, stands for
            # the stamp regex and the datetime of every line that repeats a stamp already
            # seen (all the lines of one second, mostly).
            start = self.stamp_chars
            if line.startswith(last_stamp):
                at = last_at
            else:
                at = stamps.get(line[:start])
                if at is None:
                    at, start = self._split_stamp(line)
                    if start < 0:
                        malformed += 1
                        continue
                if at is not None and start == self.stamp_chars:
                    last_stamp, last_at = line[:start], at
                else:  # a stamp not remembered: the next line reads its own
                    last_stamp = "\n"
            program = match_program(line, start)
            if program is None:
                malformed += 1
                continue
            name, pid, qid = program.groups()
            if "postfix" not in name:
                found = None if foreign is None else self._hand_over(line, program, add)
                if found is None:
                    others += 1  # other daemons sharing the log
                else:
                    events, handed = events + found, handed + 1
                continue
            if qid is None:
                # connect, disconnect, statistics: no queue id, nothing counted; smtp's TLS
                # connection line is remembered for the deliveries that follow it
                if pid is not None and name.endswith("/smtp"):
                    self._tls_line(pid, line, program.end())
                continue
            service = name.rpartition("/")[2]
            body = line[program.end() :]
            if body == "removed":  # qmgr's end of a message: every message has one line
                self.queue.pop(qid, None)
            # qmgr's `from=` and smtpd's `client=`: what `_queued` does for them, without
            # its dispatch and its list (half the lines of a log)
            elif service == "qmgr" and body.startswith("from=<") and (sent := match_from(body)):
                submission = submitted(at, qid, sent)
                if submission is not None:
                    events += 1
                    add(submission)
            elif service == "smtpd" and body.startswith("client=") and (cl := find_client(body)):
                self._client(qid, body, cl)
            elif service in QUEUE_STATE_SERVICES:
                for event in queued(at, service, qid, body, pid):
                    events += 1
                    add(event)
            elif body.startswith("to=<") and (to := match_to(body)) is not None:
                # a delivery agent's line (smtp, lmtp, local, ...): what `_queued` does
                # for it, without its service dispatch and its list (a third of the lines)
                delivered = delivery(at, service, qid, to["rcpt"], body, pid)
                if delivered is not None:
                    events += 1
                    add(delivered)
        self.other_lines += others
        self.postfix_lines += len(lines) - malformed - others - handed
        return events, malformed

    def _hand_over(
        self, line: str, program: re.Match[str], add: Callable[[Event], None]
    ) -> int | None:
        """Another program's line to `foreign`: its message follows `program[pid]: `."""
        assert self.foreign is not None
        start = line.find(": ", program.end("program")) + 2
        return self.foreign(program["program"], line[start:], add)

    def _split_stamp(self, line: str) -> tuple[datetime | None, int]:
        """The stamp of `line` and where the rest starts (-1: no stamp, malformed)."""
        match = None if line[:1].isdigit() else CLASSIC.match(line)  # CLASSIC: [A-Z] first
        if match is not None:
            clock = self.clock
            before = (clock.year, clock.last_month)
            at = clock.stamp(match["mon"], match["day"], match["time"])
            if (clock.year, clock.last_month) != before:
                self.stamps.clear()  # a cached stamp is only valid for this month and year
        elif (match := RFC3339.match(line)) is None or (at := parse_rfc3339(match[1])) is None:
            return None, -1
        start = match.start("rest")
        if at is not None and start <= MAX_CACHED_CHARS:
            # the stamp and its space: any line starting with them parses the same way
            if len(self.stamps) >= MAX_STAMPS:
                self.stamps.clear()
            self.stamps[line[:start]] = at
            self.stamp_chars = start
        return at, start

    def _tls_line(self, pid: str, line: str, start: int) -> None:
        """`Verified TLS connection established to host[ip]:25: ...` of smtp process `pid`."""
        found = line.find(TLS_ESTABLISHED, start)
        if found < 0 or not line.startswith(TLS_PEERS, start):
            return
        relay = line[found + len(TLS_ESTABLISHED) :].partition("]")[0]
        if len(self.tls_relays) >= MAX_TLS_PROCESSES:
            self.tls_relays.clear()
        self.tls_relays[pid] = relay + "]"
        self.tls_lines += 1

    def _queued(
        self, at: datetime | None, service: str, qid: str, body: str, pid: str | None = None
    ) -> list[Event]:
        if service == "qmgr":
            if body == "removed":
                self.queue.pop(qid, None)
                return []
            if body.startswith("from=<"):
                sent = QMGR_FROM.match(body)
                if sent is None:  # not a submission: maybe the message expired
                    return self._expired(at, qid, body) if EXPIRED.search(body) else []
                submission = self._submitted(at, qid, sent)
                return [] if submission is None else [submission]
        elif service == "smtpd":
            if "client=" in body and (client := CLIENT.search(body)):
                self._client(qid, body, client)
                return []
            # a refused client: `NOQUEUE: reject: RCPT ...`, `warning: host[ip]: SASL ...`
            attempt = postfix_attempt(at, body)
            return [] if attempt is None else [attempt]
        elif service == "pickup" and (pickup := PICKUP.match(body)):
            self._remember(qid, _Queued(None, f"local:uid={pickup['uid']}", True))
            return []
        if body.startswith("to=<") and (to := TO.match(body)):
            delivered = self._delivery(at, service, qid, to["rcpt"], body, pid)
            return [] if delivered is None else [delivered]
        return []

    def _submitted(self, at: datetime | None, qid: str, sent: re.Match[str]) -> Event | None:
        """qmgr's `from=<s>, size=N, nrcpt=N`: the message's submission, on its first line."""
        state = self.queue.get(qid) or self._remember(qid, _Queued())
        if state.submitted:
            return None
        state.submitted = True
        sender, recipients = sent.group("sender", "nrcpt")
        return SubmissionEvent(
            at, qid, state.account, state.client_ip, sender or None, int(recipients), state.local
        )

    def _client(self, qid: str, body: str, client: re.Match[str]) -> None:
        """smtpd's `client=host[ip], sasl_username=user`: who submitted the message."""
        user = SASL_USER.search(body)
        ip = client["ip"]
        self._remember(qid, _Queued(ip, user["user"] if user else None, _is_local_ip(ip)))

    def _delivery(
        self, at: datetime | None, service: str, qid: str, rcpt: str, body: str, pid: str | None
    ) -> DeliveryEvent | None:
        # `read_delivery`, without its tuple (a third of the lines)
        found = _found(STATUS, body, "status=")
        if found is None:
            return None
        outcome = OUTCOMES.get(found["status"])
        if outcome is None:
            return None  # an address probe
        reply = found["reply"] or ""
        to = _found(RELAY, body, ", relay=")
        relay_host, relay_ip = (None, None) if to is None else to.group("host", "ip")
        state = self.queue.get(qid)
        remote = service in REMOTE_SERVICES and not _to_content_filter(relay_ip)
        tls = None
        if remote:
            # the f-string only when this process logged a TLS connection (most logs: none)
            relay = None if pid is None else self.tls_relays.get(pid)
            tls = relay is not None and relay == f"{relay_host}[{relay_ip}]"
        # positional: a NamedTuple built from keywords costs a third more, millions of times
        return DeliveryEvent(
            at, qid, rcpt, outcome, remote, relay_host, relay_ip, reply, None,
            ", orig_to=<" in body and ORIG_TO.search(body) is not None,
            state.account if state else None, tls,
        )  # fmt: skip

    def _expired(self, at: datetime | None, qid: str, body: str) -> list[Event]:
        """qmgr `QID: from=<s>, status=expired, returned to sender`: the message stayed
        deferred past maximal_queue_lifetime and bounced back (postconf(5)): one bounce,
        for the recipients no delivery line ended (the log does not name them here)."""
        state = self.queue.get(qid)
        reply = body.partition(", status=")[2]
        return [
            DeliveryEvent(
                at, qid, "", DeliveryStatus.BOUNCED, remote=False, reply=reply,
                account=state.account if state else None,
            )
        ]  # fmt: skip

    def _remember(self, qid: str, state: _Queued) -> _Queued:
        self.queue[qid] = state
        self.queue.move_to_end(qid)
        while len(self.queue) > MAX_QUEUE_STATE:
            self.queue.popitem(last=False)
        return state
