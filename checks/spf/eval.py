"""RFC 7208 `check_host()`: is this IP allowed to send for this domain?

Asynchronous, on the shared `DnsClient`. Terms are evaluated strictly in order (§4.6.2,
§5) so the limits of §4.6.4 count exactly what a receiver counts; speed comes from
`checks.spf.tree.build_tree`, which walks the record tree concurrently and issues
every lookup whose name does not depend on the client, so the in-order evaluation
then reads answers from the per-run cache. MX and PTR address lookups run
concurrently (§4.6.4 bounds them to 10 names each; order does not change the outcome).

The evaluator walks records, includes and redirects; `checks.spf.mechanisms` matches
the other mechanisms, `checks.spf.state` counts the limits, `explain` (below) builds
the explanation of a fail (§6.2) and `checks.spf.result` holds what comes out.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass

from audit.model import UnknownReason
from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.spf.macro import MacroValues, expand, uses_validated_name
from checks.spf.mechanisms import MechanismMatcher
from checks.spf.record import (
    EXPLANATION_MACRO_LETTERS,
    Mechanism,
    SpfRecord,
    SpfSyntaxError,
    check_macro_string,
    is_spf_record,
    parse_record,
)
from checks.spf.result import QUALIFIER_RESULT, SpfOutcome, SpfResult
from checks.spf.state import (
    EvalState,
    IpAddress,
    PermError,
    TempError,
    is_valid_domain,
)


@dataclass(frozen=True)
class _Verdict:
    result: SpfResult
    term: str | None = None
    domain: str | None = None
    explanation: str | None = None
    detail: str = ""
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Match:
    """Where a mechanism matched: its own record, or deeper inside an include."""

    path: tuple[str, ...]
    domain: str


def normalize_ip(ip: str) -> IpAddress:
    """IPv4-mapped IPv6 addresses are evaluated as the IPv4 address they carry."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def sender_for(mail_from: str, helo: str) -> tuple[str, str]:
    """(sender, domain) for check_host (§2.4, §4.3): HELO identity when MAIL FROM is
    empty; a missing local-part is "postmaster"."""
    if not mail_from:
        return f"postmaster@{helo}", helo
    local, at, domain = mail_from.rpartition("@")
    if not at:
        return f"postmaster@{mail_from}", mail_from
    return f"{local or 'postmaster'}@{domain}", domain


def _record_from(lookup: Lookup, parse: Callable[[str], SpfRecord]) -> SpfRecord | None:
    """§4.4-4.5: select the one v=spf1 record. Raises PermError / TempError."""
    if lookup.status is LookupStatus.UNKNOWN:
        raise TempError(f"TXT {lookup.name}: {lookup.detail or lookup.reason}", lookup.reason)
    candidates = [text for text in lookup.records if is_spf_record(text)]
    if len(candidates) > 1:
        raise PermError(f"{lookup.name} publishes {len(candidates)} SPF records (§4.5)")
    if not candidates:
        return None
    try:
        return parse(candidates[0])
    except SpfSyntaxError as exc:
        raise PermError(f"{lookup.name}: {exc}") from None


class SpfEvaluator:
    """check_host() over one `DnsClient` (its cache makes repeated evaluations cheap)."""

    def __init__(self, dns: DnsClient) -> None:
        self.dns = dns
        self.matcher = MechanismMatcher(dns)
        self._parsed: dict[str, SpfRecord | SpfSyntaxError] = {}

    def _parse(self, text: str) -> SpfRecord:
        """Each record text is parsed once per evaluator, however many IPs it evaluates."""
        parsed = self._parsed.get(text)
        if parsed is None:
            try:
                parsed = parse_record(text)
            except SpfSyntaxError as exc:
                parsed = exc
            self._parsed[text] = parsed
        if isinstance(parsed, SpfSyntaxError):
            raise SpfSyntaxError(str(parsed))
        return parsed

    async def check_host(
        self, ip: str, domain: str, sender: str | None = None, helo: str = ""
    ) -> SpfOutcome:
        domain = domain[:-1] if domain.endswith(".") else domain
        state = EvalState(
            normalize_ip(ip), sender or f"postmaster@{domain}", helo, int(time.time())
        )
        try:
            verdict = await self._evaluate(state, domain)
        except PermError as exc:
            verdict = _Verdict(SpfResult.PERMERROR, detail=str(exc))
        except TempError as exc:
            return self._outcome(
                ip, domain, state, _Verdict(SpfResult.TEMPERROR, detail=str(exc)), exc.reason
            )
        return self._outcome(ip, domain, state, verdict, None)

    @staticmethod
    def _outcome(
        ip: str, domain: str, state: EvalState, verdict: _Verdict, reason: UnknownReason | None
    ) -> SpfOutcome:
        return SpfOutcome(
            ip=ip,
            domain=domain,
            result=verdict.result,
            matched_term=verdict.term,
            matched_in=verdict.domain,
            matched_path=verdict.path,
            explanation=verdict.explanation,
            detail=verdict.detail,
            unknown_reason=reason,
            dns_lookups=state.dns_terms,
            void_lookups=state.void_lookups,
        )

    # -- §4: check_host() on one domain --------------------------------------------

    async def _evaluate(self, state: EvalState, domain: str) -> _Verdict:
        if not is_valid_domain(domain):
            return _Verdict(SpfResult.NONE, detail=f"{domain!r} is not a valid domain (§4.3)")
        record = _record_from(await self.dns.query(domain, "TXT"), self._parse)
        if record is None:
            return _Verdict(SpfResult.NONE, detail=f"{domain} publishes no SPF record")
        for mechanism in record.mechanisms:
            match = await self._matches(state, mechanism, domain)
            if match is not None:
                result = QUALIFIER_RESULT[mechanism.qualifier]
                explanation = None
                if result is SpfResult.FAIL and record.explanation is not None:
                    explanation = await explain(self.matcher, state, record.explanation, domain)
                return _Verdict(result, mechanism.text, match.domain, explanation, path=match.path)
        if record.redirect is not None and record.all_mechanism is None:
            return await self._redirect(state, record.redirect, domain)
        return _Verdict(SpfResult.NEUTRAL, detail="no mechanism matched (§4.7)", domain=domain)

    async def _redirect(self, state: EvalState, spec: str, domain: str) -> _Verdict:
        """§6.1: the result is the redirect target's; "none" there is a permerror."""
        state.count_term(f"redirect={spec}")
        target = await self.matcher.target(state, spec, domain)
        verdict = await self._evaluate(state, target)
        if verdict.result is SpfResult.NONE:
            raise PermError(f"redirect target {target} has no SPF record (§6.1)")
        return verdict

    # -- §5: mechanisms ----------------------------------------------------------

    async def _matches(self, state: EvalState, mechanism: Mechanism, domain: str) -> _Match | None:
        if mechanism.kind == "include":
            state.count_term(mechanism.text)
            target = await self.matcher.target(state, mechanism.domain_spec, domain)
            inner = await self._include(state, target)
            if inner is None:
                return None
            return _Match((mechanism.text, *inner.path), inner.domain or target)
        own = await self.matcher.matches_here(state, mechanism, domain)
        return _Match((mechanism.text,), domain) if own else None

    async def _include(self, state: EvalState, target: str) -> _Verdict | None:
        """§5.2: pass matches; fail/softfail/neutral do not; none is a permerror."""
        verdict = await self._evaluate(state, target)
        if verdict.result is SpfResult.NONE:
            raise PermError(f"include:{target} has no SPF record (§5.2)")
        return verdict if verdict.result is SpfResult.PASS else None


# -- the explanation of a fail: the exp= modifier (RFC 7208 §6.2) ------------------------
# A fail whose record carries exp= gets the TXT record at the expanded domain-spec, itself
# macro-expanded (§7, with the explanation-only letters c, r and t). Any problem on the way
# means "no explanation", never an error: the result stays fail.


async def explain(
    matcher: MechanismMatcher, state: EvalState, spec: str, domain: str
) -> str | None:
    """Any problem with exp= means "no explanation" (§6.2), never an error."""
    try:
        target = await matcher.target(state, spec, domain)
    except (PermError, TempError):
        return None
    if not is_valid_domain(target):
        return None
    lookup = await matcher.dns.query(target, "TXT")
    if not lookup.exists or len(lookup.records) != 1:
        return None
    text = lookup.records[0]
    try:
        if not text.isascii():
            raise SpfSyntaxError("non-ASCII explanation")
        check_macro_string(text, EXPLANATION_MACRO_LETTERS, allow_space=True)
    except SpfSyntaxError:
        return None
    validated = "unknown"
    if uses_validated_name(text):
        validated = await matcher.validated_name(state, domain)
    values = MacroValues(
        state.ip, state.sender, domain, state.helo, validated, timestamp=state.timestamp
    )
    return expand(text, values)
