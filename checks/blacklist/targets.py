"""Targets of the `blacklist` command: IPs, CIDR ranges, domains and `@FILE` lists.

Ranges are expanded to their addresses, with a guard: a range larger than a /20 (4096
addresses) needs `--max-targets N`, because each address costs one query per list and
list operators rate-limit (SH-USAGE: <300k queries/day on the public mirrors).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from audit.model.errors import InputError
from audit.model.textfile import read_text_file

DEFAULT_MAX_TARGETS = 4096  # a /20
MAX_TARGET_FILE_BYTES = 10_000_000


class TargetError(ValueError):
    """A target the user gave is invalid (the CLI exits 2 with this message)."""


class ParsedTargets(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    ips: tuple[str, ...]
    domains: tuple[str, ...]


def _read_file(spec: str) -> list[str]:
    """The targets in @FILE: bounded while read (`@/dev/urandom` stops at the first chunk)."""
    try:
        text = read_text_file(Path(spec[1:]), MAX_TARGET_FILE_BYTES, "target file")
    except InputError as exc:
        raise TargetError(str(exc)) from None
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


def _address(text: str) -> str:
    """An IP literal (ValueError if it is none); a zone index is a TargetError."""
    address = ipaddress.ip_address(text)
    _refuse_zone_index(address, text)
    return str(address)


def _refuse_zone_index(address: ipaddress.IPv4Address | ipaddress.IPv6Address, text: str) -> None:
    # RFC 4007 §11: `fe80::1%eth0` names a local interface; no list can answer for it.
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        raise TargetError(f"invalid target {text!r}: a zone index (%...) is not allowed")


def _network_addresses(text: str, budget: int) -> list[str]:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise TargetError(f"invalid CIDR range {text!r}") from None
    _refuse_zone_index(network.network_address, text)
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
            ips[_address(spec)] = None
        except TargetError:
            raise
        except ValueError:
            domains[parse_domain(spec)] = None
        if len(ips) + len(domains) > max_targets:
            raise TargetError(
                f"more than {max_targets} targets; pass --max-targets N to raise the limit"
            )
    if not ips and not domains:
        raise TargetError("no target given: IPs, CIDR ranges, domains or @FILE")
    return ParsedTargets(tuple(ips), tuple(domains))
