"""SPF macro expansion (RFC 7208 §7). Pure: every value a macro may need is given.

The `p` macro needs DNS (§7.3, validated domain name of the client IP); the evaluator
resolves it first and passes the result as `MacroValues.validated_name`.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

from checks.spf.record import MACRO_TOKEN

MAX_DOMAIN_LENGTH = 253  # §7.3: longer expansions lose labels on the left
URL_SAFE = "-._~"  # RFC 3986 §2.3 unreserved (alphanumerics are always safe)
DELIMITERS = re.compile(r"[.\-+,/_=]")


@dataclass(frozen=True)
class MacroValues:
    """The inputs of §7.2's macro letters for one evaluation."""

    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    sender: str  # <sender>: local-part@domain (postmaster@helo for HELO checks)
    domain: str  # <domain>: the current domain being evaluated
    helo: str
    validated_name: str = "unknown"
    receiver: str = "unknown"
    timestamp: int = 0

    @property
    def local_part(self) -> str:
        return self.sender.rpartition("@")[0] or "postmaster"

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2]


def _dotted_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """§7.3: `i` is dotted-quad for IPv4 and dot-separated nibbles for IPv6. Case is
    not specified (DNS names are case-insensitive); upper-case nibbles match the
    RFC 7208 test suite's expected explanations."""
    if ip.version == 4:
        return str(ip)
    return ".".join(f"{int(ip):032X}")


def letter_value(letter: str, values: MacroValues) -> str:
    ip = values.ip
    table = {
        "s": values.sender,
        "l": values.local_part,
        "o": values.sender_domain,
        "d": values.domain,
        "i": _dotted_ip(ip),
        "p": values.validated_name,
        "v": "in-addr" if ip.version == 4 else "ip6",
        "h": values.helo,
        "c": str(ip),  # §7.3: readable form, RFC 5952 for IPv6
        "r": values.receiver,
        "t": str(values.timestamp),
    }
    return table[letter.lower()]


def transform(value: str, digits: str, reverse: bool, delimiters: str) -> str:
    """§7.3: split on the delimiters (default "."), reverse, keep the rightmost N."""
    splitter = re.compile("[" + re.escape(delimiters) + "]") if delimiters else re.compile(r"\.")
    parts = splitter.split(value)
    if reverse:
        parts.reverse()
    if digits:
        parts = parts[-int(digits) :]
    return ".".join(parts)


def expand(text: str, values: MacroValues) -> str:
    """Expand a macro-string (or explain-string: spaces pass through)."""
    out: list[str] = []
    position = 0
    while position < len(text):
        if text[position] == " ":
            out.append(" ")
            position += 1
            continue
        token = MACRO_TOKEN.match(text, position)
        if token is None:  # callers validate first; keep the rest literally
            out.append(text[position:])
            break
        out.append(_expand_token(token, values))
        position = token.end()
    return "".join(out)


def _expand_token(token: re.Match[str], values: MacroValues) -> str:
    if token.group("literal") is not None:
        return token.group("literal")
    escape = token.group("escape")
    if escape is not None:
        return {"%%": "%", "%_": " ", "%-": "%20"}[escape]
    letter = token.group("letter")
    value = transform(
        letter_value(letter, values),
        token.group("digits"),
        bool(token.group("reverse")),
        token.group("delims"),
    )
    if letter.isupper():  # §7.3: upper-case letters are URL-escaped
        value = urllib.parse.quote(value, safe=URL_SAFE)
    return value


def truncate_domain(name: str) -> str:
    """§7.3: drop labels on the left until the name fits in 253 characters."""
    trimmed = name.rstrip(".")
    while len(trimmed) > MAX_DOMAIN_LENGTH and "." in trimmed:
        trimmed = trimmed.split(".", 1)[1]
    return trimmed


def uses_validated_name(text: str) -> bool:
    return any(t.group("letter") in ("p", "P") for t in MACRO_TOKEN.finditer(text))
