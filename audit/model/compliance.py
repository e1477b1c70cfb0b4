"""The per-provider compliance verdict (SPEC.md "Compliance verdict"): each published
sender requirement met, not met or unknown with the reason. Plain frozen dataclasses;
evaluated by checks/compliance.py from a run's results, rendered by every format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class RuleState(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RuleVerdict:
    rule: str  # "<provider>.<rule>" (shared with the bounce classifier)
    provider: str
    title: str
    bulk: bool  # applies to bulk senders (>= 5,000 a day) only
    state: RuleState
    reason: str  # why not met / why unknown; what was seen when met
    answered_by: str  # the check/field that answers it, e.g. "message.dkim"
    source: str  # the provider's page
    snapshot: str  # date of the copy the rule was read from (ISO)


@dataclass(frozen=True)
class Compliance:
    rules: tuple[RuleVerdict, ...]

    def not_met(self, provider: str | None = None) -> tuple[RuleVerdict, ...]:
        return tuple(
            r
            for r in self.rules
            if r.state is RuleState.NOT_MET and (provider is None or r.provider == provider)
        )
