"""RFC 5322 format rules and the unsubscribe fields, as the mailbox providers enforce them.

Format (Gmail "Email sender guidelines"; Yahoo: RFC 5322 compliance): one address in
From, a valid Message-ID and Date, single-instance fields not repeated, lines of at most
998 octets. Unsubscribe (RFC 2369; RFC 8058 §3.1/§4): one-click needs an https
List-Unsubscribe and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, both covered
by a valid DKIM signature; Yahoo also accepts mailto:. Pure functions of the header.
"""

from __future__ import annotations

import email.utils
import re

from checks.message.evidence import (
    MessageDkimEvidence,
    MessageFormatEvidence,
    MessageUnsubscribeEvidence,
)
from checks.message.parse import ParsedMessage

# RFC 5322 §3.6: fields that may appear at most once (Date and From exactly once).
SINGLE_INSTANCE = (
    "date",
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "message-id",
    "in-reply-to",
    "references",
    "subject",
)
MAX_LINE_OCTETS = 998  # RFC 5322 §2.1.1 MUST; 78 is only a SHOULD
# RFC 5322 §3.6.4 msg-id = "<" id-left "@" id-right ">" (dot-atom-text or no-fold-literal)
ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
DOT_ATOM = rf"{ATEXT}(?:\.{ATEXT})*"
MSG_ID = re.compile(rf"^<{DOT_ATOM}@(?:{DOT_ATOM}|\[[^\[\]\\\s]*\])>$")
URI = re.compile(r"<([^<>]*)>")
ONE_CLICK = "list-unsubscribe=one-click"
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def _problem(rule: str, detail: str) -> MessageFormatEvidence:
    return {"rule": rule, "detail": detail[:300]}


def from_addresses(message: ParsedMessage) -> list[tuple[str, str]]:
    return list(message.from_addresses)


def from_domain(message: ParsedMessage) -> str | None:
    """The RFC 5322.From domain DMARC evaluates (RFC 7489 §3.1): only with one address."""
    addresses = from_addresses(message)
    if len(addresses) != 1 or "@" not in addresses[0][1]:
        return None
    return addresses[0][1].rpartition("@")[2].lower().rstrip(".") or None


def _from_rules(message: ParsedMessage) -> list[MessageFormatEvidence]:
    count = len(message.all("from"))
    if count != 1:
        return [_problem("from_count", f"{count} From fields (exactly one required)")]
    addresses = from_addresses(message)
    if len(addresses) != 1 or "@" not in addresses[0][1]:
        return [_problem("from_addresses", f"From holds {len(addresses)} usable addresses")]
    return []


def _message_id_rules(message: ParsedMessage) -> list[MessageFormatEvidence]:
    value = message.first("message-id")
    if value is None:
        return [_problem("message_id", "no Message-ID field")]
    if not MSG_ID.match(value.strip()):
        return [_problem("message_id", f"not an RFC 5322 msg-id: {value.strip()!r}")]
    return []


def _date_rules(message: ParsedMessage) -> list[MessageFormatEvidence]:
    value = message.first("date")
    if value is None:
        return [_problem("date", "no Date field")]
    try:
        email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return [_problem("date", f"not an RFC 5322 date-time: {value.strip()!r}")]
    return []


def _repeated(message: ParsedMessage) -> list[MessageFormatEvidence]:
    return [
        _problem("repeated_field", f"{name}: {len(message.all(name))} instances")
        for name in SINGLE_INSTANCE
        if name != "from" and len(message.all(name)) > 1
    ]


def _line_length(message: ParsedMessage) -> list[MessageFormatEvidence]:
    if message.longest_line <= MAX_LINE_OCTETS:
        return []
    return [_problem("line_length", f"a line of {message.longest_line} octets (max 998)")]


def format_problems(message: ParsedMessage) -> list[MessageFormatEvidence]:
    return [
        *_from_rules(message),
        *_message_id_rules(message),
        *_date_rules(message),
        *_repeated(message),
        *_line_length(message),
    ]


def _signed_by_a_pass(field: str, signatures: list[MessageDkimEvidence]) -> bool:
    return any(s["result"] == "pass" and field in s["signed_fields"] for s in signatures)


def unsubscribe_evidence(
    message: ParsedMessage, signatures: list[MessageDkimEvidence]
) -> MessageUnsubscribeEvidence:
    uris = [uri.strip() for value in message.all("list-unsubscribe") for uri in URI.findall(value)]
    posts = [value.strip().lower() for value in message.all("list-unsubscribe-post")]
    https = [uri for uri in uris if uri.lower().startswith("https://")]
    one_click = bool(https) and posts == [ONE_CLICK]
    return {
        "present": bool(message.all("list-unsubscribe")),
        "https": https,
        "mailto": [uri for uri in uris if uri.lower().startswith("mailto:")],
        "one_click": one_click,
        "signed": _signed_by_a_pass("list-unsubscribe", signatures)
        and (not posts or _signed_by_a_pass("list-unsubscribe-post", signatures)),
    }
