"""What to do about a finding or a rejection: summary, ordered steps, links, provider."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Remediation:
    summary: str
    steps: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    provider: str | None = None
