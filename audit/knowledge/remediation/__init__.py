"""Remediation knowledge as data: one entry per finding code.

Entries live in audit/knowledge/remediation/*.toml (one file per check), are validated when
loaded, and are immutable afterwards. Checks may attach a more specific `Remediation`
(a blacklist finding carries its list's delisting route); otherwise the runner attaches
the catalog entry for the finding's code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from audit.knowledge.toml_cache import parse_toml
from audit.model import Finding, Remediation


class RemediationDataError(ValueError):
    """A remediation file is malformed (a bug in the shipped data)."""


@dataclass(frozen=True)
class RemediationEntry:
    code: str
    summary: str
    steps: tuple[str, ...]
    links: tuple[str, ...]
    why: str  # why it matters, for delisting in particular
    blocks_delisting: bool
    provider: str | None = None

    def render(self, subject: str) -> Remediation:
        """Fill `{subject}` placeholders; nothing else is interpolated."""
        return Remediation(
            summary=self.summary.replace("{subject}", subject),
            steps=tuple(step.replace("{subject}", subject) for step in self.steps),
            links=self.links,
            provider=self.provider,
        )


def _entry(code: str, raw: object, source: str) -> RemediationEntry:
    if not isinstance(raw, dict):
        raise RemediationDataError(f"{source}: [{code}] must be a table")
    summary, steps, links = raw.get("summary"), raw.get("steps", []), raw.get("links", [])
    if not isinstance(summary, str) or not summary.strip():
        raise RemediationDataError(f"{source}: [{code}] needs a summary")
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps) or not steps:
        raise RemediationDataError(f"{source}: [{code}] needs a non-empty list of steps")
    if not isinstance(links, list) or not all(
        isinstance(link, str) and link.startswith("https://") for link in links
    ):
        raise RemediationDataError(f"{source}: [{code}] links must be https:// URLs")
    return RemediationEntry(
        code=code,
        summary=summary.strip(),
        steps=tuple(steps),
        links=tuple(links),
        why=str(raw.get("why", "")).strip(),
        blocks_delisting=bool(raw.get("blocks_delisting", False)),
        provider=raw.get("provider"),
    )


@functools.cache
def catalog() -> Mapping[str, RemediationEntry]:
    """All remediation entries, keyed by finding code. Loaded once per process."""
    entries: dict[str, RemediationEntry] = {}
    # The files beside this module, read as files (importlib.resources costs ~8 ms to
    # import) through the knowledge cache (tomllib, ~10 ms, loads only on a miss): a
    # listed IP's finding needs them in `blacklist`, whose start-up is measured.
    for item in sorted(Path(__file__).parent.glob("*.toml")):
        name = "remediation-" + item.name.removesuffix(".toml")
        try:
            data = parse_toml(item.read_text(encoding="utf-8"), name)
        except ValueError as exc:  # tomllib.TOMLDecodeError
            raise RemediationDataError(f"{item.name}: {exc}") from exc
        for code, raw in data.items():
            if code in entries:
                raise RemediationDataError(f"{item.name}: duplicate code {code}")
            entries[code] = _entry(code, raw, item.name)
    return MappingProxyType(entries)


def attach(finding: Finding) -> Finding:
    """Return `finding` with a remediation: its own if it has one, else the catalog's."""
    if finding.remediation is not None:
        return finding
    entry = catalog().get(finding.code)
    if entry is None:
        raise RemediationDataError(f"no remediation entry for finding code {finding.code}")
    from dataclasses import replace

    return replace(finding, remediation=entry.render(finding.subject))


def blocks_delisting(code: str) -> bool:
    entry = catalog().get(code)
    return bool(entry and entry.blocks_delisting)
