"""One STARTTLS session (RFC 3207) with one MX address: greeting, EHLO, STARTTLS, the TLS
handshake, QUIT. Nothing else is ever sent (no MAIL, no DATA).

Its own connection, not the relay probe's: that probe spreads its attempts over fresh
connections to stay below the server's error limits and ends each with QUIT, and
`--smtp-host` / `--no-relay-probe` govern both alike (the same hosts, the same safety
rules), so the mx check adds one bounded connection per MX address. Every reply is read
with `audit.net.smtp`'s bounds, every wait with the command timeout.

The handshake accepts whatever the server offers (any certificate, TLS 1.0 up, every
cipher at OpenSSL security level 0): it records, the judges decide. A server picks the
highest version both sides support (RFC 8446 §4.2.1, RFC 5246 §7.4.1.2), so a session
at TLS 1.0 or 1.1 means the server offers nothing newer.
"""

from __future__ import annotations

import _ssl
import asyncio
import contextlib
import ipaddress
import ssl
import time
import warnings
from dataclasses import dataclass, field

from audit.net.smtp import STREAM_LIMIT, ProtocolViolation, SmtpReply, read_reply
from checks.relay.model import ProbeTarget

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


def recording_context() -> ssl.SSLContext:
    """A client context that completes a handshake with anything, to see what it is."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():  # deprecated, and exactly what is to be detected
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def _hello_name(sockname: object) -> str:
    """Our address literal (RFC 5321 §4.1.3), as the relay probe introduces itself."""
    host = sockname[0] if isinstance(sockname, tuple) and sockname else "127.0.0.1"
    literal = ipaddress.ip_address(str(host).split("%")[0])
    return f"[IPv6:{literal}]" if literal.version == 6 else f"[{literal}]"


def _peer_chain(ssl_object: ssl.SSLObject) -> list[bytes]:
    """The chain as presented, leaf first (public in Python 3.13, private before)."""
    getter = getattr(ssl_object, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None)
    if getter is not None:
        chain = getter() or []
        return [c if isinstance(c, bytes) else c.public_bytes(_ssl.ENCODING_DER) for c in chain]
    leaf = ssl_object.getpeercert(binary_form=True)
    return [leaf] if leaf else []


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
        host = self.result.target.host
        sni = None if _is_address(host) else host  # RFC 6066 §3: no literal in SNI
        async with asyncio.timeout(self.timeout):
            await self.writer.start_tls(recording_context(), server_hostname=sni)
        ssl_object = self.writer.get_extra_info("ssl_object")
        self.result.protocol = ssl_object.version()
        name, _, bits = ssl_object.cipher() or (None, None, None)
        self.result.cipher, self.result.cipher_bits = name, bits
        self.result.chain = _peer_chain(ssl_object)
        self._note(f"TLS: {self.result.protocol} {name}")

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


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def starttls_session(target: ProbeTarget, timeout: float) -> TlsSession:
    """One bounded session; every failure is recorded in the result, none raised."""
    return await _Session(target, timeout).run()
