"""Mailbox providers' sender requirements as data: one TOML file per provider.

Each rule: its id (`<provider>.<rule>`, the vocabulary the bounce classifier shares),
what it checks, the check/field that answers it (`answered_by`, a key of
checks/compliance.py's ANSWERS), all senders or bulk only, and the provider's page with
the date of the copy it was read from. Loaded once, validated, immutable.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

PROVIDERS = ("gmail", "yahoo", "microsoft", "apple")
RULE_ID = re.compile(r"^(gmail|yahoo|microsoft|apple)\.[a-z_]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RequirementsDataError(ValueError):
    """A requirements file is malformed (a bug in the shipped data)."""


@dataclass(frozen=True)
class Requirement:
    rule: str
    provider: str
    title: str
    checks: str  # what the rule asks, in the provider's terms
    answered_by: str
    bulk: bool
    source: str
    snapshot: str


def _requirement(provider: str, raw: dict[str, object], name: str) -> Requirement:
    rule = raw.get("id")
    if not isinstance(rule, str) or not RULE_ID.match(rule) or not rule.startswith(provider):
        raise RequirementsDataError(f"{name}: bad rule id {rule!r}")
    fields = {key: raw.get(key) for key in ("title", "checks", "answered_by", "source", "snapshot")}
    if not all(isinstance(value, str) and value for value in fields.values()):
        raise RequirementsDataError(f"{name}: {rule} needs {', '.join(fields)}")
    if not str(fields["source"]).startswith("https://") or not DATE.match(str(fields["snapshot"])):
        raise RequirementsDataError(f"{name}: {rule} needs an https source and a snapshot date")
    return Requirement(rule, provider, bulk=bool(raw.get("bulk", False)), **fields)  # type: ignore[arg-type]


@functools.cache
def requirements() -> tuple[Requirement, ...]:
    """Every provider's rules, in PROVIDERS order and file order."""
    folder = resources.files(__package__)
    loaded: list[Requirement] = []
    for provider in PROVIDERS:
        name = f"{provider}.toml"
        data = tomllib.loads((folder / name).read_text(encoding="utf-8"))
        loaded.extend(_requirement(provider, raw, name) for raw in data.get("rule", []))
    ids = [r.rule for r in loaded]
    if len(ids) != len(set(ids)):
        raise RequirementsDataError("duplicate rule ids")
    return tuple(loaded)
