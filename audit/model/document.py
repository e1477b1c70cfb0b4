"""The result document's shape (SPEC.md "JSON result", schema_version "1"), as TypedDicts.

The document is what every renderer (text, JSON, JUnit, HTML, PDF) takes: built once
from an `AuditResult` (audit/render/document/build.py) or read back from a saved file
(audit/render/document/load.py). Keys marked `NotRequired` are optional in
audit/schema/result.schema.json, so a validated saved document may lack them; the
builder always writes them. A test checks these types against the schema. The types
sit in the model layer so the checks' report sections (`checks/<id>/report.py`) can
take their part of the document without importing the render layer.

Evidence stays a JSON object here (`Evidence`): its shape is each check's own, declared
as TypedDicts in `checks/<id>/evidence.py` (a check's report section casts its part of
the document to them in one place) and as `$defs` in the schema.
No `from __future__ import annotations`: TypedDict needs real annotations at runtime to
tell `NotRequired` keys apart (the schema test reads `__required_keys__`).
"""

from typing import Any, Literal, NotRequired, TypedDict

Evidence = dict[str, Any]
# Any JSON value: for data a dependency hands over as parsed JSON (checkdmarc's tags).
JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
SeverityLabel = Literal["info", "low", "medium", "high", "critical"]
CheckStatusLabel = Literal["pass", "fail", "unknown", "skipped"]
SummaryStatusLabel = Literal["pass", "fail", "incomplete"]
LookupStatusLabel = Literal["answer", "nxdomain", "nodata", "unknown"]


class ToolDocument(TypedDict):
    name: str
    version: str


class SendingIpDocument(TypedDict):
    ip: str
    source: str  # given | mx | spf | log
    detail: NotRequired[str]


class TargetDocument(TypedDict):
    domain: str | None
    ips: list[SendingIpDocument]
    domains: NotRequired[list[str]]  # `blacklist` with several domains


class ResolverDocument(TypedDict):
    nameservers: list[str]
    public: bool
    public_names: NotRequired[list[str]]


class DelistingDocument(TypedDict):
    ready: bool
    blockers: list[str]
    unchecked: NotRequired[list[str]]


class SummaryDocument(TypedDict):
    status: SummaryStatusLabel
    exit_code: int
    worst_severity: SeverityLabel | None
    counts: dict[str, int]
    delisting: DelistingDocument


class UnknownDocument(TypedDict):
    subject: str
    reason: str
    detail: str


class RemediationDocument(TypedDict):
    summary: str
    steps: list[str]
    links: list[str]
    provider: str | None


class CheckDocument(TypedDict):
    id: str
    status: CheckStatusLabel
    duration_s: float
    detail: str
    evidence: Evidence
    unknowns: NotRequired[list[UnknownDocument]]


class FindingDocument(TypedDict):
    check: str
    code: str
    severity: SeverityLabel
    subject: str
    title: str
    detail: str
    evidence: Evidence
    remediation: RemediationDocument | None


class ClassificationDocument(TypedDict):
    """One classified rejection, as `explain --format json` emits it."""

    input: str
    provider: str | None
    blocklist: str | None
    reason: str
    sending_ip: str | None
    temporary: bool
    # the sender-requirement rule id the rejection enforces; absent in documents before it
    requirement: NotRequired[str | None]
    remediation: RemediationDocument


class NoEvidence(TypedDict):
    """The evidence of a finding whose subject and detail say it all: `{}`."""


class LookupDocument(TypedDict):
    """One DNS lookup (audit.net.dns.Lookup.to_evidence()): in the DNS appendix and in
    the evidence of checks that show their lookups (ptr)."""

    name: str
    type: str
    status: LookupStatusLabel
    records: list[str]
    ttl: NotRequired[int]
    reason: NotRequired[str]  # an UnknownReason value
    canonical_name: NotRequired[str]


class AppendixDocument(TypedDict):
    dns: NotRequired[list[LookupDocument]]


class RuleVerdictDocument(TypedDict):
    """One provider rule of the compliance verdict (audit/model/compliance.py)."""

    rule: str  # <provider>.<rule>
    provider: str  # gmail | yahoo | microsoft | apple
    title: str
    bulk: bool
    state: Literal["met", "not_met", "unknown"]
    reason: str
    answered_by: str
    source: str
    snapshot: str


class ResultDocument(TypedDict):
    schema_version: Literal["1"]
    tool: ToolDocument
    target: TargetDocument
    started_at: str  # ISO-8601
    duration_s: float
    resolver: ResolverDocument
    summary: SummaryDocument
    checks: list[CheckDocument]
    findings: list[FindingDocument]
    unknowns: NotRequired[list[UnknownDocument]]
    rejections: NotRequired[list[ClassificationDocument]]  # exactly when --bounce was given
    compliance: NotRequired[list[RuleVerdictDocument]]  # audit, message, demo
    appendix: NotRequired[AppendixDocument]
