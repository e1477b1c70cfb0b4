"""The Jinja2 environment over the bundled report_templates package.

Autoescape is on for every template (HTML and XML): DNS, SMTP and log data are
hostile input, and control characters and bidi overrides in it are shown as escapes.
StrictUndefined turns a template typo into an error, not blank output.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
import markupsafe

from audit.render.visible import visible


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` of data shows hostile characters as escapes (visible.py);
    markup the templates build themselves is left alone."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value)
    return value


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("report_templates", "."),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "j2"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=False,
        lstrip_blocks=False,
    )
