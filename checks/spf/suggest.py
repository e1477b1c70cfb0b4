"""The SPF record suggested when a record drops `ptr`: within the 10-lookup limit, and
ending in -all only when the audit saw every sending source.

Removing `ptr` alone left the demo's record at 12 DNS-querying terms, over the limit the
report flags as SPF_TOO_MANY_LOOKUPS (RFC 7208 §4.6.4: more than 10 is a permerror), so
the suggestion would fail SPF everywhere. Here the costliest includes are flattened to the
ip4/ip6 ranges their records publish today until the record fits, an include of a domain
without an SPF record (a permerror of its own, §5.2) is dropped, and the reason for every
change is stated so the DNS admin can judge it.
"""

from __future__ import annotations

from dataclasses import dataclass

from checks.spf.tree import SpfNode, TermCost

MAX_LOOKUPS = 10  # RFC 7208 §4.6.4


@dataclass(frozen=True)
class Suggestion:
    record: str
    lookups: int
    notes: tuple[str, ...]  # why each change was made, in the order made


def _is(term: str, *kinds: str) -> bool:
    bare = term.lstrip("+-~?").lower()
    return any(bare == k or bare.startswith((k + ":", k + "/", k + "=")) for k in kinds)


def flattened(node: SpfNode) -> tuple[list[str], list[str]]:
    """The ip4/ip6 terms of `node`'s subtree, and the terms that cannot be flattened
    (a, mx, exists: their answers are not in the tree); void ones are left out."""
    ips: list[str] = []
    rest: list[str] = []
    for term in node.terms:
        if term.child is not None:
            child_ips, child_rest = flattened(term.child)
            ips += child_ips
            rest += child_rest
        elif _is(term.term, "ip4", "ip6") and not term.term.startswith(("-", "~", "?")):
            ips.append(term.term.lstrip("+"))
        elif _is(term.term, "a", "mx", "exists") and term.note != "void":
            rest.append(term.term)
    return ips, rest


def _cost(terms: list[tuple[str, int]]) -> int:
    return sum(cost for _, cost in terms)


def _missing(node: SpfNode) -> str | None:
    """The first domain of `node`'s subtree with no SPF record (a permerror, §5.2)."""
    return next((n.domain for n in node.walk() if n.problem == "missing"), None)


def _kept_terms(node: SpfNode, notes: list[str]) -> list[tuple[str, int]]:
    """The record's terms without ptr, all and includes that reach a domain with no SPF
    record (they make every evaluation that gets there a permerror)."""
    kept = []
    for term in node.terms:
        if _is(term.term, "ptr", "all"):
            continue
        missing = _missing(term.child) if term.child is not None else None
        if missing:
            notes.append(f"{term.term} dropped: {missing} publishes no SPF record")
            continue
        kept.append((term.term, term.dns_lookups))
    return kept


def _flatten_costliest(
    kept: list[tuple[str, int]], costs: dict[str, TermCost], notes: list[str]
) -> list[tuple[str, int]]:
    while _cost(kept) > MAX_LOOKUPS:
        includes = [(t, c) for t, c in kept if costs.get(t) and costs[t].child is not None]
        if not includes:
            break
        term, cost = max(includes, key=lambda item: item[1])
        child = costs[term].child
        assert child is not None  # filtered above
        ips, rest = flattened(child)
        at = kept.index((term, cost))
        kept[at : at + 1] = [(ip, 0) for ip in ips] + [(r, 1) for r in rest]
        notes.append(
            f"{term} flattened to the ranges it publishes today ({cost} lookups saved"
            f"{', less ' + str(len(rest)) if rest else ''}): re-check when the provider "
            "changes them"
        )
    return kept


def _ends_in_fail(node: SpfNode) -> bool:
    return any(term.term.lower() == "-all" for term in node.terms)


def within_limit(node: SpfNode, uncovered: tuple[str, ...], every_source_seen: bool) -> Suggestion:
    """`node`'s record without ptr, the `uncovered` sending IPs (those only ptr matched)
    added, within 10 lookups; -all if the audit saw every sending source, else ~all."""
    notes: list[str] = []
    kept = _kept_terms(node, notes)
    kept += [(f"ip6:{ip}" if ":" in ip else f"ip4:{ip}", 0) for ip in uncovered]
    if uncovered:
        notes.append("ptr replaced by the sending IPs it matched: " + ", ".join(uncovered))
    kept = _flatten_costliest(kept, {t.term: t for t in node.terms}, notes)
    if _ends_in_fail(node):
        end = "-all"  # the owner already fails the rest: a suggestion does not soften it
    elif every_source_seen:
        end = "-all"
        notes.append("-all: the mail log showed every sending source")
    else:
        end = "~all"
        notes.append(
            "~all until every sending source is known: no sending IP came from a mail log, "
            "so a sender the audit did not see may still use the domain; switch to -all then"
        )
    terms = list(dict.fromkeys(t for t, _ in kept))
    return Suggestion(" ".join(["v=spf1", *terms, end]), _cost(kept), tuple(notes))
