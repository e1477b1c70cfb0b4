"""The audit's data model: severities, check ids, findings, outcomes and the result.

Plain frozen dataclasses (audit.model.core), what to do (remediation) and classified
rejections (rejection). Nothing here prints, exits or touches the network.
"""

from audit.model.core import (
    PLANNED_CHECK_IDS,
    AuditResult,
    CheckId,
    CheckResult,
    CheckStatus,
    Finding,
    IpSource,
    ResolverInfo,
    SendingIp,
    Severity,
    Summary,
    SummaryStatus,
    Target,
    Unknown,
    UnknownReason,
)
from audit.model.rejection import Classification, Reason
from audit.model.remediation import Remediation

__all__ = [
    "PLANNED_CHECK_IDS",
    "AuditResult",
    "CheckId",
    "CheckResult",
    "CheckStatus",
    "Classification",
    "Finding",
    "IpSource",
    "Reason",
    "Remediation",
    "ResolverInfo",
    "SendingIp",
    "Severity",
    "Summary",
    "SummaryStatus",
    "Target",
    "Unknown",
    "UnknownReason",
]
