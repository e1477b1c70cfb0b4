"""The volume check's thresholds, loaded from audit/knowledge/volume/thresholds.toml once,
validated, immutable. Rejections in the logs are classified with the bounce knowledge
(audit/knowledge/providers/), the one provider table."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from audit.model.rejection import Reason

SOURCE = "audit/knowledge/volume/thresholds.toml"


class VolumeRulesError(ValueError):
    """The shipped thresholds file is malformed (a bug in the data)."""


@dataclass(frozen=True)
class Thresholds:
    burst_floor: int
    floor_min_messages: int
    floor_baseline_multiplier: float
    burst_median_multiplier: float
    burst_absolute: int
    burst_min_baseline_hours: int
    many_ips_per_hour: int
    compromise_ips_per_hour: int
    bounce_min_deliveries: int
    bounce_medium_ratio: float
    bounce_high_ratio: float
    blocks_min_rejections: int
    block_reasons: frozenset[str]
    relay_min_messages: int
    top_accounts: int
    top_rejections: int
    max_series_points: int
    max_sending_ips: int
    sasl_failures_per_ip: int
    sasl_failures_per_account: int
    relay_denied_per_ip: int
    dictionary_recipients_per_ip: int
    attacking_ips_shown: int


@dataclass(frozen=True)
class VolumeRules:
    thresholds: Thresholds


def _number(table: dict[str, Any], key: str, kind: type) -> Any:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise VolumeRulesError(f"{SOURCE}: {key} must be a non-negative number")
    return kind(value)


def _reasons(table: dict[str, Any], key: str) -> frozenset[str]:
    """Reasons in the classifier's vocabulary (audit/model/rejection.py `Reason`)."""
    values = table.get(key)
    known = {reason.value for reason in Reason}
    if not isinstance(values, list) or not set(values) <= known:
        raise VolumeRulesError(f"{SOURCE}: {key} must be a list of {sorted(known)}")
    return frozenset(values)


def parse_rules(data: dict[str, Any]) -> VolumeRules:
    burst, ips, bounce = data["burst"], data["client_ips"], data["bounce"]
    blocks, relay, shown = data["remote_blocks"], data["relay"], data["evidence"]
    attacks = data["attacks"]
    thresholds = Thresholds(
        burst_floor=_number(burst, "floor_messages", int),
        floor_min_messages=_number(burst, "floor_min_messages", int),
        floor_baseline_multiplier=_number(burst, "floor_baseline_multiplier", float),
        burst_median_multiplier=_number(burst, "median_multiplier", float),
        burst_absolute=_number(burst, "absolute_messages", int),
        burst_min_baseline_hours=_number(burst, "min_baseline_hours", int),
        many_ips_per_hour=_number(ips, "many_per_hour", int),
        compromise_ips_per_hour=_number(ips, "compromise_per_hour", int),
        bounce_min_deliveries=_number(bounce, "min_deliveries", int),
        bounce_medium_ratio=_number(bounce, "medium_ratio", float),
        bounce_high_ratio=_number(bounce, "high_ratio", float),
        blocks_min_rejections=_number(blocks, "min_rejections", int),
        block_reasons=_reasons(blocks, "block_reasons"),
        relay_min_messages=_number(relay, "min_messages", int),
        top_accounts=_number(shown, "top_accounts", int),
        top_rejections=_number(shown, "top_rejections", int),
        max_series_points=_number(shown, "max_series_points", int),
        max_sending_ips=_number(shown, "max_sending_ips", int),
        sasl_failures_per_ip=_number(attacks, "sasl_failures_per_ip", int),
        sasl_failures_per_account=_number(attacks, "sasl_failures_per_account", int),
        relay_denied_per_ip=_number(attacks, "relay_denied_per_ip", int),
        dictionary_recipients_per_ip=_number(attacks, "dictionary_recipients_per_ip", int),
        attacking_ips_shown=_number(attacks, "attacking_ips_shown", int),
    )
    return VolumeRules(thresholds)


@functools.cache
def shipped_rules() -> VolumeRules:
    text = (resources.files(__package__) / "thresholds.toml").read_text("utf-8")
    try:
        return parse_rules(tomllib.loads(text))
    except (KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise VolumeRulesError(f"{SOURCE}: {exc}") from exc
