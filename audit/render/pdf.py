"""The PDF report: the HTML report rendered by WeasyPrint, so the layout has one source.

Imported only when a PDF is asked for (WeasyPrint is slow to import). The URL fetcher
refuses everything but `data:` URIs (SPEC.md: the PDF renderer fetches nothing from
the network or the filesystem); the report inlines its CSS and logo, so a refused URL
can only come from injected content, and it is dropped, never fetched.
"""

from __future__ import annotations

import logging

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from audit.model.document import ResultDocument
from audit.render.branding import ReportBranding
from audit.render.html import render_html

logger = logging.getLogger(__name__)


class DataOnlyFetcher(URLFetcher):
    """Serves `data:` URIs, refuses every other URL and remembers it (for tests)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",))
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            logger.debug("PDF renderer refused to fetch %s", url)
            raise ValueError(f"refusing to fetch {url!r}: the report fetches nothing")
        return super().fetch(url, headers)


def html_to_pdf(html: str, fetcher: DataOnlyFetcher | None = None) -> bytes:
    # weasyprint's own warnings about refused resources are noise for users.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher or DataOnlyFetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def render_pdf(document: ResultDocument, branding: ReportBranding | None = None) -> bytes:
    return html_to_pdf(render_html(document, branding))
