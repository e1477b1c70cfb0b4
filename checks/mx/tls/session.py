"""One STARTTLS session (RFC 3207) with one MX address: greeting, EHLO, STARTTLS, the TLS
handshake, QUIT. Nothing else is ever sent (no MAIL, no DATA).

When the relay check runs too, its probe asks for STARTTLS at the end of its last
connection (`checks.relay.probe`) and `from_probe` turns what it saw into a
`TlsSession`: one connection per address serves both checks. This session is the mx
check's own connection when relay is not selected, or when the probe's connection
ended before it could ask. `--smtp-host` / `--no-relay-probe` govern both alike (the
same hosts, the same safety rules). Every reply is read with `audit.net.smtp`'s
bounds, every wait with the command timeout; the handshake is `audit.net.smtp_tls`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
import time
from dataclasses import dataclass, field

from audit.net.smtp import STREAM_LIMIT, ProtocolViolation, SmtpReply, read_reply
from audit.net.smtp_tls import TlsHandshake, upgrade
from checks.relay.model import HostProbe, ProbeTarget

MAX_TRANSCRIPT = 20
QUIT_TIMEOUT = 1.0


@dataclass
class TlsSession:
    """What one session saw, before any judgement."""

    target: ProbeTarget
    starttls_offered: bool | None = None
    starttls_reply: str | None = None
    protocol: str | None = None
    cipher: str | None = None
    cipher_bits: int | None = None
    chain: list[bytes] = field(default_factory=list)  # DER, leaf first
    error: str | None = None
    elapsed_ms: float = 0.0
    transcript: list[str] = field(default_factory=list)

    def record_handshake(self, handshake: TlsHandshake) -> None:
        self.protocol, self.cipher = handshake.protocol, handshake.cipher
        self.cipher_bits, self.chain = handshake.cipher_bits, list(handshake.chain)


def _hello_name(sockname: object) -> str:
    """Our address literal (RFC 5321 §4.1.3), as the relay probe introduces itself."""
    host = sockname[0] if isinstance(sockname, tuple) and sockname else "127.0.0.1"
    literal = ipaddress.ip_address(str(host).split("%")[0])
    return f"[IPv6:{literal}]" if literal.version == 6 else f"[{literal}]"


class _Session:
    def __init__(self, target: ProbeTarget, timeout: float) -> None:
        self.result = TlsSession(target)
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def reply(self, timeout: float | None = None) -> SmtpReply:
        assert self.reader is not None
        async with asyncio.timeout(timeout or self.timeout):
            reply, _ = await read_reply(self.reader)
        self._note(*(f"S: {line}" for line in reply.wire()))
        return reply

    async def send(self, command: str) -> SmtpReply:
        assert self.writer is not None
        self._note(f"C: {command}")
        self.writer.write(command.encode("ascii") + b"\r\n")
        await self.writer.drain()
        return await self.reply()

    def _note(self, *lines: str) -> None:
        room = MAX_TRANSCRIPT - len(self.result.transcript)
        self.result.transcript.extend(lines[: max(room, 0)])

    async def run(self) -> TlsSession:
        started = time.perf_counter()
        try:
            await self._converse()
        except TimeoutError:
            self.result.error = f"no reply within {self.timeout:g}s"
        except (OSError, ProtocolViolation, ssl.SSLError) as exc:
            self.result.error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            await self._close()
            self.result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return self.result

    async def _converse(self) -> None:
        target = self.result.target
        async with asyncio.timeout(self.timeout):
            self.reader, self.writer = await asyncio.open_connection(
                target.ip, target.port, limit=STREAM_LIMIT
            )
        # The greeting may be delayed on purpose (RFC 5321 §4.5.3.2.1): 3 x the timeout.
        if (await self.reply(self.timeout * 3)).code != 220:
            self.result.error = "the server did not greet with 220"
            return
        hello = await self.send(f"EHLO {_hello_name(self.writer.get_extra_info('sockname'))}")
        keywords = {line.split()[0].upper() for line in hello.lines[1:] if line.split()}
        self.result.starttls_offered = hello.code == 250 and "STARTTLS" in keywords
        if not self.result.starttls_offered:
            return
        answer = await self.send("STARTTLS")
        self.result.starttls_reply = answer.wire()[-1]
        if answer.code != 220:  # RFC 3207 §4: 454 "TLS not available", 501, ...
            return
        await self._handshake()

    async def _handshake(self) -> None:
        assert self.writer is not None
        handshake = await upgrade(self.writer, self.result.target.host, self.timeout)
        self.result.record_handshake(handshake)
        self._note(f"TLS: {handshake.protocol} {handshake.cipher}")

    async def _close(self) -> None:
        if self.writer is None:
            return
        with contextlib.suppress(Exception):
            if not self.writer.is_closing():
                self.writer.write(b"QUIT\r\n")  # RFC 5321 §4.1.1.10
                self._note("C: QUIT")
                await asyncio.wait_for(self.writer.drain(), QUIT_TIMEOUT)
                await asyncio.wait_for(self.reply(QUIT_TIMEOUT), QUIT_TIMEOUT)
        self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), QUIT_TIMEOUT)


async def starttls_session(target: ProbeTarget, timeout: float) -> TlsSession:
    """One bounded session; every failure is recorded in the result, none raised."""
    return await _Session(target, timeout).run()


def from_probe(probe: HostProbe) -> TlsSession | None:
    """What the relay probe's connection saw of STARTTLS. None when it was greeted but
    ended before it could ask (a 421 or a hang-up among the attempts): the mx check
    then connects itself. A server that never greeted it is not asked again."""
    seen = probe.starttls_seen
    if seen is None:
        if probe.banner is not None and probe.banner.code == 220:
            return None
        why = probe.error_detail or "the server did not greet with 220"
        return TlsSession(probe.target, error=f"relay probe's connection: {why}"[:300])
    session = TlsSession(probe.target, starttls_offered=probe.starttls)
    session.starttls_reply, session.error = seen.reply, seen.error
    session.elapsed_ms, session.transcript = seen.elapsed_ms, seen.transcript[:MAX_TRANSCRIPT]
    if seen.handshake is not None:
        session.record_handshake(seen.handshake)
    return session
