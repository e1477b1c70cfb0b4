"""When the running command started: the origin --deadline counts from.

`main` (audit/cli/__init__.py) sets it; a command reads it when it builds its run. A
context variable, so in-process callers (tests) each get their own."""

from __future__ import annotations

import time
from contextvars import ContextVar

_COMMAND_STARTED: ContextVar[float | None] = ContextVar("command_started", default=None)


def start_command(started: float) -> None:
    _COMMAND_STARTED.set(started)


def command_started() -> float:
    """The perf_counter() instant this command started, which --deadline counts from."""
    started = _COMMAND_STARTED.get()
    return time.perf_counter() if started is None else started
