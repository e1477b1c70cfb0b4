"""List health from RFC 5782 §5 test points, and what it does to a list's answers.

Every list is asked its negative test point (127.0.0.1 / INVALID must NOT be listed)
and, where documented, its positive one (127.0.0.2 / TEST or the operator's name must
be listed). Pure judgement, applied to verdicts:
- negative point listed: the zone lists the world (dead or hijacked, DNSBLCOM): every
  answer becomes unknown;
- an error code on a test point: the list refuses this resolver: "clean" is unknown;
- positive point not listed: the list is empty or silently refuses us (Spamhaus answers
  NXDOMAIN to public resolvers, SH-GOOGLE): "clean" is unknown, listings stand;
- answers outside 127.0.0.0/8: the resolver rewrites NXDOMAIN: every answer unknown.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import NamedTuple

from audit.knowledge.dnsbl.selection import SelectedList
from audit.model import UnknownReason
from audit.net.dns import Lookup
from checks.blacklist.classify import State, Verdict, classify


class Health(enum.StrEnum):
    HEALTHY = "healthy"
    LISTS_WORLD = "lists_the_world"
    REFUSED = "refused"
    BLIND = "positive_test_point_not_listed"
    REWRITTEN = "answers_outside_127_0_0_0_8"
    UNTESTED = "test_points_unanswered"


class ListHealth(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    health: Health
    detail: str = ""
    positive_passed: bool = False

    @property
    def trusted_clean(self) -> bool:
        return self.health in (Health.HEALTHY, Health.UNTESTED)


def _first(verdicts: Sequence[Verdict], state: State) -> Verdict | None:
    return next((v for v in verdicts if v.state is state), None)


def judge_health(
    selected: SelectedList, positive: Sequence[Lookup], negative: Sequence[Lookup]
) -> ListHealth:
    entry = selected.entry
    pos = [classify(entry, lookup) for lookup in positive]
    neg = [classify(entry, lookup) for lookup in negative]
    if listed := _first(neg, State.LISTED):
        return ListHealth(
            Health.LISTS_WORLD,
            f"answers 'listed' ({', '.join(listed.codes)}) for the RFC 5782 negative test point "
            f"{', '.join(entry.test_unlisted)}: it lists the world (dead or hijacked zone)",
        )
    every = pos + neg
    # Addresses outside 127.0.0.0/8 for test points: the resolver rewrites answers. A
    # malformed DNS reply (no codes) says nothing about the list: it is untested.
    if any(v.reason is UnknownReason.MALFORMED and v.codes for v in every):
        return ListHealth(Health.REWRITTEN, "test points answered outside 127.0.0.0/8")
    if refused := next((v for v in every if v.reason is UnknownReason.QUERY_REFUSED), None):
        return ListHealth(Health.REFUSED, f"the list refuses this resolver ({refused.detail})")
    positive_passed = bool(pos) and all(v.state is State.LISTED for v in pos)
    if _first(pos, State.CLEAN):
        return ListHealth(
            Health.BLIND,
            f"the positive test point {', '.join(entry.test_listed)} is not listed: the list "
            "may be empty, need registration, or silently refuse this resolver",
        )
    if _first(every, State.UNKNOWN):
        return ListHealth(Health.UNTESTED, "test points could not be queried", positive_passed)
    return ListHealth(Health.HEALTHY, "", positive_passed)


def apply_health(
    verdict: Verdict, health: ListHealth, selected: SelectedList, resolver_public: bool
) -> Verdict:
    """A verdict as far as the list's health lets us trust it. Pure."""
    if verdict.state is State.UNKNOWN:
        return verdict
    if health.health is Health.LISTS_WORLD:
        return verdict.to_unknown(UnknownReason.LIST_UNHEALTHY, health.detail)
    if health.health is Health.REWRITTEN:
        return verdict.to_unknown(UnknownReason.RESOLVER_REWRITES, health.detail)
    if verdict.state is State.LISTED:
        return verdict
    if health.health is Health.REFUSED:
        return verdict.to_unknown(UnknownReason.QUERY_REFUSED, health.detail)
    if health.health is Health.BLIND:
        return verdict.to_unknown(UnknownReason.LIST_UNHEALTHY, health.detail)
    if resolver_public and selected.refused_by_public_resolvers and not health.positive_passed:
        return verdict.to_unknown(
            UnknownReason.QUERY_REFUSED,
            "the resolver is a public one, which this list refuses (it may answer NXDOMAIN): "
            "'not listed' cannot be trusted",
        )
    return verdict
