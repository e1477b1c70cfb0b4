"""The output formats, as a registry: name -> file extensions, binary or not, renderer.

Every renderer is a function of the result document (audit/model/document.py) and the
render options (`--fail-on` for JUnit, branding for HTML/PDF). `--format` choices,
format-from-extension detection and dispatch all read `FORMATS`; a name it does not
hold is an `InputError` (exit 2), never a fallback to text. A test checks the registry
against the formats SPEC.md names. Renderer modules are imported only when their format
is used (WeasyPrint takes ~0.9 s to import; `--help` must stay fast).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import PurePath
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from audit.model import Severity
from audit.model.errors import InputError
from audit.render.branding import ReportBranding

if TYPE_CHECKING:
    from rich.console import Console

    from audit.model.document import ResultDocument


class RenderOptions(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    """What a renderer may need besides the document."""

    fail_on: Severity | None = Severity.HIGH  # JUnit: which findings are failures
    branding: ReportBranding = ReportBranding()  # immutable: one default is shared safely


# The document's type is for type checking alone (audit.model.document loads no TypedDicts)
Renderer = Callable[["ResultDocument", RenderOptions], str | bytes]
ConsoleRenderer = Callable[["ResultDocument", "Console"], None]


class OutputFormat(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    name: str
    extensions: tuple[str, ...]  # lower case, with the dot; the first is the usual one
    binary: bool  # bytes, never written to a terminal
    render: Renderer
    to_console: ConsoleRenderer | None = None  # stdout: straight to a rich console
    warm_imports: tuple[str, ...] = ()  # slow modules it needs, imported during the run
    # Rendering time per result row (a blacklist (target, list) pair), measured on a /24
    # and a /22: a run that stops at its deadline keeps this much time for its report.
    seconds_per_result: float = 0.0


def _text(document: ResultDocument, options: RenderOptions) -> str:
    from audit.render.text import render_text_string

    return render_text_string(document)


def _text_to_console(document: ResultDocument, console: Console) -> None:
    from audit.render.text import render_text

    render_text(document, console)


def _json(document: ResultDocument, options: RenderOptions) -> str:
    from audit.render.json_report import render_json

    return render_json(document)


def _junit(document: ResultDocument, options: RenderOptions) -> str:
    from audit.render.junit import render_junit

    return render_junit(document, options.fail_on)


def _html(document: ResultDocument, options: RenderOptions) -> str:
    from audit.render.html import render_html

    return render_html(document, options.branding)


def _pdf(document: ResultDocument, options: RenderOptions) -> bytes:
    from audit.render.pdf import render_pdf

    return render_pdf(document, options.branding)


FORMATS: Mapping[str, OutputFormat] = MappingProxyType(
    {
        entry.name: entry
        for entry in (
            OutputFormat("text", (".txt",), False, _text, _text_to_console, (), 80e-6),
            OutputFormat("json", (".json",), False, _json, None, (), 25e-6),
            OutputFormat("junit", (".xml",), False, _junit, None, ("jinja2",), 30e-6),
            OutputFormat("html", (".html",), False, _html, None, ("jinja2",), 120e-6),
            # WeasyPrint: ~25 s for the report of a /24
            OutputFormat("pdf", (".pdf",), True, _pdf, None, ("jinja2", "weasyprint"), 9e-3),
        )
    }
)


def format_names() -> tuple[str, ...]:
    return tuple(FORMATS)


def names_phrase(conjunction: str = "or") -> str:
    """'text, json, junit, html or pdf' (for help texts and errors)."""
    *first, last = FORMATS
    return f"{', '.join(first)} {conjunction} {last}"


def format_named(name: str, option: str = "format") -> OutputFormat:
    """The registry entry for `name`; an unknown name is one InputError line."""
    entry = FORMATS.get(name)
    if entry is None:
        raise InputError(f"invalid --{option} {name!r} (one of {', '.join(FORMATS)})")
    return entry


def format_for_path(path: str) -> OutputFormat | None:
    """The format a file name's extension says, if any registry entry claims it."""
    suffix = PurePath(path).suffix.lower()
    return next((f for f in FORMATS.values() if suffix in f.extensions), None)


def render(name: str, document: ResultDocument, options: RenderOptions) -> str | bytes:
    """The document in format `name` (PDF is bytes, every other format text)."""
    return format_named(name).render(document, options)
