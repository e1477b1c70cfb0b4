"""The relay probe's SMTP client: one bounded session per server, on asyncio streams.

Safety rules (SPEC "Safety rules of the relay probe"): the client never sends DATA, so
no message can ever be relayed; it sends RSET between attempts (RFC 5321 §4.1.1.5) and
QUIT at the end (§4.1.1.10); every wait is bounded by the command timeout and the
session by its budget; replies are bounded in size (`audit.net.smtp`). A 421 or a
closed connection ends the session early (§3.8). The greeting waits longer than other
commands: tarpitting servers delay it on purpose (RFC 5321 §4.5.3.2.1 suggests 5 min).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import time
from dataclasses import dataclass

from audit.net.smtp import STREAM_LIMIT, ProtocolViolation, SmtpReply, read_reply
from checks.relay.model import Attempt, HostProbe, ProbeError, ProbeTarget
from checks.relay.variants import Variant, address_fields

BANNER_TIMEOUT_FACTOR = 3.0
# The reply to QUIT decides nothing; after a timeout or the budget, do not wait long.
QUIT_TIMEOUT = 1.0
_HOST_NAME = re.compile(r"(?=.{4,253}$)[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+")


@dataclass(frozen=True)
class ProbeSettings:
    command_timeout: float  # connect, and each command's reply
    session_budget: float  # the whole session
    domain: str | None  # the audited domain: the senders' domain
    variants: tuple[Variant, ...]


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
        try:
            await self._connect()
            if await self._greet():
                await self._try_variants()
        except TimeoutError:
            self.probe.fail(ProbeError.TIMEOUT, "no complete reply within the timeout")
        except ProtocolViolation as exc:
            self.probe.fail(ProbeError.PROTOCOL, str(exc))
        except OSError as exc:  # ConnectionError, reset, EOF (read_reply), unreachable
            self.probe.fail(ProbeError.CLOSED, f"{type(exc).__name__}: {exc}")

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
        self.probe.connect_ms = _elapsed_ms(started)
        self.probe.source_ip = str(self.writer.get_extra_info("sockname")[0])

    async def _greet(self) -> bool:
        timeout = self.settings.command_timeout * BANNER_TIMEOUT_FACTOR
        self.probe.banner = await self._receive(timeout)
        if self.probe.banner.code != 220:
            self.probe.fail(ProbeError.REFUSED, f"greeting {self.probe.banner.wire()[-1]}")
            return False
        name = _hello_name(self.probe.source_ip)
        self.probe.hello = await self.command(f"EHLO {name}")
        if 500 <= self.probe.hello.code < 600 and self.probe.hello.code != 554:
            self.probe.hello_verb = "HELO"  # no ESMTP (RFC 5321 §4.1.1.1 fallback)
            self.probe.hello = await self.command(f"HELO {name}")
        if self.probe.hello.code != 250:
            self.probe.fail(ProbeError.REFUSED, f"{self.probe.hello_verb} refused")
            return False
        return True

    async def _try_variants(self) -> None:
        fields = address_fields(self.settings.domain, self._server_name(), self.probe.target.ip)
        for index, variant in enumerate(self.settings.variants):
            if index:
                await self.command("RSET")
            await self._attempt(variant, *variant.render(fields))

    async def _attempt(self, variant: Variant, mail_from: str, rcpt_to: str) -> None:
        started = time.perf_counter()
        mail = await self.command(f"MAIL FROM:<{mail_from}>")
        rcpt = None
        if 200 <= mail.code < 300:
            rcpt = await self.command(f"RCPT TO:<{rcpt_to}>")
        self.probe.attempts.append(
            Attempt(variant.id, variant.kind, mail_from, rcpt_to, mail, rcpt, _elapsed_ms(started))
        )

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
        reply = await self._receive(timeout or self.settings.command_timeout)
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
        if self.writer is None:
            return
        with contextlib.suppress(OSError, TimeoutError, ProtocolViolation):
            if self.probe.banner is not None and self.probe.error is not ProbeError.CLOSED:
                self.probe.quit_sent = True
                await self.command("QUIT", min(self.settings.command_timeout, QUIT_TIMEOUT))
        self.writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await self.writer.wait_closed()
