"""The spf check's evidence, as the JSON result holds it: the record, the tree of
every record it includes or redirects to with what each term costs against the RFC
7208 §4.6.4 limits, check_host() per sending IP, checkdmarc's view; and the evidence
each SPF finding carries.

Built by `checks.spf.judge`, `checks.spf.tree` and `checks.spf.result`, read by
`checks.spf.report`, described by the `$defs` of audit/schema/result.schema.json
(tests/checks/test_evidence_schema.py keeps them equal).
"""

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

from audit.model.document import JsonValue, NoEvidence

SpfResultLabel = Literal["pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"]


class SpfTermEvidence(TypedDict):
    term: str
    dns_lookups: int  # this term (1 if it queries DNS) plus its subtree
    void_lookups: int
    note: NotRequired[str]  # "void", "include loop", ...
    record: NotRequired["SpfNodeEvidence"]  # the include / redirect target's record


class SpfNodeEvidence(TypedDict):
    """One domain's record in the tree."""

    domain: str
    record: str | list[str]  # the record; every record published when not exactly one
    dns_lookups: int
    void_lookups: int
    terms: list[SpfTermEvidence]
    problem: NotRequired[str]  # missing | multiple | syntax | unknown | invalid-name
    detail: NotRequired[str]  # with problem


class SpfOutcomeEvidence(TypedDict):
    """One check_host() and what decided it."""

    ip: str
    domain: str
    result: SpfResultLabel
    matched_term: str | None
    matched_in: str | None  # the domain whose record held the deciding term
    matched_path: list[str]  # the include chain to it
    dns_lookups: int
    void_lookups: int
    explanation: NotRequired[str]  # RFC 7208 §6.2 exp=, for fail
    detail: NotRequired[str]  # why none / permerror / temperror
    unknown_reason: NotRequired[str]  # an UnknownReason value, for temperror


class SpfCostEvidence(TypedDict):
    term: str
    dns_lookups: int
    void_lookups: int


class SpfLimitsEvidence(TypedDict):
    dns_lookups: int
    void_lookups: int


class SpfCheckdmarcEvidence(TypedDict):
    valid: bool
    error: str | None
    dns_lookups: int | None
    void_lookups: int | None
    warnings: list[str]
    parsed: dict[str, JsonValue]  # checkdmarc's parsed record


class SpfCheckdmarcErrorEvidence(TypedDict):
    error: str  # checkdmarc could not analyse the record


class SpfEvidenceDocument(TypedDict):
    domain: str
    record: str | None  # None unless exactly one record is published
    records: list[str]
    dns_lookups: int
    void_lookups: int
    limits: SpfLimitsEvidence
    include_costs: list[SpfCostEvidence]
    tree: SpfNodeEvidence
    results: list[SpfOutcomeEvidence]  # MAIL FROM identity, one per sending IP
    helo_results: list[SpfOutcomeEvidence]
    checkdmarc: NotRequired[SpfCheckdmarcEvidence | SpfCheckdmarcErrorEvidence]


class SpfSuggestionEvidence(TypedDict):
    suggested_record: str


class SpfMultipleEvidence(TypedDict):
    records: list[str]
    suggested_record: str


class SpfSyntaxEvidence(TypedDict):
    record: str


class SpfLookupsEvidence(TypedDict):
    dns_lookups: int
    include_costs: list[SpfCostEvidence]


class SpfVoidLookupsEvidence(TypedDict):
    void_lookups: int
    void_terms: list[str]


class SpfFixEvidence(TypedDict):
    record: str
    suggested_record: str


SpfFindingEvidence = (
    NoEvidence
    | SpfSuggestionEvidence
    | SpfMultipleEvidence
    | SpfSyntaxEvidence
    | SpfLookupsEvidence
    | SpfVoidLookupsEvidence
    | SpfFixEvidence
    | SpfOutcomeEvidence
)


class SpfLoopEvidence(TypedDict):
    term: str  # the include:/redirect= that leads back
    record: str  # the record holding it


class SpfLengthEvidence(TypedDict):
    record: str
    octets: int


FINDING_EVIDENCE: Mapping[str, type] = {
    "SPF_MISSING": SpfSuggestionEvidence,
    "SPF_INCLUDE_NO_RECORD": NoEvidence,
    "SPF_REDIRECT_NO_RECORD": NoEvidence,
    "SPF_RECORD_TOO_LONG": SpfLengthEvidence,
    "SPF_LOOP": SpfLoopEvidence,
    "SPF_MULTIPLE_RECORDS": SpfMultipleEvidence,
    "SPF_SYNTAX_ERROR": SpfSyntaxEvidence,
    "SPF_TOO_MANY_LOOKUPS": SpfLookupsEvidence,
    "SPF_TOO_MANY_VOID_LOOKUPS": SpfVoidLookupsEvidence,
    "SPF_PASS_ALL": SpfFixEvidence,
    "SPF_NEUTRAL_ALL": SpfFixEvidence,
    "SPF_SOFTFAIL_ALL": SpfFixEvidence,
    "SPF_PTR_MECHANISM": SpfFixEvidence,
    "SPF_IP_NOT_AUTHORIZED": SpfOutcomeEvidence,
    "SPF_PERMERROR": SpfOutcomeEvidence,
}
