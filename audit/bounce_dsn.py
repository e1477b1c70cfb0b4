"""Rejections from an RFC 5322 message: a DSN (RFC 3464) or a plain-text bounce.

A `message/delivery-status` part gives one rejection per recipient block: Diagnostic-Code
(RFC 3464 §2.3.6, "smtp; 550 …"), Remote-MTA (§2.3.5, "dns; host"), Status (§2.3.4) and
Action (§2.3.3: "delayed" is temporary). Without one, the human-readable text parts are read as
free text. The returned original message (message/rfc822, text/rfc822-headers) is never read:
its content is the sender's, not the rejection.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage, Message

from audit.bounce_extract import MAX_REJECTIONS, Rejection, extract_text, make_rejection

HEADER_LINE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
MESSAGE_HEADERS = (
    "from",
    "received",
    "return-path",
    "content-type",
    "mime-version",
    "subject",
    "date",
)
DSN_FIELDS = ("diagnostic-code", "final-recipient", "original-recipient", "action", "status")
SKIPPED_TYPES = (
    "message/rfc822",
    "text/rfc822-headers",
    "message/global",
    "message/global-headers",
)


def looks_like_message(text: str) -> bool:
    """True when the text opens with an RFC 5322 header block that names a message header."""
    head = text.lstrip().split("\n\n", 1)[0].splitlines()[:200]
    if not head or not HEADER_LINE_RE.match(head[0]):
        return False
    names = {line.split(":", 1)[0].lower() for line in head if HEADER_LINE_RE.match(line)}
    return bool(names & set(MESSAGE_HEADERS)) or bool(names & set(DSN_FIELDS))


def _field(block: Message, name: str) -> str | None:
    value = block.get(name)
    return " ".join(str(value).split()) if value is not None else None


def _after_type(value: str | None) -> str | None:
    """ "smtp; 550 …" → "550 …"; "dns; mx.example.net" → "mx.example.net" (RFC 3464 §2.1.2)."""
    if value is None:
        return None
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def from_dsn_block(block: Message) -> Rejection | None:
    diagnostic = _after_type(_field(block, "Diagnostic-Code"))
    status = _field(block, "Status")
    action = (_field(block, "Action") or "").lower()
    if diagnostic is None and status is None:
        return None
    if action in ("delivered", "relayed", "expanded"):
        return None
    remote = _after_type(_field(block, "Remote-MTA"))
    text = diagnostic or f"Status: {status}"
    deferred = True if action == "delayed" else False if action == "failed" else None
    return make_rejection(text, remote.lower().rstrip(".") if remote else None, deferred, status)


def _parts(message: Message) -> Iterator[Message]:
    """Leaf parts, not descending into the returned original message."""
    if message.get_content_type() in SKIPPED_TYPES:
        return
    if message.get_content_type() == "message/delivery-status" or not message.is_multipart():
        yield message
        return
    for part in message.get_payload():
        if isinstance(part, Message):
            yield from _parts(part)


def _dsn_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    return (
        [block for block in payload if isinstance(block, Message)]
        if isinstance(payload, list)
        else []
    )


def _text_of(part: Message) -> str:
    if not isinstance(part, EmailMessage) or part.get_content_maintype() != "text":
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def extract_message(text: str) -> list[Rejection]:
    message = email.message_from_string(text, policy=email.policy.default)
    top_level = from_dsn_block(message)  # bare DSN fields pasted without a message around them
    parts = list(_parts(message))
    found = [
        rejection
        for part in parts
        if part.get_content_type() == "message/delivery-status"
        for rejection in map(from_dsn_block, _dsn_blocks(part))
        if rejection is not None
    ]
    if not found and top_level is not None:
        found = [top_level]
    if not found:
        body = "\n".join(_text_of(part) for part in parts)
        found = extract_text(body)
    return found[:MAX_REJECTIONS]
