"""The `smtp_server` fixture: scripted SMTP servers on loopback, stopped after the test.

Made available to every test by this line in tests/conftest.py:
    from support.smtp_fixtures import smtp_server  # noqa: F401  (pytest fixture)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from audit.lab.smtpscript import SmtpScript
from audit.lab.smtpserver import ScriptedSmtpServer

SmtpFactory = Callable[..., ScriptedSmtpServer]


@pytest.fixture
def smtp_server() -> Iterator[SmtpFactory]:
    """Factory: start a scripted SMTP server on 127.0.0.1 (random port).

    `smtp_server()` is a closed MX for example.test; `smtp_server(SmtpScript.open_relay())`
    picks a preset; keyword arguments change script fields (`smtp_server(greylist=True)`).
    `.port`, `.address` ("127.0.0.1:PORT") and `.sessions` (transcripts) are on the result.
    """
    started: list[ScriptedSmtpServer] = []

    def factory(script: SmtpScript | None = None, **changes: Any) -> ScriptedSmtpServer:
        chosen = (script or SmtpScript.closed()).replace(**changes)
        server = ScriptedSmtpServer(chosen).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()
