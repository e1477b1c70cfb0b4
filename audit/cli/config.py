"""`--config FILE`: the audit options in TOML, plus `domains = [...]` for batch runs.

Keys are the long option names with dashes or underscores (`fail-on` or `fail_on`).
Command-line flags win over the file. Unknown keys and wrong types are input errors.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.model.errors import InputError

# key -> expected type ("list" means a list of strings, a bare string is accepted too)
KEYS: dict[str, str] = {
    "domains": "list",
    "ip": "list",
    "log": "list",
    "bounce": "list",
    "selector": "list",
    "expect_ptr_suffix": "list",
    "helo": "list",
    "checks": "list",
    "skip": "list",
    "dnsbl": "list",
    "lists": "str",
    "spamhaus_dqs_key": "str",
    "nameserver": "list",
    "timeout": "number",
    "deadline": "number",
    "format": "str",
    "output": "list",
    "fail_on": "str",
    "allow_incomplete": "bool",
    "brand_name": "str",
    "brand_logo": "str",
    "client_name": "str",
    "prepared_by": "str",
    "smtp_host": "list",
    "no_relay_probe": "bool",
}


@dataclass(frozen=True)
class FileConfig:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def _coerce(key: str, value: Any, where: str) -> Any:
    kind = KEYS[key]
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


def load_config(path: Path) -> FileConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"cannot read config {path}: not UTF-8 text") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed config {path}: {exc}") from None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        normalized = key.replace("-", "_")
        if normalized not in KEYS:
            raise InputError(f"config {path}: unknown option '{key}'")
        values[normalized] = _coerce(normalized, value, f"config {path}")
    return FileConfig(path, values)
