"""The message check's evidence, as the JSON result holds it: per message, its DKIM
signatures, ARC chain, Received hops, SPF of the connecting IP, DMARC alignment,
unsubscribe fields and format problems.

Built by `checks.message.analyse`, read by `checks.message.judge`, `checks.message.report`
and the compliance evaluation (`checks.compliance`), described by the `$defs` of
audit/schema/result.schema.json (tests/checks/test_evidence_schema.py keeps them equal).
"""

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

SignatureResult = Literal["pass", "fail", "unknown"]
SignatureProblem = Literal[
    "body_hash_mismatch",
    "signature_mismatch",
    "no_key",
    "key_invalid",
    "key_too_small",
    "key_lookup_failed",
    "unsupported_algorithm",
    "expired",
    "from_unsigned",
    "sha1",
    "malformed_signature",
]
ArcResult = Literal["pass", "fail", "none", "unknown"]
DmarcResult = Literal["pass", "fail", "none", "unknown"]
LinkMatch = Literal["text", "href", "list_unsubscribe"]


class MessageDkimEvidence(TypedDict):
    domain: str  # d=
    selector: str  # s=
    algorithm: str  # a=
    result: SignatureResult
    problem: SignatureProblem | None
    detail: str
    key_bits: int | None
    signed_fields: list[str]  # h=, lower case
    unsigned_watched: list[str]  # of From/Subject/List-Unsubscribe(-Post), those not in h=
    length_limit: int | None  # l=
    unsigned_body_bytes: int | None  # body octets beyond l= (canonicalisation aside)
    expires: int | None  # x=, Unix time


class MessageArcEvidence(TypedDict):
    sets: int
    result: ArcResult
    detail: str


class MessageHopEvidence(TypedDict):
    helo: str | None
    ip: str | None
    by: str | None
    protocol: str | None  # the with clause (RFC 3848)
    tls: bool | None  # None: the header does not say


class MessageSpfEvidence(TypedDict):
    ip: str
    helo: str | None
    mail_from: str  # the envelope sender (Return-Path), "" for a null sender
    domain: str  # the identity checked (MAIL FROM domain, else HELO)
    result: str  # RFC 7208 §2.6 result
    detail: str


class MessagePtrEvidence(TypedDict):
    """PTR and forward confirmation (FCrDNS) of the connecting IP of the trusted hop."""

    ip: str
    names: list[str]
    confirmed: bool | None  # None: a lookup failed


class MessageDmarcEvidence(TypedDict):
    from_domain: str
    organizational_domain: str
    record_domain: str | None  # where the record was found (_dmarc.<domain>)
    record: str | None
    policy: str | None
    adkim: Literal["r", "s"]
    aspf: Literal["r", "s"]
    spf_aligned: bool
    dkim_aligned_domains: list[str]  # passing signatures aligned with From
    result: DmarcResult
    detail: str


class MessageUnsubscribeEvidence(TypedDict):
    present: bool
    https: list[str]
    mailto: list[str]
    one_click: bool  # an https URI and List-Unsubscribe-Post: List-Unsubscribe=One-Click
    signed: bool  # both fields covered by a passing DKIM signature


class MessageBodyLinkEvidence(TypedDict):
    part: str  # text/html or text/plain
    href: str
    text: str  # the anchor's text; for plain text, the URL's line and the line before
    matched_by: LinkMatch  # what says unsubscribe: the text, the address, or List-Unsubscribe


class MessageBodyEvidence(TypedDict):
    """The visible unsubscribe link (Gmail, Yahoo, Apple bulk rules), read, never fetched."""

    text_parts: int  # text/plain and text/html parts read (attachments aside)
    truncated: bool  # a part or the number of parts was over its bound: a link may be missed
    unsubscribe_links: list[MessageBodyLinkEvidence]  # the first few
    links_found: int


class MessageFormatEvidence(TypedDict):
    rule: str  # from_count, from_addresses, message_id, date, repeated_field, line_length
    detail: str


class MessageAnalysisEvidence(TypedDict):
    message_id: str | None
    from_address: str | None
    from_domain: str | None
    header_fields: int
    mime_depth: int
    longest_line: int
    watched_present: list[str]  # of From/Subject/List-Unsubscribe(-Post), those present
    dkim: list[MessageDkimEvidence]
    arc: MessageArcEvidence | None
    hops: list[MessageHopEvidence]
    trusted_hop: int | None  # index into hops
    spf: MessageSpfEvidence | None
    connecting_ptr: MessagePtrEvidence | None
    dmarc: MessageDmarcEvidence | None
    unsubscribe: MessageUnsubscribeEvidence
    body: NotRequired[MessageBodyEvidence]  # absent in documents made before it was read
    format: list[MessageFormatEvidence]
    gmail_from_forged: bool


class MessageItemEvidence(TypedDict):
    source: str  # the file, "file#3" for the third message of an mbox
    size: int
    analysis: NotRequired[MessageAnalysisEvidence]  # absent: not analysed (see reason)
    reason: NotRequired[str]  # an UnknownReason value
    detail: NotRequired[str]


class MessageEvidenceDocument(TypedDict):
    trusted_receivers: list[str]
    messages: list[MessageItemEvidence]


class MessageFindingEvidence(TypedDict):
    source: str
    message_id: str | None
    facts: dict[str, str | int | bool | None]


FINDING_EVIDENCE: Mapping[str, type] = {
    code: MessageFindingEvidence
    for code in (
        "MESSAGE_DKIM_MISSING",
        "MESSAGE_DKIM_FAILED",
        "MESSAGE_DKIM_KEY_1024",
        "MESSAGE_DKIM_LENGTH_LIMIT",
        "MESSAGE_DKIM_FIELD_UNSIGNED",
        "MESSAGE_ARC_FAILED",
        "MESSAGE_SPF_FAILED",
        "MESSAGE_DMARC_FAILED",
        "MESSAGE_DMARC_MISSING",
        "MESSAGE_ONE_CLICK_MISSING",
        "MESSAGE_UNSUBSCRIBE_UNSIGNED",
        "MESSAGE_FORMAT_INVALID",
        "MESSAGE_GMAIL_FROM_FORGED",
        "MESSAGE_HOP_WITHOUT_TLS",
    )
}
