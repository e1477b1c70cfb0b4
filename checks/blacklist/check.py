"""The blacklist check: every sending IP and the domain against the DNSBL catalog.

Evidence first (one concurrent wave of lookups: each (target, list) A+TXT, each list's
RFC 5782 test points, one NXDOMAIN-rewrite probe), then pure judgement: classify each
answer (checks/blacklist/classify.py), discount it by the list's health (health.py), and
turn verdicts into findings and unknowns (judge.py). Unknown is never clean.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.knowledge.dnsbl.catalog import Catalog, shipped_catalog
from audit.knowledge.dnsbl.selection import KEY_PLACEHOLDER, SelectedList, Selection, select_lists
from audit.model import CheckId, CheckResult, Target, Unknown, UnknownReason
from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.blacklist.classify import State, classify
from checks.blacklist.evidence import (
    BlacklistEvidenceDocument,
    BlacklistListEvidence,
    BlacklistResultEvidence,
)
from checks.blacklist.health import ListHealth, apply_health, judge_health
from checks.blacklist.judge import FINDING_CODES, PairVerdict, findings_for, unknowns_for
from checks.blacklist.options import BlacklistOptions
from checks.blacklist.query import (
    DnsblTarget,
    lookup_all,
    nxdomain_probe_name,
    pairs_for,
    parse_target,
    test_point_name,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]  # (pairs done, pairs total)


def targets_of(target: Target) -> list[DnsblTarget]:
    """Sending IPs, the audited domain, and extra domains (`blacklist` command)."""
    texts = [sending.ip for sending in target.ips]
    if target.domain:
        texts.append(target.domain)
    texts.extend(str(d) for d in target.extra.get("domains", ()))
    return [parse_target(text) for text in dict.fromkeys(texts)]


async def list_health(dns: DnsClient, selected: SelectedList) -> ListHealth:
    """Ask the list's RFC 5782 test points and judge its health."""
    entry = selected.entry
    names = [test_point_name(p, selected) for p in (*entry.test_listed, *entry.test_unlisted)]
    lookups = await asyncio.gather(*(dns.query(name, "A") for name in names))
    split = len(entry.test_listed)
    return judge_health(selected, lookups[:split], lookups[split:])


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
        selection = self.select(ctx)
        for secret in selection.secrets:
            ctx.dns.redact(secret, KEY_PLACEHOLDER)
        targets = targets_of(ctx.target)
        pairs = pairs_for(targets, selection.lists)
        if not pairs:
            return self._nothing_to_check(targets, selection)
        used = [s for s in selection.lists if any(p[1] is s for p in pairs)]
        healths, looked_up, probe = await self._collect(ctx.dns, pairs, used)
        public = ctx.dns.info.public
        verdicts = [
            PairVerdict(
                lookups.target,
                lookups.selected,
                apply_health(
                    classify(lookups.selected.entry, lookups.a, lookups.txt),
                    healths[lookups.selected.entry.id],
                    lookups.selected,
                    public,
                ),
            )
            for lookups in looked_up
        ]
        return self._result(ctx, selection, used, healths, verdicts, _rewrites(probe))

    async def _collect(
        self,
        dns: DnsClient,
        pairs: list[tuple[DnsblTarget, SelectedList]],
        used: list[SelectedList],
    ) -> tuple[dict[str, ListHealth], list[Any], Lookup | None]:
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if self.progress is not None:
                self.progress(done, len(pairs))

        probe_zone = _probe_zone(used)
        probe = dns.query(nxdomain_probe_name(probe_zone), "A") if probe_zone else asyncio.sleep(0)
        health_list, looked_up, probe_lookup = await asyncio.gather(
            asyncio.gather(*(list_health(dns, s) for s in used)),
            lookup_all(dns, pairs, tick),
            probe,
        )
        healths = {s.entry.id: h for s, h in zip(used, health_list, strict=True)}
        return healths, looked_up, probe_lookup

    def _nothing_to_check(self, targets: list[DnsblTarget], selection: Selection) -> CheckResult:
        what = (
            "no sending IP or domain to check"
            if not targets
            else "no selected list serves these targets"
        )
        evidence = BlacklistEvidenceDocument(
            counts={"targets": len(targets), "lists": len(selection.lists)}
        )
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
