"""The audit's data model: severities, check ids, findings, outcomes and the result.

Plain frozen dataclasses (audit.model.core), what to do (remediation) and classified
rejections (rejection). Nothing here prints, exits or touches the network.

The names below load on first use (PEP 562): importing a light submodule such as
`audit.model.errors` must not build every dataclass of the model (start-up of --help).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "PLANNED_CHECK_IDS": "audit.model.core",
    "AuditResult": "audit.model.core",
    "CheckId": "audit.model.core",
    "CheckResult": "audit.model.core",
    "CheckStatus": "audit.model.core",
    "Finding": "audit.model.core",
    "IpSource": "audit.model.core",
    "ResolverInfo": "audit.model.core",
    "SendingIp": "audit.model.core",
    "Severity": "audit.model.core",
    "Summary": "audit.model.core",
    "SummaryStatus": "audit.model.core",
    "Target": "audit.model.core",
    "Unknown": "audit.model.core",
    "UnknownReason": "audit.model.core",
    "Classification": "audit.model.rejection",
    "Reason": "audit.model.rejection",
    "Remediation": "audit.model.remediation",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'audit.model' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value
