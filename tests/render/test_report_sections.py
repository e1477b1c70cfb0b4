"""The checks' report sections as the report places them (audit/render/report/sections.py
and layout.py): one section function per check id, the per-IP table's columns, skipped
and unknown checks."""

from __future__ import annotations

from typing import Any

import pytest
from support.report_fixtures import demo_document

from audit.model import CheckId
from audit.model.view import NOT_CHECKED
from audit.render.report.layout import IP_TABLE_COLUMNS, ip_subsections, ip_table
from audit.render.report.sections import SECTIONS, check_views


def only_checks(*ids: str) -> dict[str, Any]:
    document = demo_document()
    document["checks"] = [c for c in document["checks"] if c["id"] in ids]
    return document


def column(document: dict[str, Any], header: str) -> list[str]:
    table = ip_table(document, check_views(document))
    index = table.headers.index(header)
    return [row[index].text for row in table.rows]


def test_every_check_id_has_a_report_section():
    assert set(SECTIONS) == set(CheckId)


@pytest.mark.parametrize(("check_id", "headers"), IP_TABLE_COLUMNS)
def test_a_check_fills_exactly_its_ip_table_columns(check_id, headers):
    document = demo_document()
    columns = check_views(document)[check_id].ip_columns
    assert columns is not None
    assert len(columns.default) == len(headers)
    assert all(len(columns.cells(ip["ip"])) == len(headers) for ip in document["target"]["ips"])


def test_the_ip_table_headers_follow_the_layout():
    document = demo_document()
    headers = ip_table(document, check_views(document)).headers
    assert headers == ("Sending IP", "Source", "PTR", "FCrDNS", "SPF", "Blocklists")


def test_a_check_that_did_not_run_reads_not_checked():
    document = only_checks("blacklist")
    assert set(column(document, "PTR")) == {NOT_CHECKED.text}
    assert set(column(document, "SPF")) == {NOT_CHECKED.text}


def test_an_ip_spf_has_no_result_for_is_unknown_never_clean():
    document = only_checks("spf")
    spf = next(c for c in document["checks"] if c["id"] == "spf")
    spf["evidence"]["results"] = []
    assert set(column(document, "SPF")) == {"unknown"}


def test_an_ip_no_list_applies_to_says_so():
    document = only_checks("blacklist")
    blacklist = document["checks"][0]
    blacklist["evidence"]["results"] = []
    assert set(column(document, "Blocklists")) == {"no list applies"}


def test_a_skipped_check_contributes_nothing():
    server = {"host": "mx1.example.test", "ip": "192.0.2.10", "port": 25, "attempts": []}
    relay = {"id": "relay", "status": "fail", "duration_s": 0.1, "detail": "", "unknowns": [],
             "evidence": {"servers": [server]}}  # fmt: skip
    document = demo_document()
    document["checks"].append(relay)
    assert [s.title for s in ip_subsections(check_views(document))] == [
        "SMTP servers probed",
        "Blocklist status per list",
    ]
    relay["status"] = "skipped"
    views = check_views(document)
    assert "relay" not in views
    assert [s.title for s in ip_subsections(views)] == ["Blocklist status per list"]


def test_a_check_this_version_does_not_know_gets_its_evidence_flattened():
    document = demo_document()
    document["checks"].append(
        {"id": "bimi", "status": "pass", "duration_s": 0.1, "detail": "", "unknowns": [],
         "evidence": {"hosts": [{"name": "mx1.example.test", "starttls": True}]}}
    )  # fmt: skip
    section = check_views(document)["bimi"].appendix
    assert section is not None and section.title == "BIMI"
    assert [(f.label, f.value) for f in section.facts] == [
        ("hosts [1] › name", "mx1.example.test"),
        ("hosts [1] › starttls", "yes"),
    ]


def test_ptr_has_no_appendix_section_its_evidence_is_the_ip_table():
    assert check_views(demo_document())["ptr"].appendix is None


def test_every_unknown_reason_has_a_report_label():
    from audit.model import UnknownReason
    from audit.render.report.view import REASON_LABELS

    assert {reason.value for reason in UnknownReason} <= set(REASON_LABELS)
