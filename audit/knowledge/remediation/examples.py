"""Remediation built from evidence, shared by the spf, dkim and dmarc checks.

The catalog entry (audit/knowledge/remediation/<check>.toml) says what to do in general;
these helpers add the record to publish for *this* domain, built from what was found.
"""

from __future__ import annotations

from dataclasses import replace

from audit.knowledge.remediation import catalog
from audit.model import Remediation


def with_example(code: str, subject: str, example: str, label: str = "Publish") -> Remediation:
    """The catalog entry for `code`, plus a step showing the record to publish."""
    base = catalog()[code].render(subject)
    return replace(base, steps=(*base.steps, f"{label}: {example}"))


def with_steps(code: str, subject: str, *extra_steps: str) -> Remediation:
    base = catalog()[code].render(subject)
    return replace(base, steps=(*base.steps, *extra_steps))
