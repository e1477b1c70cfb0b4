"""The ptr check's options: the domain the sending IPs' PTR names must end in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from audit.engine.options import OptionSpec, ValueKind
from audit.model.inputs import parse_suffix


def _suffixes(raw: list[str]) -> tuple[str, ...]:
    return tuple(parse_suffix(suffix) for suffix in raw)


@dataclass(frozen=True)
class PtrOptions:
    expect_ptr_suffixes: tuple[str, ...] = ()

    declarations: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            "expect_ptr_suffix",
            ("--expect-ptr-suffix",),
            "Sending IPs' PTR names must end in this domain, e.g. mg.example.com (repeatable).",
            ValueKind.LIST,
            metavar="DOMAIN",
            field="expect_ptr_suffixes",
            parse=_suffixes,
        ),
    )
