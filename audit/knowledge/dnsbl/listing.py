"""A catalog entry as plain JSON-ready data (the `lists --format json` document)."""

from __future__ import annotations

from typing import Any

from audit.knowledge.dnsbl.catalog import CodeMeaning, Delisting, DnsblList


def _delisting(route: Delisting | None) -> dict[str, Any] | None:
    if route is None:
        return None
    return {
        "method": route.method,
        "summary": route.summary,
        "steps": list(route.steps),
        "url": route.url,
        "expiry": route.expiry,
        "fee": route.fee,
    }


def _code(meaning: CodeMeaning) -> dict[str, Any]:
    return {
        "meaning": meaning.meaning,
        "category": meaning.category.value,
        "sublist": meaning.sublist,
        "delisting": _delisting(meaning.delisting),
    }


def catalog_entry(entry: DnsblList, selected: bool) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "operator": entry.operator,
        "provider": entry.provider,
        "zone": entry.zone,
        "dqs_zone": entry.dqs_zone,
        "targets": sorted(kind.value for kind in entry.targets),
        "impact": entry.impact.value,
        "status": entry.status.value,
        "ended": entry.ended,
        "access": entry.access.value,
        "in_default_selection": entry.default,
        "selected": selected,
        "blocks_public_resolvers": entry.blocks_public_resolvers,
        "decode": entry.decode.value,
        "codes": {code: _code(meaning) for code, meaning in sorted(entry.codes.items())},
        "error_codes": [str(network) for network in entry.error_codes],
        "error_meanings": dict(sorted(entry.error_meanings.items())),
        "error_bits": {str(bit): text for bit, text in sorted(entry.error_bits.items())},
        "test_points": {"listed": list(entry.test_listed), "unlisted": list(entry.test_unlisted)},
        "delisting": _delisting(entry.delisting),
        "note": entry.note,
        "sources": list(entry.sources),
    }
