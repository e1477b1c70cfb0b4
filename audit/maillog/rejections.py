"""Remote rejections pulled from delivery lines: the SMTP code, the enhanced status
code (RFC 3463), the receiving provider, and a reason class in the `explain`
vocabulary (blocked, bad_reputation, rate_limited, require_ptr, auth_failure,
user_unknown, mailbox_full, other).

The classification is the `explain` command's (audit/bounce/explain.py); the minimal patterns
in audit/knowledge/volume/thresholds.toml are the fallback for a build without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.knowledge.volume import VolumeRules
from audit.maillog.records import DeliveryEvent, DeliveryStatus

SMTP_CODE = re.compile(r"(?<![\w.@/:-])(?P<code>[45]\d\d)(?=[ -]|$)")
ENHANCED = re.compile(r"\b(?P<enhanced>[45]\.\d{1,3}\.\d{1,3})\b")
SAID = re.compile(r"host (?P<host>[^\s\[]+)\[[^\]]*\] said: ")
MAX_REPLY_CHARS = 300
Classified = tuple[str, str | None, str | None]  # (reason, provider, blocklist)


@dataclass(frozen=True, order=True)
class Rejection:
    reason: str
    provider: str | None
    blocklist: str | None
    code: str | None
    enhanced: str | None
    host: str | None
    temporary: bool


def is_remote_rejection(event: DeliveryEvent) -> bool:
    """A remote server refused (5xx) or deferred (4xx) with an SMTP reply."""
    return (
        event.remote
        and event.status is not DeliveryStatus.SENT
        and SMTP_CODE.search(event.reply) is not None
    )


def provider_of(host: str | None, rules: VolumeRules) -> str | None:
    name = (host or "").lower().rstrip(".")
    for suffix, provider in rules.providers:
        if name == suffix or name.endswith("." + suffix):
            return provider
    return None


def _fallback(reply: str, provider: str | None, rules: VolumeRules) -> Classified:
    for rule in rules.rejections:
        if match := rule.pattern.search(reply):
            return rule.reason, rule.provider or provider, match.groupdict().get("list")
    return "other", provider, None


def _explained(reply: str, event: DeliveryEvent) -> Classified | None:
    """The `explain` classifier (audit/bounce/explain.py), when this build has it."""
    try:
        from audit.bounce.explain import classify as explain_classify
        from audit.bounce.extract import Rejection as BounceRejection
        from audit.knowledge.dnsbl.catalog import shipped_catalog
        from audit.knowledge.providers import shipped_knowledge
    except ImportError:  # pragma: no cover - a build without `explain`
        return None
    deferred = event.status is DeliveryStatus.DEFERRED
    try:
        found = explain_classify(
            BounceRejection(reply, event.relay_host, deferred),
            shipped_knowledge(),
            shipped_catalog(),
        )
    except (ValueError, LookupError):
        return None
    return str(getattr(found.reason, "value", found.reason)), found.provider, found.blocklist


def classify(event: DeliveryEvent, rules: VolumeRules) -> Rejection:
    reply = SAID.sub("", event.reply)[:MAX_REPLY_CHARS]
    host = event.relay_host if event.relay_host not in (None, "none") else None
    code = SMTP_CODE.search(reply)
    enhanced = ENHANCED.search(reply)
    by_host = provider_of(host, rules)
    reason, provider, blocklist = _explained(reply, event) or _fallback(reply, by_host, rules)
    provider = provider or by_host
    return Rejection(
        reason=reason,
        provider=provider,
        blocklist=blocklist.lower().rstrip(".") if blocklist else None,
        code=code["code"] if code else None,
        enhanced=enhanced["enhanced"] if enhanced else None,
        host=host,
        temporary=event.status is DeliveryStatus.DEFERRED,
    )


def sample_reply(event: DeliveryEvent) -> str:
    return " ".join(event.reply.split())[:MAX_REPLY_CHARS]
