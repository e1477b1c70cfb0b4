"""The spf check's options: HELO names for the HELO identity check (RFC 7208 §2.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from audit.engine.options import OptionSpec, ValueKind
from audit.model.inputs import parse_domain


def _helo_names(raw: list[str]) -> tuple[str, ...]:
    return tuple(parse_domain(name) for name in raw)


@dataclass(frozen=True)
class SpfOptions:
    helo_names: tuple[str, ...] = ()

    declarations: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            "helo",
            ("--helo",),
            "HELO/EHLO name the server uses, for the SPF HELO check (repeatable).",
            ValueKind.LIST,
            metavar="NAME",
            field="helo_names",
            parse=_helo_names,
        ),
    )
