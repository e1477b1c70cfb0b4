"""Delisting routes when a list answers with several codes (audit/knowledge/dnsbl/delisting.py)."""

from __future__ import annotations

from audit.knowledge.dnsbl.catalog import shipped_catalog
from audit.knowledge.dnsbl.delisting import delisting_evidence


def zen():
    return next(entry for entry in shipped_catalog().lists if entry.id == "spamhaus-zen")


def test_sbl_and_xbl_together_name_each_expiry_and_take_the_reviewed_route():
    entry = zen()
    route = delisting_evidence(entry, [entry.codes["127.0.0.2"], entry.codes["127.0.0.4"]])
    assert route["method"] == "manual"
    assert route["expiry"] is not None and "depends on the sub-list" not in route["expiry"]
    assert route["expiry"].startswith("SBL: ") and ". XBL: " in route["expiry"]


def test_one_code_keeps_its_own_route():
    entry = zen()
    assert delisting_evidence(entry, [entry.codes["127.0.0.4"]])["method"] == "self-service"
