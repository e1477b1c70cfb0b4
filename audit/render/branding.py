"""Report branding and presentation (`--brand-name`, `--brand-logo`, `--brand-color`,
`--client-name`, `--prepared-by`, `--appendix`, `--fixed`).

Kept apart from `AuditOptions`: these change how a report reads, never what the audit
does (`fixed` only lets a delisting letter state, in the past tense, what the user
confirms was done). The logo is read once, checked by its magic bytes and size, and
inlined as a `data:` URI, so the HTML stays self-contained and the PDF renderer fetches
nothing; an SVG logo that could run script or fetch anything is refused (exit 2), not
silently dropped at render time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from audit.model.errors import InputError

DEFAULT_BRAND = "mailhygiene"
MAX_LOGO_BYTES = 1_000_000


class ReportBranding(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    brand_name: str = DEFAULT_BRAND
    logo_data_uri: str | None = None
    client_name: str | None = None
    prepared_by: str | None = None
    brand_color: str | None = None  # "#1f3a5f", validated
    appendix: bool = False  # the raw-evidence annex in the PDF (the HTML always has it)
    fixed: frozenset[str] = frozenset()  # finding codes confirmed fixed
    tool_line: bool | None = None  # the cover's "Tool" line; None: only when unbranded
    paper: str = "a4"  # the PDF's page size: "a4" or "letter" (PAPER_SIZES)

    @property
    def branded(self) -> bool:
        return self.brand_name != DEFAULT_BRAND or self.logo_data_uri is not None

    @property
    def show_tool(self) -> bool:
        return not self.branded if self.tool_line is None else self.tool_line


def _logo_media_type(content: bytes) -> str | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = content[:2048].lstrip().lower()
    if (head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in head) or head.startswith(
        b"<!doctype svg"
    ):
        return "image/svg+xml"
    return None


SVG_FORBIDDEN_TAGS = frozenset({"script", "foreignObject", "iframe", "embed", "object"})
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)


def _svg_problem(content: bytes) -> str | None:
    """Why an SVG logo is unsafe to inline (script, event handlers, anything fetched),
    or None. DOCTYPE/ENTITY are refused before parsing (entity expansion bombs)."""
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        return "it declares a DOCTYPE or entities"
    # loaded for a logo only: every command builds its branding (~5 ms of start-up)
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        return f"it is not well-formed XML ({exc})"
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag in SVG_FORBIDDEN_TAGS:
            return f"it contains a <{tag}> element"
        problem = _attribute_problem(element.attrib.items())
        if problem or (tag == "style" and _EXTERNAL_URL.search(element.text or "")):
            return problem or "its stylesheet references an external resource"
    return None


def _attribute_problem(attributes: Iterable[tuple[str, str]]) -> str | None:
    for name, value in attributes:
        local = name.rsplit("}", 1)[-1].lower()
        if local.startswith("on"):
            return f"it has an event handler ({local})"
        if local == "href" and not value.strip().startswith("#"):
            return "it references an external resource"
        if _EXTERNAL_URL.search(value) or "@import" in value:
            return "it references an external resource"
    return None


def parse_color(text: str) -> str:
    """`#rgb` or `#rrggbb`, lower case; anything else (a CSS injection) -> InputError."""
    color = text.strip().lower()
    if not re.fullmatch(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})", color):
        raise InputError(f"invalid --brand-color {text!r} (a hex colour such as #1f3a5f)")
    return color


def load_logo(path: Path) -> str:
    """The logo file as a data: URI; unreadable, too large or not PNG/JPEG/SVG -> InputError."""
    try:
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise InputError(
                f"--brand-logo {path}: {size} bytes, larger than {MAX_LOGO_BYTES} bytes"
            )
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read --brand-logo {path}: {exc.strerror or exc}") from None
    media_type = _logo_media_type(content)
    if media_type is None:
        raise InputError(f"--brand-logo {path}: not a PNG, JPEG or SVG image")
    problem = _svg_problem(content) if media_type == "image/svg+xml" else None
    if problem:
        raise InputError(f"--brand-logo {path}: SVG refused: {problem}")
    import base64

    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


def _clean(text: str | None) -> str | None:
    stripped = " ".join((text or "").split())
    return stripped or None


def build_branding(
    brand_name: str | None = None,
    brand_logo: str | Path | None = None,
    client_name: str | None = None,
    prepared_by: str | None = None,
    brand_color: str | None = None,
    appendix: bool = False,
    fixed: Iterable[str] = (),
    paper: str | None = None,
) -> ReportBranding:
    """Validated branding from option values (None: not given)."""
    return ReportBranding(
        brand_name=_clean(brand_name) or DEFAULT_BRAND,
        logo_data_uri=load_logo(Path(brand_logo)) if brand_logo else None,
        client_name=_clean(client_name),
        prepared_by=_clean(prepared_by),
        brand_color=parse_color(brand_color) if brand_color else None,
        appendix=appendix,
        fixed=frozenset(code.strip().upper() for code in fixed if code.strip()),
        paper=parse_paper(paper),
    )


PAPER_SIZES = ("a4", "letter")  # CSS @page size keywords (CSS Paged Media, "page-size")


def parse_paper(value: str | None) -> str:
    """--paper: a4 (the default) or letter, any case; anything else is exit 2."""
    paper = (value or "a4").strip().lower()
    if paper not in PAPER_SIZES:
        raise InputError(f"invalid --paper {value!r} (a4 or letter)")
    return paper
