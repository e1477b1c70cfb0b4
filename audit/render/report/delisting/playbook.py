"""Delisting playbooks: one per list operator, with every address listed there and one
pre-filled request letter.

Facts come from the listing findings' evidence (each list's delisting route from the
catalog: URL, method, expiry, fee) and their remediation steps. Policy listings (Spamhaus
PBL, SpamRATS Dyna/NoPtr, Abusix policy) get the operators' advice instead of a request:
such an IP should not send direct to MX. The letter says what was listed and, in the past
tense, only the fixes the user confirmed (`--fixed CODE`) that matter to a blocklist
(audit/knowledge/actions/actions.toml `[letters]`); otherwise a placeholder to fill in.
It never names the audit's probe addresses: only the listed addresses and the domain.

A classified rejection (`--bounce`) citing one of the operator's lists, or from the same
provider, is folded in (seen.py): one playbook and one letter per operator, listing the
listed addresses and the rejections seen (count, the receiver's words). A self-service
form still gets no letter, whatever triggered it; the playbook says so in one line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audit.knowledge.actions import actions
from audit.model.view import Cell, DataTable
from audit.render.report.delisting.seen import RejectionSeen, letter_lines, rejections_seen
from audit.render.report.wording import address_runs, run_size

LISTING_CODES = frozenset(
    {
        "BLACKLIST_LISTED",
        "BLACKLIST_POLICY_LISTED",
        "BLACKLIST_REPUTATION_LISTED",
        "BLACKLIST_DOMAIN_LISTED",
    }
)
PLAYBOOKS_ANCHOR = "playbooks"
METHOD_LABELS = {
    "automatic": "Expires automatically: no request needed",
    "manual": "Removal request, reviewed by the operator",
    "self-service": "Self-service removal form",
    "none": "No removal procedure: expires on its own",
    "provider-only": "Only the IP's provider (ISP/host) can request removal",
}
CATEGORY_LABELS = {
    "abuse": "Abuse (spam source)",
    "policy": "Policy (address space)",
    "reputation": "Reputation",
    "domain": "Domain list",
}
NO_REQUEST_METHODS = frozenset({"automatic", "none"})
# A self-service form asks for the address only: no letter to write.
LETTER_METHODS = frozenset({"manual", "provider-only"})
# Said once per playbook; the policy list's own steps follow it (they were repeated in
# it word for word: smarthost, static IP with FCrDNS, then the self-service form).
POLICY_ADVICE = (
    "This is a policy listing: it says this address should not send mail direct to MX, "
    "not that it sent spam. Unless it is a real mail server (the steps below), relay "
    "outbound mail through your ISP's or mail provider's smarthost."
)
# Said once, in the chapter's lead, not in every self-service playbook (ZEN, SpamRATS).
SELF_SERVICE_ADVICE = (
    "A self-service form asks only for the address: no letter is needed; use it once the "
    "causes are fixed, not before."
)
WAIT_ADVICE = (
    "No request is needed: it expires on its own once the cause has stopped; asking for "
    "early removal does not help."
)
# Said in a self-service playbook that folds in rejections: the bounces do not call for one.
FORM_NOTE = "No letter: the same form removes the addresses the bounces above name."
CONTACT_PLACEHOLDER = "[Your name], [role], [contact e-mail address], [phone]"
CAUSE_PLACEHOLDER = "[Describe what caused the listing and what you changed to stop it]"
MAX_ROWS = 6
MAX_LETTER_LINES = 5
MAX_NAMED = 3
MAX_REJECTION_ROWS = 4
MAX_LETTER_REJECTIONS = 3
# Checks whose findings are about the cause of abuse wherever they were found.
DOMAIN_WIDE_CAUSES = frozenset({"volume", "relay"})


@dataclass(frozen=True)
class ListRoute:
    list_name: str
    zone: str
    category: str
    method: str
    url: str | None
    expiry: str
    fee: str
    requestable: bool
    letter: bool  # reviewed by a person: a request letter helps


@dataclass(frozen=True)
class RemovalLine:
    """A playbook's "Removal" line: one per list and route; a list's sub-lists with the
    same route (ZEN's XBL and PBL forms) share it, each expiry named by its category."""

    label: str
    method: str
    url: str | None
    expiry: str
    fee: str


def removal_lines(routes: Sequence[ListRoute]) -> tuple[RemovalLine, ...]:
    alike: dict[tuple[str, str, str | None], list[ListRoute]] = {}
    for route in routes:
        alike.setdefault((route.list_name, route.method, route.url), []).append(route)
    lists = {route.list_name for route in routes}
    lines = []
    for (name, method, url), same in alike.items():
        label = "Removal" if len(alike) == 1 else f"Removal from {name}"
        if len(lists) < len(alike):  # this list has more than one route: say which
            label += f" ({', '.join(r.category for r in same)})"
        expiries = dict.fromkeys(r.expiry for r in same)
        expiry = (
            next(iter(expiries))
            if len(expiries) == 1
            else "; ".join(f"{r.category.lower()}: {r.expiry}" for r in same)
        )
        fees = [f for f in dict.fromkeys(r.fee for r in same) if f]
        fee = "; ".join(f for f in fees if not any(o != f and o.startswith(f) for o in fees))
        lines.append(RemovalLine(label, method, url, expiry, fee))
    return tuple(lines)


@dataclass(frozen=True)
class Playbook:
    anchor: str
    operator: str
    severity: str | None  # the most severe listing's; None: rejections only
    targets: tuple[str, ...]
    listing_anchors: tuple[str, ...]  # one per listing finding (links from elsewhere)
    listings: DataTable
    routes: tuple[ListRoute, ...]
    steps: tuple[str, ...]
    include: tuple[str, ...]
    advice: tuple[str, ...]
    request_text: str | None
    rejections: tuple[RejectionSeen, ...] = ()  # the first MAX_REJECTION_ROWS shown
    rejections_more: int = 0
    summary: str | None = None  # what the rejections' provider says to do, in a line
    note: str | None = None  # FORM_NOTE, when rejections came without a letter

    @property
    def removal(self) -> tuple[RemovalLine, ...]:
        return removal_lines(self.routes)


def playbook_anchor(finding: Mapping[str, Any]) -> str:
    evidence = finding.get("evidence", {})
    raw = f"{finding['subject']}-{evidence.get('list', evidence.get('zone', ''))}-{finding['code']}"
    return "delist-" + "".join(ch if ch.isalnum() else "-" for ch in raw.lower())


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _reasons(evidence: Mapping[str, Any]) -> tuple[str, ...]:
    codes = [str(c) for c in evidence.get("codes", [])]
    meanings = [str(m) for m in evidence.get("meanings", [])]
    if len(codes) == len(meanings):
        return tuple(f"{c}: {m}" for c, m in zip(codes, meanings, strict=True))
    return tuple(codes + meanings)


def _list_name(evidence: Mapping[str, Any]) -> str:
    return str(evidence.get("list_name") or evidence.get("zone") or "custom list")


def _operator(finding: Mapping[str, Any]) -> str:
    evidence = finding.get("evidence", {})
    remediation = finding.get("remediation") or {}
    return str(evidence.get("operator") or remediation.get("provider") or _list_name(evidence))


def _category(finding: Mapping[str, Any]) -> str:
    if finding["code"] == "BLACKLIST_POLICY_LISTED":
        return "policy"
    return str(finding.get("evidence", {}).get("category") or "abuse")


def listing_row(finding: Mapping[str, Any]) -> tuple[Cell, ...]:
    """(listed address, list, the operator's category, return code) for a listings table."""
    evidence = finding.get("evidence", {})
    category = _category(finding)
    return (
        Cell(finding["subject"], mono=True),
        Cell(_list_name(evidence), note=str(evidence.get("zone", ""))),
        Cell(CATEGORY_LABELS.get(category, category), "warn" if category == "policy" else "bad"),
        Cell("; ".join(_reasons(evidence)) or "listed"),
    )


def _route(finding: Mapping[str, Any]) -> ListRoute:
    evidence = finding.get("evidence", {})
    route = evidence.get("delisting") or {}
    links = (finding.get("remediation") or {}).get("links") or []
    method = str(route.get("method") or "manual")
    category = _category(finding)
    return ListRoute(
        list_name=_list_name(evidence),
        zone=str(evidence.get("zone", "")),
        category=CATEGORY_LABELS.get(category, category),
        method=METHOD_LABELS.get(method, method),
        url=route.get("url") or (links[0] if links else None),
        expiry=str(route.get("expiry") or "not published by the operator"),
        fee=str(route.get("fee") or "not stated"),
        requestable=category != "policy" and method not in NO_REQUEST_METHODS,
        letter=category != "policy" and method in LETTER_METHODS,
    )


def _route_steps(steps: Sequence[str]) -> tuple[str, ...]:
    """Remediation steps without the expiry/fee lines (shown as facts beside them)."""
    return tuple(s for s in steps if not s.startswith(("Expected expiry:", "Fee:")))


def _named(targets: Sequence[str]) -> str:
    shown = ", ".join(targets[:MAX_NAMED])
    more = len(targets) - MAX_NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def confirmed_fixes(
    targets: Collection[str],
    findings: Sequence[Mapping[str, Any]],
    fixed: Collection[str],
) -> tuple[str, ...]:
    """Past-tense sentences for the fixes the user confirmed that matter to this list:
    findings about a listed address, or about the cause of abuse (accounts, relay)."""
    letters = actions().letters
    sentences = []
    for finding in findings:
        code = finding["code"]
        if code not in fixed or code not in letters:
            continue
        if finding["subject"] in targets or finding["check"] in DOMAIN_WIDE_CAUSES:
            sentences.append(letters[code])
    return tuple(dict.fromkeys(sentences))


def _letter_entries(listed: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """One line per listing, consecutive addresses listed alike (same zone, same return
    codes) as one run: an operator reads "198.51.100.101 – 198.51.100.134 (34 addresses)",
    the whole block, where five lines and "attach the full list" said less."""
    alike: dict[tuple[str, str], list[str]] = {}
    for finding in listed:
        evidence = finding.get("evidence", {})
        reasons = "; ".join(_reasons(evidence))
        listed_with = f", listed with {reasons}" if reasons else ""
        alike.setdefault((str(evidence.get("zone", "")), listed_with), []).append(
            finding["subject"]
        )
    entries = []
    for (zone, listed_with), subjects in alike.items():
        for run in address_runs(subjects):
            count = f" ({run_size(run)} addresses)" if " – " in run else ""
            entries.append(f"{run}{count} on {zone}{listed_with}")
    return tuple(entries)


def request_text(
    listed: Sequence[Mapping[str, Any]],
    domain: str | None,
    fixes: Sequence[str],
    rejected: Sequence[RejectionSeen] = (),
) -> str:
    """One letter for an operator: what was listed where, the rejections citing its lists,
    what caused it, what was done."""
    targets = list(dict.fromkeys(f["subject"] for f in listed))
    targets += [s.sending_ip for s in rejected if s.sending_ip and s.sending_ip not in targets]
    lists = list(dict.fromkeys(_list_name(f.get("evidence", {})) for f in listed))
    domain_listing = all(f["code"] == "BLACKLIST_DOMAIN_LISTED" for f in listed)
    what = "domain" if domain_listing else "IP address" if len(targets) == 1 else "addresses"
    lines = [
        f"Subject: Removal request for {_named(address_runs(targets))} ({', '.join(lists)})",
        "",
        "Hello,",
        "",
        f"Please remove the {what} below from {', '.join(lists)}:",
        "",
    ]
    entries = _letter_entries(listed)
    lines += [f"- {entry}" for entry in entries[:MAX_LETTER_LINES]]
    if len(entries) > MAX_LETTER_LINES:
        lines.append(f"- and {len(entries) - MAX_LETTER_LINES} more: [attach the full list]")
    if rejected:
        lines += ["", "Receivers rejected our mail citing your list:", ""]
        lines += letter_lines(rejected, MAX_LETTER_REJECTIONS)
    sender = f" for {domain}" if domain else ""
    subject = "It sends" if len(targets) == 1 else "They send"
    lines += ["", f"{subject} mail{sender}. We found what caused the listing and fixed it:", ""]
    lines += [f"- {sentence}" for sentence in fixes] or [f"- {CAUSE_PLACEHOLDER}"]
    lines += ["", "Thank you,", CONTACT_PLACEHOLDER]
    return "\n".join(lines)


def _include(listed: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    items = [
        "The listed addresses and the list, as in the table above.",
        "What caused the listing and what you changed to stop it (the operator checks).",
        "A contact address on a different, unlisted mail system, so the reply reaches you.",
    ]
    if any(f.get("evidence", {}).get("txt") for f in listed):
        items.insert(1, "The reference from the list's TXT answer.")
    return tuple(items)


def _listings_table(listed: Sequence[Mapping[str, Any]]) -> DataTable:
    """One row per list and category of this operator: the addresses listed there (the first few,
    then a count) and the return codes seen."""
    by_list: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for finding in listed:
        key = (_list_name(finding.get("evidence", {})), _category(finding))
        by_list.setdefault(key, []).append(finding)
    rows = []
    for (name, _), findings in by_list.items():
        evidence = findings[0].get("evidence", {})
        targets = list(dict.fromkeys(f["subject"] for f in findings))
        reasons = dict.fromkeys(r for f in findings for r in _reasons(f.get("evidence", {})))
        category = _category(findings[0])
        rows.append(
            (
                Cell(name, note=str(evidence.get("zone", ""))),
                Cell(
                    CATEGORY_LABELS.get(category, category),
                    "warn" if category == "policy" else "bad",
                ),
                Cell(_named_list(targets), mono=len(targets) == 1),
                Cell("; ".join(reasons) or "listed"),
            )
        )
    return DataTable(
        ("List", "Category", "Listed addresses", "Return code"), tuple(rows), css_class="listings"
    )


def _named_list(targets: Sequence[str]) -> str:
    if len(targets) == 1:
        return targets[0]
    # Consecutive addresses as one run: a block of 35 is named in full on one line.
    runs = address_runs(targets)
    shown = ", ".join(runs[:MAX_ROWS])
    more = len(runs) - MAX_ROWS
    return f"{len(targets)}: {shown}" + (f" and {more} more" if more > 0 else "")


def _without_advised(steps: Sequence[str], advice: Sequence[str]) -> tuple[str, ...]:
    """The steps without the one the policy advice says in its own words (a PBL's "Do not
    request delisting just to send direct: relay ... smarthost")."""
    if POLICY_ADVICE not in advice:
        return tuple(steps)
    return tuple(s for s in steps if not s.startswith("Do not request delisting just to send"))


def _advice(routes: Sequence[ListRoute]) -> tuple[str, ...]:
    """The policy advice for a policy listing. A list that expires on its own says so in
    its removal line ("Expires automatically: no request needed") and its steps ("Wait:
    ..."): the wait advice is for rejections (rejections.py), whose steps do not."""
    if any(r.category == CATEGORY_LABELS["policy"] for r in routes):
        return (POLICY_ADVICE,)
    return ()


def build_playbook(
    operator: str,
    listed: Sequence[Mapping[str, Any]],
    document: Mapping[str, Any],
    fixed: Collection[str],
    rejected: Sequence[RejectionSeen] = (),
) -> Playbook:
    routes = tuple(dict.fromkeys(_route(f) for f in listed))
    requestable = [f for f in listed if _route(f).letter]
    targets = tuple(dict.fromkeys(f["subject"] for f in listed))
    steps = tuple(
        dict.fromkeys(
            s for f in listed for s in _route_steps((f.get("remediation") or {}).get("steps", []))
        )
    )
    # A rejection citing the operator's list is answered by the same route, in the letter
    # when a person reviews requests.
    asked = [s for s in rejected if s.routed] if requestable else []
    asked_ips = {s.sending_ip for s in asked if s.sending_ip}
    fixes = confirmed_fixes(
        {f["subject"] for f in requestable} | asked_ips, document["findings"], fixed
    )
    severities = ("critical", "high", "medium", "low", "info")
    form = any(r.requestable and not r.letter for r in routes)
    return Playbook(
        anchor=f"delist-{_slug(operator)}",
        operator=operator,
        severity=min((f["severity"] for f in listed), key=severities.index),
        targets=targets,
        listing_anchors=tuple(playbook_anchor(f) for f in listed),
        listings=_listings_table(listed),
        routes=routes,
        steps=_without_advised(steps, _advice(routes)),
        include=_include(requestable) if requestable else (),
        advice=_advice(routes),
        request_text=(
            request_text(requestable, document["target"].get("domain"), fixes, asked)
            if requestable
            else None
        ),
        rejections=tuple(rejected[:MAX_REJECTION_ROWS]),
        rejections_more=max(0, len(rejected) - MAX_REJECTION_ROWS),
        note=FORM_NOTE if rejected and form and not requestable else None,
    )


def listings_by_operator(document: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """The listing findings per list operator, in the document's order."""
    by_operator: dict[str, list[Mapping[str, Any]]] = {}
    for finding in document["findings"]:
        if finding["code"] in LISTING_CODES:
            by_operator.setdefault(_operator(finding), []).append(finding)
    return by_operator


def listing_owner(
    seen: RejectionSeen, by_operator: Mapping[str, Sequence[Mapping[str, Any]]]
) -> str | None:
    """The listed operator a rejection belongs to: the operator of the list it cites, or the
    same provider (a Spamhaus bounce beside a ZEN listing); None when none is listed."""
    for operator, listed in by_operator.items():
        zones = {f.get("evidence", {}).get("zone") for f in listed}
        providers = {(f.get("remediation") or {}).get("provider") for f in listed} - {None}
        if seen.operator == operator or (seen.zone and seen.zone in zones):
            return operator
        if seen.provider and seen.provider in providers:
            return operator
    return None


def build_playbooks(
    document: Mapping[str, Any], fixed: Collection[str] = ()
) -> tuple[Playbook, ...]:
    """One playbook per list operator, in the order of its most severe listing, with the
    rejections that cite its lists folded in."""
    by_operator = listings_by_operator(document)
    folded: dict[str, list[RejectionSeen]] = {}
    for seen in rejections_seen(document):
        owner = listing_owner(seen, by_operator)
        if owner is not None:
            folded.setdefault(owner, []).append(seen)
    return tuple(
        build_playbook(operator, listed, document, fixed, folded.get(operator, ()))
        for operator, listed in by_operator.items()
    )
