"""The visible unsubscribe link in the body, as Gmail, Yahoo and Apple ask of bulk mail.

Read from the message as it is, never fetched: the text/plain and text/html parts that
are not attachments, decoded within bounds (RFC 2045 §6 transfer encodings, the part's
charset; at most MAX_PART_BYTES of each, MAX_TOTAL_BYTES in all, MAX_TEXT_PARTS parts).
A link counts when its anchor text or its address says unsubscribe / opt out (in the
languages below), or when its address is the List-Unsubscribe https URI (RFC 2369 §3.2).
Plain text has no anchors: a URL counts when it, or its line, or the line before says so.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser

from checks.message.evidence import LinkMatch, MessageBodyEvidence, MessageBodyLinkEvidence
from checks.message.parse import ParsedMessage

MAX_TEXT_PARTS = 20
MAX_PART_BYTES = 1024 * 1024  # of each decoded part: a link past the first MiB is not seen
MAX_TOTAL_BYTES = 2 * MAX_PART_BYTES  # over all parts: the HTML parser's work stays bounded
MAX_LINKS_KEPT = 5  # in the evidence; the verdict needs one
UNSUBSCRIBE_WORDS = re.compile(
    r"unsub|un-subscribe|opt[\s_-]?out|abmeld|abbestell|austragen|d[ée]sabonn|d[ée]sinscri"
    r"|darse de baja|cancelar (?:la )?suscripci|annulla(?:re)? (?:l'?)?iscrizione|disiscri"
    r"|uitschrijven|afmelden|avregistrer|avsluta prenumeration|wypisz",
    re.IGNORECASE,
)
URL = re.compile(r"https?://[^\s<>\"'()\[\]]+", re.IGNORECASE)
TEXT_TYPES = ("text/plain", "text/html")
CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


class _Anchors(HTMLParser):
    """(href, visible text) of every <a href> in an HTML part."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str]] = []
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = next((value or "" for name, value in attrs if name == "href"), None)
            self._close()
            self._open = (href, []) if href is not None else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close()

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1].append(data)

    def _close(self) -> None:
        if self._open is not None:
            href, text = self._open
            self.anchors.append((href.strip(), " ".join("".join(text).split())))
        self._open = None

    def close(self) -> None:
        super().close()
        self._close()


def _link(part: str, href: str, text: str, matched_by: LinkMatch) -> MessageBodyLinkEvidence:
    return {"part": part, "href": href[:300], "text": text[:120], "matched_by": matched_by}


def _match(href: str, text: str, header_uris: frozenset[str]) -> LinkMatch | None:
    if href in header_uris:
        return "list_unsubscribe"
    if UNSUBSCRIBE_WORDS.search(text):
        return "text"
    return "href" if UNSUBSCRIBE_WORDS.search(href) else None


def html_links(html: str, header_uris: frozenset[str]) -> list[MessageBodyLinkEvidence]:
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    found = [(href, text, _match(href, text, header_uris)) for href, text in parser.anchors]
    return [_link("text/html", href, text, by) for href, text, by in found if by is not None]


def plain_links(text: str, header_uris: frozenset[str]) -> list[MessageBodyLinkEvidence]:
    """URLs in plain text, with their line and the line before as the visible words
    ("To unsubscribe, visit:" on one line, the address on the next)."""
    found = []
    previous = ""
    for line in text.splitlines():
        for url in URL.findall(line):
            context = f"{previous} {line}".strip()
            matched_by = _match(url.rstrip(".,;:!?"), context, header_uris)
            if matched_by is not None:
                found.append(_link("text/plain", url, " ".join(context.split()), matched_by))
        previous = line if line.strip() else previous
    return found


def _decoded(payload: bytes, encoding: str) -> tuple[bytes, bool]:
    """The part's octets after its transfer encoding, and whether they were cut. No
    encoding takes more than three octets per decoded one (quoted-printable "=XX"), so
    a window of three times the bound is all that is decoded."""
    window = payload[: MAX_PART_BYTES * 3]
    encoding = encoding.strip().lower()
    try:
        if encoding == "base64":
            decoded = binascii.a2b_base64(window)
        elif encoding == "quoted-printable":
            decoded = binascii.a2b_qp(window)
        else:
            decoded = window
    except binascii.Error:  # broken base64: what a client shows is the raw text
        decoded = window
    cut = len(decoded) > MAX_PART_BYTES or len(payload) > len(window)
    return decoded[:MAX_PART_BYTES], cut


def _text(decoded: bytes, charset: str | None) -> str:
    try:
        return decoded.decode(charset or "utf-8", "replace")
    except LookupError:  # an unknown charset name: read it as UTF-8
        return decoded.decode("utf-8", "replace")


@dataclass(frozen=True)
class TextPart:
    content_type: str  # text/plain or text/html
    transfer_encoding: str
    charset: str | None
    payload: bytes  # as transferred, before decoding


def _tree_parts(tree: Message) -> Iterator[TextPart]:
    """The text parts a reader sees in a multipart tree: not attachments, in MIME order."""
    for part in tree.walk():
        if part.get_content_type() not in TEXT_TYPES or _is_attachment(part):
            continue
        payload = part.get_payload(decode=False)
        # compat32 read the bytes as ASCII with surrogateescape: this gives them back.
        raw = payload.encode("ascii", "surrogateescape") if isinstance(payload, str) else b""
        encoding = str(part.get("content-transfer-encoding", ""))
        yield TextPart(part.get_content_type(), encoding, part.get_content_charset(), raw)


def _is_attachment(part: Message) -> bool:
    return str(part.get("content-disposition", "")).strip().lower().startswith("attachment")


def _single_part(message: ParsedMessage, body: bytes) -> Iterator[TextPart]:
    """A message without a multipart tree: its header says what the body is (RFC 2045
    §5.2: no Content-Type is text/plain; us-ascii), without building a MIME tree."""
    content_type = message.first("content-type") or "text/plain"
    kind = content_type.split(";", 1)[0].strip().lower()
    disposition = (message.first("content-disposition") or "").strip().lower()
    if kind not in TEXT_TYPES or disposition.startswith("attachment"):
        return
    charset = CHARSET.search(content_type)
    encoding = message.first("content-transfer-encoding") or ""
    yield TextPart(kind, encoding, charset.group(1).lower() if charset else None, body)


def text_parts(message: ParsedMessage, body: bytes) -> Iterator[TextPart]:
    if message.mime_tree is not None:
        return _tree_parts(message.mime_tree)
    return _single_part(message, body)


def body_evidence(
    message: ParsedMessage, body: bytes, https_uris: list[str]
) -> MessageBodyEvidence:
    """The unsubscribe links of the message's text parts (`body`: the octets after the
    header section)."""
    header_uris = frozenset(https_uris)
    links: list[MessageBodyLinkEvidence] = []
    parts, truncated = 0, False
    read = 0
    for part in text_parts(message, body):
        if parts == MAX_TEXT_PARTS or read >= MAX_TOTAL_BYTES:
            truncated = True
            break
        parts += 1
        decoded, cut = _decoded(part.payload, part.transfer_encoding)
        room = MAX_TOTAL_BYTES - read
        truncated = truncated or cut or len(decoded) > room
        decoded = decoded[:room]
        read += len(decoded)
        finder = html_links if part.content_type == "text/html" else plain_links
        links.extend(finder(_text(decoded, part.charset), header_uris))
    return {
        "text_parts": parts,
        "truncated": truncated,
        "unsubscribe_links": links[:MAX_LINKS_KEPT],
        "links_found": len(links),
    }
