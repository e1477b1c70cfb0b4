"""Pure extractors over one rejection text: SMTP codes, the sending IP, a named DNSBL zone.

Regexes only; nothing here knows providers. The zone extractor is the one suggested in
dnsbl-and-provider-facts.md §3.3, covering the MTA default formats of §3.1 (Postfix "blocked
using", Exim "is in a black list at", Sendmail "listed at", Haraka "listed on", ...).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

# RFC 5321 §4.2: a three-digit reply code, followed by a space or a hyphen (multi-line).
# Only codes RFC 5321 §4.2.2-§4.2.3 defines for rejections, so "port 465" is not one.
REPLY_CODE_RE = re.compile(r"(?<![\w.#<>=/:-])(4[25]\d|5[0-5]\d)(?=[ -]|$)")
# RFC 3463 §2: class.subject.detail; not the start of a dotted quad ("4.16.55.1").
ENHANCED_CODE_RE = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")

# §3.3 suggested extractor; a name followed by a URL path is a web site, not a zone.
ZONE_RE = re.compile(
    r"(?:blocked using|listed (?:at|in|on|by)|black ?list(?:ed)? (?:at|by|using)|in a black list at"
    r"|in an RBL on|rejected using|found in|refused by)"
    r"\s+'?([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})(?![\w.-]*/)",
    re.IGNORECASE,
)

_IP = r"((?:IPv6:)?[0-9A-Fa-f:.]{3,45})"
# Where rejection texts put the connecting client's address (examples in facts §2 and §3).
SENDING_IP_RES = (
    re.compile(r"\[\s*" + _IP + r"(?:\s+\d+)?\s*\]"),  # [ip], Gmail's [ip   12]
    re.compile(
        r"\b(?:client host|client|host|IP address|IP|address|from|source|addr)\s*[:=]?\s*\[?" + _IP,
        re.IGNORECASE,
    ),
    re.compile(r"[?&](?:ip|ip_address|v)=" + _IP, re.IGNORECASE),  # lookup URLs
    re.compile(r"(?:bl\.shtml|dnsbl-lookup\.cgi|lookup\.cgi)\?" + _IP),
    re.compile(r"<\s*" + _IP + r"\s*>"),  # AT&T "521< ip >"
    re.compile(r"\(\s*(?:\S+ - )?" + _IP + r"\s*\)"),  # "(ip)", Cobion "(zone - ip)"
    re.compile(r"(?:because|comcast|cmsmtp|rblsmtpd:)\s+" + _IP, re.IGNORECASE),
    re.compile(
        r"(?<![\w.:])" + _IP + r"(?=\s+(?:is|has|was|listed|found|temporarily|pid)\b)",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True)
class SmtpCodes:
    reply: str | None  # "550"
    enhanced: str | None  # "5.7.1"

    @property
    def temporary(self) -> bool | None:
        """4xx or 4.x.x is transient (RFC 5321 §4.2.1, RFC 3463 §3.1); None when unknown."""
        first = self.reply or self.enhanced
        return None if first is None else first.startswith("4")


def smtp_codes(text: str) -> SmtpCodes:
    reply = REPLY_CODE_RE.search(text)
    enhanced = ENHANCED_CODE_RE.search(text)
    return SmtpCodes(
        reply.group(1) if reply else None,
        ".".join(enhanced.groups()) if enhanced else None,
    )


def valid_ip(candidate: str) -> str | None:
    """A client address, normalised; None for junk, loopback (DNSBL answers) and 0.0.0.0."""
    cleaned = candidate.removeprefix("IPv6:").removeprefix("ipv6:").strip(".:")
    try:
        address = ipaddress.ip_address(cleaned)
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified:
        return None
    return str(address)


def sending_ip(text: str) -> str | None:
    """The leftmost valid address any of the known phrasings puts the client IP in."""
    found: list[tuple[int, str]] = []
    for regex in SENDING_IP_RES:
        for match in regex.finditer(text):
            address = valid_ip(match.group(1))
            if address is not None:
                found.append((match.start(1), address))
                break
    return min(found)[1] if found else None


def named_zones(text: str) -> tuple[str, ...]:
    """Zones named after the MTA phrases, lowercased, without trailing dots or quotes."""
    return tuple(
        dict.fromkeys(match.group(1).lower().rstrip(".") for match in ZONE_RE.finditer(text))
    )
