"""The compliance verdict in the text and HTML reports."""

from __future__ import annotations

from support.report_fixtures import demo_document

from audit.render.branding import ReportBranding
from audit.render.html import render_html
from audit.render.report.compliance import (
    provider_requirements,
    requirement_notes,
    requirements_chapter,
    row_key,
)
from audit.render.text import render_text_string


def test_the_html_report_has_a_column_per_provider_in_one_matrix():
    html = render_html(demo_document(), ReportBranding())
    assert 'id="compliance"' in html
    assert html.count('class="data compliance"') == 1
    for name in ("Gmail", "Yahoo / AOL", "Microsoft Outlook.com", "Apple iCloud Mail"):
        assert f"<th>{name}</th>" in html


def test_the_matrix_has_one_row_per_requirement_and_a_state_per_provider():
    document = demo_document()
    chapter = requirements_chapter(document)
    assert chapter is not None
    keys = {row_key(rule) for rule in document["compliance"]}
    assert len(chapter.matrix.rows) == len(keys)
    assert chapter.matrix.headers[1:] == tuple(p.name for p in chapter.providers)
    dkim = next(row for row in chapter.matrix.rows if row[0].text == "DKIM signature verifies")
    assert [cell.text for cell in dkim[1:]] == ["not met", "—", "not met", "not met"]


def test_each_reason_not_met_or_unknown_is_said_once_with_its_providers():
    document = demo_document()
    chapter = requirements_chapter(document)
    assert chapter is not None
    rows = [(row[0].text, row[2].text) for row in chapter.reasons.rows]
    assert len(rows) == len(set(rows))
    dkim = next(row for row in chapter.reasons.rows if row[0].text == "DKIM signature verifies")
    assert dkim[0].note == "Gmail, Microsoft Outlook.com, Apple iCloud Mail"
    assert dkim[1].text == "not met"
    names = {p.provider: p.name for p in chapter.providers}
    shown = {
        (row[1].text, name) for row in chapter.reasons.rows for name in row[0].note.split(", ")
    }
    for rule in document["compliance"]:
        if rule["state"] != "met":
            assert (rule["state"].replace("_", " "), names[rule["provider"]]) in shown


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
