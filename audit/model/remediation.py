"""What to do about a finding or a rejection: summary, ordered steps, links, provider."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Remediation:
    """What to do: a summary, the steps in order, links, and the provider it concerns."""

    summary: str
    steps: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    provider: str | None = None
