"""The Jinja2 environment over the bundled report_templates package.

Autoescape is on for every template (HTML and XML): DNS, SMTP and log data are
hostile input, and control characters and bidi overrides in it are shown as escapes.
StrictUndefined turns a template typo into an error, not blank output. The `breakable`
filter lays out a data value so it wraps where a reader expects: an IP never, a host
name only after its dots, any other long token anywhere (CSS overflow-wrap).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

import jinja2
import markupsafe

from audit.render.report.wording import capitalized
from audit.render.visible import visible


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` of data shows hostile characters as escapes (visible.py);
    markup the templates build themselves is left alone."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value)
    return value


_HOST = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+\.?")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


def breakable(value: Any) -> markupsafe.Markup:
    """A data value as escaped HTML with its line-break opportunities: `<wbr>` after the
    dots of a host name (the labels themselves never break), none in an IP address."""
    text = visible(str(value))
    if _is_ip(text):
        return markupsafe.Markup('<span class="ip">{}</span>').format(text)
    if _HOST.fullmatch(text):
        labels = [markupsafe.escape(label) for label in text.split(".")]
        joined = markupsafe.Markup(".<wbr>").join(labels)
        return markupsafe.Markup('<span class="host">{}</span>').format(joined)
    return markupsafe.escape(text)


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("report_templates", "."),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "j2"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["breakable"] = breakable
    env.filters["capitalized"] = capitalized
    return env
