"""`LogFacts` as the JSON evidence of the volume check (checks/volume/evidence.py):
deterministic, bounded, and shaped for the report (an hourly (hour, messages) series
per top account for a chart)."""

from __future__ import annotations

from audit.knowledge.volume import Thresholds
from audit.loglines.syslog import NOT_MAIL
from audit.maillog.facts import AccountFacts, FileFacts, LogFacts
from audit.model import Unknown, UnknownReason
from checks.volume.attacks import attacker_evidence
from checks.volume.evidence import (
    VolumeAccountEvidence,
    VolumeAttemptsEvidence,
    VolumeCappedEvidence,
    VolumeEvidenceDocument,
)
from checks.volume.judge import median_hour


def _account(account: AccountFacts) -> VolumeAccountEvidence:
    peak = max(account.hours, key=lambda h: (h.messages, h.hour), default=None)
    return {
        "account": account.account,
        "messages": account.messages,
        "recipients": account.recipients,
        "client_ips": account.client_ips,
        "sent": account.sent,
        "deferred": account.deferred,
        "bounced": account.bounced,
        "median_messages_per_hour": median_hour(account),
        "peak_hour": peak.hour.isoformat() if peak else None,
        "peak_messages": peak.messages if peak else 0,
    }


def _series(account: AccountFacts, limit: int) -> list[list[str | int]]:
    return [[h.hour.strftime("%Y-%m-%dT%H:00Z"), h.messages] for h in account.hours[-limit:]]


def _mail_lines(file: FileFacts) -> int:
    """The lines of a mail family (Postfix, Exim, Mailgun) a file held: not another
    program's syslog lines (ignored) nor malformed ones (skipped)."""
    return sum(n for family, n in file.families.items() if family != NOT_MAIL)


def _attempts(facts: LogFacts, t: Thresholds) -> list[VolumeAttemptsEvidence]:
    return [
        {
            "attempt": attack.kind.value,
            "attempts": attack.attempts,
            "client_ips": len(attack.attackers),
            "more_client_ips": attack.other_attackers,
            "top_client_ips": [attacker_evidence(a) for a in attack.attackers[: t.top_rejections]],
        }
        for attack in facts.attacks
    ]


def _capped(facts: LogFacts) -> list[VolumeCappedEvidence]:
    return [
        {
            "table": c.table,
            "limit": c.limit,
            "folded_keys": c.folded_keys,
            "folded_weight": c.folded_weight,
        }
        for c in facts.capped
    ]


def volume_evidence(facts: LogFacts, t: Thresholds) -> VolumeEvidenceDocument:
    top = facts.accounts[: t.top_accounts]
    return {
        "files": [
            {
                "path": f.path,
                "format": f.format,
                "lines": f.lines,
                "events": f.events,
                "malformed_lines": f.malformed,
                "truncated_lines": f.truncated_lines,
                "size_limit_reached": f.size_limit_reached,
                "line_families": dict(sorted(f.families.items())),
                "truncated": f.truncated,
            }
            for f in facts.files
        ],
        "formats": sorted({f.format for f in facts.files if f.format}),
        "lines_parsed": sum(_mail_lines(f) for f in facts.files),
        "lines_ignored": sum(f.families.get(NOT_MAIL, 0) for f in facts.files),
        "lines_skipped": sum(f.malformed for f in facts.files),
        "time_range": {
            "first": facts.first.isoformat() if facts.first else None,
            "last": facts.last.isoformat() if facts.last else None,
        },
        "totals": dict(facts.totals),
        "accounts_seen": len(facts.accounts),
        "top_accounts": [_account(a) for a in top],
        "hourly": {a.account: _series(a, t.max_series_points) for a in top},
        "rejections": [
            {
                "reason": r.rejection.reason,
                "provider": r.rejection.provider,
                "blocklist": r.rejection.blocklist,
                "code": r.rejection.code,
                "enhanced_code": r.rejection.enhanced,
                "host": r.rejection.host,
                "temporary": r.rejection.temporary,
                "count": r.count,
                "sample": r.sample,
            }
            for r in facts.rejections[: t.top_rejections]
        ],
        "unauthenticated_relays": [
            {"client_ip": r.client_ip, "messages": r.messages} for r in facts.relays
        ],
        "sending_ips": [
            {"ip": ip, "deliveries": n} for ip, n in facts.sending_ips[: t.max_sending_ips]
        ],
        "timestamps": "syslog stamps without a zone are taken as UTC",
        "attempts": _attempts(facts, t),
        "capped_tables": _capped(facts),
        "tls_deliveries": [
            {"provider": t.provider, "tls": t.tls, "plain": t.plain} for t in facts.tls
        ],
    }


def truncated_files(facts: LogFacts) -> tuple[Unknown, ...]:
    """unknown(truncated) for each file whose rest could not be read: what it holds up to
    there is counted, after that nothing is known."""
    return tuple(
        Unknown(
            f.path,
            UnknownReason.TRUNCATED,
            f"{f.path}: read up to line {f.lines:,}, the rest is unknown ({f.truncated})",
        )
        for f in facts.files
        if f.truncated
    )
