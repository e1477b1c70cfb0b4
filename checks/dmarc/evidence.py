"""The dmarc check's evidence, as the JSON result holds it: the policy record, where
the tree walk found it, its tags, its report destinations and the alignment each
sending IP could reach; and the evidence each DMARC finding carries.

Built by `checks.dmarc.judge`, read by `checks.dmarc.report`, described by the
`$defs` of audit/schema/result.schema.json (tests/checks/test_evidence_schema.py keeps
them equal).
"""

from collections.abc import Mapping
from typing import Literal, TypedDict

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
    record: str | None
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


DmarcFindingEvidence = (
    DmarcErrorEvidence
    | DmarcInvalidEvidence
    | DmarcPolicyNoneEvidence
    | DmarcSubdomainEvidence
    | DmarcPctEvidence
    | DmarcRecordEvidence
    | DmarcDestinationEvidence
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
}
