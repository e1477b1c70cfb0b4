"""Per-evaluation state of RFC 7208 `check_host()`: the limits and what counts them.

The §4.6.4 limits (10 DNS-querying terms, 2 void lookups, 10 MX and PTR names) are
counted exactly as a receiver counts them; exceeding one is a permerror. `PermError`
(§2.6.7) and `TempError` (§2.6.6) carry the two error results out of the evaluation.
Domain names are checked against §4.3 before they are queried.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from audit.model import UnknownReason

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_DNS_TERMS = 10  # §4.6.4
MAX_VOID_LOOKUPS = 2  # §4.6.4 (RECOMMENDED default)
MAX_MX_NAMES = 10  # §4.6.4: more MX names is a permerror
MAX_PTR_NAMES = 10  # §4.6.4: further PTR names are ignored
MAX_LABEL = 63
MAX_NAME = 253


class PermError(Exception):
    pass


class TempError(Exception):
    def __init__(self, detail: str, reason: UnknownReason | None) -> None:
        super().__init__(detail)
        self.reason = reason or UnknownReason.INTERNAL


@dataclass
class EvalState:
    """Per-evaluation state: the inputs and the §4.6.4 counters."""

    ip: IpAddress
    sender: str
    helo: str
    timestamp: int
    dns_terms: int = 0
    void_lookups: int = 0
    validated_names: list[str] | None = field(default=None)

    def count_term(self, term: str) -> None:
        self.dns_terms += 1
        if self.dns_terms > MAX_DNS_TERMS:
            raise PermError(f"more than {MAX_DNS_TERMS} DNS-querying terms at {term!r} (§4.6.4)")

    def count_void(self, name: str) -> None:
        self.void_lookups += 1
        if self.void_lookups > MAX_VOID_LOOKUPS:
            raise PermError(f"more than {MAX_VOID_LOOKUPS} void lookups at {name} (§4.6.4)")


def is_valid_domain(name: str) -> bool:
    """§4.3: a multi-label name, labels of 1-63 octets, at most 253 octets."""
    trimmed = name[:-1] if name.endswith(".") else name
    labels = trimmed.split(".")
    if len(labels) < 2 or len(trimmed) > MAX_NAME:
        return False
    return all(0 < len(label) <= MAX_LABEL for label in labels)
