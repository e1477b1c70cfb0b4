"""Targets of the `blacklist` command: IPs, CIDR ranges, domains and `@FILE` lists.

Ranges are expanded to their addresses, with a guard: a range larger than a /20 (4096
addresses) needs `--max-targets N`, because each address costs one query per list and
list operators rate-limit (SH-USAGE: <300k queries/day on the public mirrors).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_TARGETS = 4096  # a /20
MAX_TARGET_FILE_BYTES = 10_000_000


class TargetError(ValueError):
    """A target the user gave is invalid (the CLI exits 2 with this message)."""


@dataclass(frozen=True)
class ParsedTargets:
    ips: tuple[str, ...]
    domains: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.ips) + len(self.domains)


def _read_file(spec: str) -> list[str]:
    path = Path(spec[1:])
    try:
        if path.stat().st_size > MAX_TARGET_FILE_BYTES:
            raise TargetError(f"{spec}: larger than {MAX_TARGET_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise TargetError(f"cannot read target file {path}: {exc}") from None
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def _expand_specs(specs: Iterable[str]) -> list[str]:
    expanded: list[str] = []
    for spec in specs:
        spec = spec.strip()
        if spec.startswith("@"):
            expanded.extend(_read_file(spec))
        elif spec:
            expanded.append(spec)
    return expanded


def _network_addresses(text: str, budget: int) -> list[str]:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise TargetError(f"invalid CIDR range {text!r}") from None
    if network.num_addresses > budget:
        raise TargetError(
            f"{text} has {network.num_addresses} addresses, above the limit of {budget} "
            f"targets (a /20 by default); pass --max-targets {network.num_addresses} to "
            "check it anyway (each address costs one query per list)"
        )
    # RFC 3021: /31 and /32 have no network/broadcast address to skip.
    hosts = network.hosts() if network.num_addresses > 2 else iter(network)
    return [str(address) for address in hosts]


def parse_targets(
    specs: Iterable[str],
    parse_domain: Callable[[str], str],
    max_targets: int = DEFAULT_MAX_TARGETS,
) -> ParsedTargets:
    """Validate and expand; `parse_domain` is the CLI's domain validator."""
    ips: dict[str, None] = {}
    domains: dict[str, None] = {}
    for spec in _expand_specs(specs):
        if "/" in spec:
            for address in _network_addresses(spec, max_targets - len(ips) - len(domains)):
                ips[address] = None
            continue
        try:
            ips[str(ipaddress.ip_address(spec))] = None
        except ValueError:
            domains[parse_domain(spec)] = None
        if len(ips) + len(domains) > max_targets:
            raise TargetError(
                f"more than {max_targets} targets; pass --max-targets N to raise the limit"
            )
    if not ips and not domains:
        raise TargetError("no target given: IPs, CIDR ranges, domains or @FILE")
    return ParsedTargets(tuple(ips), tuple(domains))
