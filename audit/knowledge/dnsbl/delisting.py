"""A list's delisting route as a remediation: the code's own route when it has one.

Shared by the blacklist check (listing findings), the bounce classifier (rejections that
name a list) and the report (playbooks). Facts come from the catalog (audit/knowledge/dnsbl).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

from audit.knowledge.dnsbl.catalog import CodeMeaning, Delisting, DnsblList

if TYPE_CHECKING:
    from audit.model import Remediation

# A reviewed request outranks a form, which outranks waiting: with two sub-lists, the
# stricter route is the one that gets the address removed.
METHOD_RANK = ("provider-only", "manual", "self-service", "automatic", "none")


def _route(entry: DnsblList, meanings: Sequence[CodeMeaning]) -> Delisting | None:
    """The code's own route when the answer has one (ZEN .10 = PBL); when every code
    has its own (ZEN SBL and XBL at once), both routes together; else the list's."""
    routes = list(dict.fromkeys(m.delisting for m in meanings if m.delisting is not None))
    if len(routes) == 1:
        return routes[0]
    if len(routes) > 1 and all(m.delisting is not None for m in meanings):
        return _combined(meanings)
    return entry.delisting


def _combined(meanings: Sequence[CodeMeaning]) -> Delisting:
    """Several sub-lists' routes as one: the strictest method, every step, each expiry
    named by its sub-list (never "depends on the sub-list" when the sub-lists are known)."""
    routed = [(m.sublist or m.code, m.delisting) for m in meanings if m.delisting is not None]
    strictest = min(
        routed,
        key=lambda pair: (
            METHOD_RANK.index(pair[1].method) if pair[1].method in METHOD_RANK else len(METHOD_RANK)
        ),
    )[1]
    steps = tuple(dict.fromkeys(step for _, route in routed for step in route.steps))
    expiry = ". ".join(f"{name}: {route.expiry}" for name, route in routed if route.expiry)
    return strictest._replace(steps=steps, expiry=expiry or strictest.expiry)


def remediation_for(entry: DnsblList, meanings: Sequence[CodeMeaning]) -> Remediation | None:
    route = _route(entry, meanings)
    if route is None:
        return None
    from audit.model import Remediation  # loaded for a listing only (start-up of a clean run)

    steps = list(route.steps)
    if route.expiry:
        steps.append(f"Expected expiry: {route.expiry}.")
    if route.fee:
        steps.append(f"Fee: {route.fee}.")
    links = (route.url,) if route.url else ()
    return Remediation(route.summary, tuple(steps), links, entry.provider)


class DelistingEvidence(TypedDict, total=False):
    """A delisting route in evidence: every key, or none when the list has no route."""

    method: str  # self-service | manual | automatic | provider-only | none
    url: str | None
    expiry: str | None
    fee: str | None


def delisting_evidence(entry: DnsblList, meanings: Sequence[CodeMeaning]) -> DelistingEvidence:
    route = _route(entry, meanings)
    if route is None:
        return {}
    return {"method": route.method, "url": route.url, "expiry": route.expiry, "fee": route.fee}
