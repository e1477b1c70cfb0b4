"""The DNSBL catalog as data: every entry validated, the selection rules, remediation."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.knowledge.dnsbl.catalog import (
    Access,
    CatalogError,
    ListStatus,
    TargetKind,
    load_catalog,
    load_catalog_text,
    shipped_catalog,
)
from audit.knowledge.dnsbl.selection import select_lists
from audit.knowledge.remediation import catalog as remediation_catalog
from checks.blacklist.check import BlacklistCheck

CATALOG = shipped_catalog()
ACTIVE = [entry for entry in CATALOG.lists if entry.status is not ListStatus.DEFUNCT]


def test_the_shipped_catalog_loads_and_validates() -> None:
    # given the bundled files / when loaded from scratch / then no validation error
    assert load_catalog().lists == CATALOG.lists


def test_the_catalog_has_at_least_40_active_lists_of_every_kind() -> None:
    kinds = {kind for entry in ACTIVE for kind in entry.targets}
    assert len(ACTIVE) >= 40
    assert kinds == {TargetKind.IPV4, TargetKind.IPV6, TargetKind.DOMAIN}


@pytest.mark.parametrize("entry", ACTIVE, ids=lambda e: e.id)
def test_every_active_list_has_operator_route_and_sources(entry) -> None:
    assert entry.operator and entry.provider and entry.sources
    assert entry.delisting is not None and entry.delisting.steps
    assert entry.delisting.url is None or entry.delisting.url.startswith("https://")
    assert entry.test_unlisted, "every list is asked its RFC 5782 negative test point"


@pytest.mark.parametrize("entry", CATALOG.defunct, ids=lambda e: e.id)
def test_every_defunct_list_has_an_end_date(entry) -> None:
    assert entry.ended


def test_defunct_lists_are_never_selected_even_when_asked_for() -> None:
    # given every defunct zone named explicitly
    zones = tuple(entry.zone for entry in CATALOG.defunct)
    # when selecting all lists plus those zones
    selection = select_lists(CATALOG, "all", zones)
    # then none is queried, and each is reported as skipped
    queried = {s.entry.zone for s in selection.lists}
    assert not queried & set(zones)
    assert {s.zone for s in selection.skipped} >= set(zones)


def test_default_selection_has_only_active_free_or_registration_lists() -> None:
    selection = select_lists(CATALOG, "default")
    assert len(selection.lists) >= 15
    for selected in selection.lists:
        assert selected.entry.status is ListStatus.ACTIVE
        assert selected.entry.access in (Access.FREE, Access.REGISTRATION)


def test_key_lists_are_skipped_without_their_key() -> None:
    selection = select_lists(CATALOG, "all")
    skipped = {s.list_id for s in selection.skipped}
    assert {"abusix-combined", "spamhaus-authbl", "spamhaus-zrd"} <= skipped


def test_dqs_key_switches_spamhaus_zones_and_adds_dqs_only_lists() -> None:
    key = "a" * 26
    selection = select_lists(CATALOG, "default", dqs_key=key)
    spamhaus = {s.entry.id: s for s in selection.lists if s.entry.provider == "spamhaus"}
    assert spamhaus["spamhaus-zen"].query_zone == f"{key}.zen.dq.spamhaus.net"
    assert key not in spamhaus["spamhaus-zen"].display_zone
    assert "spamhaus-authbl" in spamhaus
    assert selection.secrets == (key,)


def test_an_invalid_dqs_key_is_rejected_without_echoing_it() -> None:
    with pytest.raises(CatalogError) as error:
        select_lists(CATALOG, "default", dqs_key="bad.key-SECRET")
    assert "SECRET" not in str(error.value)


def test_a_custom_zone_becomes_a_custom_list_of_the_given_kind() -> None:
    selection = select_lists(CATALOG, "default", ("rbl.example.net:domain",))
    custom = [s for s in selection.lists if s.entry.custom]
    assert [s.entry.zone for s in custom] == ["rbl.example.net"]
    assert custom[0].entry.targets == {TargetKind.DOMAIN}


def test_a_keyed_abusix_zone_is_queried_with_its_key_hidden() -> None:
    selection = select_lists(CATALOG, "default", ("k3y0123456.combined.mail.abusix.zone",))
    abusix = next(s for s in selection.lists if s.entry.id == "abusix-combined")
    assert abusix.query_zone.startswith("k3y0123456.")
    assert "k3y0123456" not in abusix.display_zone
    assert "k3y0123456" in selection.secrets


def test_a_text_list_file_selects_by_id_and_zone(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("# mine\nspamhaus-zen\npsbl.surriel.com  # comment\n", encoding="utf-8")
    selection = select_lists(CATALOG, str(path))
    assert [s.entry.id for s in selection.lists] == ["psbl", "spamhaus-zen"]


def test_a_toml_list_file_defines_new_lists(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[lists]]\nid = "corp"\nname = "Corp"\noperator = "Corp"\nprovider = "corp"\n'
        'zone = "rbl.corp.example"\ntargets = ["ipv4"]\nsources = ["internal"]\n'
        '[lists.delisting]\nmethod = "manual"\nsummary = "Ask IT."\nsteps = ["Mail IT."]\n',
        encoding="utf-8",
    )
    selection = select_lists(CATALOG, str(path))
    assert [s.entry.zone for s in selection.lists] == ["rbl.corp.example"]


@pytest.mark.parametrize(
    "snippet",
    [
        'zone = "not a zone"',
        'zone = "ok.example"\n[lists.codes."10.0.0.2"]\nmeaning = "x"\ncategory = "abuse"',
        'zone = "ok.example"\n[lists.codes."127.0.0.2"]\nmeaning = "x"\ncategory = "nope"',
        'zone = "ok.example"\nstatus = "defunct"',
        'zone = "ok.example"\ndecode = "bitmask"\n[lists.codes."3"]\nmeaning = "x"\n'
        'category = "abuse"',
    ],
)
def test_malformed_catalog_entries_are_rejected(snippet: str) -> None:
    text = (
        '[[lists]]\nid = "x1"\nname = "X"\noperator = "X"\nprovider = "x"\n'
        'targets = ["ipv4"]\nsources = ["s"]\n' + snippet + "\n"
        '[lists.delisting]\nmethod = "manual"\nsummary = "s"\nsteps = ["s"]\n'
    )
    with pytest.raises(CatalogError):
        load_catalog_text(text, "test")


def test_every_blacklist_finding_code_has_a_generic_remediation_entry() -> None:
    entries = remediation_catalog()
    for code in BlacklistCheck.finding_codes:
        assert code in entries
        assert not entries[code].blocks_delisting  # a listing is a symptom, not a cause


def test_a_catalog_nested_thousands_deep_is_a_catalog_error_not_a_recursion_error():
    from audit.knowledge.dnsbl.catalog import load_catalog_text

    with pytest.raises(CatalogError, match="nested too deeply"):
        load_catalog_text("lists = " + "[" * 5000 + "]" * 5000, "deep.toml")
