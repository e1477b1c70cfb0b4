"""The consultant report (issue 12): summary, action plan, grouping, letters, wording."""

from __future__ import annotations

import html as html_module
import re

import pytest
from support.big_report import full_document, scaled_document, single_ip_document
from support.report_fixtures import demo_document

from audit.knowledge.actions import actions
from audit.knowledge.remediation import catalog
from audit.model.errors import InputError
from audit.render.branding import ReportBranding, build_branding
from audit.render.html import render_html
from audit.render.report.delisting.playbook import LISTING_CODES, build_playbooks
from audit.render.report.groups import build_groups
from audit.render.report.model import build_report
from audit.render.report.plan import build_plan
from audit.render.report.view import check_label
from audit.render.report.wording import client_text
from audit.render.templates import breakable

SAMPLES = {"demo": full_document, "one-ip": single_ip_document, "fifty-ips": scaled_document}


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def sample_html(request) -> tuple[dict, str]:
    document = SAMPLES[request.param]()
    return document, render_html(document, ReportBranding())


def client_visible(page: str) -> str:
    """The words a client reads: no CSS, no annex (raw evidence), no finding codes."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    page = page.split('<section id="appendix"', 1)[0]
    page = re.sub(r'<span class="code">[^<]*</span>', "", page)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", page))


def enum_values(value: object) -> set[str]:
    """Every snake_case string value of the document's evidence: raw enum values."""
    if isinstance(value, dict):
        return set().union(*(enum_values(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(enum_values(v) for v in value)) if value else set()
    if isinstance(value, str) and re.fullmatch(r"[a-z]+(?:_[a-z]+)+", value):
        return {value}
    return set()


def test_no_plural_s_cli_flags_or_raw_enum_values_reach_the_client(sample_html):
    document, page = sample_html
    text = client_visible(page)
    assert "(s)" not in text and "(es)" not in text
    assert not re.search(r"(?<![\w-])--[a-z][a-z-]+", text)
    leaked = {v for v in enum_values(document) if re.search(rf"\b{v}\b", text)}
    assert leaked == set()


def test_the_summary_names_every_listed_ip_and_list():
    document = full_document()
    page = render_html(document)
    summary = page.split('id="summary"', 1)[1].split('id="plan"', 1)[0]
    for finding in document["findings"]:
        if finding["code"] in LISTING_CODES:
            assert finding["subject"] in summary
            assert finding["evidence"]["list_name"] in summary


def test_findings_with_one_code_and_fix_are_one_entry_listing_the_subjects():
    findings = scaled_document()["findings"]
    # given one SPF_IP_NOT_AUTHORIZED finding per cloned IP (as many as fit in 200 findings)
    cloned = sum(f["code"] == "SPF_IP_NOT_AUTHORIZED" for f in findings)
    assert cloned > 30
    groups = build_groups(findings)
    spf = [g for g in groups if g.code == "SPF_IP_NOT_AUTHORIZED"]
    assert len(spf) == 1
    assert spf[0].count == cloned and spf[0].more_subjects == cloned - len(spf[0].subjects)


def test_the_action_plan_puts_causes_before_symptoms_and_covers_every_group():
    groups = build_groups(full_document()["findings"])
    plan = build_plan(groups)
    symptoms = [step.symptom for step in plan]
    assert symptoms == sorted(symptoms)  # every cause step before every symptom step
    assert sum(len(step.items) for step in plan) == len(groups)
    assert plan[0].blocks_delisting


def test_every_action_step_code_has_a_remediation_entry():
    known = set(catalog())
    assert {code for step in actions().steps for code in step.codes} <= known
    assert set(actions().letters) <= known


def test_a_code_no_step_names_gets_its_own_step():
    document = full_document()
    document["findings"][0] = {**document["findings"][0], "code": "MX_SOMETHING_NEW", "check": "mx"}
    plan = build_plan(build_groups(document["findings"]))
    assert any(step.title == f"Other {check_label('mx')} fixes" for step in plan)


def test_one_playbook_per_operator_holds_all_its_listed_ips():
    document = scaled_document()
    playbooks = build_playbooks(document)
    operators = [p.operator for p in playbooks]
    assert len(operators) == len(set(operators)) == 4
    listed = {f["subject"] for f in document["findings"] if f["code"] in LISTING_CODES}
    assert set().union(*(p.targets for p in playbooks)) == listed


def barracuda_letter(fixed: frozenset[str]) -> str:
    playbooks = build_playbooks(full_document(), fixed)
    letter = next(p for p in playbooks if p.operator == "Barracuda Networks").request_text
    assert letter is not None
    return letter


def test_a_letter_states_only_confirmed_fixes_in_the_past_tense():
    letter = barracuda_letter(frozenset({"PTR_MISSING"}))
    assert "We published a PTR record for the address" in letter
    assert "[Describe what caused" not in letter


def test_a_letter_without_confirmations_has_a_placeholder():
    letter = barracuda_letter(frozenset())
    assert "[Describe what caused the listing and what you changed to stop it]" in letter
    assert "Publish" not in letter


def test_a_letter_to_a_blocklist_omits_dmarc_starttls_and_probe_addresses():
    fixed = frozenset(
        {"DMARC_POLICY_NONE", "RELAY_NO_STARTTLS", "RELAY_ADDRESS_TRICK_ACCEPTED", "DKIM_KEY_1024"}
    )
    letter = barracuda_letter(fixed)
    assert "DMARC" not in letter and "STARTTLS" not in letter and "DKIM" not in letter
    assert "127.0.0.1" not in letter
    assert "relay address tricks" in letter  # the confirmed relay fix, without its address


def test_the_annex_is_left_out_on_request_and_kept_by_default():
    document = demo_document()
    assert 'id="appendix"' in render_html(document)
    assert 'id="appendix"' not in render_html(document, appendix=False)


def test_main_report_tables_are_capped_with_a_count_of_the_rest():
    # given the 50-IP result with every log-found address's row made different (its own
    # log detail), so no run of alike addresses shortens the table
    document = scaled_document()
    for n, ip in enumerate(document["target"]["ips"]):
        ip["detail"] = f"mail log line {n}"
    view = build_report(document, ReportBranding())
    assert len(view.ip_table.rows) == 8
    assert "And 47 more" in view.ip_table.caption
    assert view.listing_count > len(view.listings.rows)


def test_consecutive_sending_ips_alike_in_every_column_are_one_row():
    # given the 50-IP result: 198.51.100.101 - .150 found in the log, listed alike
    view = build_report(scaled_document(), ReportBranding())
    # then the main report's table has them as one row with their number, under the cap,
    # and the annex lists all 55 addresses
    block = [r for r in view.ip_table.rows if r[0].text == "198.51.100.101 – 198.51.100.150"]
    assert len(block) == 1 and block[0][0].note == "50 addresses"
    assert len(view.ip_table.rows) == 6 and "more" not in view.ip_table.caption
    annex = next(s for s in view.annex_tables if s.title == "Sending IPs")
    assert len(annex.table.rows) == 55


def test_every_area_has_a_grade_from_its_worst_finding():
    view = build_report(full_document(), ReportBranding())
    grades = {area.check: area.grade for area in view.areas}
    assert grades["blacklist"] == "F" and grades["dkim"] == "B" and grades["dmarc"] == "C"


def test_client_text_fixes_plurals_flags_and_enums():
    assert client_text("1 target(s) against 18 list(s)") == "1 target against 18 lists"
    assert client_text("no --log given") == "no mail log was given"
    assert client_text("outcome accepted_at_rcpt") == "outcome accepted at RCPT"


def test_client_text_fixes_es_plurals_too():
    # the MX check's detail: "STARTTLS with 1 of 1 address(es)"
    assert client_text("STARTTLS with 1 of 3 address(es)") == "STARTTLS with 1 of 3 addresses"
    assert client_text("1 address(es) probed") == "1 address probed"
    assert "(es)" not in client_text("the address(es) probed")


def test_host_names_break_only_after_dots_and_ips_never():
    assert str(breakable("bl.spameatingmonkey.net")) == (
        '<span class="host">bl.<wbr>spameatingmonkey.<wbr>net</span>'
    )
    assert str(breakable("198.51.100.25")) == '<span class="ip">198.51.100.25</span>'
    assert str(breakable("<b>")) == "&lt;b&gt;"


def test_a_long_token_is_shortened_in_the_findings_with_its_length():
    document = single_ip_document()
    token = "A" * 5000
    target = next(f for f in document["findings"] if f["severity"] in ("high", "critical"))
    target["evidence"] = {"record": token}
    main = render_html(document).split('<section id="appendix"', 1)[0]
    assert token not in main and "(5000 characters)" in main


def test_bidi_overrides_in_branding_and_titles_are_neutralised():
    document = demo_document()
    document["findings"][0]["title"] = "evil \u202etxt.exe"
    page = render_html(document, build_branding(client_name="Acme \u202eCorp"))
    assert "\u202e" not in page
    assert "Acme \\u202eCorp" in page


def test_a_brand_colour_is_validated_and_applied():
    page = render_html(demo_document(), build_branding(brand_color="#0A7"))
    assert ":root { --brand: #0a7; }" in page
    with pytest.raises(InputError):
        build_branding(brand_color="red; } body { display: none")


def test_the_tool_line_is_left_off_a_branded_cover():
    assert "<th>Tool</th>" in render_html(demo_document())
    branded = render_html(demo_document(), build_branding(brand_name="Acme"))
    assert "<th>Tool</th>" not in branded.split("</section>", 1)[0]


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://192.0.2.9/x.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x/y)"/></svg>',
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
    ],
    ids=["external-href", "script", "event-handler", "css-url", "entity"],
)
def test_an_unsafe_svg_logo_is_refused(tmp_path, svg):
    logo = tmp_path / "logo.svg"
    logo.write_bytes(svg)
    with pytest.raises(InputError, match="SVG refused"):
        build_branding(brand_logo=logo)


def test_a_plain_svg_logo_is_accepted(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(#g)"/></svg>')
    assert build_branding(brand_logo=logo).logo_data_uri.startswith("data:image/svg+xml")


def test_a_message_finding_names_its_file_and_the_annex_keeps_the_path():
    # given the demo's result, whose message findings' subject is the sample's full path
    document = full_document()
    path = next(f["subject"] for f in document["findings"] if f["check"] == "message")
    assert path.endswith("/newsletter.eml") and path.count("/") > 1
    # when grouped for the report, then each names the file only, in every text shown
    shown = [g for g in build_groups(document["findings"]) if g.check == "message"]
    assert shown and all(g.subjects == ("newsletter.eml",) for g in shown)
    texts = [t for g in shown for t in (g.title, g.detail, g.summary, *g.steps)]
    assert all(path not in text for text in texts)
    assert any("newsletter.eml" in text for text in texts)
    # and the full path stays in the annex (and the JSON result)
    assert path in render_html(document).split('<section id="appendix"', 1)[1]
