"""What keeps a large report short: runs of consecutive addresses, one line per
classified rejection, the findings' evidence tables and the rejections' letters in the
annex, one shared table of the minor findings (issue 12, bounded size)."""

from __future__ import annotations

from support.big_report import full_document, scaled_document

from audit.render.branding import ReportBranding
from audit.render.html import render_html
from audit.render.report.delisting.playbook import build_playbooks
from audit.render.report.model import build_report
from audit.render.report.wording import address_runs


def main_and_annex(page: str) -> tuple[str, str]:
    main, annex = page.split('<section id="appendix"', 1)
    return main, annex


def test_three_or_more_consecutive_addresses_are_one_run():
    ips = ["203.0.113.77", "198.51.100.1", "198.51.100.2", "198.51.100.3", "2001:db8::1"]
    assert address_runs(ips) == ("203.0.113.77", "198.51.100.1 – 198.51.100.3", "2001:db8::1")


def test_two_consecutive_addresses_stay_two():
    assert address_runs(["198.51.100.1", "198.51.100.2"]) == ("198.51.100.1", "198.51.100.2")


def test_the_summary_names_a_block_of_listed_ips_as_one_run():
    view = build_report(scaled_document(), ReportBranding())
    assert "198.51.100.101 – 198.51.100.134" in view.listed_ip_runs
    assert len(view.listed_ips) == 36


def test_a_letter_names_every_address_of_a_listed_block():
    # given 35 addresses listed alike on Barracuda, when the letter is written
    barracuda = next(p for p in build_playbooks(scaled_document()) if "Barracuda" in p.operator)
    letter = barracuda.request_text or ""
    # then the block is one line with its size, and nothing is left to attach
    assert "- 198.51.100.101 – 198.51.100.134 (34 addresses) on b.barracudacentral.org" in letter
    assert "attach the full list" not in letter


def test_each_classified_rejection_is_one_row_and_its_letter_stays_in_the_deliverable():
    # given the demo's result, when the HTML report is rendered
    main, annex = main_and_annex(render_html(full_document()))
    # then each rejection is one row in the playbooks, and its steps and request letter
    # follow them in the main report (SPEC: a pre-filled request for every classified
    # rejection), not in the opt-in raw-evidence annex
    assert '<tr id="rejection-1">' in main and '<tr id="rejection-2">' in main
    playbooks, details = main.split('id="rejection-details"', 1)
    assert "Subject: Delisting / mitigation request" not in playbooks
    assert 'id="rejection-1-detail"' in details
    assert "Subject: Delisting / mitigation request" in details
    assert 'id="rejection-1-detail"' not in annex


def test_a_findings_evidence_tables_are_in_the_annex_with_a_pointer():
    main, annex = main_and_annex(render_html(full_document()))
    relay = next(f for f in full_document()["findings"] if f["code"].startswith("RELAY_"))
    assert relay["evidence"]
    anchor = next(a.split('"')[0] for a in main.split('id="finding-')[1:] if "relay" in a)
    assert f'href="#finding-{anchor}-evidence"' in main
    assert f'id="finding-{anchor}-evidence"' in annex
    assert "<th>Mail reply</th>" not in main and "<th>Mail reply</th>" in annex


def test_the_minor_findings_of_every_area_share_one_table():
    main, _ = main_and_annex(render_html(full_document()))
    findings = main.split('id="findings"', 1)[1].split("</section>", 1)[0]
    assert findings.count('<table class="data minor">') == 1
    assert 'id="area-dkim"' in findings and 'id="area-dmarc"' in findings
