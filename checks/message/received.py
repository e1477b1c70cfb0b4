"""Received-chain facts (RFC 5321 §4.4): each hop's client, receiver and TLS use, and
which hop is trusted to name the connecting IP.

Only the receiver's own Received header can be believed: everything below it was
written by the sender. The trusted hop is the topmost one written by a host the user
names (`--trusted-receiver`), else the topmost of all (the receiver that delivered
the message to the mailbox this file came from).
"""

from __future__ import annotations

import ipaddress
import re

from checks.message.evidence import MessageHopEvidence

FROM_CLAUSE = re.compile(r"\bfrom\s+(\S+)(?:\s+\(([^)]*)\))?", re.IGNORECASE)
BY_CLAUSE = re.compile(r"\bby\s+([^\s;()]+)", re.IGNORECASE)
WITH_CLAUSE = re.compile(r"\bwith\s+([A-Za-z0-9-]+)", re.IGNORECASE)
EXIM_HELO = re.compile(r"\bhelo=([^\s)]+)", re.IGNORECASE)  # Exim: "from [IP] (helo=NAME)"
BRACKETED_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")
# RFC 3848 / RFC 8314 §4.3: protocol types ending in "S" (ESMTPS, ESMTPSA, LMTPS,
# UTF8SMTPS) mean the session ran over TLS; Postfix adds "(using TLSv1.3 with cipher
# ...)", Exim "(TLS1.3)" or "tls" comments, Microsoft "version=TLS1_2".
TLS_PROTOCOLS = re.compile(
    r"^(?:E?SMTPS|ESMTPSA|LMTPS|LMTPSA|UTF8SMTPS|UTF8SMTPSA|HTTPS)$", re.IGNORECASE
)
PLAIN_PROTOCOLS = re.compile(r"^(?:E?SMTP|ESMTPA|LMTP|UTF8SMTP|UTF8SMTPA|HTTP)$", re.IGNORECASE)
TLS_COMMENT = re.compile(r"\b(?:using\s+TLSv?[\d.]+|TLS1[._]\d|version=TLS|\(TLS)", re.I)


def _ip(text: str) -> str | None:
    for candidate in BRACKETED_IP.findall(text):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def _tls(value: str, protocol: str | None) -> bool | None:
    if TLS_COMMENT.search(value) or (protocol and TLS_PROTOCOLS.match(protocol)):
        return True
    if protocol and PLAIN_PROTOCOLS.match(protocol):
        return False
    return None  # the header does not say


def parse_hop(value: str) -> MessageHopEvidence:
    clause = FROM_CLAUSE.search(value)
    by_clause = BY_CLAUSE.search(value)
    with_clause = WITH_CLAUSE.search(value)
    protocol = with_clause.group(1) if with_clause else None
    comment = clause.group(2) or "" if clause else ""
    exim_helo = EXIM_HELO.search(comment)
    return {
        "helo": exim_helo.group(1) if exim_helo else clause.group(1) if clause else None,
        "ip": _ip(comment) or (_ip(clause.group(1)) if clause else None),
        "by": by_clause.group(1).lower().rstrip(".") if by_clause else None,
        "protocol": protocol,
        "tls": _tls(value, protocol),
    }


def trusted_index(hops: list[MessageHopEvidence], trusted: tuple[str, ...]) -> int | None:
    """The topmost hop written by a trusted receiver (by-host equal to one or inside
    it); without names, the topmost hop. None: no hop qualifies."""
    if not hops:
        return None
    if not trusted:
        return 0
    for index, hop in enumerate(hops):
        by = hop["by"] or ""
        if any(by == name or by.endswith("." + name) for name in trusted):
            return index
    return None
