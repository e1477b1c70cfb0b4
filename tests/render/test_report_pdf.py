"""The PDF report: the HTML rendered by WeasyPrint, fetching nothing (few tests: slow-ish)."""

from __future__ import annotations

import pytest
from support.pdf_pages import font_names, page_count
from support.report_fixtures import demo_document

from audit.render.branding import ReportBranding
from audit.render.html import render_html
from audit.render.pdf import DataOnlyFetcher, html_to_pdf

pytestmark = pytest.mark.slow


def test_the_demo_report_renders_to_a_multipage_pdf_without_fetching():
    document = demo_document()
    document["findings"][0]["detail"] = '<img src="http://192.0.2.9/pixel.png">'
    fetcher = DataOnlyFetcher()
    pdf = html_to_pdf(render_html(document, ReportBranding()), fetcher)
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) > 1
    assert fetcher.refused == []  # the injected tag was escaped: nothing to fetch


def test_the_fetcher_refuses_network_and_file_urls_but_serves_data_uris(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    html = (
        '<html><head><link rel="stylesheet" href="' + secret.as_uri() + '"></head><body>'
        '<img src="http://192.0.2.9/pixel.png"><img src="file:///etc/hostname">'
        '<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9z'
        'dmciIHdpZHRoPSIxIiBoZWlnaHQ9IjEiLz4=">ok</body></html>'
    )
    fetcher = DataOnlyFetcher()
    pdf = html_to_pdf(html, fetcher)
    assert pdf.startswith(b"%PDF")
    assert sorted(fetcher.refused) == sorted(
        [secret.as_uri(), "http://192.0.2.9/pixel.png", "file:///etc/hostname"]
    )


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_demo_pdf_main_report_is_at_most_9_pages_in_the_bundled_fonts_only(paper: str):
    # (12 pages before issue 12's round 4: capped steps, reasons in the compliance matrix,
    # one-row minor findings, run-in labels; 10 before round 5: one playbook per operator
    # with its rejections folded in, the severity legend under the summary's counts)
    from support.big_report import full_document

    from audit.render.pdf import render_pdf

    pdf = render_pdf(full_document(), ReportBranding(paper=paper))
    assert page_count(pdf) <= 9
    assert font_names(pdf) and all(name.startswith("Report-") for name in font_names(pdf))


def test_the_annex_goes_into_the_pdf_only_with_appendix():
    from audit.render.pdf import render_pdf

    document = demo_document()
    document["appendix"]["dns"] = document["appendix"]["dns"][:5]
    without = render_pdf(document, ReportBranding())
    with_annex = render_pdf(document, ReportBranding(appendix=True))
    assert page_count(with_annex) > page_count(without)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_50_ip_pdf_main_report_is_under_10_pages(paper: str):
    # given the 50-IP / 200-finding result (13 pages before issue 12's round 3, 12 after it
    # on A4 and 13 on Letter, 10 and 11 before round 5), when rendered as a PDF with the
    # annex off, on A4 and on Letter paper
    from support.big_report import scaled_document

    from audit.render.pdf import render_pdf

    pdf = render_pdf(scaled_document(), ReportBranding(paper=paper))
    # then the main report is under 10 pages on each (issue 12, bounded size)
    assert 0 < page_count(pdf) < 10


def test_the_1_ip_pdf_main_report_is_at_most_5_pages():
    from support.big_report import single_ip_document

    from audit.render.pdf import render_pdf

    for paper in ("a4", "letter"):
        assert 0 < page_count(render_pdf(single_ip_document(), ReportBranding(paper=paper))) <= 5


def test_the_pdf_without_annex_links_only_to_what_it_holds(caplog: pytest.LogCaptureFixture):
    # given the demo's result (findings whose evidence tables sit in the annex, classified
    # rejections with letters), when it is rendered as a PDF with the annex off
    from support.big_report import full_document

    from audit.render.pdf import render_pdf

    with caplog.at_level("ERROR", logger="weasyprint"):
        render_pdf(full_document(), ReportBranding())
    # then WeasyPrint finds every internal link's anchor (it logs "No anchor #..." otherwise)
    assert [r.getMessage() for r in caplog.records if "anchor" in r.getMessage()] == []
