"""The blacklist check: every sending IP and the domain against the DNSBL catalog.

Evidence first (one concurrent wave of lookups: each (target, list) A+TXT, each list's
RFC 5782 test points, one NXDOMAIN-rewrite probe; collect.py, which stops before the
deadline and keeps what was answered), then pure judgement: classify each answer
(checks/blacklist/classify.py), discount it by the list's health (health.py), and turn
verdicts into findings and unknowns (judge.py). Unknown is never clean: a pair not
answered before the deadline is unknown(deadline).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.knowledge.dnsbl.catalog import Catalog, shipped_catalog
from audit.knowledge.dnsbl.selection import KEY_PLACEHOLDER, SelectedList, Selection, select_lists
from audit.model import CheckId, CheckResult, Target, Unknown, UnknownReason
from audit.net.dns import Lookup, LookupStatus
from checks.blacklist.classify import State, Verdict, classify
from checks.blacklist.collect import Collected, collect, list_health, stop_at
from checks.blacklist.health import ListHealth, apply_health
from checks.blacklist.judge import FINDING_CODES, PairVerdict, findings_for, unknowns_for
from checks.blacklist.options import BlacklistOptions
from checks.blacklist.query import DnsblTarget, pairs_for, parse_target

# The evidence types are TypedDicts, for type checking alone (the evidence is plain dicts).
if TYPE_CHECKING:
    from checks.blacklist.evidence import (
        BlacklistEvidenceDocument,
        BlacklistListEvidence,
        BlacklistResultEvidence,
    )

__all__ = ["BlacklistCheck", "list_health", "targets_of"]

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]  # (pairs done, pairs total)


def targets_of(target: Target) -> list[DnsblTarget]:
    """Sending IPs, the audited domain, and extra domains (`blacklist` command)."""
    texts = [sending.ip for sending in target.ips]
    if target.domain:
        texts.append(target.domain)
    texts.extend(str(d) for d in target.extra.get("domains", ()))
    return [parse_target(text) for text in dict.fromkeys(texts)]


def _probe_zone(lists: Sequence[SelectedList]) -> str | None:
    plain = [s for s in lists if not s.via_dqs and not s.entry.custom]
    chosen = plain or list(lists)
    return chosen[0].query_zone if chosen else None


def _rewrites(probe: Lookup | None) -> bool | None:
    """True when a name that cannot exist got an address outside 127.0.0.0/8."""
    if probe is None or probe.status is LookupStatus.UNKNOWN:
        return None
    if probe.status is not LookupStatus.ANSWER:
        return False
    return any(_outside_loopback(record) for record in probe.records)


def _outside_loopback(record: str) -> bool:
    try:
        return ipaddress.ip_address(record) not in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return True


class BlacklistCheck:
    """`BlacklistCheck(catalog=None, progress=None)`; `await check.run(ctx)`."""

    id: ClassVar[CheckId] = CheckId.BLACKLIST
    finding_codes: ClassVar[frozenset[str]] = FINDING_CODES

    def __init__(self, catalog: Catalog | None = None, progress: ProgressFn | None = None) -> None:
        self.catalog = catalog
        self.progress = progress

    def select(self, ctx: AuditContext) -> Selection:
        options = ctx.options_for(BlacklistOptions)
        return select_lists(
            self.catalog or shipped_catalog(),
            options.lists,
            options.custom_dnsbls,
            options.spamhaus_dqs_key,
        )

    uses_dns: ClassVar[bool] = True

    warm_imports: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[Fact[Any], ...]] = ()
    needs: ClassVar[tuple[Fact[Any], ...]] = ()

    async def run(self, ctx: AuditContext) -> CheckResult:
        started = time.perf_counter()
        selection = self.select(ctx)
        for secret in selection.secrets:
            ctx.dns.redact(secret, KEY_PLACEHOLDER)
        targets = targets_of(ctx.target)
        pairs = pairs_for(targets, selection.lists)
        if not pairs:
            return self._nothing_to_check(targets, selection)
        used = [s for s in selection.lists if any(p[1] is s for p in pairs)]
        ends_at = ctx.check_ends_at(started)
        stop = stop_at(ends_at, len(pairs), ctx.run.report_seconds_per_result)
        tick = self._ticker(pairs)
        collected = await collect(ctx.dns, pairs, used, _probe_zone(used), stop, tick)
        public = ctx.dns.info.public
        verdicts = [
            PairVerdict(target, selected, _verdict(collected, index, selected, public))
            for index, (target, selected) in enumerate(pairs)
        ]
        result = self._result(
            ctx, selection, used, collected.healths, verdicts, _rewrites(collected.probe)
        )
        return _with_deadline_note(result, collected, time.perf_counter() - started)

    def _ticker(self, pairs: list[tuple[DnsblTarget, SelectedList]]) -> Callable[[], None]:
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if self.progress is not None:
                self.progress(done, len(pairs))

        return tick

    def _nothing_to_check(self, targets: list[DnsblTarget], selection: Selection) -> CheckResult:
        what = (
            "no sending IP or domain to check"
            if not targets
            else "no selected list serves these targets"
        )
        evidence: BlacklistEvidenceDocument = {
            "counts": {"targets": len(targets), "lists": len(selection.lists)}
        }
        unknown = Unknown("blacklist", UnknownReason.DEPENDENCY, what)
        return CheckResult(CheckId.BLACKLIST, evidence=evidence, unknowns=(unknown,), detail=what)

    def _result(
        self,
        ctx: AuditContext,
        selection: Selection,
        used: list[SelectedList],
        healths: dict[str, ListHealth],
        verdicts: list[PairVerdict],
        rewrites: bool | None,
    ) -> CheckResult:
        findings = findings_for(verdicts, selection.redact)
        unknowns = [
            Unknown(u.subject, u.reason, selection.redact(u.detail)) for u in unknowns_for(verdicts)
        ]
        if rewrites:
            unknowns.append(
                Unknown(
                    "resolver",
                    UnknownReason.RESOLVER_REWRITES,
                    "the resolver answers names that do not exist with an address (NXDOMAIN "
                    "rewriting): use your own recursive resolver",
                )
            )
        counts = {state.value: sum(v.verdict.state is state for v in verdicts) for state in State}
        evidence = build_evidence(ctx, selection, used, healths, verdicts, rewrites, counts)
        detail = (
            f"{evidence['counts']['targets']} target(s) against {len(used)} list(s): "
            f"{counts['listed']} listed, {counts['clean']} clean, {counts['unknown']} unknown"
        )
        return CheckResult(
            CheckId.BLACKLIST,
            evidence=evidence,
            findings=tuple(findings),
            unknowns=tuple(sorted(unknowns, key=Unknown.sort_key)),
            detail=detail,
        )


def _verdict(collected: Collected, index: int, selected: SelectedList, public: bool) -> Verdict:
    lookups = collected.lookups[index]
    if lookups is None:
        return Verdict(
            State.UNKNOWN,
            reason=UnknownReason.DEADLINE,
            detail="not answered before the run's deadline",
        )
    verdict = classify(selected.entry, lookups.a, lookups.txt)
    return apply_health(verdict, collected.healths[selected.entry.id], selected, public)


def _with_deadline_note(result: CheckResult, collected: Collected, elapsed: float) -> CheckResult:
    """Say how much of the run the deadline cut off (the pairs are unknown(deadline))."""
    missing = collected.unanswered
    if not missing:
        return result
    total = len(collected.lookups)
    note = (
        f"stopped at the deadline after {elapsed:.1f}s: {total - missing} of {total} "
        f"(target, list) lookups answered and judged, {missing} unknown"
    )
    unknown = Unknown("blacklist", UnknownReason.DEADLINE, note)
    unknowns = tuple(sorted((*result.unknowns, unknown), key=Unknown.sort_key))
    return dataclasses.replace(result, unknowns=unknowns, detail=f"{result.detail}; {note}")


def _result_row(pair: PairVerdict, selection: Selection) -> BlacklistResultEvidence:
    verdict = pair.verdict
    row: BlacklistResultEvidence = {
        "target": pair.target.text,
        "list": pair.selected.entry.id,
        "zone": pair.selected.display_zone,
        "state": verdict.state.value,
        "codes": list(verdict.codes),
    }
    if verdict.meanings:
        row["meanings"] = [m.meaning for m in verdict.meanings]
        row["category"] = verdict.category.value if verdict.category else None
    if verdict.allowlisted:
        row["allowlisted"] = [m.meaning for m in verdict.allowlisted]
    if verdict.txt:
        row["txt"] = [selection.redact(t) for t in verdict.txt]
    if verdict.reason is not None:
        row["reason"] = verdict.reason.value
        row["detail"] = selection.redact(verdict.detail)
    return row


def _list_row(selected: SelectedList, health: ListHealth) -> BlacklistListEvidence:
    entry = selected.entry
    return {
        "id": entry.id,
        "name": entry.name,
        "zone": selected.display_zone,
        "targets": sorted(kind.value for kind in entry.targets),
        "impact": entry.impact.value,
        "status": entry.status.value,
        "via_dqs": selected.via_dqs,
        "custom": entry.custom,
        "health": health.health.value,
        "health_detail": health.detail,
    }


def build_evidence(
    ctx: AuditContext,
    selection: Selection,
    used: list[SelectedList],
    healths: dict[str, ListHealth],
    verdicts: list[PairVerdict],
    rewrites: bool | None,
    counts: dict[str, int],
) -> BlacklistEvidenceDocument:
    info = ctx.dns.info
    lists = ctx.options_for(BlacklistOptions).lists
    warnings = []
    if info.public and any(s.refused_by_public_resolvers for s in used):
        names = ", ".join(info.public_names)
        warnings.append(
            f"the resolver is public ({names}): Spamhaus and other lists refuse such queries; "
            "use your own recursive resolver or --spamhaus-dqs-key"
        )
    return {
        "selection": lists if lists in ("default", "all") else "file",
        "resolver": {
            "nameservers": list(info.nameservers),
            "public": info.public,
            "nxdomain_rewrite": rewrites,
            "warnings": warnings,
        },
        "lists": [_list_row(s, healths[s.entry.id]) for s in used],
        "skipped_lists": [
            {"zone": s.zone, "list": s.list_id, "reason": s.reason} for s in selection.skipped
        ],
        "results": [_result_row(v, selection) for v in verdicts],
        "counts": {
            "targets": len({v.target.text for v in verdicts}),
            "lists": len(used),
            "listed": counts["listed"],
            "clean": counts["clean"],
            "unknown": counts["unknown"],
        },
    }
