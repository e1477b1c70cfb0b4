"""The message check's options: the messages to analyse and the receivers whose
Received header is trusted to name the connecting IP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from audit.engine.options import OptionSpec, ValueKind
from audit.model.inputs import parse_suffix
from checks.message.source import validate_message_files


def _files(raw: list[str]) -> tuple[str, ...]:
    return validate_message_files(list(raw))


def parse_receivers(raw: list[str]) -> tuple[str, ...]:
    return tuple(parse_suffix(host) for host in raw)


@dataclass(frozen=True)
class MessageOptions:
    files: tuple[str, ...] = ()
    trusted_receivers: tuple[str, ...] = ()

    declarations: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            "message",
            ("--message",),
            "A real message to analyse (.eml, mbox, '-' = stdin) as `message` does (repeatable).",
            ValueKind.LIST,
            metavar="FILE",
            field="files",
            parse=_files,
        ),
        OptionSpec(
            "trusted_receiver",
            ("--trusted-receiver",),
            "Trust the topmost Received header written by this host (or a host in this "
            "domain) for the connecting IP; default: the topmost (repeatable).",
            ValueKind.LIST,
            metavar="HOST",
            field="trusted_receivers",
            parse=parse_receivers,
        ),
    )
