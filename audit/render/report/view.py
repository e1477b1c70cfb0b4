"""Labels the HTML report shows for ids and reasons, and the run's display date.

The view objects themselves (facts, cells, tables, sections) are in audit/model/view.py,
where the checks' report sections can build them too.
"""

from __future__ import annotations

from datetime import UTC, datetime

SEVERITIES = ("critical", "high", "medium", "low", "info")

CHECK_LABELS = {
    "blacklist": "Blocklists",
    "ptr": "Reverse DNS",
    "spf": "SPF",
    "dkim": "DKIM",
    "dmarc": "DMARC",
    "relay": "Open relay",
    "volume": "Sending volume",
    "mx": "MX and transport security",
    "message": "Sample message",
}
STATUS_LABELS = {
    "pass": "Passed",
    "fail": "Issues found",
    "unknown": "Not determined",
    "skipped": "Not run",
}
SOURCE_LABELS = {"given": "given", "mx": "MX host", "spf": "SPF record", "log": "mail log"}
REASON_LABELS = {
    "timeout": "the query timed out",
    "servfail": "the resolver answered SERVFAIL",
    "refused": "the resolver refused the query",
    "network_error": "network error",
    "malformed_response": "malformed DNS response",
    "no_nameservers": "no nameserver answered",
    "query_refused": "the list refused the query (error code)",
    "list_unhealthy": "the list failed its RFC 5782 test points",
    "resolver_rewrites_nxdomain": "the resolver rewrites NXDOMAIN",
    "deadline": "the run's deadline was reached",
    "internal": "internal error in the check",
    "dependency": "an input the check needs could not be determined",
    "not_applicable": "not applicable",
    "input_limit": "more input than one run processes",
    "answer_too_large": "the DNS answer is larger than the bounds a run keeps",
    "cname_loop": "the CNAME chain loops or is too long",
    "truncated": "the input ends early (corrupt or cut short)",
}


def check_label(check_id: str) -> str:
    return CHECK_LABELS.get(check_id, check_id.upper())


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " "))


def display_date(iso: str) -> str:
    """'22 November 2026, 14:57 UTC' from an ISO-8601 timestamp (the run's, never now)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"
