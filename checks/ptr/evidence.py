"""The ptr check's evidence, as the JSON result holds it: one entry per sending IP
(its PTR names, the reverse and forward lookups, whether they confirm each other).

Built by `checks.ptr.check`, read by `checks.ptr.report`, described by the `$defs` of
audit/schema/result.schema.json (tests/checks/test_evidence_schema.py keeps them equal).
"""

from collections.abc import Mapping
from typing import TypedDict

from audit.model.document import LookupDocument


class PtrIpEvidence(TypedDict):
    ip: str
    source: str  # an IpSource value: given | mx | spf | log
    ptr: list[str]  # the PTR names, sorted, without the trailing dot
    ptr_lookup: LookupDocument
    forward: dict[str, LookupDocument]  # PTR name -> its A/AAAA lookup
    fcrdns: bool | None  # None: a lookup failed, so not determined
    confirmed_names: list[str]
    generic_reason: str | None


class PtrEvidenceDocument(TypedDict):
    ips: list[PtrIpEvidence]


# Every ptr finding carries the evidence of the IP it is about.
FINDING_EVIDENCE: Mapping[str, type] = {
    code: PtrIpEvidence
    for code in (
        "PTR_MISSING",
        "PTR_MULTIPLE",
        "PTR_FCRDNS_FAILED",
        "PTR_GENERIC",
        "PTR_UNEXPECTED_NAME",
    )
}
