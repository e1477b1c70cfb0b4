"""The relay probe's SMTP client: bounded sessions with one server, one after another.

Safety rules (SPEC "Safety rules of the relay probe"): the client never sends DATA, so
no message can ever be relayed; it sends RSET between attempts (RFC 5321 §4.1.1.5) and
QUIT at the end (§4.1.1.10); every wait is bounded by the command timeout and the
session by its budget; replies are bounded in size (`audit.net.smtp`). A 421 or a
closed connection ends the probe early (§3.8). The variants are spread over fresh
connections so that no connection reaches the error count at which servers slow every
reply (`ERRORS_PER_CONNECTION`), one connection to a server at a time, each ended by
QUIT. The greeting waits longer than other commands: tarpitting servers delay it on
purpose (RFC 5321 §4.5.3.2.1 suggests 5 min).

When the mx check runs too (`ProbeSettings.starttls`), the last connection ends with
RSET, STARTTLS and the TLS handshake before QUIT (RFC 3207 §4: STARTTLS outside a mail
transaction), so the mx check needs no connection of its own. A failure there is the
mx check's to report: it never makes the relay probe's result unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import time
from dataclasses import dataclass

from audit.net.smtp import STREAM_LIMIT, ProtocolViolation, SmtpReply, read_reply
from audit.net.smtp_tls import upgrade
from checks.relay.model import Attempt, HostProbe, ProbeError, ProbeTarget, StarttlsSeen
from checks.relay.variants import Variant, address_fields

BANNER_TIMEOUT_FACTOR = 3.0
# Refusals per connection, below the error count at which servers start slowing every
# reply: Postfix counts each 4xx/5xx reply; past smtpd_soft_error_limit (default 10) it
# waits smtpd_error_sleep_time (1 s) before every reply, at smtpd_hard_error_limit (20)
# it hangs up. Accepted commands are no errors: an open relay needs one connection.
ERRORS_PER_CONNECTION = 8
# A reply this much slower than the connection's fastest (and at least SLOW_REPLY_S)
# means the server has started an error sleep: the rest goes on a fresh connection.
SLOW_REPLY_FACTOR = 4.0
SLOW_REPLY_S = 0.5
MAX_CONNECTIONS = 8  # per server, one after another: a bound on reconnecting
# The reply to QUIT decides nothing; after a timeout or the budget, do not wait long.
QUIT_TIMEOUT = 1.0
_HOST_NAME = re.compile(r"(?=.{4,253}$)[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+")


@dataclass(frozen=True)
class ProbeSettings:
    command_timeout: float  # connect, and each command's reply
    session_budget: float  # the whole session
    domain: str | None  # the audited domain: the senders' domain
    variants: tuple[Variant, ...]
    starttls: bool = False  # end the last connection with STARTTLS (for the mx check)


class ReplyPace:
    """How fast the server replies: `slowed` once a reply of the current variant takes
    SLOW_REPLY_FACTOR times the fastest seen (and at least SLOW_REPLY_S), which is what
    an error sleep looks like (Postfix smtpd_error_sleep_time)."""

    def __init__(self) -> None:
        self.fastest = float("inf")
        self.slowed = False

    def start_variant(self) -> None:
        self.slowed = False

    def observe(self, seconds: float) -> None:
        if seconds > max(SLOW_REPLY_S, SLOW_REPLY_FACTOR * self.fastest):
            self.slowed = True
        self.fastest = min(self.fastest, seconds)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _hello_name(source_ip: str | None) -> str:
    """Our address literal (RFC 5321 §4.1.3): honest, and needs no DNS name."""
    if source_ip is None:
        return "[127.0.0.1]"
    literal = ipaddress.ip_address(source_ip.split("%")[0])
    return f"[IPv6:{literal}]" if literal.version == 6 else f"[{literal}]"


class ProbeSession:
    """One SMTP conversation with one server; the evidence fills `self.probe`."""

    def __init__(self, target: ProbeTarget, settings: ProbeSettings) -> None:
        self.probe = HostProbe(target)
        self.settings = settings
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.error_budget = ERRORS_PER_CONNECTION  # lowered when a server slows earlier
        self.setup_s = 0.0  # the slowest connect + greeting + EHLO so far
        self.pace = ReplyPace()

    async def run(self) -> HostProbe:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.session_budget):
                await self._converse()
        except TimeoutError:
            self.probe.fail(ProbeError.BUDGET, "the session outlived its time budget")
        finally:
            await self._quit_and_close()
            self.probe.total_ms = _elapsed_ms(started)
        return self.probe

    async def _converse(self) -> None:
        """The variants over as few connections as keep every reply fast, one
        connection at a time: RSET between variants, QUIT before the next connection."""
        remaining = list(self.settings.variants)
        try:
            while remaining:
                if self.probe.connections:
                    await self._quit_and_close()
                    self.probe.record("*", "new connection: below the server's error limit")
                started = time.perf_counter()
                await self._connect()
                if not await self._greet():
                    return
                self.setup_s = max(self.setup_s, time.perf_counter() - started)
                remaining = await self._try_variants(remaining, self._last_connection())
            if self.settings.starttls:
                await self._starttls()
        except TimeoutError:
            self.probe.fail(ProbeError.TIMEOUT, "no complete reply within the timeout")
        except ProtocolViolation as exc:
            self.probe.fail(ProbeError.PROTOCOL, str(exc))
        except OSError as exc:  # ConnectionError, reset, EOF (read_reply), unreachable
            self.probe.fail(ProbeError.CLOSED, f"{type(exc).__name__}: {exc}")

    def _last_connection(self) -> bool:
        """No reconnecting when the bound is reached, or when a connection costs more
        than an error sleep would: a tarpit delays every greeting (RFC 5321
        §4.5.3.2.1), and postscreen's greet wait applies per connection."""
        return self.probe.connections >= MAX_CONNECTIONS or self.setup_s >= SLOW_REPLY_S

    async def _connect(self) -> None:
        target, started = self.probe.target, time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.command_timeout):
                self.reader, self.writer = await asyncio.open_connection(
                    target.ip, target.port, limit=STREAM_LIMIT
                )
        except (OSError, TimeoutError) as exc:
            detail = "no answer" if isinstance(exc, TimeoutError) else str(exc)
            self.probe.fail(ProbeError.CONNECT, f"connect to {target.label}: {detail}")
            raise ConnectionAbortedError(detail) from None
        self.probe.connections += 1
        if self.probe.connect_ms is None:
            self.probe.connect_ms = _elapsed_ms(started)
            self.probe.source_ip = str(self.writer.get_extra_info("sockname")[0])

    async def _greet(self) -> bool:
        """Greeting and EHLO of each connection; the evidence keeps the first's."""
        timeout = self.settings.command_timeout * BANNER_TIMEOUT_FACTOR
        banner = await self._receive(timeout)
        self.probe.banner = self.probe.banner or banner
        if banner.code != 220:
            self.probe.fail(ProbeError.REFUSED, f"greeting {banner.wire()[-1]}")
            return False
        name = _hello_name(self.probe.source_ip)
        hello = await self.command(f"{self.probe.hello_verb} {name}")
        if 500 <= hello.code < 600 and hello.code != 554 and self.probe.hello_verb == "EHLO":
            self.probe.hello_verb = "HELO"  # no ESMTP (RFC 5321 §4.1.1.1 fallback)
            hello = await self.command(f"HELO {name}")
        if self.probe.hello is None or self.probe.connections == 1:
            self.probe.hello = hello
        if hello.code != 250:
            self.probe.fail(ProbeError.REFUSED, f"{self.probe.hello_verb} refused")
            return False
        return True

    async def _try_variants(self, batch: list[Variant], everything: bool) -> list[Variant]:
        """Try variants on this connection while the server's error limit is not
        reached and its replies stay fast (`everything`: no reconnecting left); return
        the variants left for the next connection."""
        fields = address_fields(self.settings.domain, self._server_name(), self.probe.target.ip)
        errors = 0
        for index, variant in enumerate(batch):
            if index and not everything and errors >= self.error_budget:
                return batch[index:]  # a variant costs one error at most: RCPT follows MAIL
            if index:
                self.pace.start_variant()
                await self.command("RSET")
                if self.pace.slowed and not everything:
                    self._learn_limit(errors)
                    return batch[index:]
            self.pace.start_variant()
            attempt = await self._attempt(variant, *variant.render(fields))
            if self.pace.slowed and not everything:
                self._learn_limit(errors)
                return batch[index + 1 :]
            errors += attempt.errors
        return []

    def _learn_limit(self, errors: int) -> None:
        """The server slowed down after `errors` refusals: stay one below from now on
        (Postfix delays every reply once the count reaches its soft limit)."""
        self.error_budget = max(1, min(self.error_budget, errors - 1))

    async def _attempt(self, variant: Variant, mail_from: str, rcpt_to: str) -> Attempt:
        started = time.perf_counter()
        mail = await self.command(f"MAIL FROM:<{mail_from}>")
        rcpt = None
        if 200 <= mail.code < 300:
            rcpt = await self.command(f"RCPT TO:<{rcpt_to}>")
        attempt = Attempt(
            variant.id, variant.kind, mail_from, rcpt_to, mail, rcpt, _elapsed_ms(started)
        )
        self.probe.attempts.append(attempt)
        return attempt

    async def _starttls(self) -> None:
        """RSET, STARTTLS, the handshake (see the module doc); every failure is kept in
        `starttls_seen`, none raised. The greeting and EHLO reply are the first
        connection's: the mx check judges what the server offered."""
        started, mark = time.perf_counter(), len(self.probe.transcript)
        seen = StarttlsSeen()
        self.probe.starttls_seen = seen
        try:
            if self.probe.starttls:
                await self._negotiate(seen)
        except (OSError, TimeoutError, ProtocolViolation) as exc:  # ssl.SSLError is an OSError
            seen.error = f"{type(exc).__name__}: {exc}"[:300]
        seen.elapsed_ms = _elapsed_ms(started)
        seen.transcript = self._opening() + self.probe.transcript[mark:]

    async def _negotiate(self, seen: StarttlsSeen) -> None:
        await self.command("RSET")  # RFC 3207 §4: not inside a mail transaction
        reply = await self.command("STARTTLS")
        seen.reply = reply.wire()[-1]
        if reply.code != 220:  # RFC 3207 §4: 454 "TLS not available", 501, ...
            return
        assert self.writer is not None
        handshake = await upgrade(
            self.writer, self.probe.target.host, self.settings.command_timeout
        )
        seen.handshake = handshake
        self.probe.record("TLS", f"{handshake.protocol} {handshake.cipher}")

    def _opening(self) -> list[str]:
        """The first connection's greeting and EHLO reply, as transcript lines."""
        lines = [f"S: {line}" for line in self.probe.banner.wire()] if self.probe.banner else []
        if self.probe.hello is not None:
            lines.append(f"C: {self.probe.hello_verb} {_hello_name(self.probe.source_ip)}")
            lines += [f"S: {line}" for line in self.probe.hello.wire()]
        return lines

    def _server_name(self) -> str | None:
        """The name the server gives itself (EHLO reply, else banner), if it is one."""
        for reply in (self.probe.hello, self.probe.banner):
            word = reply.first_word.rstrip(".").lower() if reply else ""
            # Server text goes into our commands only when it is a plain host name.
            if _HOST_NAME.fullmatch(word):
                return word
        return None

    async def command(self, line: str, timeout: float | None = None) -> SmtpReply:
        """Send one command line and read its reply, within the command timeout."""
        assert self.writer is not None
        self.probe.record("C", line)
        self.writer.write(line.encode("ascii", errors="replace") + b"\r\n")
        started = time.perf_counter()
        reply = await self._receive(timeout or self.settings.command_timeout)
        self.pace.observe(time.perf_counter() - started)
        if reply.code == 421 and line != "QUIT":  # RFC 5321 §3.8: the server is closing
            raise ConnectionAbortedError(f"server said {reply.wire()[-1]}")
        return reply

    async def _receive(self, timeout: float) -> SmtpReply:
        assert self.reader is not None
        async with asyncio.timeout(timeout):
            assert self.writer is not None
            await self.writer.drain()
            reply, _ = await read_reply(self.reader)
        for wire_line in reply.wire():
            self.probe.record("S", wire_line)
        return reply

    async def _quit_and_close(self) -> None:
        """QUIT (best effort: the server may be gone), then close the socket. Without a
        greeting there is no session to end: a command before it is a protocol error
        (RFC 5321 §3.1; Postfix postscreen logs it as PREGREET)."""
        writer = self.writer
        if writer is None:
            return
        with contextlib.suppress(OSError, TimeoutError, ProtocolViolation):
            if self.probe.banner is not None and self.probe.error is not ProbeError.CLOSED:
                self.probe.quit_sent = True
                await self.command("QUIT", min(self.settings.command_timeout, QUIT_TIMEOUT))
        self.writer = None  # the next connection, if any, opens its own
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await writer.wait_closed()
