"""Validation of user input: domains, IPs, CIDRs, check ids, selectors, durations.

Errors name the problem; each is one `InputError` line (exit 2).
"""

from __future__ import annotations

import ipaddress
import math
import re

from audit.model import PLANNED_CHECK_IDS, CheckId
from audit.model.errors import InputError

MAX_DOMAIN_LENGTH = 253  # RFC 1035 §2.3.4 (presentation form without the root dot)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Timeouts and deadlines above a day are typing mistakes (or `inf`), not plans.
MAX_SECONDS = 86_400.0


def parse_domain(text: str) -> str:
    """A domain name in lowercase A-label form, without the trailing dot.

    Internationalised names follow IDNA 2008 with the UTS #46 mapping (non-transitional:
    `straße` stays `xn--strae-oqa`, RFC 5891/UTS #46 §4), through the `idna` package.
    """
    raw = text.strip()
    raw = raw[:-1] if raw.endswith(".") else raw  # one root dot is fine, `a.test..` is not
    if not raw:
        raise InputError("invalid domain '': empty")
    ascii_name = raw.lower() if raw.isascii() else _a_labels(raw, text)
    labels = ascii_name.split(".")
    if len(ascii_name) > MAX_DOMAIN_LENGTH:
        raise InputError(f"invalid domain {text!r}: longer than 253 characters")
    if len(labels) < 2:
        raise InputError(f"invalid domain {text!r}: needs at least two labels")
    for label in labels:
        if not label:
            raise InputError(f"invalid domain {text!r}: empty label")
        if not _LABEL.match(label):
            raise InputError(f"invalid domain {text!r}: bad label {label!r}")
    if labels[-1].isdigit():
        raise InputError(f"invalid domain {text!r}: the top-level label is numeric")
    return ascii_name


def _a_labels(raw: str, text: str) -> str:
    """IDNA 2008 + UTS #46 A-labels of a Unicode name; characters the mapping would drop
    silently (a zero-width space, a soft hyphen) are an error: the user did not mean
    another name."""
    import idna

    try:
        for char in raw:
            if idna.uts46_remap(char, std3_rules=False, transitional=False) == "":
                raise InputError(
                    f"invalid domain {text!r}: invisible character U+{ord(char):04X} in the name"
                )
        return idna.encode(raw, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        # uts46_remap raises too, for code points UTS #46 disallows (U+0080, controls).
        raise InputError(f"invalid domain {text!r}: not a valid IDNA 2008 name ({exc})") from None


def parse_ip(text: str) -> str:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise InputError(f"invalid IP address {text!r}") from None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        # RFC 4007 §11: a zone index names a local interface, not a sending address.
        raise InputError(f"invalid IP address {text!r}: a zone index (%...) is not allowed")
    return str(address)


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
        host, closed, rest = raw[1:].partition("]")
        if not closed:
            raise InputError(f"invalid --smtp-host {text!r}: missing ']'")
        if rest and not rest.startswith(":"):
            raise InputError(f"invalid --smtp-host {text!r}: expected [IPV6]:PORT")
        port_text = rest[1:]
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
    port = _smtp_port(port_text, text) if port_text or raw.endswith(":") else 25
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return parse_ip(host), port
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


def parse_seconds(value: float, flag: str) -> float:
    """A finite, positive number of seconds, at most a day: `inf`, `nan`, 0 and negatives
    would disable the bound they set (or never fire)."""
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{flag} must be a positive number of seconds, not {value:g}")
    if value > MAX_SECONDS:
        raise InputError(f"{flag} must be at most {MAX_SECONDS:g} seconds, not {value:g}")
    return value


def parse_dns_labels(text: str, what: str) -> str:
    """A sequence of LDH labels (RFC 5321 §4.1.2 `sub-domain`), lowercase: each label 1-63
    letters, digits or hyphens, not starting or ending with a hyphen, at most 253 in all."""
    name = text.strip()
    if not name:
        raise InputError(f"invalid {what} {text!r}: empty")
    if not name.isascii():  # lowercase only ASCII: "\u212a".lower() is "k"
        raise InputError(f"invalid {what} {text!r}: only ASCII letters, digits and hyphens")
    name = name.lower()
    if len(name) > MAX_DOMAIN_LENGTH:
        raise InputError(f"invalid {what} {text!r}: longer than 253 characters")
    for label in name.split("."):
        if not label:
            raise InputError(f"invalid {what} {text!r}: empty label")
        if not _LABEL.match(label):
            raise InputError(
                f"invalid {what} {text!r}: bad label {label!r} "
                "(letters, digits and inner hyphens, at most 63)"
            )
    return name
