"""The lab's blocklist mirror: every list the demo queries, served locally.

Each selected list's zone is served with its RFC 5782 §5 test points (the positive
point listed with the list's first code, the negative point absent) and the lab's
listings from samples/lab/dnsbl-listings.toml, so the demo's health checks pass and
its listings are found without leaving the machine.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from audit.knowledge.dnsbl.catalog import Decode, DnsblList, shipped_catalog
from audit.knowledge.dnsbl.selection import SelectedList, select_lists
from audit.lab.dnsserver import RecordStore
from checks.blacklist.query import parse_target, query_name, test_point_name

LAB_SOA = "ns1.lab.invalid. hostmaster.lab.invalid. 1 3600 600 86400 60"


def _first_code(entry: DnsblList) -> str:
    code = next(iter(entry.codes), "127.0.0.2")
    return f"127.0.0.{code}" if entry.decode is Decode.BITMASK else code


def _serve_list(store: RecordStore, selected: SelectedList) -> None:
    zone = selected.query_zone
    store.add_origin(zone)
    store.add(zone, "SOA", LAB_SOA)
    for point in selected.entry.test_listed:
        name = test_point_name(point, selected)
        store.add(name, "A", _first_code(selected.entry))
        if selected.entry.txt:
            store.add(name, "TXT", '"RFC 5782 test point"')


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def add_mirror(store: RecordStore, listings_path: Path, lists: str = "default") -> None:
    selection = select_lists(shipped_catalog(), lists)
    by_zone = {selected.entry.zone: selected for selected in selection.lists}
    for selected in selection.lists:
        _serve_list(store, selected)
    listings = tomllib.loads(listings_path.read_text(encoding="utf-8")).get("listing", [])
    for listing in listings:
        selected = by_zone[listing["zone"]]
        name = query_name(parse_target(listing["target"]), selected)
        for code in listing["codes"]:
            store.add(name, "A", code)
        if listing.get("txt") and selected.entry.txt:
            store.add(name, "TXT", _quoted(listing["txt"]))
