"""The relay check's options: which SMTP servers to probe, or none at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from audit.engine.options import OptionSpec, ValueKind
from audit.model.inputs import format_smtp_host, parse_smtp_host


def _smtp_hosts(raw: list[str]) -> tuple[str, ...]:
    """--smtp-host values as canonical HOST:PORT (exit 2 on a bad one)."""
    return tuple(dict.fromkeys(format_smtp_host(*parse_smtp_host(value)) for value in raw))


def _probe(no_relay_probe: bool) -> bool:
    return not no_relay_probe


@dataclass(frozen=True)
class RelayOptions:
    smtp_hosts: tuple[str, ...] = ()  # HOST:PORT; empty: the MX hosts on 25
    relay_probe: bool = True

    declarations: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            "smtp_host",
            ("--smtp-host",),
            "SMTP server to probe for open relay (repeatable). Default: the MX hosts on 25.",
            ValueKind.LIST,
            metavar="HOST[:PORT]",
            field="smtp_hosts",
            parse=_smtp_hosts,
        ),
        OptionSpec(
            "no_relay_probe",
            ("--no-relay-probe",),
            "Skip the active SMTP relay probe (the relay check is skipped).",
            ValueKind.BOOL,
            field="relay_probe",
            parse=_probe,
        ),
    )
