"""The providers' sender requirements as data (audit/knowledge/requirements/*.toml)."""

from __future__ import annotations

import re

from audit.knowledge.requirements import PROVIDERS, requirements
from checks.compliance import ANSWERS

# The shared vocabulary (tools/rules-ids.md), spelled out so the test runs without it.
SHARED_IDS = {
    "gmail.authentication", "gmail.spf", "gmail.dkim", "gmail.ptr", "gmail.tls",
    "gmail.spam_rate", "gmail.format", "gmail.no_gmail_from", "gmail.dkim_key_size",
    "gmail.spf_and_dkim", "gmail.dmarc", "gmail.alignment", "gmail.one_click_unsubscribe",
    "gmail.unsubscribe_link", "yahoo.authentication", "yahoo.spam_rate", "yahoo.ptr",
    "yahoo.format", "yahoo.spf_and_dkim", "yahoo.dmarc", "yahoo.one_click_unsubscribe",
    "yahoo.unsubscribe_link", "microsoft.spf", "microsoft.dkim", "microsoft.dmarc",
    "microsoft.alignment", "microsoft.authentication", "apple.ptr", "apple.spf", "apple.dkim",
    "apple.dmarc", "apple.unsubscribe_link",
}  # fmt: skip


def test_every_provider_has_rules():
    assert {r.provider for r in requirements()} == set(PROVIDERS)


def test_the_rule_ids_are_exactly_the_shared_vocabulary():
    assert {r.rule for r in requirements()} == SHARED_IDS


def test_every_rule_cites_an_https_source_and_a_snapshot_date():
    for rule in requirements():
        assert rule.source.startswith("https://")
        assert re.fullmatch(r"20\d\d-\d\d-\d\d", rule.snapshot)


def test_every_rule_is_answered_by_a_known_answer():
    assert {r.answered_by for r in requirements()} <= set(ANSWERS)


def test_bulk_only_rules_are_marked():
    bulk = {r.rule for r in requirements() if r.bulk}
    assert {"gmail.one_click_unsubscribe", "gmail.dmarc", "microsoft.authentication"} <= bulk
    assert "gmail.authentication" not in bulk
