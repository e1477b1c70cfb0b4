"""The blacklist check's evidence, as the JSON result holds it: the lists queried with
their health, the lists skipped, one row per (target, list) lookup, the resolver's
NXDOMAIN behaviour and the counts; and the evidence of a listing finding.

Built by `checks.blacklist.check` and `checks.blacklist.judge`, read by
`checks.blacklist.report` and the DNSBL table (audit/render/dnsbl_table.py), described
by the `$defs` of audit/schema/result.schema.json (tests/checks/test_evidence_schema.py
keeps them equal).
"""

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

from audit.knowledge.dnsbl.delisting import DelistingEvidence

StateLabel = Literal["listed", "clean", "unknown"]


class BlacklistResolverEvidence(TypedDict):
    nameservers: list[str]
    public: bool
    nxdomain_rewrite: bool | None  # None: the probe was not answered
    warnings: list[str]


class BlacklistListEvidence(TypedDict):
    id: str
    name: str
    zone: str  # as displayed (a DQS key redacted)
    targets: list[str]  # ip4, ip6, domain
    impact: str  # high | medium | low
    status: str  # the catalog's list status
    via_dqs: bool
    custom: bool
    health: str  # healthy | ... (checks/blacklist/health.py)
    health_detail: str


class BlacklistSkippedEvidence(TypedDict):
    zone: str
    list: str
    reason: str


class BlacklistResultEvidence(TypedDict):
    """One (target, list) lookup and its verdict."""

    target: str
    list: str  # a list id
    zone: str
    state: StateLabel
    codes: list[str]  # the A records answered
    meanings: NotRequired[list[str]]  # with a listing
    category: NotRequired[str | None]  # with meanings
    allowlisted: NotRequired[list[str]]
    txt: NotRequired[list[str]]
    reason: NotRequired[str]  # an UnknownReason value, for unknown
    detail: NotRequired[str]  # with reason


class BlacklistCountsEvidence(TypedDict):
    targets: int
    lists: int
    listed: NotRequired[int]  # the three states: absent when nothing was looked up
    clean: NotRequired[int]
    unknown: NotRequired[int]


class BlacklistEvidenceDocument(TypedDict):
    """All of it when lookups ran; only `counts` when no selected list serves a target."""

    counts: BlacklistCountsEvidence
    selection: NotRequired[str]  # default | all | file
    resolver: NotRequired[BlacklistResolverEvidence]
    lists: NotRequired[list[BlacklistListEvidence]]
    skipped_lists: NotRequired[list[BlacklistSkippedEvidence]]
    results: NotRequired[list[BlacklistResultEvidence]]


class BlacklistListingEvidence(TypedDict):
    list: str
    list_name: str
    zone: str
    operator: str
    impact: str
    category: str  # abuse | policy | reputation
    codes: list[str]
    meanings: list[str]
    sublists: list[str]
    txt: list[str]  # keys redacted
    delisting: DelistingEvidence


FINDING_EVIDENCE: Mapping[str, type] = {
    code: BlacklistListingEvidence
    for code in (
        "BLACKLIST_LISTED",
        "BLACKLIST_POLICY_LISTED",
        "BLACKLIST_REPUTATION_LISTED",
        "BLACKLIST_DOMAIN_LISTED",
    )
}
