"""The volume-over-time chart: an inline SVG in the HTML/PDF report, from the volume evidence."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from support.report_fixtures import demo_document

from audit.cli.common import execute
from audit.lab.demo import demo_lab
from audit.render.branding import ReportBranding
from audit.render.document.build import build_document
from audit.render.html import render_html
from audit.render.report.chart import nice_ceiling, volume_chart_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


@pytest.fixture(scope="module")
def demo_html() -> str:
    """The offline lab's audit (the demo's result) rendered as HTML."""
    with demo_lab() as lab:
        result = execute(lab.plan(), quiet=True)
    return render_html(build_document(result))


def chart_of(html: str) -> ET.Element:
    (svg,) = SVG_RE.findall(html)
    return ET.fromstring(svg)


def evidence(account: str = "alice@example.test") -> dict:
    series = [["2025-03-11T22:00Z", 4], ["2025-03-12T01:00Z", 900]]
    return {"top_accounts": [{"account": account}], "hourly": {account: series}}


def test_the_demo_report_has_a_well_formed_volume_chart(demo_html):
    # given the demo's volume evidence, when rendered, then one parseable SVG is in the page
    svg = chart_of(demo_html)
    assert svg.tag == f"{SVG_NS}svg"
    assert 'id="volume-chart"' in demo_html
    assert len(svg.findall(f"{SVG_NS}polyline")) == 6  # the six busiest accounts


def test_the_demo_chart_highlights_the_burst_hours_and_labels_dates(demo_html):
    svg = chart_of(demo_html)
    texts = {t.text for t in svg.iter(f"{SVG_NS}text")}
    assert {"11 Mar 2025", "12 Mar 2025", "02:00"} <= texts
    assert "burst hour flagged by the volume check" in texts
    assert len(svg.findall(f"{SVG_NS}circle")) == 2  # 02:00 and 03:00 for alice


def test_the_chart_has_no_script_and_no_external_reference(demo_html):
    (svg,) = SVG_RE.findall(demo_html)
    assert "<script" not in svg and "href" not in svg


def test_without_volume_evidence_there_is_no_chart():
    # given a result whose volume check did not run, when rendered, then no chart and no error
    html = render_html(demo_document(), ReportBranding())
    assert "<svg" not in html and "volume-chart" not in html


def test_a_volume_check_without_hourly_series_gives_no_chart():
    assert volume_chart_svg({"hourly": {}, "top_accounts": []}, set()) is None


def test_the_same_evidence_gives_the_same_svg():
    burst = {datetime(2025, 3, 12, 1, tzinfo=UTC)}
    assert volume_chart_svg(evidence(), burst) == volume_chart_svg(evidence(), burst)


def test_account_names_from_logs_are_escaped():
    svg = volume_chart_svg(evidence("<b>x&y</b>@example.test"), set())
    assert svg is not None and "<b>" not in svg and "&lt;b&gt;x&amp;y" in svg
    ET.fromstring(svg)


def test_hours_missing_from_a_series_plot_as_zero():
    svg = ET.fromstring(volume_chart_svg(evidence(), set()) or "")
    (line,) = svg.findall(f"{SVG_NS}polyline")
    assert len(line.attrib["points"].split()) == 4  # 22:00, 23:00, 00:00, 01:00


@pytest.mark.parametrize(
    ("peak", "expected"), [(1, (1, 1)), (7, (8, 2)), (1200, (1500, 500)), (40, (40, 10))]
)
def test_the_y_axis_ends_on_a_round_number(peak, expected):
    assert nice_ceiling(peak) == expected
