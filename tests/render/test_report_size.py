"""What keeps a large report short: runs of consecutive addresses, one line per
classified rejection in its operator's playbook, the findings' evidence tables in the
annex, one shared table of the minor findings (issue 12, bounded size)."""

from __future__ import annotations

import html

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
    assert "198.51.100.101 – 198.51.100.135" in view.listed_ip_runs
    assert len(view.listed_ips) == 37


def test_a_letter_names_every_address_of_a_listed_block():
    # given 35 addresses listed alike on Barracuda, when the letter is written
    barracuda = next(p for p in build_playbooks(scaled_document()) if "Barracuda" in p.operator)
    letter = barracuda.request_text or ""
    # then the block is one line with its size, and nothing is left to attach
    assert "- 198.51.100.101 – 198.51.100.135 (35 addresses) on b.barracudacentral.org" in letter
    assert "attach the full list" not in letter


def articles(page: str) -> dict[str, str]:
    """The playbooks' articles by their id."""
    chapter = page.split('<section id="playbooks"', 1)[1].split("</section>", 1)[0]
    parts = chapter.split('<article class="playbook" id="')[1:]
    return {part.split('"', 1)[0]: part.split("</article>", 1)[0] for part in parts}


def test_each_classified_rejection_is_one_line_of_its_operators_playbook():
    # given the demo's result: an Outlook S3150 bounce (Microsoft has no listing) and a
    # bounce citing zen.spamhaus.org beside the Spamhaus ZEN listings
    main, annex = main_and_annex(render_html(full_document()))
    playbooks = articles(main)
    # then each rejection is one line in its operator's playbook: the Spamhaus one in the
    # listing playbook (a self-service form: no letter, said in one line), the Outlook one
    # in Microsoft's own, whose letter stays in the main report (SPEC: a pre-filled request
    # for every classified rejection), not in the opt-in raw-evidence annex
    spamhaus = playbooks["delist-the-spamhaus-project"]
    assert 'id="rejection-2"' in spamhaus and "blocked using zen.spamhaus.org" in spamhaus
    assert "<pre" not in spamhaus and "No letter:" in spamhaus
    microsoft = next(a for key, a in playbooks.items() if key.startswith("delist-microsoft"))
    assert 'id="rejection-1"' in microsoft
    assert "Subject: Delisting / mitigation request for 198.51.100.7" in microsoft
    assert main.count("Subject: Delisting / mitigation request") == 1
    assert 'id="rejection-1"' not in annex


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


def test_a_detailed_finding_shows_its_first_3_steps_and_points_to_the_rest():
    # given the demo's compromised account, whose remediation has 6 steps
    document = full_document()
    finding = next(f for f in document["findings"] if f["code"] == "VOLUME_COMPROMISED_ACCOUNT")
    steps = finding["remediation"]["steps"]
    assert len(steps) == 6
    # when the HTML report (with its annex) is rendered
    main, annex = main_and_annex(render_html(document))
    article = next(
        a for a in main.split('<article class="finding')[1:] if "VOLUME_COMPROMISED_ACCOUNT" in a
    ).split("</article>", 1)[0]
    # then the finding lists the first 3, says where the other 3 are, and the annex has all 6
    shown = article.split("<ol>", 1)[1].split("</ol>", 1)[0]
    assert shown.count("<li>") == 3
    assert "3 more steps" in article and "in the annex</a> and the JSON result" in article
    assert all(step[:40] in html.unescape(annex) for step in steps)


def test_the_minor_findings_table_lists_no_steps():
    # given the demo's result, when rendered, then each minor finding is one row with its
    # fix in a sentence: no row holds a list of steps
    main, _ = main_and_annex(render_html(full_document()))
    minor = main.split('<table class="data minor">', 1)[1].split("</table>", 1)[0]
    assert "<ol" not in minor


def test_the_compliance_matrix_says_why_under_each_rule_not_met_or_unknown():
    # given the demo's result, when its HTML report is rendered
    document = full_document()
    view = build_report(document, ReportBranding())
    assert view.compliance is not None
    # then each requirement row not met or unknown somewhere carries its reason, and no
    # second table repeats the requirements
    for row in view.compliance.matrix.rows:
        unmet = any(cell.text in ("not met", "unknown") for cell in row[1:])
        assert bool(row[0].note) == unmet
    dkim = next(r for r in view.compliance.matrix.rows if r[0].text == "DKIM signature verifies")
    assert dkim[0].note == "Why: DKIM fails in the one message analysed."
    assert "compliance-why" not in render_html(document)


def test_the_self_service_advice_is_said_once_for_every_playbook():
    # given the 50-IP result, with two operators whose removal is a self-service form
    from audit.render.report.delisting.playbook import SELF_SERVICE_ADVICE

    document = scaled_document()
    view = build_report(document, ReportBranding())
    forms = [p for p in view.playbooks if any(r.requestable and not r.letter for r in p.routes)]
    assert len(forms) >= 2
    # when rendered, then the advice is in the playbooks' lead once, in no playbook
    page = render_html(document).replace("&#39;", "'")
    assert page.count(SELF_SERVICE_ADVICE) == 1
    assert all(SELF_SERVICE_ADVICE not in p.advice for p in view.playbooks)


def test_requirements_met_by_every_provider_are_one_line_under_the_matrix():
    # given the demo's result, some of whose requirements every provider with the rule sees met
    document = full_document()
    view = build_report(document, ReportBranding())
    assert view.compliance is not None
    met = view.compliance.met_everywhere
    assert "DMARC record published (p=none suffices)" in met
    # when rendered, then the matrix tabulates the others, and one line names these
    page = render_html(document)
    chapter = page.split('id="compliance"', 1)[1].split("</section>", 1)[0]
    table = chapter.split('<table class="data compliance">', 1)[1].split("</table>", 1)[0]
    assert len(view.compliance.gaps.rows) + len(met) == len(view.compliance.matrix.rows)
    assert all(f"<td>{name}" not in table for name in met)
    assert "by every provider that has the rule: " + " · ".join(met) in html.unescape(chapter)


def test_a_fully_determined_audit_says_so_in_the_methodology_facts():
    # given the demo's result, where every check ran and nothing ended unknown
    view = build_report(full_document(), ReportBranding())
    assert view.unknowns == ()
    # then the methodology says it in its "Not checked" line, not in a section of its own
    facts = {fact.label: fact.value for fact in view.methodology}
    assert facts["Not checked"] == (
        "nothing: every check ran, and everything it checked could be determined"
    )
    assert 'id="unknowns"' in render_html(full_document())  # the anchor stays
    assert '<h3 id="unknowns">' not in render_html(full_document())


def test_the_tool_is_named_once_on_the_cover_or_in_the_methodology():
    document = full_document()
    unbranded = {f.label for f in build_report(document, ReportBranding()).methodology}
    branded = build_report(document, ReportBranding(brand_name="Acme")).methodology
    assert "Tool" not in unbranded  # the cover names it
    assert "Tool" in {f.label for f in branded}  # a branded cover does not
