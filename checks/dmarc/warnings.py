"""checkdmarc's free-text DMARC warnings, each given a finding code and a severity.

checkdmarc reports these only as English sentences; matching them here (and only here)
keeps every warning visible as a coded finding. A warning that a finding of our own
already covers (p=none, no rua, report destinations) maps to `COVERED` and is kept in
the evidence only. A sentence this table does not know becomes DMARC_WARNING (info),
so a new checkdmarc release cannot hide a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.model import Severity

COVERED = ""  # a finding of our own says the same; evidence only


@dataclass(frozen=True)
class WarningRule:
    pattern: re.Pattern[str]
    code: str
    severity: Severity = Severity.INFO


def _rule(pattern: str, code: str, severity: Severity = Severity.INFO) -> WarningRule:
    return WarningRule(re.compile(pattern, re.IGNORECASE), code, severity)


RULES = (
    _rule(r"^A p tag value of none", COVERED),
    _rule(r"^An sp tag value of none", COVERED),
    _rule(r"rua tag \(destination for aggregate reports\) not found", COVERED),
    _rule(r"has no MX records|Failed to retrieve MX records", COVERED),
    _rule(r"does not indicate that it accepts|accepts DMARC reports", COVERED),
    _rule(r"Support for the pct tag was removed", COVERED),  # DMARC_PCT_PARTIAL
    # RFC 7489 §6.3 required p=; a receiver that still follows it ignores the record.
    _rule(r"^A missing p tag", "DMARC_POLICY_TAG_MISSING", Severity.LOW),
    # RFC 7489 §6.4 ABNF: the request (p=) follows the version immediately.
    _rule(r"p tag does not immediately follow", "DMARC_POLICY_TAG_NOT_SECOND", Severity.LOW),
    _rule(r"Support for the \w+ tag was removed", "DMARC_TAG_OBSOLETE"),
    # RFC 9989 §4.7: receivers are only required to support mailto: report URIs.
    _rule(r"uses the \S+ scheme", "DMARC_REPORT_URI_UNSUPPORTED", Severity.LOW),
    _rule(r"size limit \(`!size`\)", "DMARC_REPORT_SIZE_LIMIT"),
    _rule(r"might not send to more than two", "DMARC_TOO_MANY_REPORT_URIS"),
    _rule(r"DMARC record at the root of", "DMARC_RECORD_AT_APEX"),
    # RFC 9989 §4.10 step 2: a CNAME beside the TXT makes several answers: none applies.
    _rule(r"CNAME", "DMARC_CNAME_CONFLICT", Severity.MEDIUM),
)
FALLBACK = WarningRule(re.compile(""), "DMARC_WARNING")
CODES = frozenset(rule.code for rule in RULES if rule.code) | {FALLBACK.code}


def classify(warning: str) -> WarningRule:
    return next((rule for rule in RULES if rule.pattern.search(warning)), FALLBACK)


__all__ = ["CODES", "COVERED", "WarningRule", "classify"]
