"""The `dkim` check: find the domain's DKIM keys and judge them.

Selectors come from `--selector` plus a curated list of common and provider defaults
(checks/dkim/selectors.toml), all probed concurrently at
`<selector>._domainkey.<domain>` (RFC 6376 §3.6.2.1). CNAME delegation (Microsoft 365,
SES, SendGrid, ...) is followed. Each key is parsed by `checks.dkim.key`; `judge_dkim`
is pure. The keys found are a fact of the run (`DKIM_KEYS`), which the dmarc check reads.
"""

from __future__ import annotations

import asyncio
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar, cast

from audit.engine.context import AuditContext, Fact
from audit.knowledge.remediation.examples import with_example, with_steps
from audit.model import (
    CheckId,
    CheckResult,
    Finding,
    Remediation,
    Severity,
    Unknown,
    UnknownReason,
)
from audit.model.document import LookupStatusLabel
from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.dkim.evidence import (
    FINDING_EVIDENCE,
    DkimEvidenceDocument,
    DkimNotFoundEvidence,
    DkimProbeEvidence,
    DkimRevokedEvidence,
)
from checks.dkim.key import DkimKey, KeyState, analyse_key, is_key_record
from checks.dkim.options import DkimOptions

# A selector no one uses: a key record there means `*._domainkey` is a wildcard, and every
# probed selector would "find" that same record (RFC 4592 synthesis).
WILDCARD_PROBE_SELECTOR = "mailhygiene-wildcard-probe"
MIN_RSA_BITS = 1024  # RFC 8301 §3.2: verifiers MUST NOT accept shorter keys
RECOMMENDED_RSA_BITS = 2048  # RFC 8301 §3.2: signers SHOULD use at least 2048


@functools.cache
def curated_selectors() -> tuple[str, ...]:
    """The discovery list, de-duplicated, in file order. Loaded once, immutable."""
    path = resources.files(__package__) / "selectors.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    ordered: dict[str, None] = {}
    for group in data["group"]:
        for selector in group["selectors"]:
            ordered.setdefault(str(selector).lower(), None)
    return tuple(ordered)


@dataclass(frozen=True)
class SelectorProbe:
    selector: str
    name: str  # <selector>._domainkey.<domain>
    lookup: Lookup
    key: DkimKey | None = None  # None: no key record at this name
    delegated_to: str | None = None  # CNAME target, when delegated
    given: bool = False  # named with --selector

    def to_evidence(self) -> DkimProbeEvidence:
        evidence: DkimProbeEvidence = {
            "selector": self.selector,
            "name": self.name,
            "status": cast(LookupStatusLabel, self.lookup.status.value),
            "given": self.given,
        }
        if self.delegated_to:
            evidence["delegated_to"] = self.delegated_to
        if self.key is not None:
            evidence["key"] = self.key.to_evidence()
        if self.lookup.reason is not None:
            evidence["reason"] = self.lookup.reason.value
        return evidence


@dataclass(frozen=True)
class DkimEvidence:
    domain: str
    probes: tuple[SelectorProbe, ...]
    wildcard: SelectorProbe | None = None  # the probe of a selector no one uses

    @property
    def wildcard_record(self) -> str | None:
        if self.wildcard is None or self.wildcard.key is None:
            return None
        return self.wildcard.key.record

    @property
    def found(self) -> tuple[SelectorProbe, ...]:
        """Keys at real selectors; a wildcard's record counts once, as selector `*`."""
        wildcard = self.wildcard_record
        real = tuple(
            probe
            for probe in self.probes
            if probe.key is not None and (wildcard is None or probe.key.record != wildcard)
        )
        if wildcard is not None and self.wildcard is not None:
            star = f"*._domainkey.{self.domain}"
            return (*real, SelectorProbe("*", star, self.wildcard.lookup, self.wildcard.key))
        return real

    @property
    def usable(self) -> tuple[SelectorProbe, ...]:
        """Keys a verifier would accept: valid, long enough, not sha1-only."""
        return tuple(p for p in self.found if p.key is not None and is_usable(p.key))

    def to_evidence(self) -> DkimEvidenceDocument:
        return {
            "domain": self.domain,
            "selectors_tried": [probe.selector for probe in self.probes],
            "wildcard": self.wildcard_record is not None,
            "found": [probe.to_evidence() for probe in self.found],
            "unknown": [
                probe.to_evidence()
                for probe in self.probes
                if probe.lookup.status is LookupStatus.UNKNOWN
            ],
        }


def is_usable(key: DkimKey) -> bool:
    """A key an RFC 6376/8301 verifier would use for a sha256 email signature."""
    if key.state is not KeyState.VALID or not key.accepts_sha256 or not key.for_email:
        return False
    return key.key_type != "rsa" or (key.bits or 0) >= MIN_RSA_BITS


# -- evidence ---------------------------------------------------------------------------


async def probe_selector(dns: DnsClient, domain: str, selector: str, given: bool) -> SelectorProbe:
    name = f"{selector}._domainkey.{domain}"
    lookup = await dns.query(name, "TXT")
    delegated = lookup.canonical_name.rstrip(".") if lookup.canonical_name else None
    if lookup.status is LookupStatus.NODATA and delegated:
        # an authoritative-only server returns the CNAME without the target's data
        lookup = await dns.query(delegated, "TXT")
    keys = [record for record in lookup.records if is_key_record(record)]
    key = analyse_key(keys[0]) if len(keys) == 1 else None
    if len(keys) > 1:  # RFC 6376 §3.6.2.2: several keys at one name are ambiguous
        key = DkimKey(
            " | ".join(keys), KeyState.MALFORMED, problem=f"{len(keys)} key records at one selector"
        )
    return SelectorProbe(selector, name, lookup, key, delegated, given)


async def discover_keys(dns: DnsClient, domain: str, given: tuple[str, ...] = ()) -> DkimEvidence:
    selectors = dict.fromkeys(s.strip().lower() for s in given if s.strip())
    wanted = list(selectors) + [s for s in curated_selectors() if s not in selectors]
    wildcard, *probes = await asyncio.gather(
        probe_selector(dns, domain, WILDCARD_PROBE_SELECTOR, False),
        *(probe_selector(dns, domain, selector, selector in selectors) for selector in wanted),
    )
    return DkimEvidence(domain, tuple(probes), wildcard)


async def _keys_of_run(ctx: AuditContext) -> DkimEvidence:
    domain = ctx.domain
    if domain is None:  # callers skip a run without a domain before asking
        raise ValueError("DKIM keys need a domain")
    return await discover_keys(ctx.dns, domain, ctx.options_for(DkimOptions).selectors)


# The keys published for the audited domain, probed with this run's --selector values.
DKIM_KEYS: Fact[DkimEvidence] = Fact("dkim.keys", _keys_of_run)


# -- judgement --------------------------------------------------------------------------


def _finding(
    code: str,
    severity: Severity,
    subject: str,
    title: str,
    detail: str,
    evidence: DkimProbeEvidence | DkimNotFoundEvidence | DkimRevokedEvidence,
    remediation: Remediation | None = None,
) -> Finding:
    return Finding(CheckId.DKIM, code, severity, subject, title, detail, evidence, remediation)


def judge_key(probe: SelectorProbe) -> list[Finding]:
    key = probe.key
    if key is None:
        return []
    subject, evidence = probe.name, probe.to_evidence()
    if key.state is KeyState.REVOKED:
        return [
            _finding(
                "DKIM_KEY_REVOKED",
                Severity.INFO,
                subject,
                "Revoked DKIM key",
                "empty p=: the key is revoked (RFC 6376 §3.6.1)",
                evidence,
            )
        ]
    if key.state is KeyState.MALFORMED:
        return [
            _finding(
                "DKIM_KEY_MALFORMED",
                Severity.HIGH,
                subject,
                "Malformed DKIM key",
                key.problem,
                evidence,
            )
        ]
    findings = []
    if key.key_type == "rsa" and key.bits is not None and key.bits < MIN_RSA_BITS:
        findings.append(
            _finding(
                "DKIM_KEY_TOO_SHORT",
                Severity.HIGH,
                subject,
                "DKIM key too short",
                f"{key.bits}-bit RSA (RFC 8301 §3.2)",
                evidence,
                _rotate(subject, "DKIM_KEY_TOO_SHORT", probe),
            )
        )
    elif key.key_type == "rsa" and key.bits is not None and key.bits < RECOMMENDED_RSA_BITS:
        findings.append(
            _finding(
                "DKIM_KEY_1024",
                Severity.LOW,
                subject,
                "DKIM key shorter than 2048 bits",
                f"{key.bits}-bit RSA (RFC 8301 §3.2)",
                evidence,
                _rotate(subject, "DKIM_KEY_1024", probe),
            )
        )
    if key.testing:
        findings.append(
            _finding(
                "DKIM_TESTING_MODE",
                Severity.LOW,
                subject,
                "DKIM testing mode",
                "t=y: verifiers may treat signatures as unsigned (RFC 6376 §3.6.1)",
                evidence,
            )
        )
    if key.sha1_only:
        findings.append(
            _finding(
                "DKIM_SHA1_ONLY",
                Severity.HIGH,
                subject,
                "DKIM key allows SHA-1 only",
                f"h={':'.join(key.hash_algorithms)}: of the algorithms verifiers implement "
                "only SHA-1, which they reject (RFC 8301 §3.1)",
                evidence,
            )
        )
    elif key.no_known_hash:
        findings.append(
            _finding(
                "DKIM_KEY_NO_USABLE_HASH",
                Severity.HIGH,
                subject,
                "DKIM key allows no usable hash algorithm",
                f"h={':'.join(key.hash_algorithms)}: neither sha256 nor sha1, so no signature "
                "verifies with this key (RFC 6376 §3.6.1, §6.1.2 step 6)",
                evidence,
            )
        )
    if not key.for_email:
        findings.append(
            _finding(
                "DKIM_KEY_NOT_FOR_EMAIL",
                Severity.MEDIUM,
                subject,
                "DKIM key is not for email",
                f"s={':'.join(key.services)}: neither email nor *, so verifiers MUST ignore "
                "this key for email (RFC 6376 §3.6.1)",
                evidence,
            )
        )
    return findings


def _rotate(subject: str, code: str, probe: SelectorProbe) -> Remediation:
    example = (
        f"{probe.selector}2048._domainkey.{subject.split('._domainkey.', 1)[1]}. TXT "
        '"v=DKIM1; k=rsa; p=<2048-bit public key, base64>"'
    )
    return with_example(code, subject, example, "Publish a new selector")


def judge_dkim(evidence: DkimEvidence) -> tuple[list[Finding], list[Unknown]]:
    findings = [finding for probe in evidence.found for finding in judge_key(probe)]
    unknowns = _unknowns(evidence)
    if not evidence.found and not unknowns:
        findings.append(_not_found(evidence))
    revoked = [p for p in evidence.found if p.key and p.key.state is KeyState.REVOKED]
    if revoked and len(revoked) == len(evidence.found):
        findings.append(_only_revoked(evidence, revoked))
    return findings, unknowns


def _only_revoked(evidence: DkimEvidence, revoked: list[SelectorProbe]) -> Finding:
    """Revoking an old selector is routine (info); revoked keys and nothing else
    mean no signature of the domain verifies (RFC 6376 §3.6.1, §6.1.2)."""
    names = [probe.name for probe in revoked]
    return _finding(
        "DKIM_ONLY_REVOKED_KEYS",
        Severity.MEDIUM,
        evidence.domain,
        "Only revoked DKIM keys found",
        f"every key found is revoked (empty p=): {', '.join(names)}; if the domain signs "
        "with another selector, pass it with --selector SELECTOR",
        DkimRevokedEvidence(revoked=names),
    )


def _unknowns(evidence: DkimEvidence) -> list[Unknown]:
    """Every failed probe is undetermined, also when a key was found under another
    selector (a key found elsewhere does not tell what the failed names hold). Probes the
    user named are listed one by one; discovery probes are grouped by reason: one
    unknown, not one per common selector."""
    failed = [p for p in evidence.probes if p.lookup.status is LookupStatus.UNKNOWN]
    unknowns = [
        Unknown(
            probe.name,
            probe.lookup.reason or UnknownReason.INTERNAL,
            f"DKIM selector lookup failed: {probe.lookup.detail}",
        )
        for probe in failed
        if probe.given
    ]
    by_reason: dict[UnknownReason, list[SelectorProbe]] = {}
    for probe in failed:
        if not probe.given:
            by_reason.setdefault(probe.lookup.reason or UnknownReason.INTERNAL, []).append(probe)
    for reason, probes in by_reason.items():
        names = ", ".join(p.selector for p in probes[:10])
        more = f" and {len(probes) - 10} more" if len(probes) > 10 else ""
        unknowns.append(
            Unknown(
                f"DKIM selectors of {evidence.domain}",
                reason,
                f"{len(probes)} of {len(evidence.probes)} probed selectors could not be looked "
                f"up ({probes[0].lookup.detail}): {names}{more}",
            )
        )
    return unknowns


def _not_found(evidence: DkimEvidence) -> Finding:
    tried = [probe.selector for probe in evidence.probes]
    return _finding(
        "DKIM_NOT_FOUND",
        Severity.MEDIUM,
        evidence.domain,
        "No DKIM key found",
        f"no key at any of {len(tried)} selectors probed ({', '.join(tried)}); if the domain "
        "signs with another selector, pass it with --selector SELECTOR (it is the s= tag of "
        "the DKIM-Signature header of a message you sent)",
        DkimNotFoundEvidence(selectors_tried=tried),
        with_steps(
            "DKIM_NOT_FOUND",
            evidence.domain,
            f"Selectors probed: {', '.join(tried)}. Re-run with --selector S if yours differs.",
        ),
    )


class DkimCheck:
    id: ClassVar[CheckId] = CheckId.DKIM
    finding_codes: ClassVar[frozenset[str]] = frozenset(FINDING_EVIDENCE)

    uses_dns: ClassVar[bool] = True

    warm_imports: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[Fact[Any], ...]] = (DKIM_KEYS,)
    needs: ClassVar[tuple[Fact[Any], ...]] = ()

    async def run(self, ctx: AuditContext) -> CheckResult:
        domain = ctx.domain
        if not domain:
            return CheckResult(self.id, skipped=True, detail="no domain to check")
        evidence = await ctx.fact(DKIM_KEYS)
        findings, unknowns = judge_dkim(evidence)
        found = ", ".join(probe.selector for probe in evidence.found) or "none"
        return CheckResult(
            self.id,
            evidence=evidence.to_evidence(),
            findings=tuple(findings),
            unknowns=tuple(unknowns),
            detail=f"DKIM keys for {domain}: {found} ({len(evidence.probes)} selectors probed)",
        )
