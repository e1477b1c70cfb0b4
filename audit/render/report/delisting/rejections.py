"""Delisting playbooks for classified rejections (`--bounce`) whose operator has no listing
playbook: one per operator (a mailbox provider such as Microsoft, Gmail or Yahoo, or a
list no lookup found the address on), every rejection of that operator folded in.

Pure functions of the result document's `rejections` (explain's classifications, grouped
in seen.py). A rejection citing a catalog list takes that list's route (method, URL,
expiry) from the catalog, as a listing does; a provider block takes the provider's route.
Only a route someone reviews gets a request letter, one per operator: lists that expire
on their own and self-service forms get none, and rejections about recipients or
configuration get advice instead.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from audit.model.view import DataTable
from audit.render.report.delisting.playbook import (
    CAUSE_PLACEHOLDER,
    CONTACT_PLACEHOLDER,
    LETTER_METHODS,
    MAX_REJECTION_ROWS,
    METHOD_LABELS,
    NO_REQUEST_METHODS,
    WAIT_ADVICE,
    ListRoute,
    Playbook,
    _route_steps,
    _slug,
    confirmed_fixes,
    listing_owner,
    listings_by_operator,
)
from audit.render.report.delisting.seen import (
    RejectionSeen,
    letter_lines,
    rejections_seen,
    short_name,
    times,
)

MAX_LETTER_REJECTIONS = 5
RECIPIENT_ADVICE = (
    "No delisting applies: the receiver refused the recipient, not your server. Correct or "
    "remove the address; repeated sends to dead addresses do hurt reputation."
)
CONFIG_ADVICE = (
    "No delisting applies: the receiver refused the message over your configuration. Fix "
    "what the steps name, check it with `mailhygiene audit`, then resend."
)
FORM_ONLY_NOTE = "No letter: the operator's self-service form asks only for the address."
TEMPORARY_EXPIRY = (
    "Temporary (4xx): your server retries; it clears once the rate or reputation recovers."
)


def catalog_route(zone: str | None) -> Mapping[str, Any]:
    """The catalog's delisting route for a list zone (method, url, expiry, fee), or {}."""
    if not zone:
        return {}
    from audit.knowledge.dnsbl.catalog import shipped_catalog
    from audit.knowledge.dnsbl.delisting import delisting_evidence

    entry = shipped_catalog().get(zone)
    return delisting_evidence(entry, []) if entry is not None else {}


def _expiry(seen: RejectionSeen, route: Mapping[str, Any]) -> str:
    if route.get("expiry"):
        return str(route["expiry"])
    stated = [s for s in seen.remediation["steps"] if s.startswith("Expected expiry:")]
    if stated:
        return stated[0].removeprefix("Expected expiry:").strip().rstrip(".")
    return TEMPORARY_EXPIRY if seen.temporary else "not published by the provider"


def _method(seen: RejectionSeen, route: Mapping[str, Any]) -> str:
    return str(route.get("method") or ("manual" if seen.remediation["links"] else "none"))


def _route(seen: Sequence[RejectionSeen]) -> ListRoute:
    """The operator's route out, from its first rejection a request answers."""
    first = next((s for s in seen if s.routed), seen[0])
    route = catalog_route(first.zone)
    method = _method(first, route)
    links = first.remediation["links"]
    routed = any(s.routed for s in seen)
    return ListRoute(
        list_name=first.list_name or first.operator,
        zone=first.zone or "",
        category="",
        method=METHOD_LABELS.get(method, method) if routed else "—",
        url=route.get("url") or (links[0] if links else None),
        expiry=_expiry(first, route),
        fee=str(route.get("fee") or ""),
        requestable=routed and method not in NO_REQUEST_METHODS,
        letter=routed and method in LETTER_METHODS,
    )


def _advice(seen: Sequence[RejectionSeen], route: ListRoute) -> tuple[str, ...]:
    advice = []
    if any(s.recipient for s in seen):
        advice.append(RECIPIENT_ADVICE)
    if any(not s.routed and not s.recipient for s in seen):
        advice.append(CONFIG_ADVICE)
    if any(s.routed for s in seen) and not route.requestable:
        advice.append(WAIT_ADVICE)
    return tuple(advice)


def _include(seen: Sequence[RejectionSeen]) -> tuple[str, ...]:
    ips = ", ".join(dict.fromkeys(s.sending_ip for s in seen if s.sending_ip))
    return (
        f"The sending IP ({ips or 'the sending IP'}) and the exact rejection text.",
        "The date and time of the bounce (from its headers or the log line).",
        "What caused the block and what you changed to stop it.",
        "A contact address on a different, unblocked mail system, so the reply reaches you.",
    )


def rejection_request_text(
    seen: Sequence[RejectionSeen], domain: str | None, fixes: Sequence[str]
) -> str:
    """One letter to an operator for all its rejections a request answers."""
    routed = [s for s in seen if s.routed]
    ips = list(dict.fromkeys(s.sending_ip or "[sending IP]" for s in routed))
    who = routed[0].list_name or short_name(routed[0].operator)
    sender = f" for {domain}" if domain else ""
    shown = ", ".join(ips[:3]) + (f" and {len(ips) - 3} more" if len(ips) > 3 else "")
    lines = [f"Subject: Delisting / mitigation request for {shown} ({who})", "", "Hello,", ""]
    # The request first, as the listing letter says it ("Please remove ..."), then the
    # rejections it is about and what was fixed.
    if len(routed) == 1:  # one rejection: said in the sentence, not a list of one
        only = routed[0]
        lines.append(
            f"Mail from {shown}{sender} is being rejected by {who} ({times(only.count)}) "
            f"with: “{only.quote}” Please remove the block or restore normal delivery."
        )
    else:
        lines.append(
            f"Mail from {shown}{sender} is being rejected by {who}; please remove the "
            "block or restore normal delivery:"
        )
        lines += ["", *letter_lines(routed, MAX_LETTER_REJECTIONS)]
    lines += ["", "We found what caused the block and fixed it:", ""]
    lines += [f"- {sentence}" for sentence in fixes] or [f"- {CAUSE_PLACEHOLDER}"]
    lines += ["", "Thank you,", CONTACT_PLACEHOLDER]
    return "\n".join(lines)


def build_rejection_playbook(
    operator: str,
    seen: Sequence[RejectionSeen],
    document: Mapping[str, Any],
    fixed: Collection[str] = (),
) -> Playbook:
    route = _route(seen)
    targets = tuple(dict.fromkeys(s.sending_ip for s in seen if s.sending_ip))
    fixes = confirmed_fixes(set(targets), document["findings"], fixed)
    steps = dict.fromkeys(step for s in seen for step in _route_steps(s.remediation["steps"]))
    summaries = dict.fromkeys(str(s.remediation["summary"]) for s in seen if s.routed)
    return Playbook(
        anchor=f"delist-{_slug(operator)}",
        operator=operator,
        severity=None,
        targets=targets,
        listing_anchors=(),
        listings=DataTable((), ()),
        routes=(route,),
        steps=tuple(steps),
        include=_include(seen) if route.letter else (),
        advice=_advice(seen, route),
        request_text=(
            rejection_request_text(seen, document["target"].get("domain"), fixes)
            if route.letter
            else None
        ),
        rejections=tuple(seen[:MAX_REJECTION_ROWS]),
        rejections_more=max(0, len(seen) - MAX_REJECTION_ROWS),
        summary=" ".join(summaries) or None,
        note=FORM_ONLY_NOTE if route.requestable and not route.letter else None,
    )


def build_rejection_playbooks(
    document: Mapping[str, Any], fixed: Collection[str] = ()
) -> tuple[Playbook, ...]:
    """One playbook per operator of the rejections no listing playbook took, in the order
    their first rejection was seen."""
    by_operator = listings_by_operator(document)
    unlisted: dict[str, list[RejectionSeen]] = {}
    for seen in rejections_seen(document):
        if listing_owner(seen, by_operator) is None:
            unlisted.setdefault(seen.operator, []).append(seen)
    return tuple(
        build_rejection_playbook(operator, seen, document, fixed)
        for operator, seen in unlisted.items()
    )
