"""The mx check's evidence, as the JSON result holds it: the MX set, one STARTTLS session
per MX address (protocol, cipher, the certificate chain and how it validates), the
MTA-STS record and policy, the TLS-RPT record; and the evidence each finding carries.

Built by `checks.mx.mxset`, `checks.mx.tls` and `checks.mx.policy`, read by
`checks.mx.report`, described by the `$defs` of audit/schema/result.schema.json
(tests/checks/test_evidence_schema.py keeps them equal).
"""

from collections.abc import Mapping
from typing import Literal, TypedDict

MxSetStatus = Literal["mx", "null_mx", "implicit", "nxdomain", "unknown"]
MxHostProblem = Literal["ip_literal", "cname", "unresolvable", "null_mx_mixed"]
TlsProbeStatus = Literal["probed", "skipped", "no_server"]
StsMode = Literal["enforce", "testing", "none"]


class MxHostEvidence(TypedDict):
    """One exchange of the MX set (RFC 5321 §5.1), as published."""

    preference: int
    exchange: str  # without the final dot; "." for the null MX
    addresses: list[str]  # its A and AAAA records
    canonical_name: str | None  # the name a CNAME at the exchange leads to
    problems: list[MxHostProblem]


class MxSetEvidence(TypedDict):
    status: MxSetStatus
    hosts: list[MxHostEvidence]


class TlsCertificateEvidence(TypedDict):
    """One certificate of the chain the server presented, leaf first."""

    subject: str
    issuer: str
    dns_names: list[str]  # subjectAltName dNSName entries (RFC 6125 §6.4.4)
    not_before: str  # ISO-8601, UTC
    not_after: str
    validity: Literal["valid", "expired", "not_yet_valid"]  # at the run's clock
    days_left: int  # whole days until not_after, from the run's clock; negative: expired
    key_type: str  # RSA | EC | Ed25519 | ...
    key_bits: int
    signature_algorithm: str  # e.g. sha256WithRSAEncryption
    self_signed: bool
    sha256: str  # fingerprint of the DER


class TlsSessionEvidence(TypedDict):
    """One STARTTLS session (RFC 3207) with one MX address."""

    host: str
    ip: str
    port: int
    source: str  # mx | given (--smtp-host)
    starttls_offered: bool | None  # None: no EHLO reply
    starttls_reply: str | None  # the reply to STARTTLS
    protocol: str | None  # negotiated, e.g. TLSv1.3; None: no TLS session
    cipher: str | None
    cipher_bits: int | None
    chain: list[TlsCertificateEvidence]
    trusted: bool | None  # the chain leads to a trust anchor (system store + --ca-file)
    trust_error: str | None
    name_matches: bool | None  # the MX name matches the leaf (RFC 6125 §6.4)
    error: str | None  # why the session ended early
    elapsed_ms: float
    transcript: list[str]


class MtaStsPolicyEvidence(TypedDict):
    """The policy as fetched (RFC 8461 §3.2)."""

    version: str | None
    mode: str | None
    max_age: int | None
    mx: list[str]
    errors: list[str]  # syntax problems, one sentence each


class MtaStsEvidence(TypedDict):
    records: list[str]  # every TXT at _mta-sts.DOMAIN that starts with v=STSv1
    id: str | None
    record_errors: list[str]
    policy_url: str
    fetch: Literal["fetched", "failed", "not_fetched", "skipped_no_http", "unknown"]
    fetch_error: str | None
    http_status: int | None
    policy: MtaStsPolicyEvidence | None


class TlsRptEvidence(TypedDict):
    records: list[str]  # TXT at _smtp._tls.DOMAIN that start with v=TLSRPTv1
    rua: list[str]
    errors: list[str]


class BimiEvidence(TypedDict):
    """The default._bimi record; the logo and certificate are not fetched."""

    records: list[str]  # TXT at default._bimi.DOMAIN that start with v=BIMI1
    logo_url: str | None  # l=
    authority_url: str | None  # a= (VMC / CMC)
    declined: bool  # l= and a= empty: the domain declines BIMI
    errors: list[str]
    dmarc_policy: str | None  # from the dmarc check (p=); None: not needed or none
    dmarc_pct: int | None
    dmarc_subdomain_policy: str | None
    dmarc_enforced: bool | None  # None: not looked at, or DMARC unknown


DnssecStatus = Literal["secure", "unsigned", "no_ds", "bogus", "unknown"]


class DnssecRrsetEvidence(TypedDict):
    """How one RRset validates from the trust anchors (RFC 4035 §5)."""

    name: str
    type: str
    status: DnssecStatus
    zone: str | None  # the zone that signed it
    detail: str


class TlsaRecordEvidence(TypedDict):
    """One TLSA record (RFC 6698 §2) and whether the presented chain matches it."""

    usage: int
    usage_name: str  # PKIX-TA | PKIX-EE | DANE-TA | DANE-EE | unassigned
    selector: int
    matching_type: int
    data: str  # hex
    usable: bool  # DANE-TA/DANE-EE with a known selector and matching type (RFC 7672 §3.1)
    matches: bool | None  # None: no certificate was seen


class DaneHostEvidence(TypedDict):
    host: str
    tlsa_name: str  # _25._tcp.HOST
    tlsa: list[TlsaRecordEvidence]
    dnssec: DnssecRrsetEvidence  # of the TLSA RRset (of the A RRset when there is none)
    matched: bool | None  # some usable TLSA matches every session's chain; None: not seen


class DnssecEvidence(TypedDict):
    trust_anchors: list[str]  # DS records, "ZONE DS ..."
    domain: DnssecRrsetEvidence  # the domain's MX RRset
    hosts: list[DaneHostEvidence]


class MxEvidenceDocument(TypedDict):
    domain: str
    mx: MxSetEvidence
    tls_probe: TlsProbeStatus  # skipped: --no-relay-probe (no SMTP connection)
    tls: list[TlsSessionEvidence]
    mta_sts: MtaStsEvidence
    tls_rpt: TlsRptEvidence
    bimi: BimiEvidence
    dnssec: DnssecEvidence


class MxHostFindingEvidence(TypedDict):
    domain: str
    host: MxHostEvidence


class TlsFindingEvidence(TypedDict):
    host: str
    ip: str
    port: int
    protocol: str | None
    starttls_reply: str | None
    error: str | None
    certificate: TlsCertificateEvidence | None  # the leaf


class CertPolicyFindingEvidence(TypedDict):
    """A certificate problem, with what the domain's MTA-STS policy makes of it."""

    host: str
    ip: str
    port: int
    certificate: TlsCertificateEvidence | None
    trust_error: str | None
    mta_sts_mode: str | None  # None: no MTA-STS policy in force


class MtaStsFindingEvidence(TypedDict):
    domain: str
    records: list[str]
    policy_url: str
    fetch_error: str | None
    http_status: int | None
    policy: MtaStsPolicyEvidence | None
    errors: list[str]


class MtaStsHostFindingEvidence(TypedDict):
    host: str
    mode: str
    mx_patterns: list[str]
    reasons: list[str]  # why delivery to this host would fail under the policy


class TlsRptFindingEvidence(TypedDict):
    domain: str
    records: list[str]
    errors: list[str]
    used_by: list[str]  # MTA-STS and/or DANE: what calls for TLS-RPT (RFC 8460 §1)


class BimiFindingEvidence(TypedDict):
    domain: str
    bimi: BimiEvidence


class DnssecFindingEvidence(TypedDict):
    rrset: DnssecRrsetEvidence
    trust_anchors: list[str]


class DaneFindingEvidence(TypedDict):
    host: DaneHostEvidence
    certificate: TlsCertificateEvidence | None  # the leaf presented


FINDING_EVIDENCE: Mapping[str, type] = {
    "MX_NULL": MxHostFindingEvidence,
    "MX_NULL_WITH_OTHERS": MxHostFindingEvidence,
    "MX_IMPLICIT": MxHostFindingEvidence,
    "MX_CNAME": MxHostFindingEvidence,
    "MX_IP_LITERAL": MxHostFindingEvidence,
    "MX_UNRESOLVABLE": MxHostFindingEvidence,
    "MX_STARTTLS_MISSING": TlsFindingEvidence,
    "MX_STARTTLS_FAILED": TlsFindingEvidence,
    "MX_TLS_LEGACY_ONLY": TlsFindingEvidence,
    "MX_CERT_EXPIRED": CertPolicyFindingEvidence,
    "MX_CERT_NOT_YET_VALID": CertPolicyFindingEvidence,
    "MX_CERT_EXPIRING": CertPolicyFindingEvidence,
    "MX_CERT_NAME_MISMATCH": CertPolicyFindingEvidence,
    "MX_CERT_UNTRUSTED": CertPolicyFindingEvidence,
    "MX_CERT_WEAK_KEY": CertPolicyFindingEvidence,
    "MX_CERT_WEAK_SIGNATURE": CertPolicyFindingEvidence,
    "MX_MTA_STS_MISSING": MtaStsFindingEvidence,
    "MX_MTA_STS_RECORD_INVALID": MtaStsFindingEvidence,
    "MX_MTA_STS_POLICY_UNAVAILABLE": MtaStsFindingEvidence,
    "MX_MTA_STS_POLICY_INVALID": MtaStsFindingEvidence,
    "MX_MTA_STS_TESTING": MtaStsFindingEvidence,
    "MX_MTA_STS_MX_MISMATCH": MtaStsHostFindingEvidence,
    "MX_MTA_STS_CERT_INVALID": MtaStsHostFindingEvidence,
    "MX_TLSRPT_MISSING": TlsRptFindingEvidence,
    "MX_TLSRPT_INVALID": TlsRptFindingEvidence,
    "MX_BIMI_INVALID": BimiFindingEvidence,
    "MX_BIMI_DMARC_NOT_ENFORCED": BimiFindingEvidence,
    "MX_BIMI_NO_CERTIFICATE": BimiFindingEvidence,
    "MX_DNSSEC_BOGUS": DnssecFindingEvidence,
    "MX_DNSSEC_NO_DS": DnssecFindingEvidence,
    "MX_DANE_TLSA_INSECURE": DaneFindingEvidence,
    "MX_DANE_TLSA_PKIX_USAGE": DaneFindingEvidence,
    "MX_DANE_TLSA_MISMATCH": DaneFindingEvidence,
}
