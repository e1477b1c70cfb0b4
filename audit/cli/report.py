"""`mailhygiene report RESULT.json -o OUT`: re-render a saved JSON result, no network.

The saved document is read and validated against the shipped schema
(audit/render/document/load.py), then rendered as it is by the same renderers and output
helpers as a live audit: every renderer takes the result document, so there is no
mapping back to the model. `report` is a renderer, not an audit: it exits 0 on success
whatever the result says (the recorded exit code stays in the document), and 2 on a
bad file or option.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from audit.cli.options import with_options
from audit.model.errors import InputError

ResultArg = Annotated[
    Path,
    typer.Argument(metavar="RESULT.json", help="A result saved with --format json."),
]


def report(result_file: ResultArg, **given: Any) -> None:
    """Re-render a saved JSON result as html, pdf, text, junit or json (no network)."""
    from audit.cli.common import OutputFlags, configure_logging
    from audit.render.document.load import load_document
    from audit.render.formats import RenderOptions
    from audit.render.outputs import write_outputs

    flags = OutputFlags(**given)
    configure_logging(flags.verbose, flags.quiet)
    planned = flags.outputs()
    threshold = flags.threshold()  # junit: which findings are failures
    branding = flags.branding()
    document = load_document(result_file)
    try:
        write_outputs(document, planned, RenderOptions(threshold, branding))
    except InputError:
        raise
    except _render_errors() as exc:
        raise _unrenderable(result_file, exc) from None
    raise typer.Exit(0)


def _render_errors() -> tuple[type[Exception], ...]:
    """What a renderer raises on values of the wrong shape. The schema leaves each check's
    evidence open, so a saved result edited by hand can be valid and still not renderable:
    for `report` that is bad input (exit 2), where a live audit's document never is."""
    from jinja2 import UndefinedError

    return (TypeError, KeyError, IndexError, AttributeError, ValueError, UndefinedError)


def _unrenderable(path: Path, exc: Exception) -> InputError:
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
    return InputError(
        f"{path}: a valid result document whose content cannot be rendered ({detail}); "
        "was it edited by hand?"
    )


def register(app: typer.Typer) -> None:
    """Add `report` to the main app (called once from audit/cli.py)."""
    from audit.cli.specs import ALLOW_INCOMPLETE, OUTPUT_OPTIONS

    # A renderer, not an audit: nothing is incomplete about a re-render.
    specs = tuple(spec for spec in OUTPUT_OPTIONS if spec is not ALLOW_INCOMPLETE)
    app.command("report")(with_options(report, specs))
