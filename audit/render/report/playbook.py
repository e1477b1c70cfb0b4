"""Delisting playbooks: one per blocklist listing, with a pre-filled request text.

Facts come from the listing finding's evidence (the list's delisting route from the
catalog: URL, method, expiry, fee) and its remediation steps. Policy listings (Spamhaus
PBL, SpamRATS Dyna/NoPtr, Abusix policy) get the operators' advice instead of a
request: such an IP should not send direct to MX; fix rDNS or relay via a smarthost.
Operators relist quickly when the cause remains (CBL, Spamhaus, SpamCop, PSBL), so the
request lists the fixes the other findings asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LISTING_CODES = frozenset(
    {
        "BLACKLIST_LISTED",
        "BLACKLIST_POLICY_LISTED",
        "BLACKLIST_REPUTATION_LISTED",
        "BLACKLIST_DOMAIN_LISTED",
    }
)
METHOD_LABELS = {
    "automatic": "Expires automatically",
    "manual": "Removal request, reviewed by the operator",
    "self-service": "Self-service removal form",
    "none": "No removal procedure: expires on its own",
    "provider-only": "Only the IP's provider (ISP/host) can request removal",
}
NO_REQUEST_METHODS = frozenset({"automatic", "none"})
POLICY_ADVICE = (
    "This is a policy listing: it says this address should not send mail direct to MX, "
    "not that it sent spam. Do not request delisting just to send direct: relay outbound "
    "mail through your ISP's or mail provider's smarthost (authenticated submission). "
    "Only a static IP running a real mail server, with a non-generic PTR that resolves "
    "back to it (FCrDNS) and a matching HELO name, should use the self-service removal."
)
WAIT_ADVICE = (
    "No request is needed: this listing expires on its own once the cause has stopped. "
    "Fix the cause, then wait; asking for early removal does not help."
)
CONTACT_PLACEHOLDER = "[Your name], [role], [contact e-mail address], [phone]"
CAUSE_PLACEHOLDER = "[Describe what caused the listing and how it was stopped]"


@dataclass(frozen=True)
class Playbook:
    anchor: str
    severity: str
    target: str
    list_name: str
    zone: str
    operator: str
    category: str
    reasons: tuple[str, ...]  # "127.0.0.4: XBL: exploited host ..."
    txt: tuple[str, ...]
    method: str
    url: str | None
    expiry: str
    fee: str
    steps: tuple[str, ...]
    include: tuple[str, ...]
    advice: str | None
    request_text: str | None


def playbook_anchor(finding: Mapping[str, Any]) -> str:
    evidence = finding.get("evidence", {})
    raw = f"{finding['subject']}-{evidence.get('list', evidence.get('zone', ''))}-{finding['code']}"
    return "delist-" + "".join(ch if ch.isalnum() else "-" for ch in raw.lower())


def _reasons(evidence: Mapping[str, Any]) -> tuple[str, ...]:
    codes = [str(c) for c in evidence.get("codes", [])]
    meanings = [str(m) for m in evidence.get("meanings", [])]
    if len(codes) == len(meanings):
        return tuple(f"{c}: {m}" for c, m in zip(codes, meanings, strict=True))
    return tuple(codes + meanings)


def _route_steps(steps: Sequence[str]) -> tuple[str, ...]:
    """Remediation steps without the expiry/fee lines (shown as facts beside them)."""
    return tuple(s for s in steps if not s.startswith(("Expected expiry:", "Fee:")))


def fixes_for(target: str, findings: Sequence[Mapping[str, Any]], ips: set[str]) -> list[str]:
    """What the other findings asked to fix, for this target or the whole domain."""
    fixes = []
    for finding in findings:
        if finding["code"] in LISTING_CODES:
            continue
        domain_wide = finding["subject"] not in ips
        relevant = finding["subject"] == target or (
            domain_wide and finding["severity"] in ("critical", "high", "medium")
        )
        remediation = finding.get("remediation") or {}
        if relevant:
            fixes.append(f"{finding['title']}: {remediation.get('summary', 'fixed')}")
    return fixes


def request_text(
    finding: Mapping[str, Any], domain: str | None, fixes: Sequence[str], audit_date: str
) -> str:
    evidence = finding.get("evidence", {})
    target = finding["subject"]
    list_name = evidence.get("list_name") or evidence.get("zone") or "your list"
    what = "domain" if finding["code"] == "BLACKLIST_DOMAIN_LISTED" else "IP address"
    lines = [
        f"Subject: Removal request for {target} ({list_name})",
        "",
        "Hello,",
        "",
        f"Please remove the {what} {target} from {list_name} ({evidence.get('zone', '')}).",
    ]
    reasons = _reasons(evidence)
    if reasons:
        lines.append("Listed with: " + "; ".join(reasons) + ".")
    sender = f" for {domain}" if domain else ""
    lines += ["", f"{target} sends mail{sender}. We found the cause and stopped it:", ""]
    lines.append(f"- {CAUSE_PLACEHOLDER}")
    if fixes:
        lines += ["", f"We also fixed what our audit of {audit_date} found:", ""]
        lines += [f"- {fix}" for fix in fixes]
    lines += ["", "Thank you,", CONTACT_PLACEHOLDER]
    return "\n".join(lines)


def _include(evidence: Mapping[str, Any], target: str) -> tuple[str, ...]:
    items = [
        f"The listed address ({target}) and the list ({evidence.get('zone', '')}).",
        "The return code and reason shown above.",
        "What caused the listing and what you changed to stop it (the operator checks).",
        "The hygiene fixes made since (PTR, SPF, DKIM, DMARC): see the request text.",
        "A contact address on a different, unlisted mail system, so the reply reaches you.",
    ]
    if evidence.get("txt"):
        items.insert(2, "The reference from the list's TXT answer.")
    return tuple(items)


def build_playbook(
    finding: Mapping[str, Any],
    domain: str | None,
    fixes: Sequence[str],
    audit_date: str,
) -> Playbook:
    evidence = finding.get("evidence", {})
    route = evidence.get("delisting") or {}
    remediation = finding.get("remediation") or {}
    method = str(route.get("method") or "manual")
    policy = finding["code"] == "BLACKLIST_POLICY_LISTED" or evidence.get("category") == "policy"
    advice = POLICY_ADVICE if policy else WAIT_ADVICE if method in NO_REQUEST_METHODS else None
    links = remediation.get("links") or []
    return Playbook(
        anchor=playbook_anchor(finding),
        severity=finding["severity"],
        target=finding["subject"],
        list_name=str(evidence.get("list_name") or evidence.get("zone") or "custom list"),
        zone=str(evidence.get("zone", "")),
        operator=str(evidence.get("operator") or remediation.get("provider") or "—"),
        category=str(evidence.get("category") or "listing"),
        reasons=_reasons(evidence),
        txt=tuple(str(t) for t in evidence.get("txt", [])),
        method=METHOD_LABELS.get(method, method),
        url=route.get("url") or (links[0] if links else None),
        expiry=str(route.get("expiry") or "not published by the operator"),
        fee=str(route.get("fee") or "not stated"),
        steps=_route_steps(remediation.get("steps", [])),
        include=() if advice else _include(evidence, finding["subject"]),
        advice=advice,
        request_text=None if advice else request_text(finding, domain, fixes, audit_date),
    )


def build_playbooks(document: Mapping[str, Any], audit_date: str) -> tuple[Playbook, ...]:
    findings = document["findings"]
    ips = {ip["ip"] for ip in document["target"]["ips"]}
    domain = document["target"].get("domain")
    return tuple(
        build_playbook(f, domain, fixes_for(f["subject"], findings, ips), audit_date)
        for f in findings
        if f["code"] in LISTING_CODES
    )
