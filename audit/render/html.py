"""The HTML report: one self-contained file (inline CSS, logo as a data: URI, no script).

A pure function of the result document: the view model (audit/render/report/model.py)
is built from it, the template (report_templates/report.html.j2) is autoescaped with
StrictUndefined. The PDF is this HTML rendered by WeasyPrint (audit/render/pdf.py).
"""

from __future__ import annotations

import functools
from importlib import resources

from audit.model.document import ResultDocument
from audit.render.branding import ReportBranding
from audit.render.report.model import build_report
from audit.render.templates import environment


@functools.cache
def stylesheet() -> str:
    """The bundled CSS (trusted package data, inlined into the page)."""
    return (resources.files("report_templates") / "report.css").read_text(encoding="utf-8")


def render_html(
    document: ResultDocument,
    branding: ReportBranding | None = None,
    appendix: bool = True,
    extra_css: str = "",
) -> str:
    """The report page; `appendix` False leaves out the raw-evidence annex (the PDF's
    default), `extra_css` is trusted package CSS (the PDF's bundled @font-face rules)."""
    from markupsafe import Markup

    template = environment().get_template("report.html.j2")
    view = build_report(document, branding or ReportBranding(), appendix)
    return template.render(r=view, css=Markup(stylesheet() + extra_css)) + "\n"
