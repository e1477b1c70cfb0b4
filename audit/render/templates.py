"""The Jinja2 environment over the bundled report_templates package.

Autoescape is on for every template (HTML and XML): DNS, SMTP and log data are
hostile input. StrictUndefined turns a template typo into an error, not blank output.
"""

from __future__ import annotations

import functools

import jinja2


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("report_templates", "."),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "j2"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
