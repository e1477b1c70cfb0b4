"""TLSA records for SMTP (RFC 6698 §2, RFC 7672 §3) and whether a presented chain
matches one.

RFC 7672 §3.1: SMTP clients use DANE-TA(2) and DANE-EE(3); PKIX-TA(0) and PKIX-EE(1)
are unusable for SMTP (§3.1.3), so publishing them is flagged. Selector 0 is the full
certificate, 1 its SubjectPublicKeyInfo; matching type 0 exact, 1 SHA-256, 2 SHA-512
(RFC 6698 §2.1). DANE-EE matches the leaf; DANE-TA a certificate of the chain the
server presented (RFC 7672 §3.1.2 asks servers to include the TA certificate).
"""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from checks.mx.evidence import TlsaRecordEvidence

USAGES = {0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE"}
DANE_USAGES = frozenset({2, 3})
SELECTORS = frozenset({0, 1})
MATCHING = {0: None, 1: "sha256", 2: "sha512"}


def tlsa_name(host: str, port: int = 25) -> str:
    """RFC 6698 §3 / RFC 7672 §3: _25._tcp.MXHOST."""
    return f"_{port}._tcp.{host}"


def parse_tlsa(text: str) -> TlsaRecordEvidence:
    usage, selector, matching, *data = text.split()
    return {
        "usage": int(usage),
        "usage_name": USAGES.get(int(usage), "unassigned"),
        "selector": int(selector),
        "matching_type": int(matching),
        "data": "".join(data).lower(),
        "usable": int(usage) in DANE_USAGES
        and int(selector) in SELECTORS
        and int(matching) in MATCHING,
        "matches": None,
    }


def _selected(der: bytes, selector: int) -> bytes:
    if selector == 0:
        return der
    public = x509.load_der_x509_certificate(der).public_key()
    return public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def association(der: bytes, selector: int, matching: int) -> str:
    """The certificate association data a TLSA record would hold for `der`."""
    data = _selected(der, selector)
    digest = MATCHING.get(matching)
    return (hashlib.new(digest, data).hexdigest() if digest else data.hex()).lower()


def record_matches(record: TlsaRecordEvidence, chain: list[bytes]) -> bool:
    if record["selector"] not in SELECTORS or record["matching_type"] not in MATCHING:
        return False
    candidates = chain[:1] if record["usage"] in (1, 3) else chain
    return any(
        association(der, record["selector"], record["matching_type"]) == record["data"]
        for der in candidates
    )
