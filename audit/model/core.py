"""The audit's data model: severities, check ids, findings, outcomes and the result.

Everything a renderer or the exit-code logic needs lives here, as plain frozen
dataclasses, each with a docstring (dataclass() builds a missing one from
inspect.signature: ~0.2 ms per class at every start). Checks produce `CheckResult`s;
the runner assembles one `AuditResult`.
Nothing here prints, exits or touches the network.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # a Finding's remediation is attached only when the run found something
    from audit.model.compliance import Compliance  # built only by the compliance verdict
    from audit.model.rejection import Classification  # built only for --bounce and explain
    from audit.model.remediation import Remediation


class Severity(enum.IntEnum):
    """Ordered severities (SPEC.md "Severities"): info < low < medium < high < critical."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}") from None


class CheckId(enum.StrEnum):
    """Stable check ids (SPEC.md "Check ids"). Only checks that exist are listed."""

    BLACKLIST = "blacklist"
    PTR = "ptr"
    SPF = "spf"
    DKIM = "dkim"
    DMARC = "dmarc"
    RELAY = "relay"
    VOLUME = "volume"
    MX = "mx"
    MESSAGE = "message"  # real messages given with --message / `message FILE...`


# Ids the contract reserves for checks that later versions add; naming one is a
# clear usage error rather than "unknown check".
PLANNED_CHECK_IDS: frozenset[str] = frozenset()  # none now that `mx` exists


class CheckStatus(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class UnknownReason(enum.StrEnum):
    """Why something could not be determined. Never rendered as clean."""

    TIMEOUT = "timeout"
    SERVFAIL = "servfail"
    REFUSED = "refused"
    NETWORK = "network_error"
    MALFORMED = "malformed_response"
    NO_NAMESERVERS = "no_nameservers"
    QUERY_REFUSED = "query_refused"  # a list answered with an error/refusal code
    LIST_UNHEALTHY = "list_unhealthy"  # a list failed its RFC 5782 test points
    RESOLVER_REWRITES = "resolver_rewrites_nxdomain"
    DEADLINE = "deadline"
    INTERNAL = "internal"
    DEPENDENCY = "dependency"  # an input the check needs could not be determined
    NOT_APPLICABLE = "not_applicable"
    INPUT_LIMIT = "input_limit"  # more input than a run processes (e.g. --bounce rejections)
    ANSWER_TOO_LARGE = "answer_too_large"  # a DNS answer beyond the bounds we keep (never cut)
    CNAME_LOOP = "cname_loop"  # the CNAME chain loops or is too long to follow
    TRUNCATED = "truncated"  # an input ends early (a corrupt or cut-short .gz log)


class IpSource(enum.StrEnum):
    GIVEN = "given"
    MX = "mx"
    SPF = "spf"
    LOG = "log"


@dataclass(frozen=True)
class Finding:
    """One judged problem. `code` is the stable identifier tests and CI key on."""

    check: CheckId
    code: str
    severity: Severity
    subject: str
    title: str
    detail: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    remediation: Remediation | None = None

    def sort_key(self) -> tuple[int, str, str]:
        return (-int(self.severity), self.code, self.subject)


@dataclass(frozen=True)
class Unknown:
    """Something a check could not determine, and why (three-state outcomes)."""

    subject: str
    reason: UnknownReason
    detail: str = ""

    def sort_key(self) -> tuple[str, str]:
        return (self.subject, self.reason.value)


@dataclass(frozen=True)
class CheckResult:
    """What a check returns: evidence (facts), findings (judgement), unknowns."""

    check: CheckId
    evidence: Mapping[str, Any] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    unknowns: tuple[Unknown, ...] = ()
    detail: str = ""
    skipped: bool = False
    internal_error: bool = False
    duration_s: float = 0.0

    @property
    def status(self) -> CheckStatus:
        if self.skipped:
            return CheckStatus.SKIPPED
        if any(f.severity > Severity.INFO for f in self.findings):
            return CheckStatus.FAIL
        if self.unknowns:
            return CheckStatus.UNKNOWN
        return CheckStatus.PASS


@dataclass(frozen=True)
class SendingIp:
    """One IP address the domain sends from, and where the audit learnt it."""

    ip: str
    source: IpSource
    detail: str = ""  # e.g. the MX host or SPF mechanism it came from


@dataclass(frozen=True)
class Target:
    """What was audited: the domain (if any), its sending IPs, command-specific extras."""

    domain: str | None
    ips: tuple[SendingIp, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolverInfo:
    """The nameservers the run asked, and whether they are public resolvers."""

    nameservers: tuple[str, ...]
    public: bool
    public_names: tuple[str, ...] = ()


class SummaryStatus(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Summary:
    """The verdict: status, exit code, worst severity, counts and delisting readiness."""

    status: SummaryStatus
    exit_code: int
    worst_severity: Severity | None
    counts: Mapping[str, int]
    delisting_ready: bool
    delisting_blockers: tuple[str, ...]
    delisting_unchecked: tuple[str, ...] = ()  # cause-finding checks this run skipped


@dataclass(frozen=True)
class AuditResult:
    """The one result every renderer and the exit code are computed from."""

    tool_version: str
    target: Target
    started_at: datetime
    duration_s: float
    resolver: ResolverInfo
    checks: tuple[CheckResult, ...]
    summary: Summary
    unknowns: tuple[Unknown, ...] = ()  # run-level: e.g. sending IPs not derivable
    dns_lookups: tuple[Any, ...] = ()  # audit.net.dns.Lookup, for the evidence appendix
    options: Mapping[str, Any] = field(default_factory=dict)
    # --bounce: the rejections classified by explain's classifier; None when no --bounce
    # was given (nothing asked), () when the files held no rejection.
    rejections: tuple[Classification, ...] | None = None
    # The per-provider sender-requirement verdict; None when the command did not ask.
    compliance: Compliance | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        every = [f for c in self.checks for f in c.findings]
        return tuple(sorted(every, key=Finding.sort_key))
