"""`--config FILE`: the audit options in TOML, plus `domains = [...]` for batch runs.

Keys are the long option names with dashes or underscores (`fail-on` or `fail_on`).
Command-line flags win over the file. Unknown keys and wrong types are input errors.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.cli.specs import CONFIG_LIST_KEYS
from audit.engine.options import OptionSpec, ValueKind, all_declarations
from audit.model.errors import InputError
from audit.model.textfile import read_text_file

MAX_CONFIG_BYTES = 1_000_000  # a config of a thousand domains is ~30 kB


def _config_kind(spec: OptionSpec) -> str:
    if spec.name in CONFIG_LIST_KEYS:
        return "list"
    return "str" if spec.kind is ValueKind.PATH else spec.kind.value


def config_keys(specs: Iterable[OptionSpec]) -> dict[str, str]:
    """key -> expected type ("list" means a list of strings, a bare string is accepted too),
    from the declarations of every option the config file may set."""
    keys = {"domains": "list"}
    keys.update({spec.name: _config_kind(spec) for spec in specs if spec.config_key})
    return keys


def audit_config_keys() -> dict[str, str]:
    from audit.cli.specs import RUN_OPTIONS_FIRST, RUN_OPTIONS_LAST
    from checks.options import CHECK_OPTIONS

    return config_keys((*RUN_OPTIONS_FIRST, *all_declarations(CHECK_OPTIONS), *RUN_OPTIONS_LAST))


@dataclass(frozen=True)
class FileConfig:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def _coerce(kind: str, key: str, value: Any, where: str) -> Any:
    if kind == "list":
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise InputError(f"{where}: '{key}' must be a string or a list of strings")
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind == "bool" and isinstance(value, bool):
        return value
    raise InputError(f"{where}: '{key}' must be a {kind}")


def load_config(path: Path, keys: Mapping[str, str] | None = None) -> FileConfig:
    """The file's values by key; `keys` default to every `audit` option."""
    known = keys if keys is not None else audit_config_keys()
    text = read_text_file(path, MAX_CONFIG_BYTES, "config")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed config {path}: {exc}") from None
    except RecursionError:  # tomllib recurses once per nesting level
        raise InputError(f"malformed config {path}: nested too deeply") from None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        normalized = key.replace("-", "_")
        if normalized not in known:
            raise InputError(f"config {path}: unknown option '{key}'")
        values[normalized] = _coerce(known[normalized], normalized, value, f"config {path}")
    return FileConfig(path, values)
