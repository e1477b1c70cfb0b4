"""What crosses the wire in a lab SMTP session: replies and transcripts.

A `Reply` is one SMTP reply in the format of RFC 5321 §4.2.1; a `Transcript` records
one session of `audit.lab.smtpserver.ScriptedSmtpServer` line by line, so tests can
assert what a client sent, in particular that it never sent DATA (SPEC "Safety rules
of the relay probe").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Direction(enum.StrEnum):
    CLIENT = "C"
    SERVER = "S"


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
