"""List-Unsubscribe (RFC 2369) and one-click unsubscribe (RFC 8058).

RFC 8058 §3.1: one-click needs a List-Unsubscribe with an https URI and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`; §4: both fields covered by a
valid DKIM signature. Gmail requires exactly that of bulk senders; Yahoo also accepts
a mailto: URI.
"""

from __future__ import annotations

import re

from checks.message.evidence import MessageDkimEvidence, MessageUnsubscribeEvidence
from checks.message.parse import ParsedMessage

URI = re.compile(r"<([^<>]*)>")
ONE_CLICK = "list-unsubscribe=one-click"


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
