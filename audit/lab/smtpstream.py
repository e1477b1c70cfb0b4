"""Line I/O of one lab SMTP session: bounded reads, replies out, hostile replies.

Input lines are bounded (RFC 5321 §4.5.3.1.4: 512 octets for a command line, CRLF
included); over-long input is discarded chunk by chunk, never buffered whole. Every line
read or written is recorded for the session's transcript. A hostile `SmtpScript` mangles
one reply (`_send_hostile`) so tests can check that a client bounds what it reads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from audit.lab.smtpscript import Hostility, SmtpScript
from audit.lab.smtpwire import Direction, Reply

CRLF = b"\r\n"


class SmtpStream:
    """Reads a client's lines and writes replies to it, recording both."""

    def __init__(
        self,
        script: SmtpScript,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        record: Callable[[Direction, str], None],
    ) -> None:
        self.script = script
        self.reader, self.writer, self.record = reader, writer, record

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

    async def send_quietly(self, reply: Reply) -> None:
        with contextlib.suppress(ConnectionError):
            await self.send("", reply)


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="backslashreplace")


async def _send_hostile(stream: SmtpStream, reply: Reply) -> None:
    kind, code = stream.script.hostility, reply.code
    size = stream.script.hostile_size or (10_000 if kind is Hostility.MANY_LINES else 100_000)
    if kind is Hostility.LONG_LINE:
        stream.record(Direction.SERVER, f"<hostile long_line: {size} octets>")
        await stream.write(f"{code} ".encode() + b"x" * size + CRLF)
    elif kind is Hostility.NON_UTF8:
        wire = [line.encode() for line in reply.wire_lines()]
        wire[-1] = wire[-1][:4] + b"\xff\xfe\xc0\xaf " + wire[-1][4:]
        for line in wire:
            stream.record(Direction.SERVER, _decode(line))
        await stream.write(CRLF.join(wire) + CRLF)
    elif kind is Hostility.MANY_LINES:
        stream.record(Direction.SERVER, f"<hostile many_lines: {size} continuation lines>")
        await stream.write(b"".join(b"%d-filler line %d\r\n" % (code, i) for i in range(size)))
        await stream.send("", reply)
    else:
        stream.record(Direction.SERVER, "<hostile endless: continuation lines until close>")
        batch = b"".join(b"%d-this reply never ends\r\n" % code for _ in range(100))
        while True:
            await stream.write(batch)
            await asyncio.sleep(0)  # drain() does not yield while the buffer is low
