"""Rejections from an RFC 5322 message: a DSN (RFC 3464) or a plain-text bounce.

A `message/delivery-status` part gives one rejection per recipient block: Diagnostic-Code
(RFC 3464 §2.3.6, "smtp; 550 …"), Remote-MTA (§2.3.5, "dns; host"), Status (§2.3.4) and
Action (§2.3.3: "delayed" is temporary). Without one, the human-readable text parts are read as
free text. The returned original message (message/rfc822, text/rfc822-headers) is never read:
its content is the sender's, not the rejection.

Parsing uses the `compat32` policy: the `default` policy builds a structured header object for
every header it is asked about, which cost ~90% of the time on a DSN. We read only the few
fields above, unfolded (RFC 5322 §2.2.3) and with RFC 2047 encoded words decoded here; control
characters that decoding (encoded words, base64, quoted-printable) brings back are blanked, as
the input reader blanks them in the raw text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.bounce.extract import (
    RejectionReply,
    extract_text,
    make_rejection,
    signal_statements,
    statements,
)
from audit.bounce.input import CONTROL_RE

if TYPE_CHECKING:
    from email.message import Message

# The email package (~20 ms) loads on the first message parsed: `explain TEXT` and log
# excerpts never need it.

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
# One RFC 2047 encoded word: =?charset[*language]?B|Q?text?=
ENCODED_WORD_RE = re.compile(r"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=")
# RFC 3464 §2.3.4: status-code = DIGIT "." 1*3DIGIT "." 1*3DIGIT (an mbox "Status: RO" is not).
STATUS_RE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}\b")
# Where the returned original starts in an unsplit multipart (RFC 3464 §2: third part).
RETURNED_RE = re.compile(
    r"^Content-Type:\s*(?:message/rfc822|text/rfc822-headers|message/global)", re.I | re.M
)
SCAFFOLD_RE = re.compile(
    r"^(?:--\S+\s*$|Content-(?:Type|Transfer-Encoding|Description|Disposition|ID):"
    r"|\s*boundary=)",
    re.IGNORECASE,
)
# A per-recipient DSN field group (RFC 3464 §2.3) in text: from Final-Recipient or Action to
# the blank line.
INLINE_DSN_RE = re.compile(
    r"^(?:Original-Recipient|Final-Recipient):[^\n]*\n(?:[A-Za-z-]+:[^\n]*\n|[ \t][^\n]*\n)*",
    re.IGNORECASE | re.MULTILINE,
)
REPLY_PREFIX_RE = re.compile(r"(\d{3})[ -](?:([245]\.\d{1,3}\.\d{1,3})\s)?")
REPLY_LINE_RE = re.compile(r"^(?:4[25]\d|5[0-5]\d)[ -]")
CONTEXT_CHARS = 200  # how much longer the text part's telling of a reply may be
BARE_REPLY_CHARS = 40  # a Diagnostic-Code this short ("550 Rejected") says only the code
REPORT_TYPES = ("message/delivery-status", "message/feedback-report")
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


def _to_text(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "ascii", "replace")
    except (LookupError, ValueError):  # an unknown charset, or a codec without "replace"
        return data.decode("utf-8", "replace")


def _word(encoded: str) -> tuple[bytes, str] | None:
    """The bytes and charset of one encoded word; None when it does not decode."""
    from email.errors import HeaderParseError
    from email.header import decode_header

    try:
        [(data, charset)] = decode_header(encoded)
    except (HeaderParseError, ValueError):
        return None
    if not isinstance(data, bytes) or not charset:
        return None
    return data, charset.split("*", 1)[0]  # RFC 2231 §5: charset*language


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; the white space between two of them dropped (§6.2).

    Adjacent words in the same charset are decoded together, so a character split across
    two words (as some mailers split UTF-8) survives. A word that does not decode stays as is.
    """
    if "=?" not in value:
        return value
    out: list[str] = []
    data, charset = b"", ""  # the run of encoded words being collected
    position = 0
    for match in ENCODED_WORD_RE.finditer(value):
        before, word = value[position : match.start()], _word(match.group(0))
        position = match.end()
        if word is None:
            before += match.group(0)
        elif data and not before.strip():  # only white space since the previous word
            if word[1] == charset:
                data += word[0]
                continue
            before = ""
        if data:
            out.append(_to_text(data, charset))
        out.append(before)
        data, charset = word if word is not None else (b"", "")
    if data:
        out.append(_to_text(data, charset))
    out.append(value[position:])
    return CONTROL_RE.sub(" ", "".join(out))


def _parse(text: str, headers_only: bool = False) -> Message:
    from email.parser import Parser

    # Parser's default policy is compat32; importing email.policy to name it would load
    # the `default` policy's header registry and parser (~6 ms) that compat32 never uses.
    return Parser().parsestr(text, headersonly=headers_only)


def _messages(items: object) -> list[Message]:
    """The parts of a payload that are messages (a payload may also be a string)."""
    from email.message import Message

    return [item for item in items if isinstance(item, Message)] if isinstance(items, list) else []


def _field(block: Message, name: str) -> str | None:
    """A field's value unfolded, encoded words decoded, white space collapsed."""
    value = block.get(name)
    if value is None:
        return None
    return " ".join(decode_words(" ".join(str(value).split())).split())


def _after_type(value: str | None) -> str | None:
    """ "smtp; 550 …" → "550 …"; "dns; mx.example.net" → "mx.example.net" (RFC 3464 §2.1.2)."""
    if value is None:
        return None
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _status(block: Message) -> str | None:
    """The block's RFC 3463 status code, None when absent or not one."""
    match = STATUS_RE.match(_field(block, "Status") or "")
    return match.group(0) if match else None


def one_reply(text: str) -> str:
    """A multi-line SMTP reply as one text: the code prefix that every line repeats
    ("550-5.1.1 … 550-5.1.1 … 550 5.1.1 …", RFC 5321 §4.2.1) kept once."""
    first = REPLY_PREFIX_RE.match(text)
    if first is None:
        return text
    code, enhanced = first.group(1), first.group(2)
    repeated = re.compile(
        r"\s" + code + r"[ -]" + (re.escape(enhanced) + r"\s" if enhanced else "")
    )
    return text[: first.end()] + repeated.sub(" ", text[first.end() :])


def _unfolded_lines(block: Message) -> str:
    """Reply lines that follow Diagnostic-Code without the folding white space (RFC 5322
    §2.2.3) end the parser's field block; they are taken back, and the fields after them
    (Status, Action, ...) read again."""
    payload = block.get_payload()
    if not isinstance(payload, str) or not REPLY_LINE_RE.match(payload):
        return ""
    lines = payload.splitlines()
    taken = 0
    while taken < len(lines) and REPLY_LINE_RE.match(lines[taken]):
        taken += 1
    rest = _parse("\n".join(lines[taken:]), headers_only=True)
    for name, value in rest.items():
        if block.get(name) is None:
            block[name] = value
    return " ".join(line.strip() for line in lines[:taken])


def from_dsn_block(block: Message, reply: str | None = None) -> RejectionReply | None:
    """The block's rejection; without a Diagnostic-Code, `reply` (the server's reply the
    human-readable part quotes for this recipient, RFC 3464 §2.1) is its text."""
    diagnostic = _after_type(_field(block, "Diagnostic-Code"))
    if diagnostic is not None:
        diagnostic = one_reply(" ".join((diagnostic + " " + _unfolded_lines(block)).split()))
    status = _status(block)
    action = (_field(block, "Action") or "").lower()
    if diagnostic is None and status is None:
        return None
    if action in ("delivered", "relayed", "expanded"):
        return None
    remote = _after_type(_field(block, "Remote-MTA"))
    text = diagnostic or reply or f"Status: {status}"
    deferred = True if action == "delayed" else False if action == "failed" else None
    return make_rejection(text, remote.lower().rstrip(".") if remote else None, deferred, status)


def _parts(message: Message) -> Iterator[Message]:
    """Leaf parts, not descending into the returned original message."""
    if message.get_content_type() in SKIPPED_TYPES:
        return
    if message.get_content_type() in REPORT_TYPES or not message.is_multipart():
        yield message
        return
    children = _messages(message.get_payload())
    if message.get_content_type() == "multipart/alternative":
        # the same content twice (RFC 2046 §5.1.4): the plain-text one is read, once
        plain = [part for part in children if part.get_content_type() == "text/plain"]
        children = plain[:1] or children
    for part in children:
        yield from _parts(part)


def _dsn_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    return _messages(payload) if isinstance(payload, list) else []


def _text_of(part: Message) -> str:
    """A text part's content: transfer encoding undone, decoded by its charset (else ASCII).

    A multipart whose boundary is not found (declared one way, used another; a boundary
    parameter folded without white space, RFC 5322 §2.2.3) is left unsplit by the parser:
    its raw content is read as the text it is, the MIME scaffolding dropped."""
    maintype = part.get_content_maintype()
    if maintype == "multipart" and not part.is_multipart():
        return _unsplit_multipart(str(part.get_payload()))
    if maintype != "text":
        return ""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return CONTROL_RE.sub(" ", _to_text(payload, part.get_content_charset("ascii")))


def _unsplit_multipart(raw: str) -> str:
    """The readable part of a multipart the parser could not split: up to the returned
    message, without boundary lines and part headers."""
    returned = RETURNED_RE.search(raw)
    kept = raw[: returned.start()] if returned else raw
    lines = [line for line in kept.splitlines() if not SCAFFOLD_RE.match(line)]
    return CONTROL_RE.sub(" ", "\n".join(lines))


def _inline_dsn_blocks(body: str) -> list[Message]:
    """DSN recipient field groups written in text (an unsplit or mislabelled report)."""
    return [_parse(match.group(0), headers_only=True) for match in INLINE_DSN_RE.finditer(body)]


def _recipient(block: Message) -> str:
    """The local part and domain of Final-Recipient (RFC 3464 §2.3.2), lowercased."""
    return (_after_type(_field(block, "Final-Recipient")) or "").strip("<>").lower()


def _quoted_reply(block: Message, said: list[str], replies: list[str]) -> str | None:
    """The human-readable part's statement about this recipient (one that says more than
    the address; a reply-like one first), else its only reply."""
    recipient = _recipient(block)
    named = [
        statement
        for statement in said
        if recipient and recipient in statement.lower() and len(statement) > len(recipient) + 8
    ]
    if named:
        return next((s for s in named if s in replies), named[0])
    return replies[0] if len(replies) == 1 else None


def _from_report(parts: list[Message], body: str) -> list[RejectionReply]:
    """One rejection per failed recipient of the delivery-status parts."""
    blocks = [
        block
        for part in parts
        if part.get_content_type() == "message/delivery-status"
        for block in _dsn_blocks(part)
    ]
    said = list(statements(body)) if blocks else []
    replies = signal_statements(body) if blocks else []
    found = []
    for block in blocks:
        has_diagnostic = block.get("Diagnostic-Code") is not None
        reply = None if has_diagnostic else _quoted_reply(block, said, replies)
        rejection = from_dsn_block(block, reply)
        if rejection is not None:
            found.append(_in_context(rejection, said) if has_diagnostic else rejection)
    return found


def _in_context(rejection: RejectionReply, said: list[str]) -> RejectionReply:
    """A bare Diagnostic-Code as the text part tells it, when that statement holds the same
    reply and says a little more: Exim's "… after initial connection: 550 Rejected" tells
    when the server refused (at the greeting: the client IP); "550 Rejected" alone does not."""
    reply = " ".join(rejection.text.split())
    if len(reply) > BARE_REPLY_CHARS:
        return rejection
    context = next((s for s in said if reply in " ".join(s.split()) and len(s) > len(reply)), None)
    if context is None or len(context) > len(reply) + CONTEXT_CHARS:
        return rejection
    text = " ".join(context.split())
    return make_rejection(text, rejection.remote_host, rejection.deferred, rejection.status)


def _from_inline_fields(body: str) -> list[RejectionReply]:
    """The recipient field groups a text holds, each with its reply from the text."""
    blocks = _inline_dsn_blocks(body)
    if not blocks:
        return []
    said, replies = list(statements(body)), signal_statements(body)
    found = []
    for block in blocks:
        reply = (
            _quoted_reply(block, said, replies) if block.get("Diagnostic-Code") is None else None
        )
        rejection = from_dsn_block(block, reply)
        if rejection is not None:
            found.append(rejection)
    return found


def extract_message(text: str) -> list[RejectionReply]:
    """Every rejection in the message (the caller applies MAX_REJECTIONS); a complaint
    report gives one complaint per recipient; an auto-reply or a delivery notification
    gives none (`not_a_bounce` says which it is)."""
    message = _parse(text)
    parts = list(_parts(message))
    from audit.bounce.reports import complaints_in, kind_of_non_bounce

    complaints = complaints_in(message, parts)
    if complaints:
        return complaints
    body = "\n".join(_text_of(part) for part in parts)
    if kind_of_non_bounce(message, parts, body) is not None:
        return []
    found = _from_report(parts, body)
    if not found:
        # bare DSN fields pasted without a message around them
        top_level = from_dsn_block(message)
        found = [top_level] if top_level is not None else []
    if not found:
        found = _from_inline_fields(body)
    if not found:
        found = extract_text(body)
    return found


def not_a_bounce(text: str) -> str | None:
    """What a message that holds no rejection is instead (an auto-reply, a delivery
    notification), else None."""
    from audit.bounce.reports import kind_of_non_bounce

    message = _parse(text)
    parts = list(_parts(message))
    return kind_of_non_bounce(message, parts, "\n".join(_text_of(part) for part in parts))
