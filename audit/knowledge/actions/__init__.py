"""The report's action plan as data: which fix resolves which finding codes.

Steps live in audit/knowledge/actions/actions.toml, in the order a consultant does them
(stop the abuse, close the relay, fix rDNS, then authentication; delisting last: operators
relist while the cause remains). Each step names who typically does it and the effort.
`[letters]` holds the past-tense sentence a delisting letter uses once the user confirms
a fix. Loaded once, validated, immutable.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType


class ActionDataError(ValueError):
    """actions.toml is malformed (a bug in the shipped data)."""


@dataclass(frozen=True)
class ActionStep:
    id: str
    title: str
    owner: str  # who typically does it: DNS admin, mail admin, account owner
    effort: str
    symptom: bool  # a consequence (a listing, rejections), not a cause to fix first
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ActionCatalog:
    steps: tuple[ActionStep, ...]
    letters: Mapping[str, str]  # finding code -> past-tense sentence for a delisting letter

    def step_for(self, code: str) -> ActionStep | None:
        return next((step for step in self.steps if code in step.codes), None)


def _text(raw: Mapping[str, object], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ActionDataError(f"actions.toml: {where} needs a non-empty {key}")
    return value.strip()


def _step(raw: object) -> ActionStep:
    if not isinstance(raw, dict):
        raise ActionDataError("actions.toml: every [[step]] must be a table")
    step_id = _text(raw, "id", "[[step]]")
    codes = raw.get("codes")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        raise ActionDataError(f"actions.toml: step {step_id} needs a list of codes")
    return ActionStep(
        id=step_id,
        title=_text(raw, "title", step_id),
        owner=_text(raw, "owner", step_id),
        effort=_text(raw, "effort", step_id),
        symptom=bool(raw.get("symptom", False)),
        codes=tuple(codes),
    )


@functools.cache
def actions() -> ActionCatalog:
    """The shipped action plan. Loaded once per process."""
    text = (resources.files(__package__) / "actions.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ActionDataError(f"actions.toml: {exc}") from exc
    steps = tuple(_step(raw) for raw in data.get("step", []))
    codes = [code for step in steps for code in step.codes]
    if len(codes) != len(set(codes)):
        raise ActionDataError("actions.toml: a code is named by more than one step")
    letters = data.get("letters", {})
    if not all(isinstance(v, str) for v in letters.values()):
        raise ActionDataError("actions.toml: [letters] values must be strings")
    return ActionCatalog(steps, MappingProxyType(dict(letters)))
