"""The dmarc check's evidence, as the JSON result holds it: the policy record, where
the tree walk found it, its tags, its report destinations and the alignment each
sending IP could reach; and the evidence each DMARC finding carries.

Built by `checks.dmarc.judge`, read by `checks.dmarc.report`, described by the
`$defs` of audit/schema/result.schema.json (tests/checks/test_evidence_schema.py keeps
them equal).
"""

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

from audit.model.document import JsonValue

AlignmentVerdict = Literal["pass", "fail", "unknown", "none"]  # none: no usable policy


class DmarcDestinationEvidence(TypedDict):
    """One mailto: report destination (rua/ruf) and its RFC 9990 §4 authorization."""

    uri: str
    domain: str
    external: bool
    authorized: bool | None  # None: the authorization lookup failed
    authorization_name: str
    reason: str | None  # an UnknownReason value, when the lookup failed
    # a usable MX (an RFC 7505 null MX is none); None: lookup failed; absent: older runs
    mx: NotRequired[bool | None]


class DmarcAlignmentEvidence(TypedDict):
    ip: str
    source: str  # an IpSource value
    spf_result: str  # an SpfResult value
    spf_pass: bool | None  # None: temperror
    dkim_available: bool | None  # None: no key found but some probes failed
    dmarc_with_spf_only: AlignmentVerdict


class DmarcEvidenceDocument(TypedDict):
    domain: str
    rules: str
    rules_note: str
    record: str | None  # as published
    applied_record: NotRequired[str | None]  # what receivers apply (RFC 7489 §6.3)
    location: str | None  # where the tree walk found the policy (RFC 9989 §4.10)
    valid: bool
    problem: str | None  # a DmarcProblem value
    error: str | None
    tags: dict[str, JsonValue]  # checkdmarc's parsed tag values
    pct: str | None  # as published (RFC 9989 removed it)
    warnings: list[str]
    report_destinations: list[DmarcDestinationEvidence]
    alignment: list[DmarcAlignmentEvidence]


class DmarcErrorEvidence(TypedDict):
    error: str | None


class DmarcInvalidEvidence(TypedDict):
    record: str | None
    error: str | None


class DmarcPolicyNoneEvidence(TypedDict):
    record: str
    location: str | None


class DmarcSubdomainEvidence(TypedDict):
    p: str
    sp: str


class DmarcPctEvidence(TypedDict):
    pct: int


class DmarcRecordEvidence(TypedDict):
    record: str


class DmarcPartEvidence(TypedDict):
    """A part of the record a receiver ignores or replaces by the tag's default."""

    part: str
    tag: str | None
    problem: str  # a checks.dmarc.record.PartProblem value
    record: str


class DmarcNonexistentEvidence(TypedDict):
    p: str
    np: str


class DmarcTestingEvidence(TypedDict):
    t: str
    policy: str


class DmarcWarningEvidence(TypedDict):
    warning: str  # checkdmarc's sentence


DmarcFindingEvidence = (
    DmarcErrorEvidence
    | DmarcInvalidEvidence
    | DmarcPolicyNoneEvidence
    | DmarcSubdomainEvidence
    | DmarcPctEvidence
    | DmarcRecordEvidence
    | DmarcDestinationEvidence
    | DmarcPartEvidence
    | DmarcNonexistentEvidence
    | DmarcTestingEvidence
    | DmarcWarningEvidence
)

WARNING_CODES = (
    "DMARC_POLICY_TAG_MISSING",
    "DMARC_POLICY_TAG_NOT_SECOND",
    "DMARC_TAG_OBSOLETE",
    "DMARC_REPORT_URI_UNSUPPORTED",
    "DMARC_REPORT_SIZE_LIMIT",
    "DMARC_TOO_MANY_REPORT_URIS",
    "DMARC_RECORD_AT_APEX",
    "DMARC_CNAME_CONFLICT",
    "DMARC_WARNING",
)

FINDING_EVIDENCE: Mapping[str, type] = {
    "DMARC_MISSING": DmarcErrorEvidence,
    "DMARC_MULTIPLE_RECORDS": DmarcErrorEvidence,
    "DMARC_INVALID": DmarcInvalidEvidence,
    "DMARC_POLICY_NONE": DmarcPolicyNoneEvidence,
    "DMARC_SUBDOMAIN_POLICY_WEAKER": DmarcSubdomainEvidence,
    "DMARC_PCT_PARTIAL": DmarcPctEvidence,
    "DMARC_NO_RUA": DmarcRecordEvidence,
    "DMARC_EXTERNAL_REPORTS_UNAUTHORIZED": DmarcDestinationEvidence,
    "DMARC_REPORT_DESTINATION_NO_MX": DmarcDestinationEvidence,
    "DMARC_TAG_MALFORMED": DmarcPartEvidence,
    "DMARC_TAG_UNKNOWN": DmarcPartEvidence,
    "DMARC_TAG_VALUE_INVALID": DmarcPartEvidence,
    "DMARC_NP_POLICY_WEAKER": DmarcNonexistentEvidence,
    "DMARC_TESTING_MODE": DmarcTestingEvidence,
} | {code: DmarcWarningEvidence for code in WARNING_CODES}
