"""The volume thresholds: loaded and validated; rejections use the bounce knowledge alone."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from audit.knowledge.volume import VolumeRulesError, parse_rules, shipped_rules
from audit.model.rejection import Reason


def shipped_document() -> dict:
    return tomllib.loads(
        (resources.files("audit.knowledge.volume") / "thresholds.toml").read_text()
    )


def test_the_block_reasons_are_the_classifiers_reasons():
    reasons = shipped_rules().thresholds.block_reasons
    assert reasons and reasons <= {reason.value for reason in Reason}


def test_a_block_reason_outside_the_classifiers_vocabulary_is_rejected():
    # given the shipped thresholds with a reason explain never gives
    document = shipped_document()
    document["remote_blocks"]["block_reasons"] = ["blocked", "spammy"]
    # then loading fails loudly (a bug in the data)
    with pytest.raises(VolumeRulesError, match="block_reasons"):
        parse_rules(document)


def test_the_thresholds_hold_no_provider_table_of_their_own():
    # the one provider table is audit/knowledge/providers/providers.toml (explain's)
    assert not {"providers", "rejection"} & set(shipped_document())
