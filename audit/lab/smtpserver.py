"""A scripted SMTP server for the offline lab, the tests and the relay-probe check.

`ScriptedSmtpServer` serves an `audit.lab.smtpscript.SmtpScript` (how the server
behaves: closed MX, open relay, greylister, tarpit, hostile, ...) on loopback from its
own event loop in a daemon thread (same pattern as `audit.lab.dnsserver.LabDnsServer`).
Each connection is one `audit.lab.smtpsession.SmtpSession` (RFC 5321), and the server
records one transcript per session, so tests can assert what a client sent, in
particular that it never sent DATA (SPEC "Safety rules of the relay probe").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from audit.lab.smtpscript import SmtpScript
from audit.lab.smtpsession import SmtpSession
from audit.lab.smtpwire import Direction, Transcript
from audit.lab.threaded import ThreadedServer

log = logging.getLogger(__name__)

READ_LIMIT = 4096  # asyncio buffer per line (at least); longer input is discarded in chunks


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
            await SmtpSession(self.script, self.host, reader, writer, record).run()
            writer.close()  # flushes the last reply (221) before closing
        except asyncio.CancelledError:
            # stop(): drop whatever is buffered. Not re-raised: Python 3.11's
            # start_server callback logs a cancelled handler as an error.
            writer.transport.abort()
        finally:
            self._tasks.discard(task)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 1)
