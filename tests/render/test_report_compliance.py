"""The compliance verdict in the text and HTML reports."""

from __future__ import annotations

from support.report_fixtures import demo_document

from audit.render.branding import ReportBranding
from audit.render.html import render_html
from audit.render.report.compliance import provider_requirements, requirement_notes
from audit.render.text import render_text_string


def test_the_html_report_has_a_table_per_provider():
    html = render_html(demo_document(), ReportBranding())
    assert 'id="compliance"' in html
    for name in ("Gmail", "Yahoo / AOL", "Microsoft Outlook.com", "Apple iCloud Mail"):
        assert f"<h3>{name}</h3>" in html


def test_the_delisting_verdict_names_the_rules_to_fix():
    document = demo_document()
    notes = requirement_notes(provider_requirements(document))
    # (by the rules' titles: the client reads the report, the rule ids stay in the JSON)
    not_met = [r["title"] for r in document["compliance"] if r["state"] == "not_met"]
    assert not_met
    assert all(any(title in note for note in notes) for title in not_met)


def test_a_document_without_compliance_has_no_chapter():
    document = demo_document()
    del document["compliance"]
    assert 'id="compliance"' not in render_html(document, ReportBranding())


def test_the_text_report_lists_each_rule_with_its_state():
    text = render_text_string(demo_document(), width=200)
    assert "Sender requirements per provider:" in text
    assert "NOT MET" in text
    assert "Provider requirements:" in text
