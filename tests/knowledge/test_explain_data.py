"""The bounce knowledge data: every provider has a route, every list maps to the catalog."""

from __future__ import annotations

import re

import pytest

from audit.knowledge.dnsbl.catalog import shipped_catalog
from audit.knowledge.providers import (
    BounceDataError,
    parse_advice,
    parse_knowledge,
    shipped_knowledge,
)

KNOWLEDGE = shipped_knowledge()
PROVIDER_IDS = [p.id for p in KNOWLEDGE.providers]
CATALOG_PROVIDERS = {entry.provider for entry in shipped_catalog().lists}


@pytest.mark.parametrize("provider", KNOWLEDGE.providers, ids=PROVIDER_IDS)
def test_every_provider_has_a_remediation_with_https_links(provider):
    advice = provider.advice
    assert advice.summary and advice.steps
    assert all(link.startswith("https://") for link in advice.links)
    # a route: https links, or a contact address, or marked as unverified
    assert advice.links or advice.contact or advice.uncertain


@pytest.mark.parametrize("provider", KNOWLEDGE.providers, ids=PROVIDER_IDS)
def test_every_provider_cites_sources_and_has_patterns(provider):
    assert provider.sources and provider.patterns
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]+", provider.id)


def test_provider_ids_do_not_collide_with_catalog_providers():
    assert set(PROVIDER_IDS).isdisjoint(CATALOG_PROVIDERS)


@pytest.mark.parametrize("name", KNOWLEDGE.lists, ids=[n.zone for n in KNOWLEDGE.lists])
def test_every_list_name_maps_to_a_catalog_zone(name):
    assert shipped_catalog().get(name.zone) is not None


def test_every_pattern_blocklist_is_a_catalog_zone():
    zones = {p.blocklist for prov in KNOWLEDGE.providers for p in prov.patterns if p.blocklist}
    assert zones and all(shipped_catalog().get(zone) is not None for zone in zones)


def test_every_reason_has_generic_advice_with_https_links():
    for advice in KNOWLEDGE.generic.values():
        assert advice.steps and all(link.startswith("https://") for link in advice.links)


def test_the_knowledge_is_loaded_once():
    assert shipped_knowledge() is KNOWLEDGE


def test_an_http_link_is_rejected():
    with pytest.raises(BounceDataError, match="https"):
        parse_advice({"summary": "s", "steps": ["x"], "links": ["http://example.com/"]}, "t")


def test_a_route_without_link_contact_or_uncertainty_is_rejected():
    with pytest.raises(BounceDataError, match="needs an https link"):
        parse_advice({"summary": "s", "steps": ["x"], "links": []}, "t")


def test_an_unknown_reason_is_rejected():
    doc = {
        "generic": {},
        "providers": [
            {"id": "x-mail", "name": "X", "sources": ["S"], "text": ["x"],
             "remediation": {"summary": "s", "steps": ["x"], "links": ["https://x.example/"]},
             "patterns": [{"match": "x", "reason": "blokced"}]},
        ],
    }  # fmt: skip
    with pytest.raises(BounceDataError, match="reason"):
        parse_knowledge(doc, {"lists": []})


def test_a_reference_to_an_unknown_provider_is_rejected():
    doc = {
        "generic": {},
        "providers": [
            {"id": "x-mail", "name": "X", "sources": ["S"], "text": ["x"],
             "remediation": {"summary": "s", "steps": ["x"], "links": ["https://x.example/"]},
             "patterns": [{"match": "x", "reason": "blocked", "refer": "nobody"}]},
        ],
    }  # fmt: skip
    with pytest.raises(BounceDataError, match="unknown provider"):
        parse_knowledge(doc, {"lists": []})
