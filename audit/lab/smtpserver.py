"""A scripted SMTP server for the offline lab, the tests and the relay-probe check.

An `SmtpScript` (immutable data) says how the server behaves: a correctly closed MX, an
open relay, one that wants AUTH, a greylister, a tarpit, one that accepts address-syntax
tricks (percent hack, bang paths) at RCPT time and drops the mail later, or a hostile one
that sends replies a careful client must bound (over-long lines, thousands of continuation
lines, non-UTF-8 bytes, a multiline reply that never ends).

`ScriptedSmtpServer` serves a script on loopback from its own event loop in a daemon
thread (same pattern as `audit.lab.dnsserver.LabDnsServer`) and records one transcript
per session, so tests can assert what a client sent, in particular that it never sent
DATA (SPEC "Safety rules of the relay probe").

Protocol details follow RFC 5321: reply format (§4.2.1), command order (§4.1.4, 503 for
a bad sequence), line limits (§4.5.3.1.4: 512 octets for a command line, CRLF included).
STARTTLS is not implemented: when advertised it is answered 454 (§3.2 of RFC 3207).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import logging
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from audit.lab.threaded import ThreadedServer

log = logging.getLogger(__name__)

CRLF = b"\r\n"
COMMAND_LINE_OCTETS = 512  # RFC 5321 §4.5.3.1.4, CRLF included
TEXT_LINE_OCTETS = 1000  # RFC 5321 §4.5.3.1.6, for the message body
READ_LIMIT = 4096  # asyncio buffer per line (at least); longer input is discarded in chunks

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


class Direction(enum.StrEnum):
    CLIENT = "C"
    SERVER = "S"


class RecipientKind(enum.StrEnum):
    LOCAL = "local"  # a mailbox in one of our domains
    RELAY = "relay"  # a mailbox in a foreign domain: plain relaying
    ROUTED = "routed"  # addressed to us, but the local part routes elsewhere (%, !, @)


@dataclass(frozen=True)
class Reply:
    """An SMTP reply: a code and one or more text lines (RFC 5321 §4.2)."""

    code: int
    lines: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Reply:
        """'550 5.7.1 No' or several lines ('250-a\\n250 b', or '250 a\\nb')."""
        raw_lines = text.splitlines() or [""]
        if not re.match(r"^[2-5]\d\d(?:[ -]|$)", raw_lines[0]):
            raise ValueError(f"not an SMTP reply (RFC 5321 §4.2): {raw_lines[0]!r}")
        code = int(raw_lines[0][:3])
        prefix = re.compile(rf"^{code}[ -]?")
        return cls(code, tuple(prefix.sub("", line, count=1) for line in raw_lines))

    def wire_lines(self) -> list[str]:
        last = len(self.lines) - 1
        separators = ["-" if index < last else " " for index in range(len(self.lines))]
        return [f"{self.code}{sep}{line}" for sep, line in zip(separators, self.lines, strict=True)]

    @property
    def positive(self) -> bool:
        return 200 <= self.code < 400


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
    starttls: bool = False  # advertise STARTTLS (then answer it 454)
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


@dataclass(frozen=True)
class Transcript:
    """What one SMTP session said, in order: (direction, line) with direction C or S."""

    peer: str
    lines: tuple[tuple[Direction, str], ...]

    @property
    def client_lines(self) -> list[str]:
        return [line for direction, line in self.lines if direction is Direction.CLIENT]

    @property
    def server_lines(self) -> list[str]:
        return [line for direction, line in self.lines if direction is Direction.SERVER]

    @property
    def commands(self) -> list[str]:
        """The verbs the client sent, upper-cased ('EHLO', 'MAIL', ...)."""
        return [line.split(" ", 1)[0].upper() for line in self.client_lines if line[:1] != "<"]

    @property
    def received_data(self) -> bool:
        return "DATA" in self.commands


class _Closing(Exception):
    """The session ends (QUIT, 421, client gone)."""


class _Session:
    """One SMTP conversation: read a command, check its order, answer, advance."""

    def __init__(
        self,
        server: ScriptedSmtpServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        record: Callable[[Direction, str], None],
    ) -> None:
        self.script = server.script
        # Postfix's mydestination includes $myhostname; our own address literal is local.
        self.local_domains = {*self.script.local_domains, self.script.hostname.lower()}
        literal = f"IPv6:{server.host}" if ":" in server.host else server.host  # §4.1.3
        self.local_domains.add(f"[{literal}]".lower())
        self.reader, self.writer, self.record = reader, writer, record
        self.greeted = False
        self.sender: str | None = None
        self.recipients: list[str] = []
        self.handlers: dict[str, Callable[[str], Reply | Awaitable[Reply]]] = {
            "HELO": self._helo, "EHLO": self._ehlo, "MAIL": self._mail, "RCPT": self._rcpt,
            "DATA": self._data, "RSET": self._rset, "NOOP": self._noop, "QUIT": self._quit,
            "VRFY": self._vrfy, "EXPN": self._expn, "HELP": self._help,
            "STARTTLS": self._starttls, "AUTH": self._auth,
        }  # fmt: skip

    async def run(self) -> None:
        try:
            await asyncio.sleep(self.script.banner_delay_s)
            greeting = self.script.replies.get("BANNER", self.script.greeting)
            await self.send("BANNER", Reply.parse(greeting))
            while True:
                await self.serve_one()
        except (_Closing, ConnectionError, asyncio.IncompleteReadError):
            pass
        except TimeoutError:
            text = f"4.4.2 {self.script.hostname} Error: timeout exceeded"
            await self._send_quietly(Reply(421, (text,)))

    async def serve_one(self) -> None:
        line, too_long = await asyncio.wait_for(self.read_line(), self.script.idle_timeout_s)
        self.record(Direction.CLIENT, line)
        if too_long:
            await self.send("", Reply(500, ("5.5.0 Error: line too long",)))
            return
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        handler = self.handlers.get(verb)
        if handler is None:
            await self.send(verb, Reply(500, ("5.5.2 Error: command not recognized",)))
            return
        reply = self._sequence_error(verb) or self._override(verb)
        if reply is None:
            result = handler(arg.strip())
            reply = await result if isinstance(result, Awaitable) else result
        self._advance(verb, arg.strip(), reply)
        await self.send(verb, reply)
        if verb == "QUIT" or reply.code == 421:  # RFC 5321 §3.8: 421 closes the channel
            raise _Closing

    # -- input ---------------------------------------------------------------------

    async def read_line(self, limit: int | None = None) -> tuple[str, bool]:
        """One line without its CRLF, and whether it exceeded `limit` octets (CRLF
        included). Over-long input is discarded chunk by chunk, never buffered whole."""
        limit = limit or self.script.max_line_length
        try:
            raw = await self.reader.readuntil(b"\n")
        except asyncio.LimitOverrunError as overrun:
            head = await self.reader.readexactly(overrun.consumed)
            await self._discard_to_newline()
            return f"{_decode(head[:80])}... (over {overrun.consumed} octets)", True
        text = raw.rstrip(b"\r\n")
        if len(text) + 2 > limit:
            return f"{_decode(text[:80])}... ({len(text)} octets)", True
        return _decode(text), False

    async def _discard_to_newline(self) -> None:
        while True:
            try:
                await self.reader.readuntil(b"\n")
                return
            except asyncio.LimitOverrunError as overrun:
                await self.reader.readexactly(overrun.consumed)

    # -- output --------------------------------------------------------------------

    async def send(self, verb: str, reply: Reply) -> None:
        if self.script.hostility is not None and verb == self.script.hostile_at:
            await _send_hostile(self, reply)
            return
        for line in reply.wire_lines():
            self.record(Direction.SERVER, line)
        await self.write(("\r\n".join(reply.wire_lines()) + "\r\n").encode())

    async def write(self, payload: bytes) -> None:
        self.writer.write(payload)
        await self.writer.drain()

    async def _send_quietly(self, reply: Reply) -> None:
        with contextlib.suppress(ConnectionError):
            await self.send("", reply)

    # -- ordering (RFC 5321 §4.1.4) --------------------------------------------------

    def _sequence_error(self, verb: str) -> Reply | None:
        if verb in ("MAIL", "RCPT", "DATA") and not self.greeted:
            return Reply(503, ("5.5.1 Error: send HELO/EHLO first",))
        if verb == "MAIL" and self.sender is not None:
            return Reply(503, ("5.5.1 Error: nested MAIL command",))
        if verb == "RCPT" and self.sender is None:
            return Reply(503, ("5.5.1 Error: need MAIL command",))
        if verb == "DATA" and not self.recipients:
            return Reply(503, ("5.5.1 Error: need RCPT command",))
        return None

    def _override(self, verb: str) -> Reply | None:
        text = self.script.replies.get(verb)
        return Reply.parse(text) if text is not None else None

    def _advance(self, verb: str, arg: str, reply: Reply) -> None:
        if verb in ("HELO", "EHLO", "RSET") and reply.positive:
            self.greeted = self.greeted or verb != "RSET"
            self._reset()
        elif verb == "MAIL" and reply.positive:
            self.sender = _path(arg, "FROM") or ""
        elif verb == "RCPT" and reply.positive:
            self.recipients.append(_path(arg, "TO") or "")
        elif verb == "DATA" and reply.code != 503:
            self._reset()  # the body was read (or refused): the transaction is over

    def _reset(self) -> None:
        self.sender, self.recipients = None, []

    # -- commands ------------------------------------------------------------------

    def _helo(self, arg: str) -> Reply:
        if not arg:
            return Reply(501, ("Syntax: HELO hostname",))
        return Reply(250, (self.script.hostname,))

    def _ehlo(self, arg: str) -> Reply:
        if not arg:
            return Reply(501, ("Syntax: EHLO hostname",))
        return Reply(250, (self.script.hostname, *self.script.extensions()))

    def _mail(self, arg: str) -> Reply:
        if _path(arg, "FROM") is None:
            return Reply(501, ("5.5.4 Syntax: MAIL FROM:<address>",))
        if self.script.auth_required_at == "MAIL":
            return Reply(530, ("5.7.0 Authentication required",))
        return Reply(250, ("2.1.0 Ok",))

    def _rcpt(self, arg: str) -> Reply:
        recipient = _path(arg, "TO")
        if not recipient:
            return Reply(501, ("5.5.4 Syntax: RCPT TO:<address>",))
        if self.script.auth_required_at == "RCPT":
            return Reply(530, ("5.7.0 Authentication required",))
        if self.script.greylist:
            return Reply(450, (f"4.7.1 <{recipient}>: Recipient address rejected: Greylisted",))
        return self._judge_recipient(recipient)

    def _judge_recipient(self, recipient: str) -> Reply:
        kind = classify_recipient(recipient, self.local_domains)
        accepted = {
            RelayPolicy.CLOSED: {RecipientKind.LOCAL},
            RelayPolicy.ACCEPT_THEN_DROP: {RecipientKind.LOCAL, RecipientKind.ROUTED},
            RelayPolicy.OPEN: set(RecipientKind),
        }[self.script.relay]
        if kind not in accepted:
            return Reply.parse(self.script.relay_denied_reply.replace("{recipient}", recipient))
        if kind is RecipientKind.LOCAL and not self._user_exists(recipient):
            text = f"5.1.1 <{recipient}>: Recipient address rejected: User unknown"
            return Reply(550, (text,))
        return Reply(250, ("2.1.5 Ok",))

    def _user_exists(self, recipient: str) -> bool:
        users = self.script.local_users
        local_part = recipient.rpartition("@")[0] or recipient
        # RFC 5321 §4.5.1: postmaster must always be accepted.
        return users is None or local_part.lower() == "postmaster" or local_part in users

    async def _data(self, arg: str) -> Reply:
        await self.send("DATA", Reply(354, ("End data with <CR><LF>.<CR><LF>",)))
        lines, octets = 0, 0
        while True:
            line, _ = await self.read_line(TEXT_LINE_OCTETS)
            if line == ".":
                break
            lines, octets = lines + 1, octets + len(line) + 2
        self.record(Direction.CLIENT, f"<message body: {lines} lines, {octets} octets>")
        return Reply(250, ("2.0.0 Ok: queued as LAB0001",))

    def _rset(self, arg: str) -> Reply:
        return Reply(250, ("2.0.0 Ok",))

    def _noop(self, arg: str) -> Reply:
        return Reply(250, ("2.0.0 Ok",))

    def _quit(self, arg: str) -> Reply:
        return Reply(221, ("2.0.0 Bye",))

    def _vrfy(self, arg: str) -> Reply:
        # RFC 5321 §3.5.3: 252 when the server will not verify but would accept.
        if not arg:
            return Reply(501, ("5.5.4 Syntax: VRFY address",))
        return Reply(252, ("2.0.0 Cannot VRFY user, but will accept message and attempt delivery",))

    def _expn(self, arg: str) -> Reply:
        return Reply(502, ("5.5.1 EXPN not available",))  # RFC 5321 §7.3

    def _help(self, arg: str) -> Reply:
        return Reply(214, ("2.0.0 Commands:", " ".join(self.handlers), "End of HELP info"))

    def _starttls(self, arg: str) -> Reply:
        if not self.script.starttls:
            return Reply(502, ("5.5.1 Error: command not implemented",))
        return Reply(454, ("4.7.0 TLS not available due to local problem",))

    def _auth(self, arg: str) -> Reply:
        if not self.script.auth_mechanisms:
            return Reply(503, ("5.5.1 Error: authentication not enabled",))
        return Reply(535, ("5.7.8 Error: authentication failed",))


def _path(arg: str, keyword: str) -> str | None:
    """The address in 'FROM:<a@b> SIZE=1' / 'TO:<a@b>'; None when malformed."""
    match = re.match(rf"^{keyword}:\s*<([^<>]*)>(\s.*)?$", arg, re.IGNORECASE)
    return match.group(1) if match else None


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="backslashreplace")


async def _send_hostile(session: _Session, reply: Reply) -> None:
    kind, code = session.script.hostility, reply.code
    size = session.script.hostile_size or (10_000 if kind is Hostility.MANY_LINES else 100_000)
    if kind is Hostility.LONG_LINE:
        session.record(Direction.SERVER, f"<hostile long_line: {size} octets>")
        await session.write(f"{code} ".encode() + b"x" * size + CRLF)
    elif kind is Hostility.NON_UTF8:
        wire = [line.encode() for line in reply.wire_lines()]
        wire[-1] = wire[-1][:4] + b"\xff\xfe\xc0\xaf " + wire[-1][4:]
        for line in wire:
            session.record(Direction.SERVER, _decode(line))
        await session.write(CRLF.join(wire) + CRLF)
    elif kind is Hostility.MANY_LINES:
        session.record(Direction.SERVER, f"<hostile many_lines: {size} continuation lines>")
        await session.write(b"".join(b"%d-filler line %d\r\n" % (code, i) for i in range(size)))
        await session.send("", reply)
    else:
        session.record(Direction.SERVER, "<hostile endless: continuation lines until close>")
        batch = b"".join(b"%d-this reply never ends\r\n" % code for _ in range(100))
        while True:
            await session.write(batch)
            await asyncio.sleep(0)  # drain() does not yield while the buffer is low


class ScriptedSmtpServer(ThreadedServer):
    """Serve an `SmtpScript` on 127.0.0.1 from a daemon thread; record transcripts."""

    thread_name = "lab-smtp"

    def __init__(self, script: SmtpScript, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.script = script
        self._server: asyncio.Server | None = None
        self._lock = threading.Condition()
        self._transcripts: list[tuple[str, list[tuple[Direction, str]]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def sessions(self) -> list[Transcript]:
        """A snapshot of every session so far, in connection order."""
        with self._lock:
            return [Transcript(peer, tuple(lines)) for peer, lines in self._transcripts]

    @property
    def data_received(self) -> bool:
        """Whether any client ever sent DATA (the relay probe must not)."""
        return any(session.received_data for session in self.sessions)

    def wait_for_sessions(self, count: int = 1, timeout_s: float = 5.0) -> bool:
        """Block until `count` clients have connected (their greeting may still be due)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._transcripts) >= count, timeout_s)

    async def _open(self) -> None:
        buffer_limit = max(READ_LIMIT, 2 * self.script.max_line_length)
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, limit=buffer_limit
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for _ in range(3):  # let connections accepted just now reach _handle
            await asyncio.sleep(0)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        peer_host, peer_port = writer.get_extra_info("peername")[:2]
        lines: list[tuple[Direction, str]] = []
        with self._lock:
            self._transcripts.append((f"{peer_host}:{peer_port}", lines))
            self._lock.notify_all()

        def record(direction: Direction, line: str) -> None:
            with self._lock:
                lines.append((direction, line))

        try:
            await _Session(self, reader, writer, record).run()
            writer.close()  # flushes the last reply (221) before closing
        except asyncio.CancelledError:
            # stop(): drop whatever is buffered. Not re-raised: Python 3.11's
            # start_server callback logs a cancelled handler as an error.
            writer.transport.abort()
        finally:
            self._tasks.discard(task)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 1)
