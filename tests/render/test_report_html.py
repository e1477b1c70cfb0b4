"""The HTML report (audit/render/html.py and the report view model)."""

from __future__ import annotations

import json
import re

import pytest
from support.report_fixtures import demo_document, tiny_png

from audit.render.branding import ReportBranding, build_branding
from audit.render.html import render_html
from audit.render.report.delisting.playbook import LISTING_CODES, POLICY_ADVICE, playbook_anchor
from audit.render.report.model import verdict

HOSTILE_PTR = '<script>alert("ptr")</script>'
HOSTILE_TXT = '{{ 7*7 }} "quoted" <img src="http://192.0.2.9/x.png">'


@pytest.fixture(scope="module")
def demo_html() -> str:
    branding = ReportBranding("Acme Deliverability", None, "Northwind Traders", "J. Smith")
    return render_html(demo_document(), branding)


def test_the_report_states_the_delisting_verdict_with_its_blockers(demo_html):
    document = demo_document()
    assert "Fix these first" in demo_html
    for code in document["summary"]["delisting"]["blockers"]:
        assert code in demo_html


def test_every_finding_code_and_sending_ip_appears(demo_html):
    document = demo_document()
    for finding in document["findings"]:
        assert finding["code"] in demo_html
    for ip in document["target"]["ips"]:
        assert ip["ip"] in demo_html


def test_every_listing_has_a_playbook(demo_html):
    listings = [f for f in demo_document()["findings"] if f["code"] in LISTING_CODES]
    assert listings
    for finding in listings:
        assert f'id="{playbook_anchor(finding)}"' in demo_html


def test_a_policy_listing_advises_a_smarthost_instead_of_a_request(demo_html):
    assert "relay outbound mail through your ISP" in POLICY_ADVICE
    assert POLICY_ADVICE.replace("'", "&#39;") in demo_html


def test_abuse_listings_get_a_prefilled_request_with_a_placeholder_for_the_fixes(demo_html):
    # Issue 12: a letter states only the fixes the user confirms (--fixed), never the
    # audit's imperatives; without a confirmation it leaves a placeholder to fill in.
    assert "Subject: Removal request for 203.0.113.77 (Barracuda Reputation Block List)" in (
        demo_html
    )
    assert "203.0.113.77 has no PTR record: Publish a PTR record" not in demo_html
    assert "[Describe what caused the listing and what you changed to stop it]" in demo_html
    assert "[contact e-mail address]" in demo_html


def test_the_branding_appears_on_the_cover(demo_html):
    for text in ("Acme Deliverability", "Northwind Traders", "J. Smith", "22 November 2026"):
        assert text in demo_html


def test_the_logo_is_inlined_as_a_data_uri(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    html = render_html(demo_document(), build_branding("Acme", logo))
    assert 'src="data:image/png;base64,' in html


def test_the_page_is_self_contained(demo_html):
    assert "<script" not in demo_html
    assert "<link" not in demo_html
    assert not re.search(r'\s(src|href)="(?!#|data:|https://)', demo_html)
    assert "@page" in demo_html  # the CSS is inlined


def test_values_from_dns_are_escaped():
    document = demo_document()
    ptr_entry = document["checks"][1]["evidence"]["ips"][0]
    ptr_entry["ptr"] = [HOSTILE_PTR]
    for finding in document["findings"]:
        if finding["code"] in LISTING_CODES:
            finding["evidence"]["txt"] = [HOSTILE_TXT]
        finding["detail"] = HOSTILE_TXT
    document["appendix"]["dns"][0]["records"] = [HOSTILE_PTR]
    html = render_html(document, ReportBranding(brand_name=HOSTILE_PTR))
    assert "<script>alert" not in html
    assert '<img src="http://' not in html
    assert "&lt;script&gt;alert(&#34;ptr&#34;)&lt;/script&gt;" in html
    assert "{{ 7*7 }} &#34;quoted&#34;" in html
    assert "49 " not in html.replace("0.49", "")


def test_the_same_input_renders_identical_html():
    first = render_html(demo_document(), ReportBranding())
    assert render_html(demo_document(), ReportBranding()) == first


def test_a_saved_result_renders_like_the_live_result():
    """Given a document and the same document saved and read back, when both render as
    HTML, then the pages are identical (one renderer input, no reverse mapping)."""
    document = demo_document()
    saved = json.loads(json.dumps(document))
    assert render_html(saved) == render_html(document, ReportBranding())


def test_a_run_without_the_cause_checks_is_not_yet_known():
    document = demo_document()
    document["summary"]["delisting"] = {"ready": False, "blockers": [], "unchecked": ["ptr"]}
    assert verdict(document).headline == "Not yet known"


def test_a_clean_complete_run_is_ready():
    document = demo_document()
    document["summary"]["delisting"] = {"ready": True, "blockers": [], "unchecked": []}
    assert verdict(document).headline == "Ready to request delisting"


def test_a_blacklist_only_result_renders_with_unchecked_columns():
    document = demo_document()
    document["checks"] = [c for c in document["checks"] if c["id"] == "blacklist"]
    document["findings"] = [f for f in document["findings"] if f["check"] == "blacklist"]
    document["target"]["domain"] = None
    document["summary"]["delisting"] = {"ready": False, "blockers": [], "unchecked": ["ptr"]}
    html = render_html(document, ReportBranding())
    assert "Not yet known" in html and "not checked" in html
