"""The dkim check's options: the selectors to probe besides the curated list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from audit.engine.options import OptionSpec, ValueKind


def _selectors(raw: list[str]) -> tuple[str, ...]:
    return tuple(raw)


@dataclass(frozen=True)
class DkimOptions:
    selectors: tuple[str, ...] = ()  # --selector, probed first (RFC 6376 §3.6.2.1)

    declarations: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            "selector",
            ("--selector",),
            "DKIM selector (repeatable). Default: common selectors are probed.",
            ValueKind.LIST,
            metavar="SELECTOR",
            field="selectors",
            parse=_selectors,
        ),
    )
