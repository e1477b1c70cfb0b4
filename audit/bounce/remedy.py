"""The remediation for a classified rejection, chosen from data, never written here.

Order: the matched pattern's own advice; the provider it refers to (Orange OFR006_102 →
Cloudmark); the catalog list's delisting route when a list is named (Microsoft AS(1450) →
Spamhaus); the provider's advice; generic advice for the reason. Then the caveats: a Spamhaus
listing is checked first (facts §3.2: receivers that mishandle Spamhaus error codes send false
"listed" bounces), a transactional relay's shared-IP policy (§4), contacts, unverified routes.
"""

from __future__ import annotations

import dataclasses
import re

from audit.bounce.classify import PROVIDER_ROUTE_REASONS, UNCERTAIN_STEP, Identified
from audit.knowledge.dnsbl.catalog import CodeMeaning, DnsblList
from audit.knowledge.dnsbl.delisting import remediation_for
from audit.knowledge.providers import Advice, BounceKnowledge, Reason
from audit.model import Remediation


def from_advice(advice: Advice, provider: str | None, **values: str) -> Remediation:
    """Advice as a Remediation; `{name}` placeholders get `values` (and nothing else)."""

    def fill(text: str) -> str:
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text

    steps = [fill(step) for step in advice.steps]
    if advice.contact and not any(advice.contact in step for step in steps):
        steps.append(f"Contact: {advice.contact}")
    if advice.uncertain:
        steps.append(UNCERTAIN_STEP)
    return Remediation(fill(advice.summary), tuple(steps), advice.links, provider)


def named_sublists(entry: DnsblList, text: str) -> list[CodeMeaning]:
    """Code meanings whose sub-list the text names ("Listed by CSS" → ZEN's CSS route)."""
    return [
        meaning
        for meaning in entry.codes.values()
        if meaning.sublist and re.search(rf"\b{re.escape(meaning.sublist)}\b", text)
    ]


def list_remediation(
    zone: str, entry: DnsblList | None, text: str, knowledge: BounceKnowledge
) -> Remediation:
    """The catalog's delisting route; a defunct or unknown list gets generic advice."""
    if entry is None:
        return from_advice(knowledge.generic["unknown_list"], None, zone=zone)
    route = remediation_for(entry, named_sublists(entry, text))
    if route is not None:
        return route
    ended = entry.ended or "date unknown"
    return from_advice(
        knowledge.generic["defunct_list"], entry.provider, list=entry.name, ended=ended
    )


def base_remediation(
    found: Identified, reason: Reason, text: str, knowledge: BounceKnowledge
) -> Remediation:
    pattern, provider = found.pattern, found.provider
    if pattern is not None and pattern.advice is not None and provider is not None:
        return from_advice(pattern.advice, provider.id)
    referred = knowledge.provider(pattern.refer) if pattern and pattern.refer else None
    if referred is not None:
        return from_advice(referred.advice, referred.id)
    if found.zone is not None:
        return list_remediation(found.zone, found.entry, text, knowledge)
    if provider is not None and (pattern is not None or reason in PROVIDER_ROUTE_REASONS):
        return from_advice(provider.advice, provider.id)
    return from_advice(knowledge.generic[reason.value], None)


def with_caveats(
    remediation: Remediation, found: Identified, text: str, knowledge: BounceKnowledge
) -> Remediation:
    steps = list(remediation.steps)
    if (
        found.entry is not None
        and found.entry.provider == "spamhaus"
        and "spamhaus" in knowledge.caveats
    ):
        steps.insert(0, knowledge.caveats["spamhaus"])
    steps.extend(r.step for r in knowledge.relays if any(rx.search(text) for rx in r.text))
    return dataclasses.replace(remediation, steps=tuple(steps))


def remediation_for_rejection(
    found: Identified, reason: Reason, text: str, knowledge: BounceKnowledge
) -> Remediation:
    return with_caveats(base_remediation(found, reason, text, knowledge), found, text, knowledge)
