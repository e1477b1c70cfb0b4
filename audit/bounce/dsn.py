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

The `email` package (~20 ms to import) loads only when a message is parsed: `explain TEXT`
and log excerpts never need it, only `looks_like_message` from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.bounce.extract import RejectionReply, extract_text, make_rejection
from audit.bounce.input import CONTROL_RE

if TYPE_CHECKING:
    from email.message import Message

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


def from_dsn_block(block: Message) -> RejectionReply | None:
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
    from email.message import Message

    if message.get_content_type() in SKIPPED_TYPES:
        return
    if message.get_content_type() == "message/delivery-status" or not message.is_multipart():
        yield message
        return
    for part in message.get_payload():
        if isinstance(part, Message):
            yield from _parts(part)


def _dsn_blocks(part: Message) -> list[Message]:
    from email.message import Message

    payload = part.get_payload()
    return (
        [block for block in payload if isinstance(block, Message)]
        if isinstance(payload, list)
        else []
    )


def _text_of(part: Message) -> str:
    """A text part's content: transfer encoding undone, decoded by its charset (else ASCII)."""
    if part.get_content_maintype() != "text":
        return ""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return CONTROL_RE.sub(" ", _to_text(payload, part.get_content_charset("ascii")))


def extract_message(text: str) -> list[RejectionReply]:
    """Every rejection in the message (the caller applies MAX_REJECTIONS)."""
    from email.parser import Parser
    from email.policy import compat32

    message = Parser(policy=compat32).parsestr(text)
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
    return found
