"""The dkim check's options: the selectors to probe besides the curated list.

A selector is a DNS name below `_domainkey` (RFC 6376 §3.1: `selector = sub-domain *("."
sub-domain)`), so it is validated as a sequence of LDH labels when the options are parsed,
and `selector._domainkey.DOMAIN` must fit in a DNS name (253 characters) once the audited
domain is known (`validate_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from audit.engine.options import OptionSpec, ValueKind
from audit.model.errors import InputError
from audit.model.inputs import MAX_DOMAIN_LENGTH, parse_dns_labels

DOMAINKEY = "_domainkey"  # RFC 6376 §3.6.2.1: the key lives at selector._domainkey.domain


def parse_selector(text: str) -> str:
    return parse_dns_labels(text, "--selector")


def _selectors(raw: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(parse_selector(text) for text in raw))


def key_name(selector: str, domain: str) -> str:
    return f"{selector}.{DOMAINKEY}.{domain}"


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

    def validate_for(self, domain: str) -> None:
        """Each given selector's key name fits in a DNS name (RFC 1035 §2.3.4)."""
        for selector in self.selectors:
            name = key_name(selector, domain)
            if len(name) > MAX_DOMAIN_LENGTH:
                raise InputError(
                    f"invalid --selector {selector!r}: {name[:40]}... is longer than "
                    f"{MAX_DOMAIN_LENGTH} characters"
                )
