"""Validation of user input: domains, IPs, CIDRs, check ids. Errors name the problem."""

from __future__ import annotations

import ipaddress
import re

from audit.model import PLANNED_CHECK_IDS, CheckId
from audit.model.errors import InputError

MAX_DOMAIN_LENGTH = 253  # RFC 1035 §2.3.4 (presentation form without the root dot)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def parse_domain(text: str) -> str:
    """A domain name in lowercase A-label form, without the trailing dot."""
    raw = text.strip().rstrip(".")
    if not raw:
        raise InputError("invalid domain '': empty")
    try:
        ascii_name = raw.lower() if raw.isascii() else raw.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InputError(f"invalid domain {text!r}: not a valid internationalised name") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > MAX_DOMAIN_LENGTH:
        raise InputError(f"invalid domain {text!r}: longer than 253 characters")
    if len(labels) < 2:
        raise InputError(f"invalid domain {text!r}: needs at least two labels")
    for label in labels:
        if not _LABEL.match(label):
            raise InputError(f"invalid domain {text!r}: bad label {label!r}")
    if labels[-1].isdigit():
        raise InputError(f"invalid domain {text!r}: the top-level label is numeric")
    return ascii_name


def parse_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise InputError(f"invalid IP address {text!r}") from None


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise InputError(f"invalid CIDR range {text!r}") from None


def parse_check_ids(text: str) -> list[CheckId]:
    ids: list[CheckId] = []
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        if part in PLANNED_CHECK_IDS:
            raise InputError(f"check {part!r} is not available in this version")
        try:
            ids.append(CheckId(part))
        except ValueError:
            known = ", ".join(c.value for c in CheckId)
            raise InputError(f"unknown check id {part!r} (known: {known})") from None
    return ids


def parse_suffix(text: str) -> str:
    return parse_domain(text.lstrip("."))


def parse_smtp_host(text: str) -> tuple[str, int]:
    """`--smtp-host HOST[:PORT]`: a name or IP literal (IPv6 in brackets when a port
    follows, `[2001:db8::1]:25`), port 1-65535, default 25 (RFC 5321 §4.5.4.2)."""
    raw = text.strip()
    host, port_text = raw, ""
    if raw.startswith("["):
        host, _, rest = raw[1:].partition("]")
        if rest and not rest.startswith(":"):
            raise InputError(f"invalid --smtp-host {text!r}: expected [IPV6]:PORT")
        port_text = rest[1:]
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
    port = _smtp_port(port_text, text) if port_text or raw.endswith(":") else 25
    try:
        return str(ipaddress.ip_address(host)), port
    except ValueError:
        pass
    try:
        return parse_domain(host), port
    except InputError as exc:
        raise InputError(f"invalid --smtp-host {text!r}: {exc}") from None


def _smtp_port(port_text: str, text: str) -> int:
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError(f"invalid --smtp-host {text!r}: the port must be 1-65535")
    return int(port_text)


def format_smtp_host(host: str, port: int) -> str:
    """The canonical HOST:PORT text (IPv6 literals in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
