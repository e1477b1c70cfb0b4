"""The dkim check's evidence, as the JSON result holds it: the selectors probed and
each key found, with its parsed facts (type, size, flags, problems).

Built by `checks.dkim.check` and `checks.dkim.key`, read by `checks.dkim.report`,
described by the `$defs` of audit/schema/result.schema.json
(tests/checks/test_evidence_schema.py keeps them equal).
"""

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

from audit.model.document import LookupStatusLabel

KeyStateLabel = Literal["valid", "revoked", "malformed"]


class DkimKeyEvidence(TypedDict):
    record: str
    state: KeyStateLabel
    key_type: str  # k=, "rsa" when absent
    bits: int | None
    hash_algorithms: list[str]  # h=; empty: any
    flags: list[str]  # t=
    services: list[str]  # s=
    key_format: NotRequired[str]  # spki | pkcs1 | raw, when p= decoded
    problem: NotRequired[str]  # why the key is malformed


class DkimProbeEvidence(TypedDict):
    """One selector probed (`<selector>._domainkey.<domain>` TXT)."""

    selector: str  # "*" for the wildcard's record
    name: str
    status: LookupStatusLabel
    given: bool  # named with --selector
    delegated_to: NotRequired[str]  # the CNAME target
    key: NotRequired[DkimKeyEvidence]  # absent: no key record at the name
    reason: NotRequired[str]  # an UnknownReason value, when the lookup failed


class DkimEvidenceDocument(TypedDict):
    domain: str
    selectors_tried: list[str]
    wildcard: bool  # *._domainkey answers every selector
    found: list[DkimProbeEvidence]
    unknown: list[DkimProbeEvidence]  # probes whose lookup failed


class DkimNotFoundEvidence(TypedDict):
    selectors_tried: list[str]


class DkimRevokedEvidence(TypedDict):
    revoked: list[str]  # the names whose key is revoked (empty p=)


FINDING_EVIDENCE: Mapping[str, type] = {
    "DKIM_NOT_FOUND": DkimNotFoundEvidence,
    "DKIM_ONLY_REVOKED_KEYS": DkimRevokedEvidence,
    **{
        code: DkimProbeEvidence
        for code in (
            "DKIM_KEY_TOO_SHORT",
            "DKIM_KEY_1024",
            "DKIM_TESTING_MODE",
            "DKIM_SHA1_ONLY",
            "DKIM_KEY_MALFORMED",
            "DKIM_KEY_REVOKED",
            "DKIM_KEY_NO_USABLE_HASH",
            "DKIM_KEY_NOT_FOR_EMAIL",
        )
    },
}
