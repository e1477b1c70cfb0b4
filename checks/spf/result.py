"""What RFC 7208 `check_host()` returns: the §2.6 result and what decided it.

`SpfOutcome` is the evidence of one evaluation by `checks.spf.eval.SpfEvaluator`; the
judges (`checks.spf.judge`, `checks.dmarc.check`) read it, never the evaluator's internals.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import cast

from audit.model import UnknownReason
from checks.spf.evidence import SpfOutcomeEvidence, SpfResultLabel
from checks.spf.record import Qualifier


class SpfResult(enum.StrEnum):
    """§2.6 results."""

    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


QUALIFIER_RESULT = {
    Qualifier.PASS: SpfResult.PASS,
    Qualifier.FAIL: SpfResult.FAIL,
    Qualifier.SOFTFAIL: SpfResult.SOFTFAIL,
    Qualifier.NEUTRAL: SpfResult.NEUTRAL,
}


@dataclass(frozen=True)
class SpfOutcome:
    """The result of one check_host() and what decided it."""

    ip: str
    domain: str
    result: SpfResult
    matched_term: str | None = None  # e.g. "ip4:192.0.2.0/24", "-all"
    matched_in: str | None = None  # the domain whose record held the deciding term
    matched_path: tuple[str, ...] = ()  # include chain to it, e.g. ("include:x", "ip4:...")
    explanation: str | None = None  # §6.2, only for fail with a usable exp=
    detail: str = ""  # why none / permerror / temperror
    unknown_reason: UnknownReason | None = None  # set for temperror
    dns_lookups: int = 0
    void_lookups: int = 0

    def to_evidence(self) -> SpfOutcomeEvidence:
        evidence: SpfOutcomeEvidence = {
            "ip": self.ip,
            "domain": self.domain,
            "result": cast(SpfResultLabel, self.result.value),
            "matched_term": self.matched_term,
            "matched_in": self.matched_in,
            "matched_path": list(self.matched_path),
            "dns_lookups": self.dns_lookups,
            "void_lookups": self.void_lookups,
        }
        if self.explanation is not None:
            evidence["explanation"] = self.explanation
        if self.detail:
            evidence["detail"] = self.detail
        if self.unknown_reason is not None:
            evidence["unknown_reason"] = self.unknown_reason.value
        return evidence
