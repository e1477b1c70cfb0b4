"""A list's delisting route as a remediation: the code's own route when it has one.

Shared by the blacklist check (listing findings), the bounce classifier (rejections that
name a list) and the report (playbooks). Facts come from the catalog (audit/knowledge/dnsbl).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from audit.knowledge.dnsbl.catalog import CodeMeaning, Delisting, DnsblList
from audit.model import Remediation


def _route(entry: DnsblList, meanings: Sequence[CodeMeaning]) -> Delisting | None:
    """The code's own route when the answer has one (ZEN .10 = PBL), else the list's."""
    routes = {m.delisting for m in meanings if m.delisting is not None}
    return routes.pop() if len(routes) == 1 else entry.delisting


def remediation_for(entry: DnsblList, meanings: Sequence[CodeMeaning]) -> Remediation | None:
    route = _route(entry, meanings)
    if route is None:
        return None
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
