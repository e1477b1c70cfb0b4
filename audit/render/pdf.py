"""The PDF report: the HTML report rendered by WeasyPrint, so the layout has one source.

Imported only when a PDF is asked for (WeasyPrint is slow to import). The URL fetcher
refuses everything but `data:` URIs and the bundled fonts (SPEC.md: the PDF renderer
fetches nothing from the network or the filesystem outside the bundled assets); the
report inlines its CSS and logo, so a refused URL can only come from injected content,
and it is dropped, never fetched. The fonts (report_templates/fonts, Liberation, OFL)
are declared with @font-face and are the only families the print CSS names, so the PDF
is the same on every machine whatever fonts it has installed. The raw-evidence annex is
left out unless the branding asks for it (`--appendix`); the JSON always has it.
"""

from __future__ import annotations

import logging
from importlib import resources

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from audit.model.document import ResultDocument
from audit.render.branding import ReportBranding
from audit.render.html import render_html

logger = logging.getLogger(__name__)

FONT_SCHEME = "mailhygiene-font:"
# (family, weight, style, file); the print CSS names only these families.
BUNDLED_FONTS = (
    ("Report Sans", "normal", "normal", "LiberationSans-Regular.ttf"),
    ("Report Sans", "bold", "normal", "LiberationSans-Bold.ttf"),
    ("Report Sans", "normal", "italic", "LiberationSans-Italic.ttf"),
    ("Report Mono", "normal", "normal", "LiberationMono-Regular.ttf"),
)
FONT_FILES = frozenset(name for *_, name in BUNDLED_FONTS)


def font_css() -> str:
    """@font-face rules for the bundled fonts, and the print CSS's use of them."""
    faces = "".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{FONT_SCHEME}{name}"); }}\n'
        for family, weight, style, name in BUNDLED_FONTS
    )
    return faces + (
        'body, .mono, code, pre, .code, table.matrix th { font-family: "Report Sans"; }\n'
        '.mono, code, pre, .code, table.matrix th { font-family: "Report Mono"; }\n'
        '@page { @bottom-right { font-family: "Report Sans"; } }\n'
        'figure.chart svg, figure.chart svg * { font-family: "Report Sans"; }\n'
    )


class DataOnlyFetcher(URLFetcher):
    """Serves `data:` URIs, refuses every other URL and remembers it (for tests)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",))
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url.startswith(FONT_SCHEME) and url[len(FONT_SCHEME) :] in FONT_FILES:
            font = resources.files("report_templates") / "fonts" / url[len(FONT_SCHEME) :]
            return URLFetcherResponse(url, font.read_bytes(), {"Content-Type": "font/ttf"})
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
    branding = branding or ReportBranding()
    return html_to_pdf(render_html(document, branding, branding.appendix, font_css()))
