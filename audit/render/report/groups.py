"""Findings as the report groups them: by area (check), one entry per code and fix.

Forty-nine "Sending IP not authorized by SPF" findings are one entry listing the 49
addresses, not 49 pages. Findings group when they share a code and, once their subject
is taken out, the same fix; each area gets a grade from its most severe finding, with the
method stated in the report (`GRADE_METHOD`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from audit.knowledge.actions import actions
from audit.knowledge.remediation import catalog
from audit.model.document import CheckDocument, FindingDocument
from audit.model.view import Cell, DataTable
from audit.render.report.delisting.playbook import LISTING_CODES, PLAYBOOKS_ANCHOR, listing_row
from audit.render.report.evidence import EvidenceView, evidence_view, shorten
from audit.render.report.view import check_label
from audit.render.report.wording import address_runs, client_text, plural

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
GRADE_BY_SEVERITY = {"critical": "F", "high": "D", "medium": "C", "low": "B", "info": "B"}
GRADE_METHOD = (
    "Each area is graded by its most severe finding: A no finding, B low or informational "
    "findings only, C medium, D high, F critical; “?” when the area could not be "
    "determined, “–” when it was not checked."
)
# The route, the expiry and the letter are in the playbooks: the row says where to go.
LISTING_SUMMARY = "Fix the causes in the action plan first, then follow each operator's playbook."
MAX_SUBJECTS = 12
# A detailed finding shows its first steps; the rest are in the annex and the JSON (the
# relay's and the compromised account's five or six steps cost a third of a page each).
MAX_STEPS = 3
MAX_DETAIL_ROWS = 8
# A finding's detail is a short quoted excerpt in the report: the relay probe's lists
# every address trick (1,000+ characters), which its evidence table already shows.
MAX_DETAIL = 240
# A one-row finding's detail is the note under its title: two lines of its cell at most.
MAX_ROW_DETAIL = 160


@dataclass(frozen=True)
class FindingGroup:
    anchor: str
    anchors: tuple[str, ...]  # each finding's own anchor (links from elsewhere)
    code: str
    severity: str
    check: str
    title: str
    count: int
    severities: tuple[str, ...]  # each member's, for the per-area counts
    subjects: tuple[str, ...]
    more_subjects: int
    subject_runs: tuple[str, ...]  # all the subjects, consecutive addresses as one run
    more_runs: int
    detail: str
    details: DataTable | None  # subject -> detail, when they differ
    why: str
    summary: str
    steps: tuple[str, ...]
    links: tuple[str, ...]
    evidence: EvidenceView
    listings: DataTable | None
    playbook_anchor: str | None
    blocks_delisting: bool
    compact: bool  # one table row: minor, or a symptom (a listing, receivers' blocks)

    @property
    def main_steps(self) -> tuple[str, ...]:
        """The steps the main report shows (the annex and the JSON have them all)."""
        return self.steps[:MAX_STEPS]

    @property
    def more_steps(self) -> tuple[str, ...]:
        return self.steps[MAX_STEPS:]


@dataclass(frozen=True)
class Area:
    check: str
    label: str
    status: str
    grade: str
    summary: str  # "2 high, 1 low" or the check's own detail
    detail: str
    groups: tuple[FindingGroup, ...]


def finding_anchor(index: int, finding: FindingDocument) -> str:
    return f"finding-{index + 1}-{finding['code'].lower()}"


def _generic(text: str, subject: str) -> str:
    return text.replace(subject, "{subject}") if subject else text


def group_key(finding: FindingDocument) -> tuple[str, ...]:
    """Same code, and the same fix once the subject is taken out."""
    if finding["code"] in LISTING_CODES:
        return (finding["code"],)
    remediation: Mapping[str, Any] = finding.get("remediation") or {}
    subject = finding["subject"]
    steps = tuple(_generic(s, subject) for s in remediation.get("steps", []))
    return (finding["code"], _generic(str(remediation.get("summary", "")), subject), *steps)


def _for_many(text: str, subject: str, noun: str) -> str:
    return text.replace(subject, f"each {noun} listed") if subject else text


def _noun(subjects: Sequence[str]) -> str:
    ips = all(s.replace(".", "").isdigit() or ":" in s for s in subjects)
    return "sending IP" if ips else "name"


def _listing_title(members: Sequence[FindingDocument]) -> str:
    addresses = len({m["subject"] for m in members})
    lists = len({str(m["evidence"].get("list_name") or m["evidence"].get("zone")) for m in members})
    what = "domain" if members[0]["code"] == "BLACKLIST_DOMAIN_LISTED" else "address"
    kind = "policy list" if members[0]["code"] == "BLACKLIST_POLICY_LISTED" else "blocklist"
    return (
        f"{plural(addresses, what, what + 'es' if what == 'address' else None)} "
        f"listed on {plural(lists, kind)}"
    )


def _title(members: Sequence[FindingDocument]) -> str:
    first = members[0]
    if first["code"] in LISTING_CODES:
        return _listing_title(members)
    if len(members) == 1 or all(m["title"] == first["title"] for m in members):
        return client_text(first["title"])
    template = _generic(first["title"], first["subject"])
    subjects = [m["subject"] for m in members]
    if "{subject}" in template and all(
        _generic(m["title"], m["subject"]) == template for m in members
    ):
        return client_text(template.replace("{subject}", plural(len(members), _noun(subjects))))
    return client_text(first["title"]) + f" (and {len(members) - 1} similar)"


def excerpt(text: str, limit: int = MAX_DETAIL, pointer: bool = True) -> str:
    """At most `limit` characters, cut at a word, the rest pointed to (JSON, annex);
    without `pointer`, only marked "…" (the Other findings table says it once)."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return f"{cut} … (the full text is in the JSON result)" if pointer else f"{cut} …"


def _details(
    members: Sequence[FindingDocument], limit: int = MAX_DETAIL
) -> tuple[str, DataTable | None]:
    texts = [excerpt(client_text(m["detail"]), limit, limit == MAX_DETAIL) for m in members]
    if len(set(texts)) <= 1:
        return (texts[0] if texts else ""), None
    # The same sentence about each subject: say it once.
    generic = {_generic(m["detail"], m["subject"]) for m in members}
    if len(generic) == 1 and "{subject}" in next(iter(generic)):
        return f"{texts[0]} (likewise for the other {len(members) - 1})", None
    rows = tuple(
        (Cell(m["subject"], mono=True), Cell(shorten(text, 160)))
        for m, text in zip(members[:MAX_DETAIL_ROWS], texts, strict=False)
    )
    more = len(members) - len(rows)
    caption = f"First {len(rows)} of {len(members)}; all in the annex." if more else ""
    return "", DataTable(("Subject", "Detail"), rows, caption=caption, css_class="details")


def _listings(members: Sequence[FindingDocument]) -> DataTable:
    rows = tuple(listing_row(m) for m in members[:MAX_DETAIL_ROWS])
    more = len(members) - len(rows)
    caption = f"First {len(rows)} of {len(members)} listings; every one is in the playbooks."
    return DataTable(
        ("Listed", "List", "Category", "Return code"),
        rows,
        caption=caption if more else "",
        css_class="listings",
    )


def build_group(members: Sequence[FindingDocument], anchors: Sequence[str]) -> FindingGroup:
    first = members[0]
    many = len(members) > 1
    subjects = tuple(dict.fromkeys(m["subject"] for m in members))
    runs = address_runs(subjects)
    noun = _noun(subjects)
    remediation: Mapping[str, Any] = first.get("remediation") or {}
    entry = catalog().get(first["code"])
    listing = first["code"] in LISTING_CODES
    compact = _compact(first)
    limit = MAX_ROW_DETAIL if compact else MAX_DETAIL
    detail, details = _details(members, limit) if not listing else ("", None)

    def fix(text: str) -> str:
        return client_text(_for_many(text, first["subject"], noun) if many else text, False)

    return FindingGroup(
        anchor=anchors[0],
        anchors=tuple(anchors),
        code=first["code"],
        severity=min((m["severity"] for m in members), key=SEVERITY_RANK.__getitem__),
        check=first["check"],
        title=_title(members),
        count=len(members),
        severities=tuple(m["severity"] for m in members),
        subjects=subjects[:MAX_SUBJECTS],
        more_subjects=max(0, len(subjects) - MAX_SUBJECTS),
        subject_runs=runs[:MAX_SUBJECTS],
        more_runs=max(0, len(runs) - MAX_SUBJECTS),
        detail=detail,
        details=details,
        why=entry.why if entry else "",
        # A listing's removal route is in its operator's playbook.
        summary=LISTING_SUMMARY if listing else fix(str(remediation.get("summary", ""))),
        steps=() if listing else tuple(fix(s) for s in remediation.get("steps", [])),
        links=tuple(remediation.get("links", [])),
        evidence=evidence_view(first["evidence"]) if not many and not listing else EvidenceView(),
        listings=_listings(members) if listing else None,
        playbook_anchor=PLAYBOOKS_ANCHOR if listing else None,
        blocks_delisting=bool(entry and entry.blocks_delisting),
        compact=compact,
    )


def _compact(finding: FindingDocument) -> bool:
    """Medium and below, and symptoms, are one row each: the causes get the space."""
    step = actions().step_for(finding["code"])
    return finding["severity"] not in ("critical", "high") or bool(step and step.symptom)


def shown_finding(finding: FindingDocument) -> FindingDocument:
    """A message finding as the report names it: its file by the file name, in the subject
    and the texts that repeat it; the full path stays in the evidence, the annex and the
    JSON result (a lab path took a line of its own in every message finding)."""
    subject = finding["subject"]
    if finding["check"] != "message" or not re.search(r"[\\/]", subject):
        return finding
    name = re.split(r"[\\/]", subject.rstrip("\\/"))[-1] or subject

    def short(text: str) -> str:
        return text.replace(subject, name)

    shown: dict[str, Any] = {**finding, "subject": name}
    shown["title"], shown["detail"] = short(finding["title"]), short(finding["detail"])
    remediation = finding.get("remediation")
    if remediation:
        shown["remediation"] = {
            **remediation,
            "summary": short(remediation["summary"]),
            "steps": [short(step) for step in remediation["steps"]],
        }
    return cast("FindingDocument", shown)


def build_groups(findings: Sequence[FindingDocument]) -> tuple[FindingGroup, ...]:
    """Groups in the document's order (severity, then code), each at its first member."""
    members: dict[tuple[str, ...], list[tuple[str, FindingDocument]]] = {}
    for index, finding in enumerate(map(shown_finding, findings)):
        members.setdefault(group_key(finding), []).append((finding_anchor(index, finding), finding))
    groups = [
        build_group([f for _, f in pairs], [a for a, _ in pairs]) for pairs in members.values()
    ]
    return tuple(sorted(groups, key=lambda g: SEVERITY_RANK[g.severity]))


def grade(check: Mapping[str, Any], groups: Sequence[FindingGroup]) -> str:
    if groups:
        return GRADE_BY_SEVERITY[min((g.severity for g in groups), key=SEVERITY_RANK.__getitem__)]
    return {"pass": "A", "unknown": "?", "skipped": "–"}.get(str(check["status"]), "A")


def _severity_summary(groups: Sequence[FindingGroup]) -> str:
    counts: dict[str, int] = {}
    for group in groups:
        for severity in group.severities:
            counts[severity] = counts.get(severity, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: SEVERITY_RANK[item[0]])
    return ", ".join(f"{n} {severity}" for severity, n in ordered) or "no finding"


def build_areas(
    checks: Sequence[CheckDocument], groups: Sequence[FindingGroup]
) -> tuple[Area, ...]:
    areas = []
    for check in checks:
        own = tuple(g for g in groups if g.check == check["id"])
        areas.append(
            Area(
                check=check["id"],
                label=check_label(check["id"]),
                status=check["status"],
                grade=grade(check, own),
                summary=_severity_summary(own),
                detail=client_text(check["detail"]),
                groups=own,
            )
        )
    known = {check["id"] for check in checks}
    for check_id in dict.fromkeys(g.check for g in groups if g.check not in known):
        own = tuple(g for g in groups if g.check == check_id)
        areas.append(
            Area(
                check_id,
                check_label(check_id),
                "fail",
                grade({"status": "fail"}, own),
                _severity_summary(own),
                "",
                own,
            )
        )
    return tuple(areas)
